"""Scoring: China's working-day calendar and the follow-ups of the monthly ranking.

Handlers (``(uow, data) -> dict``) and ``FollowupsMixin``, the RPCs the scoring service gains
(one line in ``services/scoring/service.py``).  Rules: :mod:`services.scoring.domain.workdays`,
:mod:`services.scoring.domain.followups`, :mod:`services.scoring.domain.exports`.  Contracts:
:mod:`shared.contracts.followups`.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from shared.contracts import followups as followups_contract
from shared.contracts import survey as survey_contract
from shared.db import signed_by
from shared.entrypoints import event_handler, rpc, timer
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.schemas import load
from services.scoring.followup_models import (CalendarYear, FollowupTask, PoorHelpers, RecognitionResult,
                                              Referral, StudyClassAttendance)
from services.scoring import history, models, repository
from services.scoring.domain import asof, deadlines, exports, followups
from services.scoring.domain import workflow
from services.scoring.domain import workdays

HOUR = 3600
LEADING = ("head", "leader")
GROUP_LABELS = {"units": "单位", "leaders": "班子成员"}
CLASS_LABELS = {"good": "好", "middle": "中", "poor": "差"}
STATE_LABELS = {followups.OPEN: "待研究", followups.MINUTED: "已形成纪要", followups.WITHDRAWN: "已撤销"}


def today() -> date:
    return date.today()


def _iso(d):
    return None if d is None else d.isoformat()


# =============================================================================================
# the working-day calendar


def _year_of_row(r) -> workdays.YearCalendar:
    return workdays.YearCalendar(r.year, {date.fromisoformat(d): n for d, n in r.holidays},
                                 {date.fromisoformat(d): n for d, n in r.workdays}, workdays.LOADED)


def work_calendar(uow) -> workdays.WorkCalendar:
    """The package's calendar with the years the office loaded (a loaded year wins)."""
    return workdays.WorkCalendar([_year_of_row(r) for r in uow.session.scalars(select(CalendarYear))])


def _person(s, pid):
    return s.get(models.Person, pid) if pid else None


def _committee_of(s, unit_id):
    """The committee a unit belongs to (itself when it is one), walking up the unit tree."""
    seen = set()
    while unit_id and unit_id not in seen:
        seen.add(unit_id)
        u = s.get(models.Unit, unit_id)
        if u is None:
            return None
        if u.kind == "committee":
            return u.id
        unit_id = u.parent
    return None


def _on_day(uow, data):
    """The dated read model on the act's day (``as_of``, the day the policy table judged the caller's
    roles): a person's post then, and off the team from the day he left, not before it (SPEC §9)."""
    return repository.Ctx(uow, data.get("as_of") or today())


def _check_office(ctx, actor):
    """The committee's office: a member of a committee's own staff on the act's day (SPEC §8)."""
    p = ctx.member_candidate(actor)
    if p is None or _committee_of(ctx.s, p.agency) != p.agency:
        raise Forbidden(f"{actor} is not on the staff of a political-legal committee (its office "
                        "loads the calendar)", "actor")


def _check_member(ctx, actor, group, what):
    """A member of ``group``'s leading group on the act's day: his post then, on the team then."""
    if group is None or not workflow.is_leading_group_member(ctx.member_candidate(actor), group):
        raise Forbidden(f"{what}: {actor} is not a member of the leading group of {group}", "actor")


def _check_not_own(ctx, actor, r, step):
    """Separation of duties: helpers and study classes are never arranged for oneself (or one's
    own section, its chiefs on the act's day) — another member of the leading group acts."""
    chiefs = ctx.section_chiefs(r.subject) if r.grp == "units" else ()
    workflow.check_not_own(actor, "section" if r.grp == "units" else "officer", r.subject, step, chiefs)


def _check_committee_member(ctx, actor, evaluator, what):
    """政法委书记办公会议: a member of the leading group of the evaluator's committee."""
    _check_member(ctx, actor, _committee_of(ctx.s, evaluator), what)


def load_calendar(uow, data) -> dict:
    s = uow.session
    _check_office(_on_day(uow, data), data["actor"])
    try:
        year = workdays.parse_year(data["calendar"])
    except ValidationFailed as e:
        raise ValidationFailed(e.message if hasattr(e, "message") else str(e),
                               f"calendar.{e.field}" if e.field else "calendar") from None
    doc = year.to_dict()
    holidays = [[h["date"], h["name"]] for h in doc["holidays"]]
    wdays = [[w["date"], w["name"]] for w in doc["workdays"]]
    dig = hashlib.sha256(json.dumps([holidays, wdays], ensure_ascii=False).encode()).hexdigest()
    row = s.get(CalendarYear, year.year)
    changed = row is None or row.digest != dig
    if row is None:
        row = CalendarYear(year=year.year, version=0)
        s.add(row)
    if changed:
        row.holidays, row.workdays, row.digest = holidays, wdays, dig
        row.version += 1
        row.loaded_by, row.loaded_on = data["actor"], data.get("as_of") or today()
    s.flush()
    package = workdays.package_year(year.year)
    return {"year": year.year, "source": workdays.LOADED, "version": row.version, "changed": changed,
            "holidays": len(holidays), "workdays": len(wdays),
            "differs_from_package": None if package is None else (
                package.holidays.keys() != year.holidays.keys()
                or package.workdays.keys() != year.workdays.keys())}


def calendar_year(uow, data) -> dict:
    cal = work_calendar(uow)
    y = cal.year(data["year"])
    if y is None:
        return {"year": data["year"], "source": workdays.WEEKDAYS, "holidays": [], "workdays": []}
    return y.to_dict()


def calendar_status(uow, data) -> dict:
    as_of = data.get("as_of") or today()
    cal = work_calendar(uow)
    loaded = sorted(r.year for r in uow.session.scalars(select(CalendarYear)))
    watched = workdays.years_to_watch(as_of)
    return {"as_of": as_of.isoformat(),
            "years": [{"year": y, "source": cal.source(y)} for y in sorted(set(watched) | set(loaded))],
            "missing": cal.missing(watched)}


def missing_years(uow, as_of: date) -> list:
    return work_calendar(uow).missing(workdays.years_to_watch(as_of))


def working_days(uow, data) -> dict:
    """The working days of a range and the n-th working day after its start (answers a caller's
    question without guessing Monday–Friday)."""
    cal = work_calendar(uow)
    first, last = data["start"], data["end"]
    if last < first:
        raise ValidationFailed("end comes before start", "end")
    if (last - first).days > 366:
        raise ValidationFailed("at most a year at a time", "end")
    days, d = [], first
    while d <= last:
        if cal.is_working_day(d):
            days.append(d.isoformat())
        d = date.fromordinal(d.toordinal() + 1)
    return {"start": first.isoformat(), "end": last.isoformat(), "working_days": days,
            "sources": {y: cal.source(y) for y in range(first.year, last.year + 1)},
            "notice_end_if_posted_on_start": deadlines.notice_end(first, calendar=cal).isoformat()}


# =============================================================================================
# follow-ups of the ranking


def _referral_id(group, subject, month):
    return f"{group}:{subject}:{month}"


def _task_id(kind, subject, month):
    return f"{kind}:{subject}:{month}"


def _classes(s, month, group, evaluator=None, subjects=None) -> dict:
    q = select(models.Ranking.subject, models.Ranking.klass, models.Ranking.evaluator).where(
        models.Ranking.month == month, models.Ranking.grp == group)
    if evaluator is not None:
        q = q.where(models.Ranking.evaluator == evaluator)
    out = {}
    subjects = None if subjects is None else list(subjects)
    if subjects is not None:
        for i in range(0, len(subjects), 5000):
            for subj, klass, ev_ in s.execute(q.where(models.Ranking.subject.in_(subjects[i:i + 5000]))):
                out[subj] = (klass, ev_)
        return out
    for subj, klass, ev_ in s.execute(q):
        out[subj] = (klass, ev_)
    return out


def _refresh_referrals(s, month, evaluator=None) -> dict:
    """Open (or re-open) the referrals this month's ranking makes, withdraw the ones it no longer
    makes; minutes already recorded are kept with the withdrawn referral."""
    y, mo = deadlines.parse_month(month)
    prev_month = deadlines.previous_month(date(y, mo, 1))
    counts = {"opened": 0, "withdrawn": 0}
    for group in followups.REFERRAL_GROUPS:
        current = _classes(s, month, group, evaluator)
        previous = {k: v[0] for k, v in _classes(s, prev_month, group, subjects=current).items()}
        due = followups.referrals_due(previous, {k: v[0] for k, v in current.items()})
        q = select(Referral).where(Referral.month == month, Referral.grp == group)
        if evaluator is not None:
            q = q.where(Referral.evaluator == evaluator)
        existing = {r.subject: r for r in s.scalars(q)}
        for subj, r in existing.items():
            if subj not in due or due[subj] != r.klass:
                if r.state != followups.WITHDRAWN:
                    r.state = followups.WITHDRAWN
                    counts["withdrawn"] += 1
        for subj, klass in due.items():
            r = existing.get(subj)
            if r is None:
                s.add(Referral(id=_referral_id(group, subj, month), evaluator=current[subj][1],
                               month=month, grp=group, subject=subj, klass=klass,
                               state=followups.OPEN))
                counts["opened"] += 1
            elif r.state == followups.WITHDRAWN and r.klass == klass:
                r.state = followups.MINUTED if r.minutes else followups.OPEN
                counts["opened"] += 1
    return counts


def after_ranking(uow, evaluator: str, month: str, as_of: date | None = None) -> dict:
    """Called by ``rank_month`` after it stored the ranking: referrals of this month (and of the
    next one, when it was ranked first), and the collective talks owed by poor leaders."""
    s = uow.session
    s.flush()
    as_of = as_of or today()
    out = _refresh_referrals(s, month, evaluator)
    nxt = deadlines.month_of(deadlines.next_month_start(month))
    if s.scalar(select(models.Ranking.subject).where(models.Ranking.month == nxt,
                                                     models.Ranking.grp.in_(followups.REFERRAL_GROUPS)).limit(1)):
        later = _refresh_referrals(s, nxt)
        out = {k: out[k] + later[k] for k in out}
    cal = work_calendar(uow)
    poor_leaders = {subj for subj, (klass, _) in _classes(s, month, "leaders", evaluator).items()
                    if followups.owes_collective_talk("leaders", klass)}
    tasks = {t.subject: t for t in s.scalars(select(FollowupTask).where(
        FollowupTask.kind == followups.COLLECTIVE_TALK, FollowupTask.evaluator == evaluator,
        FollowupTask.month == month))}
    for subj, t in tasks.items():
        if subj not in poor_leaders and t.state == followups.TASK_OPEN:
            t.state = followups.TASK_WITHDRAWN
    for subj in sorted(poor_leaders):
        t = tasks.get(subj)
        if t is None:
            s.add(FollowupTask(id=_task_id(followups.COLLECTIVE_TALK, subj, month),
                               kind=followups.COLLECTIVE_TALK, evaluator=evaluator, month=month,
                               subject=subj, opened_on=as_of,
                               due=followups.talk_due(as_of, cal), state=followups.TASK_OPEN))
        elif t.state == followups.TASK_WITHDRAWN:
            t.state = followups.TASK_DONE if t.done_on else followups.TASK_OPEN
    s.flush()
    return out


def _name(s, group, subject, month=None):
    """A referred unit named as on its ranked month's last day (SPEC §9), a person by his name."""
    if group == "units":
        return history.unit_names_on(s, [subject], asof.month_last_day(month)).get(subject) \
            if month else (getattr(s.get(models.Unit, subject), "name", None))
    p = s.get(models.Person, subject)
    return p.name if p else None


def _names(s, rows) -> dict:
    """:func:`_name` of every referral of ``rows``, read at once (a list or export of a year's
    referrals: a query a month for the units, one for the people, not one or two a referral):
    ``{(group, subject, month): name}``."""
    units, people = defaultdict(set), set()
    for r in rows:
        if r.grp == "units" and r.month:
            units[r.month].add(r.subject)
        elif r.grp != "units":
            people.add(r.subject)
    out = {}
    for month, ids in units.items():
        names = history.unit_names_on(s, ids, asof.month_last_day(month))
        out.update((("units", uid, month), names.get(uid)) for uid in ids)
    known = {}
    ids = sorted(people)
    for i in range(0, len(ids), 5000):
        known.update(s.execute(select(models.Person.id, models.Person.name)
                               .where(models.Person.id.in_(ids[i:i + 5000]))).all())
    out.update(((r.grp, r.subject, r.month), known.get(r.subject)) for r in rows
               if r.grp != "units")
    return out


def referral_dict(s, r, names=None) -> dict:
    """A referral as listed; ``names``: :func:`_names` of the rows it is one of (else read here)."""
    name = names[(r.grp, r.subject, r.month)] if names is not None and (r.grp, r.subject, r.month) in names \
        else _name(s, r.grp, r.subject, r.month)
    return {"id": r.id, "evaluator": r.evaluator, "month": r.month, "group": r.grp,
            "subject": r.subject, "name": name, "class": r.klass,
            "state": r.state, "meeting_date": _iso(r.meeting_date), "minutes": r.minutes,
            "addressees": r.addressees or [], "recorded_by": r.recorded_by}


def _referral_rows(s, data):
    q = select(Referral)
    if data.get("evaluator"):
        q = q.where(Referral.evaluator == data["evaluator"])
    if data.get("month"):
        q = q.where(Referral.month == data["month"])
    if data.get("year"):
        q = q.where(Referral.month.like(f"{data['year']:04d}-%"))
    if data.get("state"):
        q = q.where(Referral.state == data["state"])
    elif not data.get("include_withdrawn"):
        q = q.where(Referral.state != followups.WITHDRAWN)
    return list(s.scalars(q.order_by(Referral.month, Referral.evaluator, Referral.grp,
                                     Referral.subject)))


def referrals(uow, data) -> dict:
    """The referrals listed for the committee (政法委书记办公会议专题研究)."""
    s = uow.session
    found = _referral_rows(s, data)
    names = _names(s, found)
    rows = [referral_dict(s, r, names) for r in found]
    return {"count": len(rows), "referrals": rows}


EXPORT_HEADERS = ("编号", "月份", "考评主体", "类别", "对象", "名称", "连续两次", "状态", "会议日期",
                  "会议纪要", "抄送/呈报")


def referrals_export(uow, data) -> dict:
    """The list as CSV or XLSX (formula injection neutralised), base64 in ``content_base64``."""
    s = uow.session
    rows = []
    found = _referral_rows(s, data)
    names = _names(s, found)
    for r in found:
        d = referral_dict(s, r, names)
        rows.append((d["id"], d["month"], d["evaluator"], GROUP_LABELS.get(d["group"], d["group"]),
                     d["subject"], d["name"], CLASS_LABELS.get(d["class"], d["class"]),
                     STATE_LABELS.get(d["state"], d["state"]), d["meeting_date"], d["minutes"],
                     "、".join(followups.ADDRESSEES.get(a, a) for a in d["addressees"])))
    fmt = data["format"]
    body = (exports.csv_bytes(EXPORT_HEADERS, rows) if fmt == "csv"
            else exports.xlsx_bytes("连续两次好差", EXPORT_HEADERS, rows))
    scope = data.get("month") or (str(data["year"]) if data.get("year") else "all")
    return {"filename": f"referrals_{scope}.{fmt}", "format": fmt, "rows": len(rows),
            "content_base64": base64.b64encode(body).decode("ascii")}


def record_minutes(uow, data) -> dict:
    """政法委书记办公会议专题研究, 形成会议纪要并以文件的形式抄送组织人事部门和纪检监察部门, 呈报全体市委常委
    和上级政法部门 (001 §一3)."""
    s = uow.session
    r = s.get(Referral, data["referral_id"])
    if r is None:
        raise NotFound(f"no referral {data['referral_id']}", "referral_id")
    _check_committee_member(_on_day(uow, data), data["actor"], r.evaluator, "会议纪要")
    addressees = followups.check_addressees(data.get("addressees") or list(followups.ADDRESSEES))
    as_of = data.get("as_of") or today()
    meeting = data["meeting_date"]
    followups.check_meeting_date(meeting, date.fromordinal(
        deadlines.next_month_start(r.month).toordinal() - 1))
    if meeting > as_of:
        raise ValidationFailed(f"the meeting of {meeting} is after {as_of}", "meeting_date")
    if r.state == followups.WITHDRAWN:
        raise Conflict(f"referral {r.id} was withdrawn (the ranking changed)", "referral_id")
    same = (r.meeting_date == meeting and r.minutes == data["minutes"]
            and list(r.addressees or []) == addressees)
    if r.state == followups.MINUTED and not same:
        raise Conflict(f"referral {r.id} already has the minutes of {r.meeting_date}", "referral_id")
    if not same:
        r.state, r.meeting_date, r.minutes, r.addressees = (followups.MINUTED, meeting,
                                                            data["minutes"], addressees)
        r.recorded_by, r.recorded_on, r.recorded_signed_by = data["actor"], as_of, signed_by(s)
    return referral_dict(s, r)


def _rectification(s, data):
    r = s.get(models.Rectification, (data["evaluator"], data["month"], data["subject"]))
    if r is None:
        raise NotFound(f"{data['subject']} was not ranked poor by {data['evaluator']} in "
                       f"{data['month']}", "subject")
    return r


def name_helpers(uow, data) -> dict:
    """三帮一: the evaluator's leading group names three helpers for a poor subject."""
    s = uow.session
    r = _rectification(s, data)
    ctx = _on_day(uow, data)
    _check_member(ctx, data["actor"], data["evaluator"], "三帮一")
    _check_not_own(ctx, data["actor"], r, "helpers")
    wanted = list(data["helpers"])
    known = {p for p in s.scalars(select(models.Person.id).where(models.Person.id.in_(wanted)))}
    helpers = followups.check_helpers(r.subject, wanted, known)
    row = s.get(PoorHelpers, (r.evaluator, r.month, r.subject))
    if row is None:
        row = PoorHelpers(evaluator=r.evaluator, month=r.month, subject=r.subject)
        s.add(row)
    if row.helpers != helpers:
        row.helpers, row.named_by = helpers, data["actor"]
        row.named_on = data.get("as_of") or today()
    s.flush()
    return poor_followup(s, r)


def record_study_class(uow, data) -> dict:
    """学习班: who of the poor subject attended which class on which day (a unit sends a person of
    its own)."""
    s = uow.session
    r = _rectification(s, data)
    ctx = _on_day(uow, data)
    _check_member(ctx, data["actor"], data["evaluator"], "学习班")
    _check_not_own(ctx, data["actor"], r, "study")
    as_of = data.get("as_of") or today()
    held = data["held_on"]
    if held > as_of:
        raise ValidationFailed(f"{held} is after {as_of}: attendance is recorded once held", "held_on")
    if held < deadlines.next_month_start(r.month):
        raise ValidationFailed(f"the class of {held} is before the ranking of {r.month}", "held_on")
    attendee = data.get("attendee") or r.subject
    p = s.get(models.Person, attendee)
    if r.grp == "units":
        if p is None or p.section != r.subject:
            raise ValidationFailed(f"{attendee} is not of section {r.subject}", "attendee")
    elif attendee != r.subject:
        raise ValidationFailed(f"{r.subject} attends in person", "attendee")
    key = (r.evaluator, r.month, r.subject, data["class_id"])
    row = s.get(StudyClassAttendance, key)
    if row is None:
        row = StudyClassAttendance(evaluator=r.evaluator, month=r.month, subject=r.subject,
                                   class_id=data["class_id"])
        s.add(row)
    row.class_name, row.held_on, row.attendee = data["class_name"], held, attendee
    row.attended, row.recorded_by = data["attended"], data["actor"]
    s.flush()
    return poor_followup(s, r)


def poor_followup(s, r) -> dict:
    helpers = s.get(PoorHelpers, (r.evaluator, r.month, r.subject))
    classes = s.scalars(select(StudyClassAttendance).where(
        StudyClassAttendance.evaluator == r.evaluator, StudyClassAttendance.month == r.month,
        StudyClassAttendance.subject == r.subject).order_by(StudyClassAttendance.held_on))
    talk = s.get(FollowupTask, _task_id(followups.COLLECTIVE_TALK, r.subject, r.month))
    return {"evaluator": r.evaluator, "month": r.month, "subject": r.subject, "group": r.grp,
            "rectification": {"state": r.state, "explanation": r.explanation, "plan": r.plan},
            "helpers": list(helpers.helpers) if helpers else [],
            "helpers_named": helpers is not None,
            "study_classes": [{"class_id": c_.class_id, "class_name": c_.class_name,
                               "held_on": c_.held_on.isoformat(), "attendee": c_.attendee,
                               "attended": c_.attended} for c_ in classes],
            "collective_talk": None if talk is None or talk.state == followups.TASK_WITHDRAWN
            else task_dict(talk)}


def poor_followups(uow, data) -> dict:
    """Every poor subject of a ranking with its plan, its three helpers, its study classes and (a
    leader) its collective talk."""
    s = uow.session
    q = select(models.Rectification).where(models.Rectification.month == data["month"])
    if data.get("evaluator"):
        q = q.where(models.Rectification.evaluator == data["evaluator"])
    rows = [poor_followup(s, r) for r in s.scalars(q.order_by(models.Rectification.evaluator,
                                                              models.Rectification.subject))]
    return {"month": data["month"], "count": len(rows), "poor": rows}


def task_dict(t, as_of=None) -> dict:
    out = {"id": t.id, "kind": t.kind, "evaluator": t.evaluator, "month": t.month,
           "subject": t.subject, "opened_on": t.opened_on.isoformat(), "due": t.due.isoformat(),
           "state": t.state, "done_on": _iso(t.done_on), "done_by": t.done_by, "record": t.record}
    if as_of is not None:
        out["overdue"] = t.state == followups.TASK_OPEN and as_of > t.due
    return out


def followup_tasks(uow, data) -> dict:
    s = uow.session
    as_of = data["as_of"]
    q = select(FollowupTask)
    for key, col in (("evaluator", FollowupTask.evaluator), ("month", FollowupTask.month),
                     ("state", FollowupTask.state)):
        if data.get(key):
            q = q.where(col == data[key])
    rows = [task_dict(t, as_of) for t in s.scalars(q.order_by(FollowupTask.due, FollowupTask.id))]
    return {"as_of": as_of.isoformat(), "count": len(rows),
            "overdue": sum(1 for t in rows if t["overdue"]), "tasks": rows}


def complete_task(uow, data) -> dict:
    """The collective talk held (集体谈话, 批评教育、帮助整改、记录在案): its date and record."""
    s = uow.session
    t = s.get(FollowupTask, data["task_id"])
    if t is None:
        raise NotFound(f"no task {data['task_id']}", "task_id")
    _check_committee_member(_on_day(uow, data), data["actor"], t.evaluator, "集体谈话")
    if data["actor"] == t.subject:
        raise Forbidden("nobody records their own talk", "actor")
    as_of = data.get("as_of") or today()
    if data["held_on"] > as_of:
        raise ValidationFailed(f"{data['held_on']} is after {as_of}", "held_on")
    if data["held_on"] < t.opened_on:
        raise ValidationFailed(f"the talk of {data['held_on']} is before the ranking of "
                               f"{t.opened_on}", "held_on")
    if t.state == followups.TASK_WITHDRAWN:
        raise Conflict(f"task {t.id} was withdrawn (the ranking changed)", "task_id")
    if t.state == followups.TASK_DONE:
        if (t.done_on, t.record) != (data["held_on"], data["record"]):
            raise Conflict(f"task {t.id} was recorded on {t.done_on}", "task_id")
        return task_dict(t, as_of)
    t.state, t.done_on, t.done_by, t.record = (followups.TASK_DONE, data["held_on"], data["actor"],
                                               data["record"])
    t.done_signed_by = signed_by(s)
    return task_dict(t, as_of)


# =============================================================================================
# the committee leaders' recognition poll (公认度测评), from survey


def on_recognition_poll(uow, event) -> None:
    s = uow.session
    for r in event["results"]:
        row = s.get(RecognitionResult, (event["campaign_id"], r["subject"]))
        if row is None:
            row = RecognitionResult(campaign_id=event["campaign_id"], subject=r["subject"])
            s.add(row)
        row.period, row.owner, row.final = event["period"], event["owner"], event["final"]
        row.recognised, row.basic, row.not_recognised = r["recognised"], r["basic"], r["not_recognised"]
        row.rate = None if r["rate"] is None else r["rate"]
        row.forms = r["forms"]


def recognition_results(uow, data) -> dict:
    q = select(RecognitionResult).where(RecognitionResult.period == data["period"])
    if data.get("owner"):
        q = q.where(RecognitionResult.owner == data["owner"])
    s = uow.session
    rows = [{"campaign_id": r.campaign_id, "subject": r.subject,
             "name": _name(s, "leaders", r.subject), "owner": r.owner, "recognised": r.recognised,
             "basic": r.basic, "not_recognised": r.not_recognised,
             "rate": None if r.rate is None else round(float(r.rate), 6), "forms": r.forms,
             "final": r.final}
            for r in s.scalars(q.order_by(RecognitionResult.campaign_id, RecognitionResult.subject))]
    return {"period": data["period"], "results": rows}


# =============================================================================================
# the RPCs


class FollowupsMixin:
    """Calendar, ranking follow-ups and recognition results of the scoring service."""

    def _calendar_gauge(self, as_of: date) -> list:
        missing = missing_years(self.db, as_of)
        self.metrics.gauge("lianbao_calendar_missing_years",
                           "Years among this one and the next with no holiday arrangement (Monday–Friday "
                           "applies until the office loads it)", []).set(len(missing))
        return missing

    @rpc
    def health(self):
        """The base health, with a warning when this year or the coming one has no calendar."""
        from shared.service import ServiceBase

        out = ServiceBase.health(self)
        if out.get("database") == "reachable":
            missing = self._calendar_gauge(today())
            out["calendar_missing_years"] = missing
            if missing:
                out["warnings"] = [f"no working-day calendar for {', '.join(map(str, missing))}: "
                                   "Monday–Friday applies until the committee's office loads it "
                                   "(lianbao calendar load FILE)"]
        from services.scoring.packs_service import plugin_warnings

        container = getattr(self.db.provider, "container", None)
        refused, warnings = plugin_warnings(getattr(container, "config", None))
        if refused or warnings:
            out["plugins_refused"] = refused
            out["warnings"] = out.get("warnings", []) + warnings
        return out

    @timer(interval=HOUR)
    def calendar_timer(self):
        self._calendar_gauge(today())

    @rpc
    def load_calendar(self, payload):
        out = load_calendar(self.db, load(followups_contract.LoadCalendar(), payload))
        self._calendar_gauge(today())
        return out

    @rpc
    def calendar_year(self, payload):
        return calendar_year(self.db, load(followups_contract.CalendarYearQuery(), payload))

    @rpc
    def calendar_status(self, payload=None):
        out = calendar_status(self.db, load(followups_contract.AsOfQuery(), payload or {}))
        return out

    @rpc
    def working_days(self, payload):
        return working_days(self.db, load(followups_contract.WorkingDaysQuery(), payload))

    @rpc
    def referrals(self, payload=None):
        return referrals(self.db, load(followups_contract.ReferralQuery(), payload or {}))

    @rpc
    def referrals_export(self, payload=None):
        return referrals_export(self.db, load(followups_contract.ReferralExport(), payload or {}))

    @rpc
    def record_referral_minutes(self, payload):
        return record_minutes(self.db, load(followups_contract.ReferralMinutes(), payload))

    @rpc
    def name_helpers(self, payload):
        return name_helpers(self.db, load(followups_contract.NameHelpers(), payload))

    @rpc
    def record_study_class(self, payload):
        return record_study_class(self.db, load(followups_contract.StudyClassIn(), payload))

    @rpc
    def poor_followups(self, payload):
        return poor_followups(self.db, load(followups_contract.PoorFollowupQuery(), payload))

    @rpc
    def followup_tasks(self, payload):
        return followup_tasks(self.db, load(followups_contract.TaskQuery(), payload))

    @rpc
    def complete_task(self, payload):
        return complete_task(self.db, load(followups_contract.CompleteTask(), payload))

    @event_handler(survey_contract.SERVICE, survey_contract.RECOGNITION_POLL_PUBLISHED)
    def on_recognition_poll(self, event):
        on_recognition_poll(self.db, event)

    @rpc
    def recognition_results(self, payload):
        return recognition_results(self.db, load(followups_contract.RecognitionQuery(), payload))

