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


def _unit_of_day(query, key, day, prefix: str):
    """``query`` with the version covering ``day`` of the unit ``key`` (an expression) and its latest
    row joined, as ``<prefix>v_kind``, ``<prefix>v_parent``, ``<prefix>u_kind``, ``<prefix>u_parent``:
    what :meth:`ScoringAccess.unit` answers for it."""
    version, latest = aliased(UnitVersion), aliased(Unit)
    inner = aliased(UnitVersion)
    covering = (select(func.max(inner.since))
                .where(inner.id == key, inner.since <= day, or_(inner.until.is_(None), inner.until >= day))
                .scalar_subquery())
    return (query.add_columns(version.kind.label(prefix + "v_kind"), version.parent.label(prefix + "v_parent"),
                              latest.kind.label(prefix + "u_kind"), latest.parent.label(prefix + "u_parent"))
            .outerjoin(version, and_(version.id == key, version.since == covering))
            .outerjoin(latest, latest.id == key))


def _unit_answer(row, prefix: str = ""):
    """:meth:`ScoringAccess.unit`'s answer from the columns :func:`_unit_of_day` added."""
    kind = getattr(row, prefix + "v_kind")
    if kind is not None:
        return kind, getattr(row, prefix + "v_parent")
    kind = getattr(row, prefix + "u_kind")
    return None if kind is None else (kind, getattr(row, prefix + "u_parent"))


def _post_of():
    """A person's post on ``day`` in one statement (built once, at import): the person's own row
    (``left_on`` and the post the roster gave last), the latest post starting on or before the day, and
    whether any post is known at all. The answer is :meth:`ScoringAccess.post_of`'s (it was three
    statements: the person, the post, any post). Beside it, the unit of either post (its section, else
    its agency) as :meth:`ScoringAccess.unit` answers it on ``unit_day`` (the resolver's day): the
    unit the policy looks at next (``unit_of_person`` then ``walk_up``, ``roles_of``), without a round
    trip of its own."""
    asked = _one_row("person")
    day = bindparam("day", type_=Date)
    unit_day = bindparam("unit_day", type_=Date)
    post = aliased(PersonPost)
    latest = (select(func.max(PersonPost.start)).where(PersonPost.person == asked.c.id, PersonPost.start <= day)
              .scalar_subquery())
    query = (select(Person.left_on, Person.agency, Person.section, Person.position,
                    post.agency.label("post_agency"), post.section.label("post_section"),
                    post.position.label("post_position"),
                    exists().where(PersonPost.person == asked.c.id).label("has_posts"))
             .select_from(asked)
             .outerjoin(Person, Person.id == asked.c.id)
             .outerjoin(post, and_(post.person == asked.c.id, post.start == latest)))
    query = _unit_of_day(query, func.coalesce(post.section, post.agency), unit_day, "post_")
    return _unit_of_day(query, func.coalesce(Person.section, Person.agency), unit_day, "own_")


def _unit_on():
    """A unit's version covering ``day`` (the latest starting by then, as ordered by ``since``) and its
    latest row, in one statement (built once)."""
    asked = _one_row("unit")
    return _unit_of_day(select().select_from(asked), asked.c.id, bindparam("day", type_=Date), "")


POST_OF = _post_of()
UNIT_ON = _unit_on()


class ScoringAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
        # the roster's tree on the day of the act (unit_versions), else the latest (units): one statement
        (row,) = self.rows(UNIT_ON, {"unit": unit_id, "day": self.day})
        return _unit_answer(row)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        (row,) = self.rows(POST_OF, {"person": person_id, "day": day, "unit_day": self.day})
        if row.left_on is not None and row.left_on <= day:
            return None
        if row.post_agency is not None:
            self._known(row.post_section, row.post_agency, _unit_answer(row, "post_"))
            return row.post_agency, row.post_section, row.post_position
        if row.agency is None:
            return None
        if row.has_posts:   # posted only after the day: not yet in post then
            return None
        self._known(row.section, row.agency, _unit_answer(row, "own_"))
        return row.agency, row.section, row.position

    def _known(self, section, agency, answer) -> None:
        """Keep what :meth:`unit` answers for the post's unit (read beside the post: the section, else
        the agency), as ``_unit`` would, where the statement read the unit the policy takes (an empty
        section is the agency there, but not in SQL's coalesce)."""
        unit_id = section or agency
        if unit_id == (agency if section is None else section) and unit_id not in self._units:
            self._units[unit_id] = answer

    def last_post_of(self, person_id, day):
        """A read about a person not in post on ``day`` (left, or posted only later): his last post
        before it, else his first after it, else the read model's own row."""
        if not isinstance(person_id, str):
            return None
        P = PersonPost
        post = self.session.scalars(select(P).where(P.person == person_id, P.start <= day)
                                    .order_by(P.start.desc()).limit(1)).first() or \
            self.session.scalars(select(P).where(P.person == person_id).order_by(P.start).limit(1)).first()
        if post is not None:
            return post.agency, post.section, post.position
        person = self.session.get(Person, person_id)
        if person is None or person.agency is None:
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
