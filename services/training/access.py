"""What training knows for the policy table (``shared.access``): its read model of the team
(``people``, ``person_posts`` through time) and the roster's unit tree (``unit_versions``, from
``units_saved``) on the day of the act: a committee's leaders are its members, its other staff its
office.  A unit the tree does not hold is known only as the agency of the people posted in it."""
from __future__ import annotations

from sqlalchemy import or_, select

from shared.access import Resolver
from shared.dated import away_on

from services.training.models import Person, PersonDeparture, PersonPost, UnitVersion


class TrainingAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
        V = UnitVersion
        q = select(V).where(V.id == unit_id)
        if self.day is not None:
            q = q.where(V.since <= self.day, or_(V.until.is_(None), V.until >= self.day))
        version = self.session.scalars(q.order_by(V.since.desc()).limit(1)).first()
        if version is not None:
            return version.kind, version.parent
        agency = self.session.scalars(select(Person.agency_id).where(Person.unit_id == unit_id,
                                                                        Person.agency_id.is_not(None))
                                      .limit(1)).first()
        if agency is not None and agency != unit_id:
            return "section", agency
        return None

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        person = self.session.get(Person, person_id)
        post = self.session.scalars(select(PersonPost).where(PersonPost.person_id == person_id,
                                                               PersonPost.start <= day)
                                    .order_by(PersonPost.start.desc()).limit(1)).first()
        D = PersonDeparture
        left = self.session.scalars(select(D.on).where(D.person_id == person_id, D.on <= day)
                                    .order_by(D.on.desc()).limit(1)).first()
        if left is None and person is not None and person.left_on is not None and person.left_on <= day \
                and self.session.scalars(select(D.on).where(D.person_id == person_id).limit(1)).first() is None:
            left = person.left_on   # a departure kept before its day was (upsert_people, older rows)
        if away_on([left] if left is not None else [], [post.start] if post is not None else [], day):
            # he left on ``left`` (the roster's ``staff_left``) and no post of his has begun since (a
            # return, ``return_to_team``): no post then
            return None
        if post is None and self.session.scalars(select(PersonPost.start).where(
                PersonPost.person_id == person_id).limit(1)).first() is not None:
            return None     # posted only after the day: not yet in post then (as scoring and the roster)
        row = post or person
        if row is None:
            return None
        agency = row.agency_id or row.unit_id
        return agency, (row.unit_id if row.unit_id != agency else None), row.position

    def last_post_of(self, person_id, day):
        """A read about a person not in post on ``day`` (he has left): his last post before it, else his
        first after it, else the read model's own row."""
        if not isinstance(person_id, str):
            return None
        P = PersonPost
        row = self.session.scalars(select(P).where(P.person_id == person_id, P.start <= day)
                                   .order_by(P.start.desc()).limit(1)).first() or \
            self.session.scalars(select(P).where(P.person_id == person_id).order_by(P.start).limit(1)).first() or \
            self.session.get(Person, person_id)
        if row is None:
            return None
        agency = row.agency_id or row.unit_id
        return agency, (row.unit_id if row.unit_id != agency else None), row.position
