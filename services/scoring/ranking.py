"""The monthly ranking per evaluator (按月考评排队, 001 §一3) and the rectifications the poor ones
owe (an explanation and a plan).  Rules: :mod:`services.scoring.domain.ranking`."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, insert, select

from shared.db import signed_by
from shared.errors import Conflict, NotFound
from services.scoring import history, repository
from services.scoring.models import Evaluation, Person, PersonPost, Ranking, Rectification
from services.scoring.domain import asof
from services.scoring.domain import ranking as rank_rules
from services.scoring.domain import workflow
from services.scoring.workflow import STEP_DAY_TRUSTED, check_body_member


def _group_members(s, evaluator, group, month):
    """The evaluator's subjects of ``group`` for ``month``: the officers whose evaluation of the
    month it holds (its evaluator on the month's last day, SPEC §9), by their position that day."""
    if group == "units":        # the body's sections on the month's last day (SPEC §9)
        return "section", sorted(history.sections_of_body(s, evaluator, asof.month_last_day(month)))
    # by (evaluator, month), the kind kept here: on (month, kind) SQLite scans the whole month
    subjects = [subj for subj, kind in s.execute(select(Evaluation.subject, Evaluation.kind).where(
        Evaluation.month == month, Evaluation.evaluator == evaluator)) if kind == "officer"]
    if group == "reserve":
        reserve = set()
        for part in repository.chunks(subjects):
            reserve.update(s.scalars(select(Person.id).where(
                Person.id.in_(part), Person.reserve.is_(True))))
        return "officer", sorted(reserve)
    last = asof.month_last_day(month)
    wanted = rank_rules.positions_of(group)
    # only who ever held one of the group's posts, or whose row holds one (``post`` reads the row
    # before the first dated post), may hold one on the last day: their posts alone are read
    # (the leaders of a body, not every officer it evaluates)
    candidates = set()
    for part in repository.chunks(subjects):
        candidates.update(s.scalars(select(PersonPost.person).where(
            PersonPost.person.in_(part), PersonPost.position.in_(wanted))))
        candidates.update(s.scalars(select(Person.id).where(Person.id.in_(part),
                                                            Person.position.in_(wanted))))
    hist = history.History(s)
    hist.load_posts(candidates)     # what ``post`` reads, not the whole dated history
    out = []
    for pid in subjects:
        if pid not in candidates:
            continue
        post = hist.post(pid, last)
        if post is not None and post.position in wanted:
            out.append(pid)
    return "officer", sorted(out)


RANKABLE = (workflow.APPROVED, workflow.ON_NOTICE, workflow.FILED)


def rank_month(uow, data) -> dict:
    """按月考评排队 (001 §一3): rank the evaluator's units and leaders (and reserve cadres) on the
    month's approved scores; poor ones owe an explanation and a plan.  Re-ranking replaces the
    ranking; a rectification already submitted or filed is kept."""
    ctx = repository.Ctx(uow)
    check_body_member(ctx, data["actor"], data["evaluator"], workflow.APPROVE)
    return _rank(uow, data)


def _rank(uow, data, before=None) -> dict:
    """:func:`rank_month` once the actor's membership was checked; ``before`` (a list), if given,
    receives the ranking's rows as they were (for :func:`rank_months`' ``unchanged``)."""
    s = uow.session
    ev_, month = data["evaluator"], data["month"]
    if before is not None:
        before.extend(s.execute(select(Ranking.grp, Ranking.subject, Ranking.score, Ranking.rank,
                                       Ranking.klass).where(Ranking.evaluator == ev_,
                                                            Ranking.month == month)))
    s.execute(delete(Ranking).where(Ranking.evaluator == ev_, Ranking.month == month))
    poor_now, stored = {}, []
    for group in data["groups"]:
        kind, members = _group_members(s, ev_, group, month)
        if not members:
            continue
        scores = {}
        for part in repository.chunks(members):      # by key (kind:subject:month)
            for subj, score in s.execute(select(Evaluation.subject, Evaluation.score).where(
                    Evaluation.id.in_([repository.eval_id(kind, m, month) for m in part]),
                    Evaluation.state.in_(RANKABLE))):
                scores[subj] = Decimal(score)
        ranked = rank_rules.rank_subjects(scores)
        if ranked:
            s.execute(insert(Ranking), [dict(evaluator=ev_, month=month, grp=group, subject=r.subject,
                                             score=r.score, rank=r.rank, klass=r.klass)
                                        for r in ranked])
            stored += [(group, r.subject, r.score, r.rank, r.klass) for r in ranked]
        for r in ranked:
            if rank_rules.owes_rectification(r.klass):
                poor_now[r.subject] = group
    existing = {r.subject: r for r in s.scalars(select(Rectification).where(
        Rectification.evaluator == ev_, Rectification.month == month))}
    for subj, r in existing.items():
        if subj not in poor_now and r.state == "owed":
            s.delete(r)
    for subj, group in poor_now.items():
        if subj not in existing:
            s.add(Rectification(evaluator=ev_, month=month, subject=subj, grp=group, state="owed"))
    s.flush()
    from services.scoring import followups   # twice running → referral; a poor leader's talk
    followups.after_ranking(uow, ev_, month, data.get("as_of"))
    if before is not None:
        same = sorted((g, subj, Decimal(score), rank, klass) for g, subj, score, rank, klass in before) \
            == sorted((g, subj, Decimal(score), rank, klass) for g, subj, score, rank, klass in stored)
        before[:] = [same]
    return ranking_of_month(uow, {"evaluator": ev_, "month": month})


def rank_months(uow, data) -> dict:
    """:func:`rank_month` of many bodies' months in one call (one transaction; the ``as_of`` of the
    call for each): each item's actor is checked a member of its body as the single call checks it,
    then the body's month is ranked and its follow-ups refreshed as there.  An item whose ranking is
    the one already stored is ``unchanged`` (re-ranked all the same, as the single call does)."""
    from services.scoring.workflow import body_months

    ctx = repository.Ctx(uow)      # membership as the single call asks it (the act's date unset)

    def one(it):
        check_body_member(ctx, it["actor"], it["evaluator"], workflow.APPROVE)
        before = []
        answer = _rank(uow, {**it, "as_of": data.get("as_of")}, before)
        return answer, not before[0]

    return body_months(data["items"], one)


def ranking_of_month(uow, data) -> dict:
    s = uow.session
    groups: dict = {}
    for r in s.scalars(select(Ranking).where(Ranking.evaluator == data["evaluator"],
                                             Ranking.month == data["month"])
                       .order_by(Ranking.grp, Ranking.rank, Ranking.subject)):
        groups.setdefault(r.grp, []).append({"subject": r.subject, "score": float(r.score),
                                             "rank": r.rank, "class": r.klass})
    owed = [{"subject": r.subject, "group": r.grp, "state": r.state}
            for r in s.scalars(select(Rectification).where(
                Rectification.evaluator == data["evaluator"],
                Rectification.month == data["month"]).order_by(Rectification.subject))]
    return {"evaluator": data["evaluator"], "month": data["month"], "groups": groups,
            "rectifications": owed}


def submit_rectification(uow, data) -> dict:
    """The poor subject (a leader, or a section's chief) files its explanation and plan, on its
    ``as_of`` (the day the policy table judged the caller's roles: a section's chiefs of that day),
    never dated before the approval of the score ranked poor when a person or a calling system signs
    it (the operator and the suite's services date theirs freely, as every step of the trail)."""
    s = uow.session
    as_of = data.get("as_of") or repository.today()
    ctx = repository.Ctx(uow, as_of)
    r = s.get(Rectification, (data["evaluator"], data["month"], data["subject"]))
    if r is None:
        raise NotFound(f"{data['subject']} owes no rectification for {data['month']}", "subject")
    kind = "section" if r.grp == "units" else "officer"
    if r.grp == "units":
        workflow.check_self_assessor(data["actor"], "section", data["subject"],
                                     ctx.section_chiefs(data["subject"]))
    else:
        workflow.check_self_assessor(data["actor"], "officer", data["subject"])
    who = signed_by(s)
    if who is not None and who.split(":", 1)[0] not in STEP_DAY_TRUSTED:
        rank_rules.check_submission_day(
            as_of, repository.approval_day(s, repository.eval_id(kind, data["subject"], data["month"])))
    if r.state == "submitted" and r.explanation == data["explanation"] and r.plan == data["plan"]:
        return rectification_dict(r)
    r.state = rank_rules.next_rectification_state(r.state, "submit")
    r.explanation, r.plan = data["explanation"], data["plan"]
    r.submitted_by, r.submitted_on = data["actor"], as_of
    r.submitted_signed_by = signed_by(s)
    return rectification_dict(r)


def file_rectification(uow, data) -> dict:
    """备案 of a poor subject's plan by a member of its evaluator on the filing's day (``as_of``, the day
    the policy table judged the caller's roles), never dated before the plan's submission when a person
    or a calling system signs it (the operator and the suite's services date theirs freely)."""
    s = uow.session
    as_of = data.get("as_of") or repository.today()
    ctx = repository.Ctx(uow, as_of)
    r = s.get(Rectification, (data["evaluator"], data["month"], data["subject"]))
    if r is None:
        raise NotFound(f"{data['subject']} owes no rectification for {data['month']}", "subject")
    check_body_member(ctx, data["actor"], data["evaluator"], workflow.FILE)
    workflow.check_not_own(data["actor"], "rectification", data["subject"], "rectification",
                           ctx.section_chiefs(data["subject"]) if r.grp == "units" else ())
    if r.state == "filed":
        return rectification_dict(r)
    who = signed_by(s)
    if r.submitted_on is not None and who is not None and \
            who.split(":", 1)[0] not in STEP_DAY_TRUSTED and as_of < r.submitted_on:
        # a filing dated before the plan it files: a former member would file, as of when he sat in the
        # group, what was submitted after he left
        raise Conflict(f"a filing dated {as_of} comes before the plan's submission ({r.submitted_on})",
                       "as_of")
    r.state = rank_rules.next_rectification_state(r.state, "file")
    r.filed_by, r.filed_on = data["actor"], as_of
    r.filed_signed_by = signed_by(s)
    return rectification_dict(r)


def rectification_dict(r) -> dict:
    return {"evaluator": r.evaluator, "month": r.month, "subject": r.subject, "group": r.grp,
            "state": r.state, "explanation": r.explanation, "plan": r.plan,
            "submitted_on": repository.iso(r.submitted_on), "filed_on": repository.iso(r.filed_on)}


def rectifications(uow, data) -> dict:
    q = select(Rectification)
    for key, col in (("evaluator", Rectification.evaluator), ("month", Rectification.month),
                     ("state", Rectification.state)):
        if data.get(key):
            q = q.where(col == data[key])
    rows = uow.session.scalars(q.order_by(Rectification.month, Rectification.subject))
    return {"rectifications": [rectification_dict(r) for r in rows]}

