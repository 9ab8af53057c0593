"""What scoring knows for the policy table (``shared.access``): its own read model of the roster
(``units``, ``person_posts`` through time, ``people``), never another service."""
from __future__ import annotations

from sqlalchemy import Date, String, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from shared.access import Resolver

from services.scoring.followup_models import FollowupTask, Referral
from services.scoring.models import EvaluatorSpan, Person, PersonPost, Unit, UnitVersion


def _one_row(name: str):
    """``SELECT :name AS id``: a row that is always there, to join what may be missing to it."""
    return select(bindparam(name, type_=String).label("id")).subquery("asked")


def _post_of():
    """A person's post on ``day`` in one statement (built once, at import): the person's own row
    (``left_on`` and the post the roster gave last), the latest post starting on or before the day, and
    whether any post is known at all. The answer is :meth:`ScoringAccess.post_of`'s (it was three
    statements: the person, the post, any post)."""
    asked = _one_row("person")
    day = bindparam("day", type_=Date)
    post = aliased(PersonPost)
    latest = (select(func.max(PersonPost.start)).where(PersonPost.person == asked.c.id, PersonPost.start <= day)
              .scalar_subquery())
    return (select(Person.left_on, Person.agency, Person.section, Person.position,
                   post.agency.label("post_agency"), post.section.label("post_section"),
                   post.position.label("post_position"),
                   exists().where(PersonPost.person == asked.c.id).label("has_posts"))
            .select_from(asked)
            .outerjoin(Person, Person.id == asked.c.id)
            .outerjoin(post, and_(post.person == asked.c.id, post.start == latest)))


def _unit_on():
    """A unit's version covering ``day`` (the latest starting by then, as ordered by ``since``) and its
    latest row, in one statement (built once)."""
    asked = _one_row("unit")
    day = bindparam("day", type_=Date)
    version = aliased(UnitVersion)
    covering = (select(func.max(UnitVersion.since))
                .where(UnitVersion.id == asked.c.id, UnitVersion.since <= day,
                       or_(UnitVersion.until.is_(None), UnitVersion.until >= day))
                .scalar_subquery())
    return (select(version.kind.label("v_kind"), version.parent.label("v_parent"),
                   Unit.kind.label("u_kind"), Unit.parent.label("u_parent"))
            .select_from(asked)
            .outerjoin(version, and_(version.id == asked.c.id, version.since == covering))
            .outerjoin(Unit, Unit.id == asked.c.id))


POST_OF = _post_of()
UNIT_ON = _unit_on()


class ScoringAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
        # the roster's tree on the day of the act (unit_versions), else the latest (units): one statement
        row = self.session.execute(UNIT_ON, {"unit": unit_id, "day": self.day}).one()
        if row.v_kind is not None:
            return row.v_kind, row.v_parent
        return None if row.u_kind is None else (row.u_kind, row.u_parent)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        row = self.session.execute(POST_OF, {"person": person_id, "day": day}).one()
        if row.left_on is not None and row.left_on <= day:
            return None
        if row.post_agency is not None:
            return row.post_agency, row.post_section, row.post_position
        if row.agency is None:
            return None
        if row.has_posts:   # posted only after the day: not yet in post then
            return None
        return row.agency, row.section, row.position

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
