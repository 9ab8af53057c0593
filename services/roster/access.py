"""What the roster knows for the policy table (``shared.access``): the truth — its units and each
person's posts through time."""
from __future__ import annotations

from sqlalchemy import or_, select

from shared.access import Resolver

from services.roster.models import PostRow, SpellRow, StaffRow, UnitVersionRow

BODIES = ("agency", "committee")


class RosterAccess(Resolver):
    def unit(self, unit_id):
        """The unit's version on the day of the act (else its latest: the tree as it stands)."""
        if not isinstance(unit_id, str):
            return None
        versions = select(UnitVersionRow).where(UnitVersionRow.id == unit_id)
        if self.day is not None:
            row = self.session.scalars(versions.where(
                UnitVersionRow.start <= self.day,
                or_(UnitVersionRow.end.is_(None), UnitVersionRow.end >= self.day))
                .order_by(UnitVersionRow.start.desc()).limit(1)).first()
            if row is not None:
                return row.kind, row.parent
        row = self.session.scalars(versions.order_by(UnitVersionRow.start.desc()).limit(1)).first()
        return None if row is None else (row.kind, row.parent)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        post = self.session.scalars(
            select(PostRow).where(PostRow.person == person_id, PostRow.start <= day,
                                    or_(PostRow.end.is_(None), PostRow.end >= day))
            .order_by(PostRow.start.desc()).limit(1)).first()
        if post is not None:
            unit, position = post.unit, post.position
        else:
            has_posts = self.session.scalars(select(PostRow.start).where(PostRow.person == person_id)
                                             .limit(1)).first()
            staff = self.session.get(StaffRow, person_id)
            if has_posts is not None or staff is None:
                return None
            unit, position = staff.unit, staff.position
        return self._placed(unit, position)

    def last_post_of(self, person_id, day):
        """A read about a person not in post on ``day`` (before his first post, or after his last
        ended): his last post before it, else his first after it, else his staff row."""
        if not isinstance(person_id, str):
            return None
        post = self.session.scalars(select(PostRow).where(PostRow.person == person_id, PostRow.start <= day)
                                    .order_by(PostRow.start.desc()).limit(1)).first() or \
            self.session.scalars(select(PostRow).where(PostRow.person == person_id)
                                 .order_by(PostRow.start).limit(1)).first() or \
            self.session.get(StaffRow, person_id)
        return None if post is None else self._placed(post.unit, post.position)

    def _placed(self, unit, position):
        """``(agency, section or None, position)`` of a post in ``unit``: the body above it."""
        section = None
        for u in self.ancestry(unit):
            kind = (self._unit(u) or (None, None))[0]
            if kind in BODIES:
                return u, section, position
            if section is None:
                section = u
        return unit, None, position

    def unit_of_record(self, kind, record_id):
        """A spell (``roster.end_spell``): the unit of its person's post on the day it began."""
        if kind != "spell" or not isinstance(record_id, str):
            return None
        row = self.session.get(SpellRow, record_id)
        return None if row is None else self.unit_of_person(row.person, row.start)
