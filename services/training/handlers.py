"""Application layer of the training service: load state, call the domain, save, publish.

Every function takes the worker's unit of work (``uow``) and validated data; dates arrive as ISO
strings and are parsed here; ``today`` comes from the service's clock.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from fractions import Fraction

from sqlalchemy import delete, exists, func, insert, select

from shared.dated import EARLIEST    # the roster's "as far back as it goes" (a unit without a date)
from shared.dated import still_away
from shared.roster_posts import save_posts, save_unit_versions
from shared.contracts import training as contract
from shared.errors import Conflict, RuleViolation, ValidationFailed

from services.training import models
from services.training.domain import allround, passrate, posts as dated, preservice, rotation, study
from services.training.domain.calendar import Month, Quarter
from services.training.domain.importing import check_import, person_ids
from services.training.domain.model import (ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK, Course, Person,
                                            Result, rotation_course_has_rule_of_law)
from services.training.domain.results import (Certified, RecheckPassed, TitleRevoked,
                                              check_new_result, consequences, known_course,
                                              known_person)

CHUNK = 500


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _rate(value: Fraction | None) -> str | None:
    """A rate as a decimal string, 4 places, rounded half-up; None stays None."""
    if value is None:
        return None
    scaled = value * 10000
    whole = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    return f"{whole // 10000}.{whole % 10000:04d}"


# -- people (read model) -----------------------------------------------------------------------
def _person(row: models.Person) -> Person:
    return Person(row.id, row.unit_id, row.position, row.agency_id, row.joined, row.left_on,
                  row.status)


def _person_dict(p: Person) -> dict:
    return {"id": p.id, "unit_id": p.unit_id, "agency_id": p.agency_id, "position": p.position,
            "joined": _iso(p.joined), "left_on": _iso(p.left_on), "status": p.status}


def _chunks(items):
    items = list(items)
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _people(uow, ids=None) -> dict:
    if ids is None:
        rows = uow.session.execute(select(models.Person)).scalars()
        return {r.id: _person(r) for r in rows}
    out = {}
    for part in _chunks(set(ids)):
        for r in uow.session.execute(select(models.Person).where(models.Person.id.in_(part))).scalars():
            out[r.id] = _person(r)
    return out


def _save_people(uow, people: list[dict]) -> dict:
    """Create or update the current row of each person (the latest post)."""
    counts = Counter()
    incoming = {p["id"]: p for p in people}
    existing = {}
    for part in _chunks(incoming):
        for row in uow.session.execute(select(models.Person).where(models.Person.id.in_(part))).scalars():
            existing[row.id] = row
    new_rows = []
    for pid, p in incoming.items():
        values = {"unit_id": p["unit_id"], "agency_id": p.get("agency_id"),
                  "position": p["position"], "joined": p.get("joined"),
                  "left_on": p.get("left_on"), "status": p.get("status", "active")}
        row = existing.get(pid)
        if row is None:
            new_rows.append({"id": pid, **values})
            counts["created"] += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            counts["unchanged"] += 1
        else:
            for k, v in values.items():
                setattr(row, k, v)
            counts["changed"] += 1
    if new_rows:
        uow.session.execute(insert(models.Person), new_rows)
    return {"created": counts["created"], "changed": counts["changed"],
            "unchanged": counts["unchanged"]}


def upsert_people(uow, data) -> dict:
    """Create or update people of the read model (batch, a bulk load): each person's one post from
    the join date (the roster's events keep the history with its dates)."""
    out = _save_people(uow, data["people"])
    incoming = {p["id"]: p for p in data["people"]}
    for part in _chunks(incoming):
        uow.session.execute(delete(models.PersonPost).where(models.PersonPost.person_id.in_(part)))
    uow.session.execute(insert(models.PersonPost), [
        {"person_id": pid, "start": p.get("joined") or EARLIEST, "unit_id": p["unit_id"],
         "agency_id": p.get("agency_id"), "position": p["position"]} for pid, p in incoming.items()])
    return out


def _posts(uow, ids=None) -> dict:
    """Each person's posts (``dated.Post``), oldest first."""
    out = defaultdict(list)
    stmt = select(models.PersonPost)
    if ids is None:
        parts = [None]
    else:
        parts = list(_chunks(set(ids)))
    for part in parts:
        q = stmt if part is None else stmt.where(models.PersonPost.person_id.in_(part))
        for r in uow.session.execute(q).scalars():
            out[r.person_id].append(dated.Post(r.start, r.unit_id, r.agency_id, r.position))
    for rows in out.values():
        rows.sort(key=lambda p: p.start)
    return out


def _people_on(uow, day: date, ids=None) -> dict:
    """The read model's people as they were on ``day`` (unit, agency, position of that day)."""
    people = _people(uow, ids)
    posts = _posts(uow, None if ids is None else list(people))
    return {pid: dated.person_on(p, posts.get(pid, ()), day) for pid, p in people.items()}


def _dated_lookup(uow, field: str):
    """``(person_id, day) -> unit_id | agency_id`` on that day, from the posts."""
    posts = _posts(uow)

    def lookup(pid, day):
        post = dated.post_on(posts.get(pid, ()), day)
        return getattr(post, field) if post is not None else None
    return lookup


def get_person(uow, person_id: str) -> dict:
    return _person_dict(known_person(_people(uow, [person_id]), person_id))


def staff_from_roster(uow, staff: list[dict], effective: str | None = None) -> dict:
    """roster ``staff_joined`` / ``staff_changed``: each record is a post from its ``since`` (the
    event's ``effective``, else the join date), kept as dated history (events of one person may
    come in any order: a post is keyed by its start); the current row shows the latest post
    (exit status and date are kept as they were)."""
    ids = [s["id"] for s in staff]
    current = _people(uow, ids)
    save_posts(uow.session, models.PersonPost, staff, effective)
    uow.session.flush()
    posts = _posts(uow, ids)
    people = []
    for s in staff:
        before = current.get(s["id"])
        latest = posts[s["id"]][-1]
        people.append({"id": s["id"], "unit_id": latest.unit_id, "agency_id": latest.agency_id,
                       "position": latest.position, "joined": s.get("joined"),
                       "left_on": before.left_on if before else None,
                       "status": before.status if before else "active"})
    out = _save_people(uow, people)
    _follow_departures(uow, ids)
    return out


def units_from_roster(uow, units: list) -> None:
    """The roster's versions of its units (``units_saved``), each kept with its dates (``since``
    absent: the unit since always): the tree the policy table reads (committees, ancestry)."""
    save_unit_versions(uow.session, models.UnitVersion, units)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _follow_departures(uow, person_ids) -> None:
    """Each person's ``left_on`` / ``status``: his latest departure (``person_departures``), unless a
    post of his begins after it (he is back through ``return_to_team``: active again); persons with
    no dated departure are left as they are."""
    D, P = models.PersonDeparture, models.PersonPost
    for part in _chunks(set(person_ids)):
        last = {}
        for pid, on, kind in uow.session.execute(select(D.person_id, D.on, D.kind).where(D.person_id.in_(part))):
            if pid not in last or on > last[pid][0]:
                last[pid] = (on, kind)
        if not last:
            continue
        back = dict(uow.session.execute(select(P.person_id, func.max(P.start))
                                        .where(P.person_id.in_(list(last))).group_by(P.person_id)).all())
        for row in uow.session.scalars(select(models.Person).where(models.Person.id.in_(list(last)))):
            on, kind = last[row.id]     # the latest departure and post decide it
            if still_away([on], [back[row.id]] if back.get(row.id) is not None else []):
                row.left_on, row.status = on, kind
            else:
                row.left_on, row.status = None, "active"


def staff_left(uow, event: dict) -> None:
    """roster ``staff_left``: the person is off the team from ``date`` (transferred out or
    dismissed), kept with its day (no post from then until a post of his begins after it, in
    whatever order the return and the departure arrive); a person not known yet is kept too."""
    pid, on = event["person"], _day(event["date"])
    departure = uow.session.get(models.PersonDeparture, (pid, on))
    if departure is None:
        uow.session.add(models.PersonDeparture(person_id=pid, on=on, kind=event["kind"]))
    else:
        departure.kind = event["kind"]
    uow.session.flush()
    _follow_departures(uow, [pid])


# -- courses -------------------------------------------------------------------------------------
def _course(row: models.Course) -> Course:
    return Course(row.id, row.kind, row.title, frozenset(row.modules or ()))


def _course_dict(c: Course) -> dict:
    return {"id": c.id, "kind": c.kind, "title": c.title, "modules": sorted(c.modules)}


def _courses(uow) -> dict:
    return {r.id: _course(r) for r in uow.session.execute(select(models.Course)).scalars()}


def register_courses(uow, data) -> dict:
    """Register courses; a rotation course must carry the rule-of-law module (M§三(四)1(3))."""
    known = _courses(uow)
    created, unchanged, out = 0, 0, []
    for i, c in enumerate(data["courses"]):
        course = Course(c["id"], c["kind"], c.get("title", ""), frozenset(c.get("modules", ())))
        try:
            rotation_course_has_rule_of_law(course)
        except RuleViolation as err:
            raise RuleViolation(err.message, f"courses[{i}].{err.field}") from None
        before = known.get(course.id)
        if before is not None:
            if before != course:
                raise Conflict(f"course {course.id!r} exists with other content", f"courses[{i}].id")
            unchanged += 1
        else:
            uow.session.add(models.Course(id=course.id, kind=course.kind, title=course.title,
                                          modules=sorted(course.modules)))
            known[course.id] = course
            created += 1
        out.append(_course_dict(course))
    return {"created": created, "unchanged": unchanged, "courses": out}


def list_courses(uow) -> dict:
    return {"courses": [_course_dict(c) for _, c in sorted(_courses(uow).items())]}


# -- results ---------------------------------------------------------------------------------------
def _result(row: models.Result) -> Result:
    return Result(row.person_id, row.course_id, row.kind, row.taken_on, row.passed)


def _result_dict(r: Result) -> dict:
    return {**contract.person_keys(r.person_id), "course_id": r.course_id, "kind": r.kind,
            "date": r.on.isoformat(), "result": "pass" if r.passed else "fail"}


def _history(uow, person_ids=None) -> dict:
    out = defaultdict(list)
    if person_ids is None:
        rows = uow.session.execute(select(models.Result).order_by(models.Result.taken_on, models.Result.id))
        for row in rows.scalars():
            out[row.person_id].append(_result(row))
        return out
    for part in _chunks(set(person_ids)):
        rows = uow.session.execute(select(models.Result).where(models.Result.person_id.in_(part))
                                   .order_by(models.Result.taken_on, models.Result.id))
        for row in rows.scalars():
            out[row.person_id].append(_result(row))
    return out


def _save_results(uow, results) -> None:
    rows = [{"person_id": r.person_id, "course_id": r.course_id, "kind": r.kind,
             "taken_on": r.on, "passed": r.passed} for r in results]
    if rows:
        uow.session.execute(insert(models.Result), rows)


def _announce(uow, kind: str, key: str) -> str | None:
    """The event id for a once-only event, or None if it was announced already."""
    if uow.session.get(models.Announcement, (kind, key)) is not None:
        return None
    event_id = contract.stable_event_id(kind, key)
    uow.session.add(models.Announcement(kind=kind, key=key, event_id=event_id))
    uow.session.flush()
    return event_id


def _publish_domain_events(uow, events, people: dict) -> list[str]:
    published = []
    for ev in events:
        if isinstance(ev, rotation.RetrainingFailed):
            person = people.get(ev.person_id)
            if person is not None:     # the unit and agency on the day the effect applies
                person = dated.person_on(person, _posts(uow, [ev.person_id]).get(ev.person_id, ()),
                                         ev.effective_date)
            event_id = _announce(uow, contract.RETRAINING_FAILED,
                                 f"{ev.person_id}:{ev.effective_date.isoformat()}")
            if event_id is None:
                continue
            uow.publish(contract.RETRAINING_FAILED, {
                "event_id": event_id, "person": ev.person_id, "position": ev.position,
                "effect": ev.effect, "effective_date": ev.effective_date.isoformat(),
                "first_failed_on": ev.first_failed_on.isoformat(), "course_id": ev.course_id,
                "unit_id": person.unit_id if person else None,
                "agency_id": person.agency_id if person else None})
            published.append(contract.RETRAINING_FAILED)
        elif isinstance(ev, Certified):
            uow.publish(contract.CERTIFIED, {
                "event_id": contract.stable_event_id(contract.CERTIFIED,
                                                     f"{ev.person_id}:{ev.certified_on}"),
                "person": ev.person_id, "certified_on": ev.certified_on.isoformat(),
                "recheck_due": ev.recheck_due.isoformat()})
            published.append(contract.CERTIFIED)
        elif isinstance(ev, RecheckPassed):
            uow.publish(contract.RECHECK_PASSED, {
                "event_id": contract.stable_event_id(contract.RECHECK_PASSED,
                                                     f"{ev.person_id}:{ev.passed_on}"),
                "person": ev.person_id, "certified_on": ev.certified_on.isoformat(),
                "passed_on": ev.passed_on.isoformat(),
                "next_recheck_due": ev.next_recheck_due.isoformat()})
            published.append(contract.RECHECK_PASSED)
        elif isinstance(ev, TitleRevoked):
            if _revoke(uow, ev.person_id, ev.certified_on, ev.revoked_on, ev.reason):
                published.append(contract.CERTIFICATION_REVOKED)
    return published


def _revoke(uow, person_id, certified_on: date, revoked_on: date, reason: str) -> bool:
    event_id = _announce(uow, contract.CERTIFICATION_REVOKED, f"{person_id}:{certified_on}")
    if event_id is None:
        return False
    uow.publish(contract.CERTIFICATION_REVOKED, {
        "event_id": event_id, "person": person_id, "certified_on": certified_on.isoformat(),
        "revoked_on": revoked_on.isoformat(), "reason": reason})
    return True


def record_result(uow, data, today: date) -> dict:
    """One result: checked by the rules, saved once, its consequences published."""
    person = known_person(_people(uow, [data["person"]]), data["person"])
    course = known_course(_courses(uow), data["course_id"])
    new = Result(person.id, course.id, course.kind, data["date"], data["result"] == "pass")
    history = _history(uow, [person.id])[person.id]
    check_new_result(history, new, today)
    events = consequences(history, new, person)
    _save_results(uow, [new])
    return {"result": _result_dict(new),
            "events": _publish_domain_events(uow, events, {person.id: person})}


def import_results(uow, data, today: date) -> dict:
    """All rows or none: every bad row is reported by number and column; a dry run writes nothing."""
    numbers = data.get("row_numbers") or [data["first_row"] + i for i in range(len(data["rows"]))]
    rows = list(zip(numbers, data["rows"]))
    people = _people(uow, person_ids(rows))
    outcome = check_import(rows, people, _courses(uow), _history(uow, people), today)
    commit = outcome.ok and not data["dry_run"]
    if commit:
        _save_results(uow, [r for _, r in outcome.created])
        _publish_domain_events(uow, outcome.events, people)
    return {"dry_run": data["dry_run"], "committed": commit, "rows": len(rows),
            "created": len(outcome.created), "unchanged": len(outcome.unchanged),
            "errors": [p.to_dict() for p in outcome.problems]}


def results_of(uow, person_id: str, after: str | None = None, limit: int | None = None) -> dict:
    """A person's results in the order taken (day, then as recorded); with ``limit``, the page after
    ``after`` (a key ``YYYY-MM-DD/<row>``) read by key, and ``next``."""
    known_person(_people(uow, [person_id]), person_id)
    if limit is None:
        return {**contract.person_keys(person_id),
                "results": [_result_dict(r) for r in _history(uow, [person_id])[person_id]]}
    from sqlalchemy import and_, or_

    from shared import keyset

    R = models.Result
    stmt = select(R).where(R.person_id == person_id)
    if after is not None:
        day, row = after.split("/")
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise ValidationFailed("not a key of this list", "after") from None
        stmt = stmt.where(or_(R.taken_on > day, and_(R.taken_on == day, R.id > int(row))))
    rows = uow.session.execute(stmt.order_by(R.taken_on, R.id).limit(limit + 1)).scalars().all()
    page, following = keyset.split(rows, limit, lambda r: f"{r.taken_on.isoformat()}/{r.id}")
    return {**contract.person_keys(person_id), "results": [_result_dict(_result(r)) for r in page],
            "next": following}


# -- study ---------------------------------------------------------------------------------------
def record_study(uow, data, today: date) -> dict:
    """Study days (a set per person): unknown people and future days are refused, by entry."""
    entries = data["entries"]
    people = _people(uow, {e["person"] for e in entries})
    wanted = set()
    for i, e in enumerate(entries):
        if e["person"] not in people:
            raise ValidationFailed(f"unknown person {e['person']!r}", f"entries[{i}].person")
        day = e["date"]
        if day > today:
            raise ValidationFailed(f"{e['date']} is in the future", f"entries[{i}].date")
        wanted.add((e["person"], day))
    have = set()
    for part in _chunks({p for p, _ in wanted}):
        rows = uow.session.execute(select(models.StudyDay.person_id, models.StudyDay.day)
                                   .where(models.StudyDay.person_id.in_(part)))
        have.update((r.person_id, r.day) for r in rows)
    new = sorted(wanted - have)
    if new:
        # a Core insert of the table (executemany), not the ORM's bulk insert of mapped rows: the
        # same rows, ``signed_by`` filled by the column's default as before (#24 item 5)
        uow.session.execute(insert(models.StudyDay.__table__), [{"person_id": p, "day": d} for p, d in new])
    return {"recorded": len(new), "unchanged": len(entries) - len(new)}


def study_report(uow, data) -> dict:
    """M§三(四)1(1): per unit, everyone owing the month's study with fewer than 2 days."""
    month = Month.parse(data["month"])
    people = [p for p in _people_on(uow, month.last).values()      # as on the month's last day
              if data.get("unit_id") is None or p.unit_id == data["unit_id"]]
    away = _away(uow, {p.id: p for p in people})    # away on a day of it: not the whole month on the team
    people = [p for p in people if not dated.away_on_a_day(away.get(p.id, ()), month.first, month.last)]
    days = defaultdict(list)
    rows = uow.session.execute(select(models.StudyDay.person_id, models.StudyDay.day)
                               .where(models.StudyDay.day.between(month.first, month.last)))
    for r in rows:
        days[r.person_id].append(r.day)
    lines = study.study_lines(people, days, month)
    units = defaultdict(list)
    for s in lines:
        units[s.unit_id].append({**contract.person_keys(s.person_id), "position": s.position,
                                 "days": s.days, "met": s.met, "missing": s.missing})
    return {"month": str(month), "required_days": study.MIN_STUDY_DAYS_PER_MONTH,
            "required": len(lines), "met_count": sum(1 for s in lines if s.met),
            "shortfall_count": sum(1 for s in lines if not s.met),
            "units": [{"unit_id": u, "people": ps, "shortfalls": [p for p in ps if not p["met"]]}
                      for u, ps in sorted(units.items())]}


def _session_dict(s: study.Session) -> dict:
    return {"unit_id": s.unit_id, "start": s.start.isoformat(), "days": s.days,
            "end": s.end.isoformat()}


def record_session(uow, data, today: date) -> dict:
    start = data["start"]
    if start > today:
        raise ValidationFailed(f"{data['start']} is in the future", "start")
    row = uow.session.get(models.Session, (data["unit_id"], start))
    if row is not None and row.days != data["days"]:
        raise Conflict(f"a session of {data['unit_id']} starting {data['start']} is recorded "
                       f"with {row.days} days", "days")
    if row is None:
        uow.session.add(models.Session(unit_id=data["unit_id"], start=start, days=data["days"]))
    return _session_dict(study.Session(data["unit_id"], start, data["days"]))


def central_group_report(uow, data) -> dict:
    """M§三(四)1(1): each unit with a central study group (a head) and its quarter."""
    quarter = Quarter.parse(data["quarter"])
    sessions = defaultdict(list)
    rows = uow.session.execute(select(models.Session).where(models.Session.start.between(quarter.first,
                                                                                         quarter.last)))
    for r in rows.scalars():
        sessions[r.unit_id].append(study.Session(r.unit_id, r.start, r.days))
    units = sorted(set(study.central_group_units(_people_on(uow, quarter.last).values()))
                   | set(sessions))
    return {"quarter": str(quarter), "units": [
        {"unit_id": u, "met": study.central_group_met(sessions[u], quarter),
         "longest_session_days": max((s.days for s in sessions[u]), default=0),
         "sessions": [_session_dict(s) for s in sorted(sessions[u], key=lambda s: s.start)]}
        for u in units]}


# -- pre-service and front line --------------------------------------------------------------------
def can_take_post(uow, data) -> dict:
    """M§三(四)1(2): may the new entrant take a post on the date? Only after passing pre-service."""
    person_id = data["person"]
    known_person(_people(uow, [person_id]), person_id)
    day = data["date"]
    history = _history(uow, [person_id])[person_id]
    passed_on = preservice.passed_pre_service_on(history, day)
    return {**contract.person_keys(person_id), "date": day.isoformat(), "allowed": passed_on is not None,
            "passed_on": _iso(passed_on),
            "reason": None if passed_on else "pre-service training not passed (M§三(四)1(2))"}


def _frontline_dict(row: models.FrontlinePost, on: date) -> dict:
    st = preservice.frontline_status(row.start, row.left_on, on)
    return {**contract.person_keys(row.person_id), "start": row.start.isoformat(),
            "left_on": _iso(row.left_on), "completes_on": st.completes_on.isoformat(),
            "status": st.status}


def set_frontline_post(uow, data, today: date) -> dict:
    known_person(_people(uow, [data["person"]]), data["person"])
    start, left_on = data["start"], data.get("left_on")
    if left_on is not None and left_on <= start:
        raise ValidationFailed("left_on must come after start", "left_on")
    row = uow.session.get(models.FrontlinePost, data["person"])
    if row is None:
        row = models.FrontlinePost(person_id=data["person"])
        uow.session.add(row)
    row.start, row.left_on = start, left_on
    return _frontline_dict(row, today)


def frontline_report(uow, data) -> dict:
    on = data["as_of"]
    rows = uow.session.execute(select(models.FrontlinePost).order_by(models.FrontlinePost.person_id))
    return {"as_of": on.isoformat(), "people": [_frontline_dict(r, on) for r in rows.scalars()]}


# -- rotation ------------------------------------------------------------------------------------
def rotation_report(uow, data) -> dict:
    """M§三(四)1(3): everyone with the year's rotation duty and where they stand (passed, not due,
    due, overdue, failed, retraining failed), those who meet the rule as well as the others."""
    as_of = data["as_of"]
    on = min(as_of, date(data["year"], 12, 31))       # the post held then (SPEC §9)
    people = [p for p in _people_on(uow, on).values()
              if p.position in rotation.ROTATION_POSITIONS
              and (data.get("unit_id") is None or p.unit_id == data["unit_id"])
              and (p.left_on is None or p.left_on > date(data["year"], 1, 1))]
    away = _away(uow, {p.id: p for p in people})    # away the whole year (a returner's left_on is cleared)
    people = [p for p in people
              if not dated.away_throughout(away.get(p.id, ()), date(data["year"], 1, 1), date(data["year"], 12, 31))]
    history = _history(uow, [p.id for p in people])
    counts, listed = Counter(), []
    for p in sorted(people, key=lambda p: (p.unit_id, p.id)):
        st = rotation.rotation_status(p, history.get(p.id, []), data["year"], as_of)
        counts[st.status] += 1
        listed.append({**contract.person_keys(st.person_id), "unit_id": st.unit_id,
                       "position": st.position, "status": st.status,
                       "met": st.status in study.ROTATION_MET,
                       "due_year": st.due_year, "last_pass": _iso(st.last_pass),
                       "retraining_due_by": _iso(st.retraining_due_by), "effect": st.effect})
    return {"year": data["year"], "as_of": as_of.isoformat(), "counts": dict(sorted(counts.items())),
            "people": listed}


# -- all-round officer -----------------------------------------------------------------------------
def _all_round_history(uow, person_id=None) -> dict:
    stmt = select(models.Result).where(models.Result.kind.in_((ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK)))
    if person_id is not None:
        stmt = stmt.where(models.Result.person_id == person_id)
    out = defaultdict(list)
    for row in uow.session.execute(stmt.order_by(models.Result.taken_on)).scalars():
        out[row.person_id].append(_result(row))
    return out


def _spells(uow, as_of: date, person_id=None) -> dict:
    return {pid: allround.title_spells(rs, as_of)
            for pid, rs in sorted(_all_round_history(uow, person_id).items())}


def certifications(uow, data) -> dict:
    as_of = data["as_of"]
    out = []
    for pid, spells in _spells(uow, as_of, data.get("person")).items():
        for s in spells:
            out.append({**contract.person_keys(pid), "certified_on": s.certified_on.isoformat(),
                        "next_recheck": None if s.revoked_on else s.next_recheck.isoformat(),
                        "rechecks": [d.isoformat() for d in s.rechecks],
                        "revoked_on": _iso(s.revoked_on), "reason": s.reason,
                        "holds": s.holds_on(as_of)})
    return {"as_of": as_of.isoformat(), "certifications": out}


def _away(uow, people: dict) -> dict:
    """Each person's spells off the team (``posts.away_spells``): from each dated departure
    (``person_departures``) until the first post of his beginning after it (a return), open if none;
    a person with no dated departure, by ``people.left_on`` the same way (as ``TrainingAccess``)."""
    D = models.PersonDeparture
    departures = defaultdict(list)
    for part in _chunks(people):
        for pid, on in uow.session.execute(select(D.person_id, D.on).where(D.person_id.in_(part))):
            departures[pid].append(on)
    for pid, p in people.items():
        if pid not in departures and p.left_on is not None:
            departures[pid].append(p.left_on)
    if not departures:
        return {}
    posts = _posts(uow, list(departures))
    return {pid: dated.away_spells(days, [p.start for p in posts.get(pid, ())])
            for pid, days in departures.items()}


def _any_away(uow, person_ids) -> bool:
    """Whether any of these persons may have a spell off the team, as :func:`_away` finds them: a
    dated departure (``person_departures``) or, known to the read model, an exit date
    (``people.left_on``).  One statement a chunk; False means :func:`_away` finds no one of them."""
    D, P = models.PersonDeparture, models.Person
    for part in _chunks(set(person_ids)):
        stmt = select(exists().where(D.person_id.in_(part))
                      | exists().where(P.id.in_(part), P.left_on.is_not(None)))
        if uow.session.execute(stmt).scalar():
            return True
    return False


def _allowance_grants(uow, person_ids=None, month: str | None = None) -> dict:
    """(person, month) → (the latest grant announced, whether it was withdrawn), from the
    announcements (``allowance_due`` keyed by the grant's :func:`contract.allowance_id`,
    ``allowance_withdrawn`` keyed by the grant it withdraws): of the persons named, or of a month."""
    A = models.Announcement
    stmt = select(A.kind, A.key).where(A.kind.in_((contract.ALLOWANCE_DUE, contract.ALLOWANCE_WITHDRAWN)))
    if month is not None:
        stmt = stmt.where(A.key.like(f"%:{month}") | A.key.like(f"%:{month}#%"))
    rows = []
    if person_ids is None:
        rows = uow.session.execute(stmt).all()
    else:
        for pid in sorted(set(person_ids)):
            rows += uow.session.execute(stmt.where(A.key.like(f"{pid}:%"))).all()
    dues, withdrawn = {}, set()
    for kind, key in rows:
        pid, mo, grant = contract.allowance_parts(key)
        if month is not None and mo != month or person_ids is not None and pid not in person_ids:
            continue
        if kind == contract.ALLOWANCE_DUE:
            dues[(pid, mo)] = max(dues.get((pid, mo), 0), grant)
        else:
            withdrawn.add((pid, mo, grant))
    return {k: (g, (k[0], k[1], g) in withdrawn) for k, g in dues.items()}


def _grant_allowance(uow, pid: str, month: str, grant: int, person) -> bool:
    key = contract.allowance_id(pid, month, grant)
    event_id = _announce(uow, contract.ALLOWANCE_DUE, key)
    if event_id is None:
        return False
    uow.publish(contract.ALLOWANCE_DUE, {
        "event_id": event_id, "allowance_id": key, "person": pid,
        "unit_id": person.unit_id if person else None,
        "agency_id": person.agency_id if person else None,
        "month": month, "amount": allround.ALLOWANCE_YUAN,
        "reason": "all_round_officer", "grant": grant})
    return True


def _withdraw_allowance(uow, pid: str, month: str, grant: int) -> bool:
    """One ``allowance_withdrawn`` per grant (keyed by the grant it withdraws)."""
    key = contract.allowance_id(pid, month, grant)
    event_id = _announce(uow, contract.ALLOWANCE_WITHDRAWN, key)
    if event_id is None:
        return False
    uow.publish(contract.ALLOWANCE_WITHDRAWN, {
        "event_id": event_id, "allowance_id": key, "person": pid, "month": month,
        "grant": grant, "amount": allround.ALLOWANCE_YUAN, "reason": "not_earned"})
    return True


def run_allowances(uow, month_text: str, today: date) -> dict:
    """M§三(四)1(5): one ``allowance_due`` of 50 yuan per holder of the month while in force; an
    announced month no longer earned (found wholly away) withdrawn once (``allowance_withdrawn``);
    a withdrawn month earned again granted anew (the next grant: one grant in force at a time)."""
    month = Month.parse(month_text)
    if month > Month.of(today):
        raise ValidationFailed(f"{month} has not begun (today is {today.isoformat()})", "month")
    as_of = min(month.last, today)
    spells_of = _spells(uow, as_of)
    people = _people_on(uow, as_of, spells_of)     # the month's unit and agency (its last day)
    away = _away(uow, people)       # a month wholly away is not due, a return is due again
    holders = [pid for pid, spells in spells_of.items()
               if allround.earns_allowance(spells, month, away=away.get(pid, ()))]
    state = _allowance_grants(uow, month=str(month))
    published, already, withdrawn_people = [], 0, []
    earned = set(holders)
    for pid in sorted(earned | {p for p, _ in state}):
        grant, withdrawn = state.get((pid, str(month)), (0, True))
        change = allround.allowance_correction(grant, withdrawn, pid in earned)
        if change is None:
            already += pid in earned
        elif change[0] == allround.WITHDRAW:
            if _withdraw_allowance(uow, pid, str(month), change[1]):
                withdrawn_people.append(pid)
        elif _grant_allowance(uow, pid, str(month), change[1], people.get(pid)):
            published.append(pid)
        else:
            already += 1
    return {"month": str(month), "published": len(published), "already": already,
            "amount_each": allround.ALLOWANCE_YUAN, "people": published,
            "withdrawn": withdrawn_people}


def reconsider_allowances(uow, person_ids, today: date) -> dict:
    """The months already announced for these persons, judged again on what training knows now
    (a departure or a return arriving after the month was announced): a grant in force for a month
    no longer earned is withdrawn once; a withdrawn month earned again is granted anew.  Only persons
    with a departure can change (a month is lost only by being away): a batch none of whose persons
    has a dated departure or an exit date is answered at once, without reading them (the roster's
    load: ten thousand joiners, none away)."""
    if not _any_away(uow, person_ids):
        return {"withdrawn": [], "granted": []}
    people = _people(uow, person_ids)
    away = _away(uow, people)
    if not away:
        return {"withdrawn": [], "granted": []}
    withdrawn_out, granted_out = [], []
    for (pid, mo), (grant, withdrawn) in sorted(_allowance_grants(uow, person_ids=set(away)).items()):
        month = Month.parse(mo)
        if month > Month.of(today):
            continue
        as_of = min(month.last, today)
        spells = _spells(uow, as_of, pid).get(pid, [])
        earned = allround.earns_allowance(spells, month, away=away.get(pid, ()))
        change = allround.allowance_correction(grant, withdrawn, earned)
        if change is None:
            continue
        key = contract.allowance_id(pid, mo, change[1])
        if change[0] == allround.WITHDRAW:
            if _withdraw_allowance(uow, pid, mo, change[1]):
                withdrawn_out.append(key)
        elif _grant_allowance(uow, pid, mo, change[1], _people_on(uow, as_of, [pid]).get(pid)):
            granted_out.append(key)
    return {"withdrawn": withdrawn_out, "granted": granted_out}


def allowances_of(uow, data) -> dict:
    """M§三(四)1(5), read only: the months of ``year`` begun by ``as_of`` that earn the 50-yuan
    allowance, with their amounts and whether each was already announced to rewards."""
    pid, as_of = data["person"], data["as_of"]
    people = _people(uow, [pid])
    known_person(people, pid)
    spells = _spells(uow, as_of, pid).get(pid, [])
    lines = allround.allowance_statement(spells, data["year"], as_of, away=_away(uow, people).get(pid, ()))
    grants = _allowance_grants(uow, person_ids={pid}) if lines else {}
    announced = {mo for (_, mo), (grant, withdrawn) in grants.items() if not withdrawn}   # in force
    months = [{"month": str(mo), "amount": amount, "announced": str(mo) in announced}
              for mo, amount in lines]
    return {**contract.person_keys(pid), "year": data["year"], "as_of": as_of.isoformat(),
            "amount_each": allround.ALLOWANCE_YUAN, "months": months,
            "total": sum(x["amount"] for x in months)}


def check_certifications(uow, today: date, lead_days: int) -> dict:
    """M§三(四)1(5): remind before a recheck date; revoke a title whose date passed unrechecked."""
    reminded, revoked = [], []
    for pid, spells in _spells(uow, today).items():
        for s in spells:
            if s.reason == allround.EXPIRED and _revoke(uow, pid, s.certified_on, s.revoked_on,
                                                        s.reason):
                revoked.append(pid)
        due = allround.reminder_due(spells[-1], today, lead_days) if spells else None
        if due is not None:
            event_id = _announce(uow, contract.RECHECK_REMINDER, f"{pid}:{due.isoformat()}")
            if event_id is not None:
                uow.publish(contract.RECHECK_REMINDER, {
                    "event_id": event_id, "person": pid,
                    "certified_on": spells[-1].certified_on.isoformat(),
                    "recheck_due": due.isoformat(), "lead_days": lead_days})
                reminded.append(pid)
    return {"today": today.isoformat(), "reminded": reminded, "revoked": revoked}


# -- pass rate -------------------------------------------------------------------------------------
def _rate_dict(r: passrate.PassRate) -> dict:
    return {"passed": r.passed, "taken": r.taken, "rate": _rate(r.rate),
            "meets_target": r.meets_target}


def pass_rate(uow, data) -> dict:
    """M§一3: the skills pass rate per unit and city-wide over [start, end] (the request's dates)."""
    end = data["end"]
    start = data.get("start") or date(end.year, 1, 1)
    if end < start:
        raise ValidationFailed("end comes before start", "end")
    results = [r for rs in _history(uow).values() for r in rs]
    units = passrate.pass_rates_by_unit(results, _dated_lookup(uow, "unit_id"), start, end)
    return {"start": start.isoformat(), "end": end.isoformat(),
            "target": _rate(passrate.PASS_RATE_TARGET),
            "city": _rate_dict(passrate.pass_rate(results, start, end)),
            "units": [{"unit_id": u, **_rate_dict(r)} for u, r in units.items()]}


def target_results(uow, year: int, agency: str | None = None, as_of: date | None = None) -> list:
    """Target 3 (M§一3) of ``year`` per agency (each result in the agency of its person on its
    date) and city-wide, from the results dated by ``as_of`` (default: all)."""
    results = [r for rs in _history(uow).values() for r in rs if as_of is None or r.on <= as_of]
    return passrate.target_results(results, _dated_lookup(uow, "agency_id"), year, agency)


def targets(uow, data, today: date) -> dict:
    today = data.get("as_of") or today
    year = data.get("year") or today.year
    return {"year": year, "as_of": today.isoformat(),
            "targets": [r.as_dict() for r in target_results(uow, year, data.get("agency"), today)]}
