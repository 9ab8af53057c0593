"""What training knows for the policy table (``shared.access``): its read model of the team
(``people``, ``person_posts`` through time).  It keeps no unit tree: a unit's parent is known only
as the agency of the people posted in it, and no unit is known as a committee."""
from __future__ import annotations

from sqlalchemy import select

from shared.access import Resolver

from services.training.models import Person, PersonPost


class TrainingAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
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
        if person is not None and person.left_on is not None and person.left_on <= day:
            return None
        post = self.session.scalars(select(PersonPost).where(PersonPost.person_id == person_id,
                                                               PersonPost.start <= day)
                                    .order_by(PersonPost.start.desc()).limit(1)).first()
        row = post or person
        if row is None:
            return None
        agency = row.agency_id or row.unit_id
        return agency, (row.unit_id if row.unit_id != agency else None), row.position
