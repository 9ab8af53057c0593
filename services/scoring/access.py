"""What scoring knows for the policy table (``shared.access``): its own read model of the roster
(``units``, ``person_posts`` through time, ``people``), never another service."""
from __future__ import annotations

from sqlalchemy import or_, select

from shared.access import Resolver

from services.scoring.followup_models import FollowupTask, Referral
from services.scoring.models import EvaluatorSpan, Person, PersonPost, Unit, UnitVersion


class ScoringAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
        if self.day is not None:    # the roster's tree on the day of the act (unit_versions)
            version = self.session.scalars(
                select(UnitVersion).where(UnitVersion.id == unit_id, UnitVersion.since <= self.day,
                                            or_(UnitVersion.until.is_(None), UnitVersion.until >= self.day))
                .order_by(UnitVersion.since.desc()).limit(1)).first()
            if version is not None:
                return version.kind, version.parent
        row = self.session.get(Unit, unit_id)
        return None if row is None else (row.kind, row.parent)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        person = self.session.get(Person, person_id)
        if person is not None and person.left_on is not None and person.left_on <= day:
            return None
        post = self.session.scalars(select(PersonPost).where(PersonPost.person == person_id,
                                                               PersonPost.start <= day)
                                    .order_by(PersonPost.start.desc()).limit(1)).first()
        if post is not None:
            return post.agency, post.section, post.position
        if person is None or person.agency is None:
            return None
        has_posts = self.session.scalars(select(PersonPost.start).where(PersonPost.person == person_id)
                                         .limit(1)).first()
        if has_posts is not None:   # posted only after the day: not yet in post then
            return None
        return person.agency, person.section, person.position

    def unit_of_record(self, kind, record_id):
        model = {"referral": Referral, "task": FollowupTask}.get(kind)
        row = self.session.get(model, record_id) if model is not None and isinstance(record_id, str) else None
        return None if row is None else row.evaluator

    def evaluator_of(self, person_id, day):
        """The roster's answer for the day (``evaluators_resolved``), else the read model's own."""
        if not isinstance(person_id, str):
            return None
        span = self.session.scalars(
            select(EvaluatorSpan.grp).where(EvaluatorSpan.person == person_id, EvaluatorSpan.start <= day,
                                            or_(EvaluatorSpan.end.is_(None), EvaluatorSpan.end >= day))
            .order_by(EvaluatorSpan.start.desc(), EvaluatorSpan.resolved_at.desc()).limit(1)).first()
        if span is not None:
            return span
        person = self.session.get(Person, person_id)
        return None if person is None else person.evaluator
