"""The monthly workflow (M§五(二)4): self-assessment (自评申报), review by the mentor (联带责任人审核),
approval (考核审批), the notice (公示监督) and its objections, filing (上报备案); an evaluation and a
person's months.  Each step's rules: :mod:`services.scoring.domain.workflow`."""
from __future__ import annotations

from decimal import Decimal

from shared.db import signed_by
from shared.errors import Conflict, Forbidden, NotFound
from services.scoring import history, repository
from services.scoring.models import Evaluation
from services.scoring.domain import asof, criteria, deadlines
from services.scoring.domain import workflow as steps


def _deductions(items):
    return [criteria.Deduction(d["id"], tuple(d["items"]), Decimal(d["points"]), d.get("note") or "")
            for d in items or ()]


def _deductions_json(items):
    return [{"id": d["id"], "items": list(d["items"]), "points": str(d["points"]),
             "note": d.get("note")} for d in items or ()]


def _batch_context(uow, data, reviewers=False, columns=repository.BATCH_STEP_COLUMNS):
    """(ctx, session, the act's date, items, their evaluations that exist) of a batch of steps:
    the people it names read once, as on the act's date (with ``reviewers``, the supervising
    leaders of its sections too; the evaluations' ``columns``)."""
    ctx = repository.Ctx(uow)
    as_of = ctx.on = data.get("as_of") or repository.today()
    items = data["items"]
    ctx.prefetch([i["subject"] for i in items if i["kind"] == "officer"] + [i["actor"] for i in items])
    sections = {i["subject"] for i in items if i["kind"] == "section"}
    ctx.hist.load_sections(sections, "chief")
    ctx.load_units(sections)
    if reviewers:
        ctx.load_supervisors(sections)
    return ctx, uow.session, as_of, items, repository.load_evaluations(uow.session, items, columns)


def submit_self_assessments(uow, data) -> dict:
    """自评申报: the subject (an officer) or the section's chief submits the month's scores."""
    ctx, s, as_of, items, existing = _batch_context(uow, data)
    new_rows, logs, seen = [], [], set()

    def one(i, it):
        ev_id = repository.eval_id(it["kind"], it["subject"], it["month"])
        deadlines.check_month_is_over(it["month"], as_of)
        agency, evaluator, _mentor, chiefs = ctx.subject_info(it["kind"], it["subject"], it["month"])
        steps.check_self_assessor(it["actor"], it["kind"], it["subject"], chiefs)
        tpl = ctx.template(it["kind"], agency, it["month"])
        scores = criteria.item_scores(tpl, it["item_scores"], _deductions(it["deductions"]))
        dig = repository.digest([it["item_scores"], _deductions_json(it["deductions"])])
        cur = existing.get(ev_id)
        if cur is not None or ev_id in seen:
            if cur is not None and cur.state == steps.SUBMITTED:
                last = repository.last_log(s, ev_id)
                if last and last.action == steps.SUBMIT and last.actor == it["actor"] and last.digest == dig:
                    return "unchanged"      # the same self-assessment again: safe to run twice
            steps.next_state(cur.state if cur else steps.SUBMITTED, steps.SUBMIT)
        seen.add(ev_id)
        score = criteria.total_score(scores)
        new_rows.append(dict(id=ev_id, kind=it["kind"], subject=it["subject"], month=it["month"],
                             agency=agency, evaluator=evaluator, state=steps.SUBMITTED,
                             template_version=tpl.version,
                             item_scores={"given": {k: str(v) for k, v in
                                                    criteria.given_scores(tpl, it["item_scores"]).items()},
                                          "final": {k: str(v) for k, v in scores.items()}},
                             deductions=_deductions_json(it["deductions"]), self_score=score,
                             score=score, submitted_on=as_of, late=False, objections=0))
        logs.append(dict(evaluation_id=ev_id, action=steps.SUBMIT, actor=it["actor"], on_date=as_of,
                         from_state=None, to_state=steps.SUBMITTED, note=it.get("note"), digest=dig))
        return ev_id

    out = repository.batch(items, one)
    if new_rows:
        repository.insert_evaluations(s, new_rows)
        repository.add_logs(s, logs)
    return out


#: the callers whose steps may be dated before the step they follow: the operator (a replay, the demo)
#: and the suite's services, as for the public notices' day (``public.AS_OF_TRUSTED``)
STEP_DAY_TRUSTED = ("operator", "service")


def last_step_days(s, ids) -> dict:
    """:func:`repository.last_step_days` for a call a person or a calling system signs; nothing (no
    check) for the operator, the suite's services or a call with no verified actor."""
    who = signed_by(s)
    if who is None or who.split(":", 1)[0] in STEP_DAY_TRUSTED:
        return {}
    return repository.last_step_days(s, ids)


def check_not_before_last_step(as_of, last, e) -> None:
    """A step of the trail is not dated before the step it follows: a write is judged by the roles of
    the day it is dated (SPEC §8), so a step dated back before the evaluation was submitted or reviewed
    would let a former leader or mentor act, as then, on what reached the group after he left."""
    if last is not None and as_of < last:
        raise Conflict(f"{e.id}: a step dated {as_of} comes before its last step ({last})", "as_of")


def check_may_review(ctx, actor, e) -> None:
    """联带责任人审核: whether ``actor`` may review evaluation ``e`` on the act's date (Forbidden,
    naming ``actor``, if not): not his own; the subject's mentor then (a section: one of its
    supervising leaders then; no mentor: a member of the evaluator's leading group).  The review
    step and :func:`waiting_for` both ask this."""
    steps.check_not_own(actor, e.kind, e.subject, steps.REVIEW, ctx.actor_chiefs(actor, e.kind, e.subject))
    reviewers = ctx.reviewers(e.kind, e.subject)
    if len(reviewers) > 1:
        asof.check_reviewer_of(actor, reviewers, e.subject, ctx.day)
    else:
        mentor = reviewers[0] if reviewers else None
        steps.check_reviewer(actor, mentor, ctx.members(e.evaluator) if mentor is None else ())


def check_may_approve(ctx, actor, e) -> None:
    """考核审批: whether ``actor`` may approve evaluation ``e`` on the act's date: a member of its
    evaluator's leading group, not on his own, neither its mentor nor its reviewer.  The approval
    step and :func:`waiting_for` both ask this."""
    steps.check_evaluator_member(ctx.member_candidate(actor), actor, e.evaluator, steps.APPROVE)
    steps.check_not_own(actor, e.kind, e.subject, steps.APPROVE, ctx.actor_chiefs(actor, e.kind, e.subject))
    reviewers = ctx.reviewers(e.kind, e.subject, strict=False)
    steps.check_approver_is_not_reviewer(actor, e.reviewed_by,
                                         steps.responsible_reviewer(actor, reviewers))


def review_batch(uow, data) -> dict:
    """联带责任人审核: the subject's mentor confirms or corrects the scores and adds deductions."""
    ctx, s, as_of, items, evals = _batch_context(uow, data, reviewers=True,
                                                  columns=repository.EVALUATION_COLUMNS)
    last_days = last_step_days(s, evals)
    logs, changed = [], []

    def one(i, it):
        e = repository.require_evaluation(evals, it)
        dig = repository.digest([it.get("item_scores"), _deductions_json(it["deductions"])])
        if e.state == steps.REVIEWED and e.reviewed_by == it["actor"]:
            last = repository.last_log(s, e.id)
            if last and last.action == steps.REVIEW and last.digest == dig:
                return "unchanged"
        to = steps.next_state(e.state, steps.REVIEW)
        check_not_before_last_step(as_of, last_days.get(e.id), e)
        check_may_review(ctx, it["actor"], e)
        tpl = ctx.template(it["kind"], e.agency, e.month)
        stored = e.item_scores or {}
        given = it["item_scores"] if it.get("item_scores") is not None else stored.get("given")
        facts = list(e.deductions or []) + _deductions_json(it["deductions"])
        scores = criteria.item_scores(tpl, given, _deductions(facts))
        e.item_scores = {"given": {k: str(v) for k, v in criteria.given_scores(tpl, given).items()},
                         "final": {k: str(v) for k, v in scores.items()}}
        e.deductions = facts
        e.score = criteria.total_score(scores)
        e.state, e.reviewed_by = to, it["actor"]
        changed.append(e)
        logs.append(dict(evaluation_id=e.id, action=steps.REVIEW, actor=it["actor"], on_date=as_of,
                         from_state=steps.SUBMITTED, to_state=to, note=it.get("note"), digest=dig))
        return e.id

    out = repository.batch(items, one)
    repository.save_evaluations(s, changed, ("item_scores", "deductions", "score", "state", "reviewed_by"))
    repository.add_logs(s, logs)
    return out


def approve_batch(uow, data) -> dict:
    """考核审批: a member of the subject's evaluator (leading group) approves the score."""
    ctx, s, as_of, items, evals = _batch_context(uow, data, reviewers=True)
    last_days = last_step_days(s, evals)
    logs, changed = [], []

    def one(i, it):
        e = repository.require_evaluation(evals, it)
        if e.state == steps.APPROVED and e.approved_by == it["actor"]:
            return "unchanged"
        to = steps.next_state(e.state, steps.APPROVE)
        check_not_before_last_step(as_of, last_days.get(e.id), e)
        check_may_approve(ctx, it["actor"], e)
        e.state, e.approved_by = to, it["actor"]
        changed.append(e)
        logs.append(dict(evaluation_id=e.id, action=steps.APPROVE, actor=it["actor"], on_date=as_of,
                         from_state=steps.REVIEWED, to_state=to, note=it.get("note")))
        return e.id

    out = repository.batch(items, one)
    repository.save_evaluations(s, changed, ("state", "approved_by"))
    repository.add_logs(s, logs)
    return out


def send_back_batch(uow, data) -> dict:
    """退回: whoever may approve an evaluation waiting for approval (:func:`check_may_approve`:
    a member of its evaluator's leading group, not his own, his mentee's or one he reviewed) sends
    it back to review with a reason instead; the review reopens as for an upheld objection
    (:func:`services.scoring.domain.workflow.reopen_review`), the trail records the step."""
    ctx, s, as_of, items, evals = _batch_context(uow, data, reviewers=True)
    last_days = last_step_days(s, evals)
    logs, changed = [], []

    def one(i, it):
        e = repository.require_evaluation(evals, it)
        reason = steps.check_send_back_reason(it.get("reason"))
        last = repository.last_log(s, e.id) if e.state == steps.SUBMITTED else None
        if last is not None and steps.is_same_send_back(e.state, last.action, last.actor, last.note,
                                                        it["actor"], reason):
            return "unchanged"
        changes = steps.reopen_review(e.state, steps.SEND_BACK)
        check_not_before_last_step(as_of, last_days.get(e.id), e)
        check_may_approve(ctx, it["actor"], e)
        for name, value in changes.items():
            setattr(e, name, value)
        changed.append(e)
        logs.append(dict(evaluation_id=e.id, action=steps.SEND_BACK, actor=it["actor"], on_date=as_of,
                         from_state=steps.REVIEWED, to_state=e.state, note=reason))
        return e.id

    out = repository.batch(items, one)
    repository.save_evaluations(s, changed, tuple(steps.reopen_review(steps.REVIEWED, steps.SEND_BACK)))
    repository.add_logs(s, logs)
    return out


def check_body_member(ctx, actor, evaluator, step):
    steps.check_evaluator_member(ctx.member_candidate(actor), actor, evaluator, step)


def _own_left_out(ctx, actor, rows):
    """Separation of duties for the steps that take a whole month (公示, 备案): the actor's own
    evaluation (or his section's) is left for another member of the leading group; the rest go on."""
    keep, own = [], []
    for e in rows:
        (own if steps.is_own(actor, e.kind, e.subject, ctx.actor_chiefs(actor, e.kind, e.subject))
         else keep).append(e)
    return keep, sorted(e.id for e in own)


def publish_notice(uow, data) -> dict:
    """公示监督: the evaluator posts every approved evaluation of the month; three working days."""
    ctx, s = repository.Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or repository.today()
    check_body_member(ctx, data["actor"], data["evaluator"], steps.NOTICE)
    from services.scoring.followups import work_calendar
    end = deadlines.notice_end(as_of, calendar=work_calendar(uow))
    return _post_notice(ctx, s, as_of, end, data)


def _post_notice(ctx, s, as_of, end, data) -> dict:
    """:func:`publish_notice` of one body's month once the actor's membership was checked."""
    rows = repository.evaluations_of(s, data["evaluator"], data["month"], (steps.APPROVED,),
                                     repository.MONTH_STEP_COLUMNS)
    rows, own = _own_left_out(ctx, data["actor"], rows)
    last_days = last_step_days(s, [e.id for e in rows])
    for e in rows:      # a notice dated back before an approval would close before it was posted
        check_not_before_last_step(as_of, last_days.get(e.id), e)
    logs = []
    for e in rows:
        e.state, e.notice_start, e.notice_end = steps.ON_NOTICE, as_of, end
        logs.append(dict(evaluation_id=e.id, action=steps.NOTICE, actor=data["actor"], on_date=as_of,
                         from_state=steps.APPROVED, to_state=steps.ON_NOTICE, note=f"until {end}"))
    repository.save_evaluations(s, rows, ("state", "notice_start", "notice_end"))
    repository.add_logs(s, logs)
    s.flush()
    skipped = history.skipped_items(s, data["evaluator"], data["month"], (steps.APPROVED,),
                                    (steps.ON_NOTICE, steps.FILED))
    return {"posted": len(rows), "notice_start": as_of.isoformat(), "notice_end": end.isoformat(),
            "not_posted": skipped, "left_for_another_member": own}


def body_months(items, one) -> dict:
    """A batch of body-month steps (posting, filing, ranking), each item as its single call does it
    (``one(item)`` -> ``(the single call's answer, whether it changed anything)``; a LianbaoError is
    the item's, reported by index and field, and leaves nothing of it written: each step checks
    before it writes).  An item that changed nothing is ``unchanged``; ``results``: each item's
    answer (None for a refused one), in the items' order."""
    results = [None] * len(items)

    def step(i, it):
        results[i], changed = one(it)
        return i if changed else "unchanged"

    out = repository.batch(items, step)
    del out["ids"]
    return {**out, "results": results}


def publish_notices(uow, data) -> dict:
    """:func:`publish_notice` of many bodies' months in one call: one context, calendar and
    transaction; each item's actor is checked a member of its body (and his own evaluation left out)
    as the single call checks it.  An item that posted nothing is ``unchanged``."""
    ctx, s = repository.Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or repository.today()
    from services.scoring.followups import work_calendar
    end = deadlines.notice_end(as_of, calendar=work_calendar(uow))
    ctx.prefetch({it["actor"] for it in data["items"]})

    def one(it):
        check_body_member(ctx, it["actor"], it["evaluator"], steps.NOTICE)
        answer = _post_notice(ctx, s, as_of, end, it)
        return answer, answer["posted"] > 0

    return body_months(data["items"], one)


def raise_objection(uow, data) -> dict:
    """An objection during the notice sends the evaluation back to review, recorded."""
    s = uow.session
    as_of = data.get("as_of") or repository.today()
    e = repository.get_evaluation(s, data)
    last = repository.last_log(s, e.id)
    if (e.state == steps.SUBMITTED and last and last.action == steps.OBJECT and last.actor == data["actor"]
            and last.note == data["text"]):
        return evaluation_dict(s, e)     # the same objection again
    changes = steps.reopen_review(e.state, steps.OBJECT)
    steps.check_objector(data["actor"], data["subject"])
    if not deadlines.notice_is_open(e.notice_start, e.notice_end, as_of):
        raise Conflict(f"the notice ran from {e.notice_start} to {e.notice_end}", "as_of")
    for name, value in changes.items():
        setattr(e, name, value)
    e.objections += 1
    repository.add_log(s, e.id, steps.OBJECT, data["actor"], as_of, steps.ON_NOTICE, e.state, data["text"])
    s.flush()
    return evaluation_dict(s, e)


def file_month(uow, data) -> dict:
    """上报备案: files every evaluation of the month whose notice has ended; late ones (after the
    15th of M+1) are filed and flagged."""
    ctx = repository.Ctx(uow)
    as_of = ctx.on = data.get("as_of") or repository.today()
    check_body_member(ctx, data["actor"], data["evaluator"], steps.FILE)
    return _file(ctx, uow.session, as_of, data)


def _file(ctx, s, as_of, data) -> dict:
    """:func:`file_month` of one body's month once the actor's membership was checked."""
    rows = repository.evaluations_of(s, data["evaluator"], data["month"], (steps.ON_NOTICE,),
                                     repository.MONTH_STEP_COLUMNS)
    rows, own = _own_left_out(ctx, data["actor"], rows)
    filed, late, waiting, logs, changed = 0, 0, [], [], []
    for e in rows:
        if not deadlines.notice_has_ended(e.notice_end, as_of):
            waiting.append(e.id)
            continue
        e.state, e.filed_on = steps.FILED, as_of
        e.late = deadlines.is_filed_late(e.month, as_of)
        filed += 1
        late += e.late
        changed.append(e)
        logs.append(dict(evaluation_id=e.id, action=steps.FILE, actor=data["actor"], on_date=as_of,
                         from_state=steps.ON_NOTICE, to_state=steps.FILED,
                         note="late" if e.late else None))
    repository.save_evaluations(s, changed, ("state", "filed_on", "late"))
    repository.add_logs(s, logs)
    not_ready = repository.count_evaluations(s, data["evaluator"], data["month"],
                                             (steps.SUBMITTED, steps.REVIEWED, steps.APPROVED))
    s.flush()
    skipped = [{"kind": e.kind, "subject": e.subject, "state": e.state,
                "reason": f"on notice until {e.notice_end}"} for e in rows if e.id in waiting]
    skipped += history.skipped_items(s, data["evaluator"], data["month"], (steps.ON_NOTICE,),
                                     (steps.FILED,))
    return {"filed": filed, "late": late, "waiting": waiting, "left_for_another_member": own,
            "not_ready": not_ready,
            "not_filed": skipped,
            "deadline": deadlines.filing_deadline(data["month"]).isoformat()}


def file_months(uow, data) -> dict:
    """:func:`file_month` of many bodies' months in one call: one context and transaction; each
    item's actor is checked a member of its body (his own evaluation left out) as the single call
    checks it.  An item that filed nothing is ``unchanged``."""
    ctx = repository.Ctx(uow)
    as_of = ctx.on = data.get("as_of") or repository.today()
    ctx.prefetch({it["actor"] for it in data["items"]})

    def one(it):
        check_body_member(ctx, it["actor"], it["evaluator"], steps.FILE)
        answer = _file(ctx, uow.session, as_of, it)
        return answer, answer["filed"] > 0

    return body_months(data["items"], one)


def evaluation_dict(s, e, trail=True) -> dict:
    out = {"id": e.id, "kind": e.kind, "subject": e.subject, "month": e.month, "state": e.state,
           "score": repository.to_float(e.score), "self_score": repository.to_float(e.self_score),
           "items": {k: float(v) for k, v in (e.item_scores or {}).get("final", {}).items()},
           "deductions": e.deductions or [], "agency": e.agency, "evaluator": e.evaluator,
           "template_version": e.template_version, "notice_end": repository.iso(e.notice_end),
           "filed_on": repository.iso(e.filed_on), "late": bool(e.late), "objections": e.objections}
    if trail:
        out["trail"] = [{"action": r.action, "actor": r.actor, "on": r.on_date.isoformat(),
                         "from": r.from_state, "to": r.to_state, "note": r.note, "signed_by": r.signed_by}
                        for r in repository.trail(s, e.id)]
    return out


def evaluation(uow, data) -> dict:
    return evaluation_dict(uow.session, repository.get_evaluation(uow.session, data))


def person_history(uow, data) -> dict:
    rows = repository.history_rows(uow, data["person"], data["kind"], data.get("year"))
    return {"subject": data["person"], "kind": data["kind"],
            "months": [evaluation_dict(None, e, trail=False) for e in rows]}


def _allowed(check, ctx, actor, e) -> bool:
    try:
        check(ctx, actor, e)
    except (Forbidden, Conflict, NotFound):
        return False
    return True


def _with_send_back(s, e) -> dict:
    """An evaluation waiting for review, with ``sent_back`` ({by, on, reason}) when its last step
    sent it back from the approval (the mentor reads why), else None."""
    out = evaluation_dict(s, e, trail=False)
    last = repository.last_log(s, e.id)
    out["sent_back"] = ({"by": last.actor, "on": last.on_date.isoformat(), "reason": last.note}
                        if last is not None and last.action == steps.SEND_BACK else None)
    return out


def _not_before_last_step(s, as_of, rows) -> list:
    """The evaluations among ``rows`` whose step dated ``as_of`` the caller's step would take: a person
    or a calling system may not date a step before the evaluation's last step
    (:func:`check_not_before_last_step`), so his inbox dated before it does not list it (an inbox of
    today lists everything: no step is dated later than today)."""
    if not rows or as_of >= repository.today():
        return rows
    last = last_step_days(s, [e.id for e in rows])
    return [e for e in rows if last.get(e.id) is None or as_of >= last[e.id]]


def waiting_for(uow, data) -> dict:
    """What waits for ``person`` on the date (``as_of``, default today): the evaluations he may
    review (state ``submitted``; as the review step decides, :func:`check_may_review`; each with
    ``sent_back`` when a member sent it back from the approval: by, on, reason), those he
    may approve (state ``reviewed``; :func:`check_may_approve`: never his own, nor those he
    mentors or reviewed) and his mentees' daily logs not yet reviewed (the mentor of the log's
    date reviews it); ``group``: the body whose leading group he sits in on the date (None: none).  Candidates are read by index (mentees of the pairs open on the date, the
    evaluations of the leading group he sits in); each is then put to the step's own check."""
    from sqlalchemy import and_, or_, select

    from services.scoring.daily_logs import check_may_review_log
    from services.scoring.models import DailyLog, MentorSpan

    ctx, s = repository.Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or repository.today()
    me = data["person"]
    ctx.prefetch([me])
    person = ctx.person(me)
    group = person.agency if steps.is_leading_group_member(person, person.agency if person else None) \
        else None
    mentees = set(s.scalars(select(MentorSpan.mentee).where(
        MentorSpan.mentor == me, MentorSpan.cancelled.is_(False), MentorSpan.start <= as_of,
        or_(MentorSpan.end.is_(None), MentorSpan.end >= as_of))))
    # a section's supervising leaders and a mentorless subject's leading group review too
    who = [Evaluation.subject.in_(sorted(mentees))] if mentees else []
    if group:
        who.append(Evaluation.evaluator == group)
        who.append(and_(Evaluation.kind == "section", Evaluation.agency == group))
    candidates = list(s.scalars(select(Evaluation).where(
        Evaluation.state == steps.SUBMITTED, or_(*who)).order_by(Evaluation.month, Evaluation.subject))) \
        if who else []
    candidates = _not_before_last_step(s, as_of, candidates)
    ctx.prefetch({e.subject for e in candidates if e.kind == "officer"})
    review = [_with_send_back(s, e) for e in candidates if _allowed(check_may_review, ctx, me, e)]
    approve = []
    if group:
        rows = _not_before_last_step(s, as_of, list(s.scalars(select(Evaluation).where(
            Evaluation.state == steps.REVIEWED, Evaluation.evaluator == group)
            .order_by(Evaluation.month, Evaluation.subject))))
        ctx.prefetch({e.subject for e in rows if e.kind == "officer"})
        approve = [evaluation_dict(s, e, trail=False) for e in rows if _allowed(check_may_approve, ctx, me, e)]
    logs = []
    for lg in s.scalars(select(DailyLog).where(DailyLog.reviewed_on.is_(None), DailyLog.mentor == me)
                        .order_by(DailyLog.on_date, DailyLog.person)):
        def log_check(ctx_, actor, log):
            check_may_review_log(ctx_, actor, log.person, log.on_date)

        if _allowed(log_check, ctx, me, lg):
            logs.append({"person": lg.person, "date": lg.on_date.isoformat(), "text": lg.text})
    return {"person": me, "as_of": as_of.isoformat(), "group": group, "review": review, "approve": approve,
            "logs": logs}
