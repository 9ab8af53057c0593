"""The public notice (公示) of a month and the public's objections (issue 23): handlers and the
RPCs of the scoring service (a mixin of :class:`services.scoring.service.ScoringService`).

Rules: :mod:`services.scoring.domain.public_notice`; payloads: :mod:`shared.contracts.scoring`.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared.contracts import scoring as scoring_contract
from shared.entrypoints import rpc
from shared.db import signed_by
from shared.errors import Conflict, NotFound
from shared.schemas import load

from services.scoring import history, repository
from services.scoring import models
from services.scoring import public_models
from services.scoring.domain import asof
from services.scoring.domain import public_notice as rules
from services.scoring.domain import workflow


#: the callers whose ``as_of`` a notice is shown (or the public's objection received) for: the operator
#: (a replay, the demo's year) and the suite's services; anyone else sees the notice of today (issue 18):
#: a verified caller may not read a notice after its three working days, nor the public object out of its
#: window, by dating the call.  A call with no verified actor (in-process, a timer) keeps its own day.
AS_OF_TRUSTED = ("operator", "service")


def notice_day(uow, data):
    """The day a notice is shown (or an objection received) for: the payload's ``as_of`` for the operator
    and the suite's services, today for everyone else."""
    who = signed_by(uow.session)
    if who is None or who.split(":", 1)[0] in AS_OF_TRUSTED:
        return data.get("as_of") or repository.today()
    return repository.today()


def _names(s, ids, month: str) -> dict:
    """Names of the units and people among ``ids`` on a month's notice: a unit as it was named on
    the month's last day (SPEC §9: the day the month is read), a person by his name."""
    ids = [i for i in set(ids) if i]
    if not ids:
        return {}
    out = history.unit_names_on(s, ids, asof.month_last_day(month))
    out.update({k: v for k, v in s.execute(select(models.Person.id, models.Person.name)
                                           .where(models.Person.id.in_(ids))).all() if k not in out})
    return out


def _posted(s, evaluator: str, month: str) -> list[rules.Posted]:
    rows = s.scalars(select(models.Evaluation).where(models.Evaluation.evaluator == evaluator,
                                                     models.Evaluation.month == month,
                                                     models.Evaluation.notice_end.is_not(None))).all()
    names = _names(s, [r.subject for r in rows] + [r.agency for r in rows], month)
    return [rules.Posted(r.kind, r.subject, names.get(r.subject) or r.subject,
                         names.get(r.agency) or (r.agency or ""),
                         None if r.score is None else float(r.score), r.state, r.notice_start, r.notice_end)
            for r in rows]


def _evaluator_name(s, evaluator: str, month: str) -> str:
    unit = s.get(models.Unit, evaluator)
    if unit is None:
        raise NotFound(f"no evaluating body {evaluator!r}", "evaluator")
    return _names(s, [evaluator], month).get(evaluator) or evaluator


def _period_posted(uow, unit: str, period: str):
    """The latest rating of ``period`` that rated ``unit``'s people or sections, its notice window
    and the unit's results as the notice shows them: ``(rating, start, end, [PeriodEntry])``;
    ``(None, None, None, [])`` when no rating of the period covers the unit."""
    import json

    s = uow.session
    for r in repository.ratings_of_period(s, period):
        rows = []
        for entries, results in repository.result_chunks_of_unit(s, r.rating_id, unit):
            entries, items = json.loads(entries), None
            for i, e in enumerate(entries):
                if e[1] in ("officer", "section") and unit in (e[2], e[3]):
                    items = items if items is not None else json.loads(results)
                    rows.append((e, items[i]))
        if not rows:
            continue
        names = _names(s, [e[0] for e, _ in rows] + [e[2] for e, _ in rows] + [e[3] for e, _ in rows],
                       last_month(period))
        shown = []
        for e, item in rows:
            kind = e[1]
            where = e[0] if kind == "section" else (e[3] or e[2])
            shown.append(rules.PeriodEntry(
                kind, e[0], names.get(e[0]) or e[0], names.get(where) or (where or ""),
                None if item.get("score") is None else float(item["score"]),
                item.get("status"), item.get("stars"), rules.published_result(kind, item)))
        start, end = r.notice_start, r.notice_end
        if start is None:           # rated before the window was kept: posted on the rating day
            from services.scoring.ratings import rating_notice_end
            start, end = r.rating_date, rating_notice_end(uow, r.rating_date)
        return r, start, end, shown
    return None, None, None, []


def public_period_notice(uow, data) -> dict:
    """The notice (公示) of a half-year or annual rating for a unit: who, score, stars as the
    Method publishes them, the window's dates; nothing after the window."""
    s = uow.session
    as_of = notice_day(uow, data)
    name = _evaluator_name(s, data["unit"], last_month(data["period"]))
    rating, start, end, entries = _period_posted(uow, data["unit"], data["period"])
    view = rules.period_notice_view(entries, start, end, as_of)
    return {"unit": data["unit"], "unit_name": name, "period": data["period"],
            "rating_id": rating.rating_id if rating is not None else None,
            "as_of": as_of.isoformat(), **view}


def _is_period(text: str) -> bool:
    return "-" not in text


def last_month(notice_of: str) -> str:
    """The month whose last day names the units of a notice: the month itself, a half-year's June,
    a year's December (a rating reads everyone on the period's last day)."""
    if not _is_period(notice_of):
        return notice_of
    return f"{notice_of[:4]}-06" if notice_of.endswith("H1") else f"{notice_of}-12"


def public_notice(uow, data) -> dict:
    s = uow.session
    as_of = notice_day(uow, data)
    name = _evaluator_name(s, data["evaluator"], data["month"])
    view = rules.notice_view(_posted(s, data["evaluator"], data["month"]), as_of)
    return {"evaluator": data["evaluator"], "evaluator_name": name, "month": data["month"],
            "as_of": as_of.isoformat(), **view}


def _objection_dict(row, name: str | None = None) -> dict:
    return {"objection_id": row.id, "evaluator": row.evaluator, "month": row.month, "kind": row.kind,
            "subject": row.subject, "name": name, "text": row.text, "contact": row.contact,
            "received_on": row.received_on.isoformat(), "state": row.state, "answer": row.answer,
            "upheld": row.upheld, "answered_by": row.answered_by,
            "answered_on": row.answered_on.isoformat() if row.answered_on else None,
            "reopened": bool(row.reopened)}


def public_object(uow, data) -> dict:
    """An objection of the public to an entry on notice that day: stored once per objection_id."""
    s = uow.session
    as_of = notice_day(uow, data)
    text, contact = rules.check_objection(data["text"], data["contact"])
    body = (data["evaluator"], data["month"], data["kind"], data["subject"], text, contact)
    existing = s.get(public_models.PublicObjection, data["objection_id"])
    if existing is not None:
        if (existing.evaluator, existing.month, existing.kind, existing.subject, existing.text,
                existing.contact) != body:
            raise Conflict("this objection_id was used for another objection", "objection_id")
        return {"objection_id": existing.id, "received": True, "replayed": True}
    _evaluator_name(s, data["evaluator"], last_month(data["month"]))
    if _is_period(data["month"]):      # a half-year's or a year's notice: the unit's rated results
        _rating, start, end, entries = _period_posted(uow, data["evaluator"], data["month"])
        on_notice = rules.period_status(start, end, as_of) == "open" and any(
            (e.kind, e.subject) == (data["kind"], data["subject"]) for e in entries)
    else:
        posted = {(p.kind, p.subject): p for p in _posted(s, data["evaluator"], data["month"])}
        entry = posted.get((data["kind"], data["subject"]))
        on_notice = entry is not None and entry.is_open(as_of)
    if not on_notice:
        raise Conflict("this person or section is not on notice today (公示已结束 or never posted)",
                       "subject")
    row = public_models.PublicObjection(id=data["objection_id"], evaluator=data["evaluator"], month=data["month"],
                                        kind=data["kind"], subject=data["subject"], text=text, contact=contact,
                                        received_on=as_of, state=rules.OPEN, reopened=False)
    try:
        with s.begin_nested():
            s.add(row)
    except IntegrityError:          # a concurrent twin was first: the same rules as a replay
        return public_object(uow, data)
    return {"objection_id": row.id, "received": True, "replayed": False}


def objections(uow, data) -> dict:
    s = uow.session
    q = select(public_models.PublicObjection).where(public_models.PublicObjection.evaluator == data["evaluator"])
    if data.get("month"):
        q = q.where(public_models.PublicObjection.month == data["month"])
    if data.get("state"):
        q = q.where(public_models.PublicObjection.state == data["state"])
    rows = s.scalars(q.order_by(public_models.PublicObjection.received_at, public_models.PublicObjection.id)).all()
    names = {m: _names(s, [r.subject for r in rows if r.month == m], m) for m in {r.month for r in rows}}
    return {"evaluator": data["evaluator"],
            "objections": [_objection_dict(r, names[r.month].get(r.subject)) for r in rows]}


def answer_objection(uow, data) -> dict:
    """A member of the evaluating body's leading group answers; upheld, while the evaluation is on
    notice, sends it back to review (recorded in its trail as an objection)."""
    s = uow.session
    as_of = data.get("as_of") or repository.today()
    row = s.get(public_models.PublicObjection, data["objection_id"])
    if row is None or row.evaluator != data["evaluator"]:
        raise NotFound(f"no objection {data['objection_id']!r} to {data['evaluator']}'s notices",
                       "objection_id")
    answer = rules.check_answer(data["answer"])
    if row.state == rules.ANSWERED:
        if (row.answer, row.upheld, row.answered_by) == (answer, data["upheld"], data["actor"]):
            return _objection_dict(row, _names(s, [row.subject], row.month).get(row.subject))
        raise Conflict(f"answered already by {row.answered_by} on {row.answered_on}", "objection_id")
    who = signed_by(s)
    if who is not None and who.split(":", 1)[0] not in AS_OF_TRUSTED and as_of < row.received_on:
        # an answer is not dated before the objection it answers: the leading group of its day answers
        # (a member who has left since does not answer, dated to when he sat in it, what came after)
        raise Conflict(f"an answer dated {as_of} comes before the objection (received {row.received_on})",
                       "as_of")
    ctx = repository.Ctx(uow, as_of)
    workflow.check_evaluator_member(ctx.member_candidate(data["actor"]), data["actor"], row.evaluator,
                                    workflow.OBJECT)
    workflow.check_not_own(data["actor"], row.kind, row.subject, "answer",
                           ctx.section_chiefs(row.subject) if row.kind == "section" else ())
    reopened = False
    if data["upheld"]:
        e = s.get(models.Evaluation, repository.eval_id(row.kind, row.subject, row.month))
        if e is not None and e.state == workflow.ON_NOTICE:
            for name, value in workflow.reopen_review(e.state, workflow.OBJECT).items():
                setattr(e, name, value)
            e.objections += 1
            repository.add_log(s, e.id, workflow.OBJECT, data["actor"], as_of, workflow.ON_NOTICE, e.state,
                               f"public objection {row.id}: {row.text}"[:4000])
            reopened = True
    row.state, row.answer, row.upheld = rules.ANSWERED, answer, data["upheld"]
    row.answered_by, row.answered_on, row.reopened = data["actor"], as_of, reopened
    row.answered_signed_by = signed_by(s)
    s.flush()
    return _objection_dict(row, _names(s, [row.subject], row.month).get(row.subject))


class PublicNoticeMixin:
    """RPCs of the public notice and its objections (issue 23)."""

    @rpc
    def public_notice(self, payload):
        return public_notice(self.db, load(scoring_contract.PublicNoticeQuery(), payload))

    @rpc
    def public_period_notice(self, payload):
        return public_period_notice(self.db, load(scoring_contract.PublicPeriodNoticeQuery(), payload))

    @rpc
    def public_object(self, payload):
        return public_object(self.db, load(scoring_contract.PublicObjectionIn(), payload))

    @rpc
    def objections(self, payload):
        return objections(self.db, load(scoring_contract.ObjectionsQuery(), payload))

    @rpc
    def answer_objection(self, payload):
        return answer_objection(self.db, load(scoring_contract.AnswerObjectionIn(), payload))
