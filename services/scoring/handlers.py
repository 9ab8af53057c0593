"""Handlers of the scoring service: load state, call the domain, save, publish (no rules here).

Each function takes the unit of work and a validated payload and returns a JSON-ready dict.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, delete, func, insert, or_, select

from shared.contracts import scoring_events as ev
from shared.errors import Conflict, LianbaoError, NotFound
from services.scoring import models as m
from services.scoring import history, packs_service
from services.scoring.domain import (agency_eval, asof, assemble, bans, composite, criteria,
                                     daily_logs, deadlines, ranking)
from services.scoring.domain import workflow as wf
from services.scoring.domain.payload import _without_gc, rate_payload, rate_trusted

LEADING = ("head", "leader")


def today() -> date:
    return date.today()


def _f(v):
    return None if v is None else float(v)


def _iso(d):
    return None if d is None else d.isoformat()


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


# =============================================================================================
# read model


PERSON_FIELDS = ("name", "agency", "section", "position", "joined", "mentor", "reserve", "left_on")


def upsert_people(uow, data) -> dict:
    s = uow.session
    rows = {p["id"]: p for p in data["people"]}
    existing = {p.id: p for p in s.scalars(select(m.Person).where(m.Person.id.in_(list(rows))))}
    created = changed = unchanged = 0
    new = []
    for pid, p in rows.items():
        values = {k: p.get(k) for k in PERSON_FIELDS}
        values["evaluator"], values["evaluator_source"] = p["agency"], "default"
        cur = existing.get(pid)
        if cur is None:
            new.append({"id": pid, **values})
            created += 1
        elif any(getattr(cur, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(cur, k, v)
            changed += 1
        else:
            unchanged += 1
    if new:
        s.execute(insert(m.Person), new)
    for pid, p in rows.items():
        values = {k: p.get(k) for k in PERSON_FIELDS}
        values["evaluator"] = p["agency"]
        history.seed(s, pid, dict(values, supervises=p.get("supervises") or ()))
    return {"created": created, "changed": changed, "unchanged": unchanged}


def save_units(uow, data) -> dict:
    s = uow.session
    created = changed = unchanged = 0
    for u in data["units"]:
        values = dict(kind=u["kind"], parent=u.get("parent"),
                      agency=u.get("agency") or (u["id"] if u["kind"] != "section" else u.get("parent")),
                      name=u.get("name"), evaluator=u.get("evaluator"))
        cur = s.get(m.Unit, u["id"])
        if cur is None:
            s.add(m.Unit(id=u["id"], **values))
            created += 1
        elif any(getattr(cur, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(cur, k, v)
            changed += 1
        else:
            unchanged += 1
    s.flush()
    return {"created": created, "changed": changed, "unchanged": unchanged}


def record_spells(uow, data) -> dict:
    s = uow.session
    created = changed = unchanged = 0
    for sp in data["spells"]:
        values = dict(person=sp["person"], kind=sp["kind"], leave_kind=sp.get("leave_kind"),
                      start=sp["start"], end=sp.get("end"))
        cur = s.get(m.Spell, sp["id"])
        if cur is None:
            s.add(m.Spell(id=sp["id"], **values))
            created += 1
        elif any(getattr(cur, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(cur, k, v)
            changed += 1
        else:
            unchanged += 1
        if sp["kind"] in ("transferred_out", "dismissed"):
            person = s.get(m.Person, sp["person"])
            if person is not None:     # left_on: the open exit (a return after it ends it)
                if sp.get("end") is None:
                    person.left_on = sp["start"]
                elif person.left_on == sp["start"]:
                    person.left_on = None
    s.flush()
    return {"created": created, "changed": changed, "unchanged": unchanged}


# -- roster and survey events (each applied through the inbox by the service) ----------------
def on_units_saved(uow, event) -> None:
    units = [{"id": u["id"], "kind": u["kind"], "parent": u.get("parent"), "agency": u.get("agency"),
              "name": u.get("name")} for u in event.get("units", [])]
    if units:
        save_units(uow, {"units": units})


def on_staff(uow, event) -> None:
    """staff_joined / staff_changed: position, unit, join date.  The evaluator stays as the roster
    resolved it when it was seeded (``evaluator_source = roster``); otherwise the default rule
    "其余人员分别由所在局院领导小组考评" (the person's agency) applies."""
    s = uow.session
    for st in event.get("staff", []):
        cur = s.get(m.Person, st["id"])
        joined = date.fromisoformat(st["joined"])
        since = date.fromisoformat(st.get("since") or event.get("effective") or st["joined"])
        history.save_post(s, st["id"], since, st["agency"], st.get("section"), st["position"],
                          st.get("supervises") or ())
        latest = history.latest_post(s, st["id"])      # events may come in any order
        if cur is None:
            s.add(m.Person(id=st["id"], name=st.get("name"), agency=latest.agency,
                           section=latest.section, position=latest.position, joined=joined,
                           mentor=history.current_mentor(s, st["id"]),
                           evaluator=latest.agency, evaluator_source="default", reserve=False))
        else:
            cur.name, cur.agency, cur.section = st.get("name"), latest.agency, latest.section
            cur.position, cur.joined = latest.position, joined
            if cur.evaluator_source != "roster":
                cur.evaluator = latest.agency
    s.flush()


def on_evaluators_resolved(uow, event) -> None:
    """roster ``evaluators_resolved``: each person's evaluators through time (M§五(二)3), as the
    roster resolved them; never typed in by a caller."""
    history.evaluators_resolved(uow.session, event)


def _known(uow, pid):
    """Events of one person can overtake each other (different queues): an event about a person
    not yet in the read model fails, so it is redelivered (and dead-lettered after the retries)."""
    person = uow.session.get(m.Person, pid)
    if person is None:
        raise NotFound(f"{pid} is not in the read model yet", "person")
    return person


def on_staff_left(uow, event) -> None:
    _known(uow, event["person"]).left_on = date.fromisoformat(event["date"])


def on_spell(uow, event) -> None:
    sp = event["spell"]
    record_spells(uow, {"spells": [{
        "id": sp["id"], "person": sp["person"], "kind": sp["kind"], "leave_kind": sp.get("leave_kind"),
        "start": date.fromisoformat(sp["start"]),
        "end": date.fromisoformat(sp["end"]) if sp.get("end") else None}]})


def on_mentor_assigned(uow, event) -> None:
    """A pair with its dates (the mentor on each date is what the workflow checks)."""
    s = uow.session
    history.pair_assigned(s, event)
    person = s.get(m.Person, event["mentee"])
    if person is not None:
        person.mentor = history.current_mentor(s, event["mentee"])


def on_mentor_unassigned(uow, event) -> None:
    s = uow.session
    history.pair_unassigned(s, event)
    person = s.get(m.Person, event["mentee"])
    if person is not None:
        person.mentor = history.current_mentor(s, event["mentee"])


def on_satisfaction_rates(uow, event) -> None:
    """Counts per subject of a campaign; a later publication of the campaign replaces an earlier
    one, a final one is never replaced by a non-final one.  Only closed campaigns feed scoring
    (issue 18 item 4): a non-final publication (an older survey's rates of an open campaign) is
    not stored."""
    s = uow.session
    final = bool(event.get("final"))
    if not final:
        return
    for subj in event.get("subjects", []):
        cur = s.get(m.Satisfaction, (event["campaign_id"], subj["id"]))
        if cur is None:
            s.add(m.Satisfaction(campaign_id=event["campaign_id"], subject=subj["id"],
                                 period=event["period"], satisfied=subj["satisfied"],
                                 basic=subj["basic"], dissatisfied=subj["dissatisfied"], final=final))
        elif final or not cur.final:
            cur.satisfied, cur.basic, cur.dissatisfied = (subj["satisfied"], subj["basic"],
                                                          subj["dissatisfied"])
            cur.final = final
    s.flush()


# =============================================================================================
# criteria


def template_for(uow, kind: str, agency: str | None, month: str | None = None):
    """The city's template extended by the agency's latest rule pack in force in ``month``."""
    base = criteria.city_template(kind)
    if not agency:
        return base
    q = select(m.CriteriaPack).where(m.CriteriaPack.agency == agency, m.CriteriaPack.kind == kind)
    if month:
        q = q.where(m.CriteriaPack.effective_from <= month)
    pack = uow.session.scalars(q.order_by(m.CriteriaPack.version.desc()).limit(1)).first()
    return criteria.extend_template(base, pack.pack if pack else None)


def template(uow, data) -> dict:
    return template_for(uow, data["kind"], data.get("agency"), data.get("month")).to_dict()


def register_criteria_pack(uow, data) -> dict:
    pack = {"agency": data["agency"], "version": data["version"],
            "items": [{**i, "max": str(i["max"])} for i in data["items"]],
            "maxima": {k: str(v) for k, v in data["maxima"].items()}}
    result = criteria.extend_template(criteria.city_template(data["kind"]), pack)  # guardrail first
    cur = uow.session.get(m.CriteriaPack, (data["agency"], data["kind"], data["version"]))
    if cur is not None:
        if cur.pack != pack or cur.effective_from != data["effective_from"]:
            raise Conflict("this version of the pack exists with other content", "version")
    else:
        uow.session.add(m.CriteriaPack(agency=data["agency"], kind=data["kind"],
                                       version=data["version"], effective_from=data["effective_from"],
                                       pack=pack))
    return result.to_dict()


# =============================================================================================
# the monthly workflow


def eval_id(kind: str, subject: str, month: str) -> str:
    return f"{kind}:{subject}:{month}"


def _person(s, pid):
    p = s.get(m.Person, pid) if pid else None
    if p is None:
        return None
    return wf.Person(p.id, p.agency, p.section, p.position, p.mentor, p.evaluator)


class Ctx:
    """Per-call caches of the read model (a batch touches each person once).  People are read as
    they were on the act's date ``on`` (SPEC §9, :mod:`services.scoring.history`)."""

    def __init__(self, uow, on: date | None = None):
        self.s = uow.session
        self.uow = uow
        self.on = on
        self.hist = history.History(uow.session)
        self.people: dict = {}
        self.units: dict = {}
        self.chiefs: dict = {}
        self.templates: dict = {}

    @property
    def day(self) -> date:
        return self.on or today()

    def person(self, pid):
        """The person on the act's date (post and mentor then), or None."""
        if pid not in self.people:
            self.people[pid] = self.hist.person(pid, self.day) if pid else None
        return self.people[pid]

    def prefetch(self, ids):
        self.hist.load(ids)

    def unit(self, uid):
        if uid not in self.units:
            self.units[uid] = self.s.get(m.Unit, uid)
        return self.units[uid]

    def section_chiefs(self, sid):
        if sid not in self.chiefs:
            self.chiefs[sid] = self.hist.section_people(sid, self.day, "chief")
        return self.chiefs[sid]

    def subject_info(self, kind, subject, month=None):
        """(agency, evaluator, mentor, chiefs) of a subject, or NotFound.  With ``month``: the
        agency of the post held on the month's last day and the roster's evaluator of that day
        (SPEC §9); the mentor is the one on the act's date (sections: see ``reviewers``)."""
        if kind == "officer":
            history.require_known(self.hist, subject)
            if month is None:
                p = self.person(subject)
                return p.agency, None, p.mentor, ()
            last = asof.month_last_day(month)
            span = self.hist.month_evaluator(subject, month)
            post = self.hist.post(subject, last)
            return post.agency, span.value, self.hist.mentor(subject, self.day), ()
        u = self.unit(subject)
        if u is None or u.kind != "section":
            raise NotFound(f"no section {subject} in the roster read model", "subject")
        return u.agency, u.evaluator or u.agency, None, self.section_chiefs(subject)

    def reviewers(self, kind, subject, strict=True) -> tuple:
        """Who may review on the act's date: an officer's mentor then (none: the evaluator's
        members review); a section's supervising leaders then (分管领导, M§四2; none: Conflict,
        never guessed, unless ``strict`` is False)."""
        if kind == "officer":
            mentor = self.hist.mentor(subject, self.day)
            return (mentor,) if mentor else ()
        u = self.unit(subject)
        key = ("supervisors", subject)
        if key not in self.chiefs:
            self.chiefs[key] = self.hist.section_supervisors(subject, u.agency, self.day)
        supervisors = self.chiefs[key]
        if not strict:
            return tuple(supervisors)
        return asof.section_reviewers(supervisors, subject, self.day)

    def template(self, kind, agency, month):
        key = (kind, agency, month)
        if key not in self.templates:
            self.templates[key] = template_for(self.uow, kind, agency, month)
        return self.templates[key]

    def members(self, group):
        key = ("members", group)
        if key not in self.chiefs:
            self.chiefs[key] = self.hist.members(group, self.day)
        return self.chiefs[key]


def _deductions(items):
    return [criteria.Deduction(d["id"], tuple(d["items"]), Decimal(d["points"]), d.get("note") or "")
            for d in items or ()]


def _deductions_json(items):
    return [{"id": d["id"], "items": list(d["items"]), "points": str(d["points"]),
             "note": d.get("note")} for d in items or ()]


def _log(s, ev_id, action, actor, on, frm, to, note=None, dig=None):
    s.add(m.EvaluationLog(evaluation_id=ev_id, action=action, actor=actor, on_date=on,
                          from_state=frm, to_state=to, note=note, digest=dig))


def _last_log(s, ev_id):
    return s.scalars(select(m.EvaluationLog).where(m.EvaluationLog.evaluation_id == ev_id)
                     .order_by(m.EvaluationLog.id.desc()).limit(1)).first()


def _batch(items, fn):
    """Apply ``fn(index, item)`` to each item; a LianbaoError is reported by index and field and
    leaves nothing of that item written (each ``fn`` checks everything before it writes)."""
    done, unchanged, errors = [], 0, []
    for i, item in enumerate(items):
        try:
            out = fn(i, item)
        except LianbaoError as e:
            errors.append({"index": i, "field": e.field, "error": e.code, "message": e.message})
            continue
        if out == "unchanged":
            unchanged += 1
        else:
            done.append(out)
    return {"done": len(done), "unchanged": unchanged, "errors": errors, "ids": done}


def submit_self_assessments(uow, data) -> dict:
    """自评申报: the subject (an officer) or the section's chief submits the month's scores."""
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()
    items = data["items"]
    ctx.prefetch([i["subject"] for i in items if i["kind"] == "officer"] + [i["actor"] for i in items])
    ids = [eval_id(i["kind"], i["subject"], i["month"]) for i in items]
    existing = {}
    for chunk in range(0, len(ids), 5000):
        for e in s.scalars(select(m.Evaluation).where(m.Evaluation.id.in_(ids[chunk:chunk + 5000]))):
            existing[e.id] = e
    new_rows, logs, seen = [], [], set()

    def one(i, it):
        ev_id = eval_id(it["kind"], it["subject"], it["month"])
        deadlines.check_month_is_over(it["month"], as_of)
        agency, evaluator, _mentor, chiefs = ctx.subject_info(it["kind"], it["subject"], it["month"])
        wf.check_self_assessor(it["actor"], it["kind"], it["subject"], chiefs)
        tpl = ctx.template(it["kind"], agency, it["month"])
        scores = criteria.item_scores(tpl, it["item_scores"], _deductions(it["deductions"]))
        dig = digest([it["item_scores"], _deductions_json(it["deductions"])])
        cur = existing.get(ev_id)
        if cur is not None or ev_id in seen:
            if cur is not None and cur.state == wf.SUBMITTED:
                last = _last_log(s, ev_id)
                if last and last.action == wf.SUBMIT and last.actor == it["actor"] and last.digest == dig:
                    return "unchanged"      # the same self-assessment again: safe to run twice
            wf.next_state(cur.state if cur else wf.SUBMITTED, wf.SUBMIT)
        seen.add(ev_id)
        score = criteria.total_score(scores)
        new_rows.append(dict(id=ev_id, kind=it["kind"], subject=it["subject"], month=it["month"],
                             agency=agency, evaluator=evaluator, state=wf.SUBMITTED,
                             template_version=tpl.version,
                             item_scores={"given": {k: str(v) for k, v in
                                                    criteria.given_scores(tpl, it["item_scores"]).items()},
                                          "final": {k: str(v) for k, v in scores.items()}},
                             deductions=_deductions_json(it["deductions"]), self_score=score,
                             score=score, submitted_on=as_of, late=False, objections=0))
        logs.append(dict(evaluation_id=ev_id, action=wf.SUBMIT, actor=it["actor"], on_date=as_of,
                         from_state=None, to_state=wf.SUBMITTED, note=it.get("note"), digest=dig))
        return ev_id

    out = _batch(items, one)
    if new_rows:
        s.execute(insert(m.Evaluation), new_rows)
        s.execute(insert(m.EvaluationLog), logs)
    return out


def _load_evals(s, items):
    ids = [eval_id(i["kind"], i["subject"], i["month"]) for i in items]
    out = {}
    for chunk in range(0, len(ids), 5000):
        for e in s.scalars(select(m.Evaluation).where(m.Evaluation.id.in_(ids[chunk:chunk + 5000]))):
            out[e.id] = e
    return out


def _require(evals, it):
    e = evals.get(eval_id(it["kind"], it["subject"], it["month"]))
    if e is None:
        raise NotFound(f"no evaluation of {it['subject']} for {it['month']}", "subject")
    return e


def review_batch(uow, data) -> dict:
    """联带责任人审核: the subject's mentor confirms or corrects the scores and adds deductions."""
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()
    items = data["items"]
    ctx.prefetch([i["subject"] for i in items if i["kind"] == "officer"] + [i["actor"] for i in items])
    evals = _load_evals(s, items)
    logs = []

    def one(i, it):
        e = _require(evals, it)
        dig = digest([it.get("item_scores"), _deductions_json(it["deductions"])])
        if e.state == wf.REVIEWED and e.reviewed_by == it["actor"]:
            last = _last_log(s, e.id)
            if last and last.action == wf.REVIEW and last.digest == dig:
                return "unchanged"
        to = wf.next_state(e.state, wf.REVIEW)
        wf.check_not_own(it["actor"], it["kind"], it["subject"], wf.REVIEW,
                         ctx.section_chiefs(it["subject"]) if it["kind"] == "section" else ())
        reviewers = ctx.reviewers(it["kind"], it["subject"])
        if len(reviewers) > 1:
            asof.check_reviewer_of(it["actor"], reviewers, it["subject"], ctx.day)
        else:
            mentor = reviewers[0] if reviewers else None
            wf.check_reviewer(it["actor"], mentor, ctx.members(e.evaluator) if mentor is None else ())
        tpl = ctx.template(it["kind"], e.agency, e.month)
        stored = e.item_scores or {}
        given = it["item_scores"] if it.get("item_scores") is not None else stored.get("given")
        facts = list(e.deductions or []) + _deductions_json(it["deductions"])
        deds = [criteria.Deduction(d["id"], tuple(d["items"]), Decimal(d["points"]), d.get("note") or "")
                for d in facts]
        scores = criteria.item_scores(tpl, given, deds)
        e.item_scores = {"given": {k: str(v) for k, v in criteria.given_scores(tpl, given).items()},
                         "final": {k: str(v) for k, v in scores.items()}}
        e.deductions = facts
        e.score = criteria.total_score(scores)
        e.state, e.reviewed_by = to, it["actor"]
        logs.append(dict(evaluation_id=e.id, action=wf.REVIEW, actor=it["actor"], on_date=as_of,
                         from_state=wf.SUBMITTED, to_state=to, note=it.get("note"), digest=dig))
        return e.id

    out = _batch(items, one)
    if logs:
        s.execute(insert(m.EvaluationLog), logs)
    return out


def approve_batch(uow, data) -> dict:
    """考核审批: a member of the subject's evaluator (leading group) approves the score."""
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()
    items = data["items"]
    ctx.prefetch([i["actor"] for i in items] + [i["subject"] for i in items if i["kind"] == "officer"])
    evals = _load_evals(s, items)
    logs = []

    def one(i, it):
        e = _require(evals, it)
        if e.state == wf.APPROVED and e.approved_by == it["actor"]:
            return "unchanged"
        to = wf.next_state(e.state, wf.APPROVE)
        wf.check_evaluator_member(ctx.person(it["actor"]), it["actor"], e.evaluator, wf.APPROVE)
        wf.check_not_own(it["actor"], it["kind"], it["subject"], wf.APPROVE,
                         ctx.section_chiefs(it["subject"]) if it["kind"] == "section" else ())
        reviewers = ctx.reviewers(it["kind"], it["subject"], strict=False)
        mentor = it["actor"] if it["actor"] in reviewers else (reviewers[0] if reviewers else None)
        wf.check_approver_is_not_reviewer(it["actor"], e.reviewed_by, mentor)
        e.state, e.approved_by = to, it["actor"]
        logs.append(dict(evaluation_id=e.id, action=wf.APPROVE, actor=it["actor"], on_date=as_of,
                         from_state=wf.REVIEWED, to_state=to, note=it.get("note")))
        return e.id

    out = _batch(items, one)
    if logs:
        s.execute(insert(m.EvaluationLog), logs)
    return out


def _check_body_member(ctx, actor, evaluator, step):
    wf.check_evaluator_member(ctx.person(actor), actor, evaluator, step)


def _own_left_out(ctx, actor, rows):
    """Separation of duties for the steps that take a whole month (公示, 备案): the actor's own
    evaluation (or his section's) is left for another member of the leading group; the rest go on."""
    keep, own = [], []
    for e in rows:
        chiefs = ctx.section_chiefs(e.subject) if e.kind == "section" else ()
        (own if wf.is_own(actor, e.kind, e.subject, chiefs) else keep).append(e)
    return keep, sorted(e.id for e in own)


def publish_notice(uow, data) -> dict:
    """公示监督: the evaluator posts every approved evaluation of the month; three working days."""
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()
    _check_body_member(ctx, data["actor"], data["evaluator"], wf.NOTICE)
    from services.scoring.followups import work_calendar
    end = deadlines.notice_end(as_of, calendar=work_calendar(uow))
    rows = list(s.scalars(select(m.Evaluation).where(
        m.Evaluation.evaluator == data["evaluator"], m.Evaluation.month == data["month"],
        m.Evaluation.state == wf.APPROVED)))
    rows, own = _own_left_out(ctx, data["actor"], rows)
    logs = []
    for e in rows:
        e.state, e.notice_start, e.notice_end = wf.ON_NOTICE, as_of, end
        logs.append(dict(evaluation_id=e.id, action=wf.NOTICE, actor=data["actor"], on_date=as_of,
                         from_state=wf.APPROVED, to_state=wf.ON_NOTICE, note=f"until {end}"))
    if logs:
        s.execute(insert(m.EvaluationLog), logs)
    s.flush()
    skipped = history.skipped_items(s, data["evaluator"], data["month"], (wf.APPROVED,),
                                    (wf.ON_NOTICE, wf.FILED))
    return {"posted": len(rows), "notice_start": as_of.isoformat(), "notice_end": end.isoformat(),
            "not_posted": skipped, "left_for_another_member": own}


def object_to(uow, data) -> dict:
    """An objection during the notice sends the evaluation back to review, recorded."""
    s = uow.session
    as_of = data.get("as_of") or today()
    e = _require({eval_id(data["kind"], data["subject"], data["month"]):
                  s.get(m.Evaluation, eval_id(data["kind"], data["subject"], data["month"]))}, data)
    last = _last_log(s, e.id)
    if (e.state == wf.SUBMITTED and last and last.action == wf.OBJECT and last.actor == data["actor"]
            and last.note == data["text"]):
        return evaluation_dict(s, e)     # the same objection again
    to = wf.next_state(e.state, wf.OBJECT)
    wf.check_objector(data["actor"], data["subject"])
    if not deadlines.notice_is_open(e.notice_start, e.notice_end, as_of):
        raise Conflict(f"the notice ran from {e.notice_start} to {e.notice_end}", "as_of")
    e.state, e.objections = to, e.objections + 1
    e.reviewed_by = e.approved_by = None
    e.notice_start = e.notice_end = None
    _log(s, e.id, wf.OBJECT, data["actor"], as_of, wf.ON_NOTICE, to, data["text"])
    s.flush()
    return evaluation_dict(s, e)


def file_month(uow, data) -> dict:
    """上报备案: files every evaluation of the month whose notice has ended; late ones (after the
    15th of M+1) are filed and flagged."""
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()
    _check_body_member(ctx, data["actor"], data["evaluator"], wf.FILE)
    rows = list(s.scalars(select(m.Evaluation).where(
        m.Evaluation.evaluator == data["evaluator"], m.Evaluation.month == data["month"],
        m.Evaluation.state == wf.ON_NOTICE)))
    rows, own = _own_left_out(ctx, data["actor"], rows)
    filed, late, waiting, logs = 0, 0, [], []
    for e in rows:
        if not deadlines.notice_has_ended(e.notice_end, as_of):
            waiting.append(e.id)
            continue
        e.state, e.filed_on = wf.FILED, as_of
        e.late = deadlines.is_filed_late(e.month, as_of)
        filed += 1
        late += e.late
        logs.append(dict(evaluation_id=e.id, action=wf.FILE, actor=data["actor"], on_date=as_of,
                         from_state=wf.ON_NOTICE, to_state=wf.FILED,
                         note="late" if e.late else None))
    if logs:
        s.execute(insert(m.EvaluationLog), logs)
    not_ready = s.scalar(select(func.count()).select_from(m.Evaluation).where(
        m.Evaluation.evaluator == data["evaluator"], m.Evaluation.month == data["month"],
        m.Evaluation.state.in_((wf.SUBMITTED, wf.REVIEWED, wf.APPROVED))))
    s.flush()
    skipped = [{"kind": e.kind, "subject": e.subject, "state": e.state,
                "reason": f"on notice until {e.notice_end}"} for e in rows if e.id in waiting]
    skipped += history.skipped_items(s, data["evaluator"], data["month"], (wf.ON_NOTICE,),
                                     (wf.FILED,))
    return {"filed": filed, "late": late, "waiting": waiting, "left_for_another_member": own,
            "not_ready": not_ready,
            "not_filed": skipped,
            "deadline": deadlines.filing_deadline(data["month"]).isoformat()}


def evaluation_dict(s, e, trail=True) -> dict:
    out = {"id": e.id, "kind": e.kind, "subject": e.subject, "month": e.month, "state": e.state,
           "score": _f(e.score), "self_score": _f(e.self_score),
           "items": {k: float(v) for k, v in (e.item_scores or {}).get("final", {}).items()},
           "deductions": e.deductions or [], "agency": e.agency, "evaluator": e.evaluator,
           "template_version": e.template_version, "notice_end": _iso(e.notice_end),
           "filed_on": _iso(e.filed_on), "late": bool(e.late), "objections": e.objections}
    if trail:
        out["trail"] = [{"action": r.action, "actor": r.actor, "on": r.on_date.isoformat(),
                         "from": r.from_state, "to": r.to_state, "note": r.note}
                        for r in s.scalars(select(m.EvaluationLog).where(
                            m.EvaluationLog.evaluation_id == e.id).order_by(m.EvaluationLog.id))]
    return out


def evaluation(uow, data) -> dict:
    e = uow.session.get(m.Evaluation, eval_id(data["kind"], data["subject"], data["month"]))
    if e is None:
        raise NotFound(f"no evaluation of {data['subject']} for {data['month']}", "subject")
    return evaluation_dict(uow.session, e)


def person_history(uow, data) -> dict:
    q = select(m.Evaluation).where(m.Evaluation.subject == data["person"],
                                   m.Evaluation.kind == data["kind"])
    if data.get("year"):
        q = q.where(m.Evaluation.month.like(f"{data['year']}-%"))
    rows = uow.session.scalars(q.order_by(m.Evaluation.month))
    return {"subject": data["person"], "kind": data["kind"],
            "months": [evaluation_dict(uow.session, e, trail=False) for e in rows]}


# -- deadlines, overdue, implementation rate --------------------------------------------------
def due_subjects(s, month: str, agency: str | None = None) -> dict:
    """Everyone (and every section) due a filed evaluation for ``month``: on the team on the
    month's last day (SPEC §9: who left during the month is not evaluated for it).  Returns
    ``{(kind, subject): agency}``, the agency the month counts for: the evaluator's of that day
    (the roster's answer; the person's own agency while none is known yet)."""
    last = deadlines.next_month_start(month) - timedelta(days=1)
    evaluators = history.evaluators_on(s, last)
    gone = history.exits_covering(s, last)
    out = {}
    for pid, ag in s.execute(select(m.Person.id, m.Person.agency).where(m.Person.joined <= last)):
        if pid in gone:
            continue
        body = evaluators.get(pid, ag)
        if agency is None or body == agency:
            out[("officer", pid)] = body
    qs = select(m.Unit.id, m.Unit.agency).where(m.Unit.kind == "section")
    if agency:
        qs = qs.where(m.Unit.agency == agency)
    out.update({("section", uid): ag for uid, ag in s.execute(qs)})
    return out


def overdue_evaluations(uow, data) -> dict:
    """Month M (default: the latest month whose deadline has passed): who is due, who filed on
    time, and who is overdue (not filed by the 15th of M+1, M§五(二)4)."""
    s = uow.session
    as_of = data.get("as_of") or today()
    month = data.get("month")
    if month is None:    # the latest month whose filing deadline has passed
        month = deadlines.previous_month(as_of)
        if as_of <= deadlines.filing_deadline(month):
            y, mo = deadlines.parse_month(month)
            month = deadlines.previous_month(date(y, mo, 1))
    due = due_subjects(s, month, data.get("agency"))
    evals = {(e.kind, e.subject): e for e in s.scalars(select(m.Evaluation).where(
        m.Evaluation.month == month))}
    by_agency: dict = {}
    overdue = []
    past = as_of > deadlines.filing_deadline(month)
    for (kind, subject), ag in sorted(due.items(), key=lambda kv: (str(kv[1]), kv[0])):
        e = evals.get((kind, subject))
        filed_on = e.filed_on if e is not None else None
        a = by_agency.setdefault(ag, {"due": 0, "filed_on_time": 0, "filed_late": 0, "overdue": 0})
        a["due"] += 1
        if filed_on is not None and not e.late:
            a["filed_on_time"] += 1
        elif filed_on is not None:
            a["filed_late"] += 1
        if deadlines.is_overdue(month, filed_on, as_of) or (filed_on is not None and e.late):
            a["overdue"] += 1
            overdue.append({"kind": kind, "subject": subject, "agency": ag,
                            "state": e.state if e is not None else "missing",
                            "filed_on": _iso(filed_on)})
    for a in by_agency.values():
        rate = deadlines.implementation_rate(a["filed_on_time"], a["due"]) if past else None
        a["rate"] = None if rate is None else round(rate, 4)
    return {"month": month, "deadline": deadlines.filing_deadline(month).isoformat(),
            "as_of": as_of.isoformat(), "deadline_passed": past, "overdue": overdue,
            "by_agency": by_agency}


def flag_overdue(uow, as_of: date) -> dict:
    """The timer: flags every unfiled evaluation past its deadline (once) and returns the counts
    of the latest month due, for the gauges."""
    s = uow.session
    flagged = 0
    for e in s.scalars(select(m.Evaluation).where(m.Evaluation.state != wf.FILED,
                                                  m.Evaluation.overdue_flagged_on.is_(None))):
        if deadlines.is_overdue(e.month, None, as_of):
            e.overdue_flagged_on = as_of
            _log(s, e.id, "overdue", "system", as_of, e.state, e.state,
                 f"not filed by {deadlines.filing_deadline(e.month)}")
            flagged += 1
    report = overdue_evaluations(uow, {"as_of": as_of})
    report["flagged"] = flagged
    return report


# =============================================================================================
# daily logs


def write_daily_logs(uow, data) -> dict:
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()
    ctx.prefetch([lg["person"] for lg in data["logs"]])

    def one(i, lg):
        daily_logs.check_log_date(lg["date"], as_of)
        p = ctx.person(lg["person"])
        if p is None:
            raise NotFound(f"no person {lg['person']}", "person")
        cur = s.get(m.DailyLog, (lg["person"], lg["date"]))
        if cur is not None:
            if cur.text == lg["text"]:
                return "unchanged"
            if cur.reviewed_on is not None:
                raise Conflict("the log of this day is already reviewed", "date")
            cur.text = lg["text"]
            return f"{lg['person']}:{lg['date']}"
        s.add(m.DailyLog(person=lg["person"], on_date=lg["date"], text=lg["text"],
                         mentor=ctx.hist.mentor(lg["person"], lg["date"])))   # the mentor that day
        s.flush()
        return f"{lg['person']}:{lg['date']}"

    return _batch(data["logs"], one)


def review_daily_logs(uow, data) -> dict:
    ctx, s = Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or today()

    def one(i, rv):
        cur = s.get(m.DailyLog, (rv["person"], rv["date"]))
        if cur is None:
            raise NotFound(f"no log of {rv['person']} on {rv['date']}", "date")
        # the mentor on the log's date reviews it (not the mentor of the day of the review)
        wf.check_not_own(rv["actor"], "daily log", rv["person"], "log_review")
        daily_logs.check_log_reviewer(rv["actor"], ctx.hist.mentor(rv["person"], rv["date"]))
        if cur.reviewed_by == rv["actor"]:
            return "unchanged"
        cur.reviewed_by, cur.reviewed_on, cur.comment = rv["actor"], as_of, rv.get("comment")
        return f"{rv['person']}:{rv['date']}"

    return _batch(data["reviews"], one)


def unreviewed_logs(uow, data) -> dict:
    s = uow.session
    as_of = data.get("as_of") or today()
    q = select(m.DailyLog, m.DailyLog.mentor, m.Person.agency).join(
        m.Person, m.Person.id == m.DailyLog.person).where(m.DailyLog.reviewed_on.is_(None))
    if data.get("mentor"):
        q = q.where(m.DailyLog.mentor == data["mentor"])
    if data.get("agency"):
        q = q.where(m.Person.agency == data["agency"])
    out = []
    from services.scoring.followups import work_calendar
    cal = work_calendar(uow)
    for lg, mentor, agency in s.execute(q.order_by(m.DailyLog.on_date, m.DailyLog.person)):
        if daily_logs.is_review_overdue(lg.on_date, False, as_of, cal):
            out.append({"person": lg.person, "date": lg.on_date.isoformat(), "mentor": mentor,
                        "agency": agency, "due": daily_logs.review_due(lg.on_date, cal).isoformat()})
    by_mentor: dict = {}
    for o in out:
        by_mentor[o["mentor"] or ""] = by_mentor.get(o["mentor"] or "", 0) + 1
    return {"as_of": as_of.isoformat(), "count": len(out), "logs": out, "by_mentor": by_mentor}


# =============================================================================================
# monthly ranking


def _group_members(s, evaluator, group, month):
    """The evaluator's subjects of ``group`` for ``month``: the officers whose evaluation of the
    month it holds (its evaluator on the month's last day, SPEC §9), by their position that day."""
    if group == "units":
        return "section", list(s.scalars(select(m.Unit.id).where(
            m.Unit.kind == "section", func.coalesce(m.Unit.evaluator, m.Unit.agency) == evaluator)))
    subjects = list(s.scalars(select(m.Evaluation.subject).where(
        m.Evaluation.kind == "officer", m.Evaluation.month == month,
        m.Evaluation.evaluator == evaluator)))
    if group == "reserve":
        reserve = set()
        for chunk in range(0, len(subjects), 5000):
            reserve.update(s.scalars(select(m.Person.id).where(
                m.Person.id.in_(subjects[chunk:chunk + 5000]), m.Person.reserve.is_(True))))
        return "officer", sorted(reserve)
    hist = history.History(s)
    hist.load(subjects)
    last = asof.month_last_day(month)
    wanted = {"leaders": LEADING, "chiefs": ("chief",)}.get(group, ("officer",))
    out = []
    for pid in subjects:
        post = hist.post(pid, last)
        if post is not None and post.position in wanted:
            out.append(pid)
    return "officer", sorted(out)


RANKABLE = (wf.APPROVED, wf.ON_NOTICE, wf.FILED)


def rank_month(uow, data) -> dict:
    """按月考评排队 (001 §一3): rank the evaluator's units and leaders (and reserve cadres) on the
    month's approved scores; poor ones owe an explanation and a plan.  Re-ranking replaces the
    ranking; a rectification already submitted or filed is kept."""
    ctx, s = Ctx(uow), uow.session
    _check_body_member(ctx, data["actor"], data["evaluator"], wf.APPROVE)
    ev_, month = data["evaluator"], data["month"]
    s.execute(delete(m.Ranking).where(m.Ranking.evaluator == ev_, m.Ranking.month == month))
    poor_now = {}
    for group in data["groups"]:
        kind, members = _group_members(s, ev_, group, month)
        if not members:
            continue
        scores = {}
        for chunk in range(0, len(members), 5000):
            for subj, score in s.execute(select(m.Evaluation.subject, m.Evaluation.score).where(
                    m.Evaluation.kind == kind, m.Evaluation.month == month,
                    m.Evaluation.subject.in_(members[chunk:chunk + 5000]),
                    m.Evaluation.state.in_(RANKABLE))):
                scores[subj] = Decimal(score)
        ranked = ranking.rank_subjects(scores)
        if ranked:
            s.execute(insert(m.Ranking), [dict(evaluator=ev_, month=month, grp=group, subject=r.subject,
                                               score=r.score, rank=r.rank, klass=r.klass)
                                          for r in ranked])
        for r in ranked:
            if ranking.owes_rectification(r.klass):
                poor_now[r.subject] = group
    existing = {r.subject: r for r in s.scalars(select(m.Rectification).where(
        m.Rectification.evaluator == ev_, m.Rectification.month == month))}
    for subj, r in existing.items():
        if subj not in poor_now and r.state == "owed":
            s.delete(r)
    for subj, group in poor_now.items():
        if subj not in existing:
            s.add(m.Rectification(evaluator=ev_, month=month, subject=subj, grp=group, state="owed"))
    s.flush()
    from services.scoring import followups   # twice running → referral; a poor leader's talk
    followups.after_ranking(uow, ev_, month, data.get("as_of"))
    return ranking_of_month(uow, {"evaluator": ev_, "month": month})


def ranking_of_month(uow, data) -> dict:
    s = uow.session
    groups: dict = {}
    for r in s.scalars(select(m.Ranking).where(m.Ranking.evaluator == data["evaluator"],
                                               m.Ranking.month == data["month"])
                       .order_by(m.Ranking.grp, m.Ranking.rank, m.Ranking.subject)):
        groups.setdefault(r.grp, []).append({"subject": r.subject, "score": float(r.score),
                                             "rank": r.rank, "class": r.klass})
    owed = [{"subject": r.subject, "group": r.grp, "state": r.state}
            for r in s.scalars(select(m.Rectification).where(
                m.Rectification.evaluator == data["evaluator"],
                m.Rectification.month == data["month"]).order_by(m.Rectification.subject))]
    return {"evaluator": data["evaluator"], "month": data["month"], "groups": groups,
            "rectifications": owed}


def submit_rectification(uow, data) -> dict:
    """The poor subject (a leader, or a section's chief) files its explanation and plan."""
    ctx, s = Ctx(uow), uow.session
    r = s.get(m.Rectification, (data["evaluator"], data["month"], data["subject"]))
    if r is None:
        raise NotFound(f"{data['subject']} owes no rectification for {data['month']}", "subject")
    if r.grp == "units":
        wf.check_self_assessor(data["actor"], "section", data["subject"],
                               ctx.section_chiefs(data["subject"]))
    else:
        wf.check_self_assessor(data["actor"], "officer", data["subject"])
    if r.state == "submitted" and r.explanation == data["explanation"] and r.plan == data["plan"]:
        return rectification_dict(r)
    r.state = ranking.next_rectification_state(r.state, "submit")
    r.explanation, r.plan = data["explanation"], data["plan"]
    r.submitted_by, r.submitted_on = data["actor"], data.get("as_of") or today()
    return rectification_dict(r)


def file_rectification(uow, data) -> dict:
    ctx, s = Ctx(uow), uow.session
    r = s.get(m.Rectification, (data["evaluator"], data["month"], data["subject"]))
    if r is None:
        raise NotFound(f"{data['subject']} owes no rectification for {data['month']}", "subject")
    _check_body_member(ctx, data["actor"], data["evaluator"], wf.FILE)
    wf.check_not_own(data["actor"], "rectification", data["subject"], "rectification",
                     ctx.section_chiefs(data["subject"]) if r.grp == "units" else ())
    if r.state == "filed":
        return rectification_dict(r)
    r.state = ranking.next_rectification_state(r.state, "file")
    r.filed_by, r.filed_on = data["actor"], data.get("as_of") or today()
    return rectification_dict(r)


def rectification_dict(r) -> dict:
    return {"evaluator": r.evaluator, "month": r.month, "subject": r.subject, "group": r.grp,
            "state": r.state, "explanation": r.explanation, "plan": r.plan,
            "submitted_on": _iso(r.submitted_on), "filed_on": _iso(r.filed_on)}


def rectifications(uow, data) -> dict:
    q = select(m.Rectification)
    for key, col in (("evaluator", m.Rectification.evaluator), ("month", m.Rectification.month),
                     ("state", m.Rectification.state)):
        if data.get(key):
            q = q.where(col == data[key])
    rows = uow.session.scalars(q.order_by(m.Rectification.month, m.Rectification.subject))
    return {"rectifications": [rectification_dict(r) for r in rows]}


# =============================================================================================
# facts for the ratings


def _upsert_facts(s, model, key_fn, rows):
    created = unchanged = 0
    for values in rows:
        cur = s.get(model, key_fn(values))
        if cur is None:
            s.add(model(**values))
            created += 1
        elif all(getattr(cur, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            raise Conflict("this id was recorded with other content", "id")
    s.flush()
    return {"created": created, "unchanged": unchanged}


def record_honours(uow, data) -> dict:
    rows = [dict(id=h["id"], subject=h["subject"], title=h["title"], level=h["level"],
                 on_date=h["date"]) for h in data["honours"]]
    return _upsert_facts(uow.session, m.Honour, lambda v: v["id"], rows)


def record_facts(uow, data) -> dict:
    rows = [dict(id=f["id"], subject=f["subject"], subject_kind=f["subject_kind"], kind=f["kind"],
                 on_date=f["date"], note=f.get("note")) for f in data["facts"]]
    return _upsert_facts(uow.session, m.SubjectFact, lambda v: v["id"], rows)


def record_absences(uow, data) -> dict:
    """无故旷工 days are a set per person (a day recorded twice counts once)."""
    rows = [dict(person=a["person"], on_date=a["date"]) for a in data["absences"]]
    return _upsert_facts(uow.session, m.Absence, lambda v: (v["person"], v["on_date"]), rows)


def record_agency_evaluation(uow, data) -> dict:
    standards = {k: str(v) for k, v in data["standards"].items()}
    score = agency_eval.standards_score(data["standards"])
    awards = [{k: v for k, v in a.items() if v is not None} for a in data["awards"]]
    cur = uow.session.get(m.AgencyEvaluation, (data["agency"], data["year"]))
    values = dict(grp=data["group"], standards=standards, awards=awards,
                  criticisms=data["criticisms"], previous_class=data.get("previous_class"),
                  recorded_by=data.get("actor"))
    if cur is None:
        uow.session.add(m.AgencyEvaluation(agency=data["agency"], year=data["year"], **values))
    else:
        for k, v in values.items():
            setattr(cur, k, v)
    return {"agency": data["agency"], "year": data["year"], "score": float(score)}


# =============================================================================================
# ratings


def _scope_units(s, scope):
    parents = dict(s.execute(select(m.Unit.id, m.Unit.parent)).all())
    if scope not in parents and scope != "city":
        raise NotFound(f"no unit {scope} in the read model", "scope")
    if scope == "city":
        return set(parents)
    return assemble.units_under(scope, parents)


def build_snapshot(uow, period: str, scope: str, rating_date: date, rules=None):
    """The RATING.md snapshot of ``period`` for the units under ``scope``, from this service's
    tables: filed monthly scores, the read models, honours, facts, absences, agency evaluations."""
    s = uow.session
    start, end, months = assemble.period_bounds(period)
    units = _scope_units(s, scope)
    # SPEC §9: each person as on the period's last day (post, mentor), whatever changed since
    moved = history.posts_changed_after(s, end)
    hist = history.History(s)
    hist.load(moved)
    mentors = history.mentors_on(s, end)
    people = []
    for pid, ag, sec, pos, joined, _mentor, left, name in s.execute(select(
            m.Person.id, m.Person.agency, m.Person.section, m.Person.position, m.Person.joined,
            m.Person.mentor, m.Person.left_on, m.Person.name).order_by(m.Person.id)):
        if pid in moved:
            post = hist.post(pid, end)
            ag, sec, pos = post.agency, post.section, post.position
        if ag in units:
            people.append(assemble.PersonRow(pid, ag, sec, pos, joined, mentors.get(pid), left,
                                             name))
    sections = [(uid, ag) for uid, ag in s.execute(
        select(m.Unit.id, m.Unit.agency).where(m.Unit.kind == "section").order_by(m.Unit.id))
        if uid in units]
    ids = {p.id for p in people}
    section_ids = {sid for sid, _ in sections}
    facts = assemble.Facts()
    q = select(m.Evaluation.kind, m.Evaluation.subject, m.Evaluation.month, m.Evaluation.score).where(
        m.Evaluation.state == wf.FILED, m.Evaluation.month >= months[0],
        m.Evaluation.month <= months[-1])
    monthly, smonthly = facts.monthly, facts.section_monthly
    exact = assemble.exact_number
    if s.get_bind().dialect.name == "postgresql":
        facts.monthly = monthly = _officer_monthly_pg(s, months)
        q = q.where(m.Evaluation.kind != "officer")
    for kind, subj, month, score in s.execute(q):
        if kind == "officer":
            if subj in ids:
                monthly.setdefault(subj, {})[month] = exact(score)
        elif subj in section_ids:
            smonthly.setdefault(subj, {})[month] = score
    subjects = ids | section_ids
    for subj, title, level in s.execute(select(m.Honour.subject, m.Honour.title, m.Honour.level).where(
            m.Honour.on_date >= start, m.Honour.on_date <= end).order_by(m.Honour.on_date, m.Honour.id)):
        if subj in subjects:
            facts.honours.setdefault(subj, []).append((title, level))
    for person, kind, lk, st, en in s.execute(select(m.Spell.person, m.Spell.kind, m.Spell.leave_kind,
                                                     m.Spell.start, m.Spell.end).where(
            m.Spell.kind == "leave", m.Spell.start <= end)):
        if person in ids:
            facts.leave.setdefault(person, []).append((lk or "other", st, en))
    for person, n in s.execute(select(m.Absence.person, func.count()).where(
            m.Absence.on_date >= start, m.Absence.on_date <= end).group_by(m.Absence.person)):
        if person in ids:
            facts.absence[person] = n
    for subj, sat, bas, dis in s.execute(select(
            m.Satisfaction.subject, func.sum(m.Satisfaction.satisfied), func.sum(m.Satisfaction.basic),
            func.sum(m.Satisfaction.dissatisfied)).where(
            m.Satisfaction.period.in_(assemble.survey_periods(period))).group_by(m.Satisfaction.subject)):
        if subj in subjects:
            facts.satisfaction[subj] = (int(sat), int(bas), int(dis))
    for subj, kind in s.execute(select(m.SubjectFact.subject, m.SubjectFact.kind).where(
            m.SubjectFact.on_date >= start, m.SubjectFact.on_date <= end)
            .order_by(m.SubjectFact.on_date, m.SubjectFact.id)):
        if subj in subjects:
            facts.facts.setdefault(subj, []).append(kind)
    year = int(period[:4])
    last_annual = _latest_rating(s, str(year - 1), scope)
    last_class = {}
    if last_annual is not None:
        for subj, _kind, _ag, _sec, status, klass, _n in _entries(s, last_annual.rating_id):
            if status == "disqualified":
                facts.disqualified_last_year.add(subj)
            if klass is not None:
                last_class[subj] = klass
    agencies = []
    if not period.endswith("H1"):
        for a in s.scalars(select(m.AgencyEvaluation).where(m.AgencyEvaluation.year == year)
                           .order_by(m.AgencyEvaluation.agency)):
            if a.agency in units:
                agencies.append(agency_eval.agency_entry(
                    a.agency, a.grp, {k: Decimal(v) for k, v in a.standards.items()}, a.awards,
                    a.criticisms, agency_eval.previous_class_of(a.previous_class,
                                                                last_class.get(a.agency))))
    snapshot, skipped = assemble.assemble_snapshot(period, rating_date, people, sections, facts,
                                                   agencies, rules)
    return snapshot, skipped, people


def _officer_monthly_pg(s, months) -> dict:
    """Filed officer scores of the months, ``{officer: {month: score}}`` in calendar order, as one
    JSON document aggregated by PostgreSQL (one parse instead of a Python loop over every row).
    Scores go through float8, whose shortest text is the float's repr: parsed as Decimal they are
    the numbers the snapshot's JSON text gives back (:func:`assemble.exact_number`)."""
    from sqlalchemy import text as sql

    doc = s.execute(sql(
        "SELECT json_object_agg(subject, m)::text FROM ("
        " SELECT subject, json_object_agg(month, score::float8 ORDER BY month) AS m"
        " FROM evaluations WHERE kind = 'officer' AND state = :filed"
        " AND month >= :first AND month <= :last GROUP BY subject) x"),
        {"filed": wf.FILED, "first": months[0], "last": months[-1]}).scalar()
    return json.loads(doc, parse_float=_Decimals().__getitem__) if doc else {}


class _Decimals(dict):
    """``Decimal(text)`` made once per distinct text (scores repeat: a few thousand distinct
    values among a million; Decimals are immutable, so sharing them changes nothing)."""

    def __missing__(self, text):
        value = self[text] = Decimal(text)
        return value


def _latest_rating(s, period, scope):
    return s.scalars(select(m.Rating).where(m.Rating.period == period, m.Rating.scope == scope)
                     .order_by(m.Rating.version.desc()).limit(1)).first()


def run_rating(uow, data) -> dict:
    """半年初评 / 年终总评: assemble, rate with the engine (one code path), store the results with
    their explanations, publish ``rating_published``.  The same facts again: the stored rating is
    returned and nothing is published twice.

    When an agency in scope has an adaptation (a rule pack in force for the period, or plug-ins
    bound to it), its officers and sections are rated with it in their own part of a composite
    snapshot (:mod:`services.scoring.domain.composite`); the stored snapshot is that composite
    document, which ``rate_snapshot`` rates back to the same result.  Without any adaptation in
    scope: one plain snapshot, as RATING.md §1.

    Runs with the cyclic garbage collector paused: the snapshot and the result are millions of
    small objects that live until the end, which it would scan again and again for nothing."""
    return _without_gc(lambda: _run_rating(uow, data))


def _run_rating(uow, data) -> dict:
    s = uow.session
    period, scope = data["period"], data["scope"]
    rating_date = data.get("rating_date") or today()
    snapshot, skipped, people = build_snapshot(uow, period, scope, rating_date, data.get("rules"))
    agencies = sorted({o["agency"] for o in snapshot["officers"]}
                      | {x["agency"] for x in snapshot["sections"]})
    adapted = packs_service.adaptation_documents(uow, agencies, period)
    cases = ban_cases(s, snapshot, period)
    stored = composite.build(snapshot, adapted, cases) if adapted or cases else snapshot
    text = json.dumps(stored, ensure_ascii=False, separators=(",", ":"),
                      default=assemble.json_number)
    dig = hashlib.sha256(text.encode()).hexdigest()
    last = _latest_rating(s, period, scope)
    if last is not None and last.digest == dig:
        return {"rating_id": last.rating_id, "published": False, "unchanged": True,
                "skipped": last.skipped, "result": stored_result(s, last.rating_id)}
    if stored is not snapshot:
        result, used = composite.rate_composite(stored, packs_service.plugin_host(uow),
                                                trusted=True)
    else:
        result, used = rate_trusted(snapshot), []
    version = (last.version + 1) if last is not None else 1
    rating_id = f"{period}:{scope}:{version}"
    store_results(s, rating_id, snapshot, result)
    for adaptation in used:
        packs_service.record_use(uow, rating_id, adaptation)
    subjects = {}
    by_id = {p.id: p for p in people}
    for o in snapshot["officers"]:
        p = by_id[o["id"]]
        subjects[o["id"]] = {"paying_unit": p.agency, "unit": p.section or p.agency, "name": p.name}
    for sec in snapshot["sections"]:
        subjects[sec["id"]] = {"paying_unit": sec["agency"], "unit": sec["id"],
                               "headcount": sec["headcount"]}
    payload = {"rating_id": rating_id, "period": period, "kind": ev.period_kind(period),
               "scope": scope, "version": version, "rating_date": rating_date.isoformat(),
               "result": result,
               "subjects": subjects,
               "disqualified_last_year": [o["id"] for o in snapshot["officers"]
                                          if o.get("disqualified_last_year")]}
    event_id = uow.publish(ev.RATING_PUBLISHED, payload)
    s.add(m.Rating(rating_id=rating_id, period=period, scope=scope, version=version,
                   rating_date=rating_date, digest=dig, snapshot=text, skipped=skipped,
                   event_id=event_id))
    return {"rating_id": rating_id, "published": True, "unchanged": False, "skipped": skipped,
            "event_id": event_id, "result": result}


def ban_cases(s, snapshot, period) -> list:
    """The ban cases (M§三(三)) of the period against officers of the snapshot."""
    start, end, _months = assemble.period_bounds(period)
    officers = {o["id"] for o in snapshot["officers"]}
    rows = s.execute(select(m.BanCase.id, m.BanCase.subject, m.BanCase.role, m.BanCase.violator,
                            m.BanCase.ban, m.BanCase.occurred_on).where(
        m.BanCase.occurred_on >= start, m.BanCase.occurred_on <= end)).mappings().all()
    return bans.cases_in(rows, officers, start, end)


def on_ban_violated(uow, event) -> None:
    """roster's ``ban_violated``: record the case against the violator and, when there is one,
    the joint-responsibility case against the mentor (:mod:`services.scoring.domain.bans` reads
    what they do to the ratings).  A case already recorded is left as it is."""
    s = uow.session
    common = dict(violation_id=event["violation_id"], violator=event["person"], ban=event["ban"],
                  occurred_on=date.fromisoformat(event["occurred_on"]),
                  confirmed_on=date.fromisoformat(event["confirmed_on"]))
    cases = [(event["person_case_id"], event["person"], bans.VIOLATOR)]
    if event.get("mentor") and event.get("mentor_case_id"):
        cases.append((event["mentor_case_id"], event["mentor"], bans.MENTOR))
    for case_id, subject, role in cases:
        if s.get(m.BanCase, case_id) is None:
            s.add(m.BanCase(id=case_id, subject=subject, role=role, **common))
    s.flush()


def rate_snapshot(uow, snapshot) -> dict:
    """Rate a snapshot as given (RATING.md §1), or a composite document as ``scoring.snapshot``
    returns it (each part under the adaptation it names, with this service's plug-ins)."""
    if composite.is_composite(snapshot):
        return composite.rate_composite(snapshot, packs_service.plugin_host(uow))[0]
    return rate_payload(snapshot)


CHUNK = 250                 # subjects per row of rating_result_chunks (at most)
SEP = "\x1f"                # between the ids of a chunk's ``subjects`` and ``sections``


def store_results(s, rating_id, snapshot, result) -> None:
    """The results in chunks of up to :data:`CHUNK` subjects of one agency, one row each (their
    engine JSON kept whole for the explanation RPC; see :class:`models.RatingResultChunk`)."""
    where = {o["id"]: (o["agency"], o.get("section")) for o in snapshot["officers"]}
    where.update({x["id"]: (x["agency"], x["id"]) for x in snapshot["sections"]})
    lines: dict = {}
    for line in result["settlement"]:
        lines.setdefault(line["subject"], []).append(line)
    by_agency: dict = {}
    place = where.get
    n = 0
    for kind, key in (("officer", "officers"), ("section", "sections"), ("agency", "agencies")):
        for r in result[key]:
            rid = r["id"]
            ag, sec = place(rid) or (rid, None)
            by_agency.setdefault(ag, []).append(
                ([rid, kind, ag, sec, r.get("status"), r.get("class"), n],
                 {**r, "_settlement": lines.get(rid, [])}))
            n += 1
    rows = []
    for ag, items in by_agency.items():
        for i in range(0, len(items), CHUNK):
            part = items[i:i + CHUNK]
            entries = [e for e, _r in part]
            rows.append(dict(
                rating_id=rating_id, chunk=len(rows), agency=ag,
                subjects=SEP + SEP.join(e[0] for e in entries) + SEP,
                sections=SEP + SEP.join(sorted({e[3] for e in entries if e[3] is not None})) + SEP,
                entries=json.dumps(entries, ensure_ascii=False),
                results=json.dumps([r for _e, r in part], ensure_ascii=False)))
    if rows:
        s.execute(insert(m.RatingResultChunk), rows)


def _entries(s, rating_id):
    """``[subject, kind, agency, section, status, class, n]`` of every subject of a rating."""
    for (entries,) in s.execute(select(m.RatingResultChunk.entries).where(
            m.RatingResultChunk.rating_id == rating_id)):
        yield from json.loads(entries)


def _needle(unit):
    return m.RatingResultChunk.subjects.contains(SEP + unit + SEP, autoescape=True)


def stored_result(s, rating_id) -> dict:
    out = {"officers": [], "sections": [], "agencies": [], "settlement": []}
    key = {"officer": "officers", "section": "sections", "agency": "agencies"}
    snap = json.loads(s.get(m.Rating, rating_id).snapshot)
    order = {x: n for n, x in enumerate(composite.subject_order(snap))}
    rows = []
    for entries, results in s.execute(select(m.RatingResultChunk.entries,
                                             m.RatingResultChunk.results).where(
            m.RatingResultChunk.rating_id == rating_id)):
        rows.extend((e[6], e[1], e[0], item) for e, item in zip(json.loads(entries),
                                                                 json.loads(results)))
    rows.sort(key=lambda r: r[0])
    rows.sort(key=lambda r: order.get(r[2], 0))
    settlement = {"officers": [], "sections": [], "agencies": []}
    for _n, kind, _subj, item in rows:
        settlement[key[kind]].extend(item.pop("_settlement", []))
        out[key[kind]].append(item)
    out["settlement"] = settlement["officers"] + settlement["sections"] + settlement["agencies"]
    return out


def snapshot(uow, data) -> dict:
    s = uow.session
    if data.get("rating_id"):
        r = s.get(m.Rating, data["rating_id"])
        if r is None:
            raise NotFound(f"no rating {data['rating_id']}", "rating_id")
        return json.loads(r.snapshot)
    snap, _skipped, _people = build_snapshot(uow, data["period"], data["scope"],
                                             data.get("rating_date") or today())
    return assemble.to_json(snap)


def _ratings_of_period(s, period):
    return list(s.scalars(select(m.Rating).where(m.Rating.period == period)
                          .order_by(m.Rating.created_at.desc(), m.Rating.version.desc())))


def unit_results(uow, data) -> dict:
    """The results of a period for a unit (agency or section): the latest rating that rated it."""
    s = uow.session
    unit = data["unit"]
    c = m.RatingResultChunk
    for r in _ratings_of_period(s, data["period"]):
        rows = []
        for entries, results in s.execute(select(c.entries, c.results).where(
                c.rating_id == r.rating_id,
                (c.agency == unit) | c.sections.contains(SEP + unit + SEP, autoescape=True)
                | _needle(unit))):
            entries = json.loads(entries)
            hits = [i for i, e in enumerate(entries) if unit in (e[2], e[3], e[0])]
            if hits:
                items = json.loads(results)
                rows.extend((entries[i][0], entries[i][1], items[i]) for i in hits)
        if rows:
            rows.sort(key=lambda x: x[0])
            out = {"officers": [], "sections": [], "agencies": []}
            for _subj, kind, item in rows:
                item.pop("explanation", None)
                item.pop("_settlement", None)
                out[kind + "s" if kind != "agency" else "agencies"].append(item)
            return {"unit": unit, "period": data["period"], "rating_id": r.rating_id, **out}
    raise NotFound(f"no rating of {data['period']} covers {unit}", "unit")


def explanation(uow, data) -> dict:
    s = uow.session
    subject = data["subject"]
    c = m.RatingResultChunk
    q = select(c.rating_id, c.entries, c.results).where(_needle(subject))
    if data.get("rating_id"):
        q = q.where(c.rating_id == data["rating_id"])
    rows = []                                   # (rating_id, kind, results, index)
    for rating_id, entries, results in s.execute(q):
        for i, e in enumerate(json.loads(entries)):
            if e[0] == subject:
                rows.append((rating_id, e[1], results, i))
    if data.get("period"):
        ids = {r.rating_id for r in _ratings_of_period(s, data["period"])}
        rows = [r for r in rows if r[0] in ids]
    if not rows:
        raise NotFound(f"no rating result of {subject}", "subject")
    ratings = {r.rating_id: r for r in s.scalars(select(m.Rating).where(
        m.Rating.rating_id.in_([x[0] for x in rows])))}
    rating_id, kind, results, i = max(
        rows, key=lambda x: (ratings[x[0]].created_at, ratings[x[0]].version))
    item = json.loads(results)[i]
    item["settlement"] = item.pop("_settlement", [])
    return {"rating_id": rating_id, "period": ratings[rating_id].period, "kind": kind, **item}


def _filed_on_time(s, month: str) -> list:
    """``[(agency, due, filed on time)]`` of ``month``, counted by the database (the figures of
    :func:`overdue_evaluations`, without loading an evaluation: the targets are read at every scrape)."""
    last = deadlines.next_month_start(month) - timedelta(days=1)
    E, S = m.Evaluation, m.EvaluatorSpan
    on_time = func.sum(case((and_(E.filed_on.is_not(None), E.late.is_(False)), 1), else_=0))
    # SPEC §9: due when on the team on the month's last day, for the evaluator of that day
    officers = (select(S.grp, func.count(), on_time).select_from(S)
                .join(m.Person, m.Person.id == S.person)
                .outerjoin(E, and_(E.month == month, E.kind == "officer", E.subject == S.person))
                .where(S.start <= last, or_(S.end.is_(None), S.end >= last), m.Person.joined <= last,
                       or_(m.Person.left_on.is_(None), m.Person.left_on > last))
                .group_by(S.grp))
    sections = (select(m.Unit.agency, func.count(), on_time).select_from(m.Unit)
                .outerjoin(E, and_(E.month == month, E.kind == "section", E.subject == m.Unit.id))
                .where(m.Unit.kind == "section").group_by(m.Unit.agency))
    out: dict = {}
    for q in (officers, sections):
        for ag, due, filed in s.execute(q):
            d, f = out.get(ag, (0, 0))
            out[ag] = (d + int(due), f + int(filed or 0))
    return [(ag, d, f) for ag, (d, f) in out.items()]


def target_results(uow, year: int, as_of: date, agency: str | None = None) -> list:
    """Target 1 of the Method (M§一1: 管理落实率100%): monthly evaluations filed on time over those
    due, for every month of ``year`` whose filing deadline (the 15th of the next month) has passed by
    ``as_of``; per agency and city-wide.  No month past its deadline: no data."""
    from shared import targets as method_targets

    totals: dict = {}
    city = [0, 0]       # kept apart: the city committee's own id may be "city" too
    for n in range(1, 13):
        month = f"{year}-{n:02d}"
        if as_of <= deadlines.filing_deadline(month):
            continue
        for ag, due, filed_on_time in _filed_on_time(uow.session, month):
            on_time, total = totals.get(ag, (0, 0))
            totals[ag] = (on_time + filed_on_time, total + due)
            city[0] += filed_on_time
            city[1] += due
    if city[1]:
        totals[method_targets.CITY] = tuple(city)
    wanted = sorted(totals) if agency is None else [agency]
    return [method_targets.management_rate(a, *totals.get(a, (0, 0))) for a in wanted]


def annual_rating_filed(uow, year: int) -> bool:
    """Whether an annual rating of ``year`` is stored (its targets then leave the gauges)."""
    return uow.session.scalar(select(m.Rating.rating_id).where(m.Rating.period == str(year)).limit(1)) is not None


def targets(uow, data, as_of: date) -> dict:
    as_of = date.fromisoformat(data["as_of"]) if data.get("as_of") else as_of
    year = data.get("year") or as_of.year
    return {"year": year, "as_of": as_of.isoformat(),
            "targets": [r.as_dict() for r in target_results(uow, year, as_of, data.get("agency"))]}
