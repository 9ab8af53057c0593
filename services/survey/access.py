"""What the survey knows for the policy table (``shared.access``): its read model of the roster's
units and posts with their positions (a person's role here, as in scoring: a committee's leaders are
its members, its other staff its office; an agency's head; posts kept before positions were have none:
no role), and its campaigns' owners."""
from __future__ import annotations

from sqlalchemy import or_, select

from shared.access import Resolver
from shared.dated import away_on

from services.survey.models import (CampaignRow, RosterDepartureRow, RosterPostRow, RosterStaffRow,
                                    RosterUnitRow, RosterUnitVersionRow)


class SurveyAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
        if self.day is not None:    # the roster's tree on the day of the act
            V = RosterUnitVersionRow
            version = self.session.scalars(
                select(V).where(V.id == unit_id, V.since <= self.day, or_(V.until.is_(None), V.until >= self.day))
                .order_by(V.since.desc()).limit(1)).first()
            if version is not None:
                return version.kind, version.parent
        row = self.session.get(RosterUnitRow, unit_id)
        return None if row is None else (row.kind, row.parent)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        staff = self.session.get(RosterStaffRow, person_id)
        post = self.session.scalars(select(RosterPostRow).where(RosterPostRow.person == person_id,
                                                                  RosterPostRow.start <= day)
                                    .order_by(RosterPostRow.start.desc()).limit(1)).first()
        D = RosterDepartureRow
        left = self.session.scalars(select(D.on).where(D.person == person_id, D.on <= day)
                                    .order_by(D.on.desc()).limit(1)).first()
        if away_on([left] if left is not None else [], [post.start] if post is not None else [], day):
            # the roster says he left on ``left`` (``staff_left``) and no post of his has begun since (a
            # return, ``return_to_team``): no post, as the survey's own subjects count him out
            return None
        if left is None and staff is not None and staff.left and self.session.scalars(
                select(D.on).where(D.person == person_id).limit(1)).first() is None:
            return None     # a departure the survey received before it kept their dates: no post
        if post is not None:
            return post.agency, (post.unit if post.unit != post.agency else None), post.position
        if staff is None:
            return None
        if self.session.scalars(select(RosterPostRow.person).where(RosterPostRow.person == person_id)
                                .limit(1)).first() is not None:
            # his posts all begin later than the day: no post (and so no role) yet, as in scoring,
            # training and the roster; before, his record's future post lent its role today
            return None
        return staff.agency, (staff.unit if staff.unit != staff.agency else None), staff.position

    def owner_of_campaign(self, campaign_id):
        row = self.session.get(CampaignRow, campaign_id) if isinstance(campaign_id, str) else None
        return None if row is None else row.owner
