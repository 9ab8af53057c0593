"""Contracts of the training service: RPC payloads, event names and event payloads (M§三(四)1).

RPC (service ``training``); every payload is one dict validated by the schema named beside it.
Dates are ISO strings (``YYYY-MM-DD``), months ``YYYY-MM``, quarters ``YYYY-Qn``. Rates travel as
decimal strings rounded half-up to 4 places (``"0.9500"``) beside the exact counts; null when
nobody sat a test. Money is whole yuan (int). An answer names a person ``person`` (RESULT =
``{"person", "course_id", "kind", "date", "result"}``); for one release it also carries ``person_id``
with the same value, deprecated (:func:`person_keys`; docs/changes.md).

People (the read model; also fed by roster's ``staff_joined`` / ``staff_changed`` / ``staff_left``)
* ``upsert_people(UpsertPeople)`` -> ``{"created", "changed", "unchanged"}`` (batch)
* ``get_person(PersonRef)`` -> PERSON

Courses
* ``register_courses(RegisterCourses)`` -> ``{"created", "unchanged", "courses": [COURSE]}``; a
  rotation course without the ``rule_of_law`` module is a RuleViolation ``courses[i].modules``; the
  same id with other content is a Conflict ``courses[i].id``
* ``list_courses({})`` -> ``{"courses": [COURSE]}``

Results (pass / fail)
* ``record_result(RecordResult)`` -> ``{"result": RESULT, "events": [event type]}``; unknown person
  or course: NotFound ``person`` / ``course_id``; a date after today: ValidationFailed ``date``; a
  pass recorded twice, a second result of a course on one day, a retraining not after its
  training: Conflict; a recheck without the title: RuleViolation
* ``import_results(ImportResults)`` -> ``{"dry_run", "committed", "rows", "created", "unchanged",
  "errors": [{"row", "column", "message"}]}`` (rows: objects with ``person``, ``course_id``,
  ``date``, ``result`` pass|fail|合格|不合格; numbered by ``row_numbers`` or from ``first_row``): any bad row → nothing written (a dry run never
  writes); the same rows again → created 0
* ``results_of(ResultsPage)`` -> ``{"person", "results": [RESULT]}`` in the order taken; with
  ``limit``: at most ``limit`` results after ``after`` and ``next`` (the ``after`` of the next page,
  opaque; null on the last), read by key

Study (M§三(四)1(1))
* ``record_study(RecordStudy)`` -> ``{"recorded", "unchanged"}`` (days are a set: re-sending is harmless)
* ``study_report(StudyQuery)`` -> ``{"month", "required_days": 2, "required", "shortfall_count",
  "units": [{"unit_id", "people": [{"person", "position", "days", "met", "missing"}],
  "shortfalls": [the same, not met]}]}``
* ``record_session(RecordSession)`` -> SESSION (central study group; same session again unchanged)
* ``central_group_report(QuarterQuery)`` -> ``{"quarter", "units": [{"unit_id", "met",
  "sessions": [SESSION]}]}``

Pre-service (M§三(四)1(2))
* ``can_take_post(PersonOnDate)`` -> ``{"person", "date", "allowed", "passed_on", "reason"}``
  (the roster asks before a new entrant takes a post)
* ``set_frontline_post(FrontlinePost)`` -> FRONTLINE; ``frontline_report(AsOf)`` -> ``{"as_of",
  "people": [FRONTLINE]}`` with FRONTLINE = ``{"person", "start", "left_on", "completes_on",
  "status": serving|completed|cut_short}``

Rotation (M§三(四)1(3))
* ``rotation_report(RotationQuery)`` -> ``{"year", "as_of", "counts": {status: n}, "people":
  [{"person", "unit_id", "position", "status", "due_year", "last_pass", "retraining_due_by",
  "effect"}]}``; status: passed | due | overdue | failed | retraining_overdue | retraining_failed |
  not_due (not_due people are counted, not listed)

All-round officer (M§三(四)1(5))
* ``certifications(CertQuery)`` -> ``{"as_of", "certifications": [{"person", "certified_on",
  "next_recheck", "rechecks", "revoked_on", "reason", "holds"}]}``
* ``run_allowances(AllowanceMonth)`` -> ``{"month", "published", "already", "amount_each": 50,
  "people": [id], "withdrawn": [id]}``: publishes one ``allowance_due`` per holder of the month,
  once per (person, month) while in force; a month after the current one is a ValidationFailed
  ``month``. A timer does the same for the current and the previous month. A person announced for
  the month who no longer earns it (a month found wholly away) gets one ``allowance_withdrawn`` of
  that grant (``withdrawn``); one who earns it again after a withdrawal a new grant
  (``person:YYYY-MM#2``, ...). The roster's ``staff_left`` / ``staff_changed`` re-judge the
  months already announced for the persons they name the same way.
* ``check_certifications({})`` -> ``{"today", "reminded": [id], "revoked": [id]}`` (also a daily
  timer): reminders ``RECHECK_REMINDER_DAYS`` (config, default 30) before a recheck date, and
  revocation of titles whose recheck date passed without a pass, each published once

Pass rate (M§一3)
* ``pass_rate(PassRateQuery)`` -> ``{"start", "end", "target": "0.9500", "city": RATE, "units":
  [RATE + "unit_id"]}`` with RATE = ``{"passed", "taken", "rate", "meets_target"}``; also the gauge
  ``lianbao_training_skills_pass_rate{scope}`` (scope ``city`` or a unit id)
* ``targets(TargetsQuery)`` -> target 3 of the year (1 January to 31 December) per agency and city
  (:mod:`shared.contracts.targets`); only answers.  The gauges ``lianbao_target_value`` /
  ``lianbao_target_met`` ``{target="3_skills_pass_rate", agency, year}`` are computed at scrape time
"""
from __future__ import annotations

import re
import uuid

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.schemas import (
    BaseSchema,
    Id,
    IsoDate,
    RowList,
    StrictInteger,
    parse_iso_date,
    plain_id,
)

SERVICE = "training"

# -- events published (source service "training") ---------------------------------------------
RETRAINING_FAILED = "retraining_failed"            # RetrainingFailedEvent: the roster acts on it
ALLOWANCE_DUE = "allowance_due"                    # AllowanceDueEvent: rewards settles it once
ALLOWANCE_WITHDRAWN = "allowance_withdrawn"        # AllowanceWithdrawnEvent: rewards reverses it once
CERTIFIED = "certified"                            # CertifiedEvent
RECHECK_PASSED = "recheck_passed"                  # RecheckPassedEvent
RECHECK_REMINDER = "recheck_reminder"              # RecheckReminderEvent
CERTIFICATION_REVOKED = "certification_revoked"    # CertificationRevokedEvent
EVENTS = (RETRAINING_FAILED, ALLOWANCE_DUE, CERTIFIED, RECHECK_PASSED, RECHECK_REMINDER,
          CERTIFICATION_REVOKED, ALLOWANCE_WITHDRAWN)

POSITIONS = ("head", "leader", "chief", "officer")
COURSE_KINDS = ("pre_service", "rotation", "skills", "all_round_assessment", "all_round_recheck")
OUTCOMES = ("pass", "fail")
EFFECTS = ("removed_from_post", "transferred_out")
REVOKE_REASONS = ("recheck_failed", "recheck_expired")
PERSON_STATUSES = ("active", "on_leave", "seconded", "suspended", "transferred_out", "dismissed")
ALLOWANCE_YUAN = 50
MAX_BATCH = 200_000

_id = dict(required=True, validate=validate.Length(min=1, max=100))
_opt_id = dict(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
_NS = uuid.UUID("5b0c7a4e-7d1b-4a8e-9a57-6c1f0e3d2b90")


#: the release that drops ``person_id`` from training's answers and results files (docs/changes.md)
PERSON_ID_GOES_IN = "0.2.0"


def person_keys(person: str) -> dict:
    """A training answer's person: ``person``, as every contract names a person, and ``person_id``
    with the same value, deprecated: kept for one release (0.1.0), gone in
    :data:`PERSON_ID_GOES_IN` (#17 item 3)."""
    return {"person": person, "person_id": person}


def allowance_id(person_id: str, month: str, grant: int = 1) -> str:
    """The key of an allowance: the (officer, month) and its grant, rewards settles each key once.
    The first grant of a month is ``person:YYYY-MM``; a month withdrawn and later earned again is
    granted anew as ``person:YYYY-MM#2``, ``#3``, ... (one grant in force at a time: a new grant
    is announced only after the one before was withdrawn)."""
    base = f"{person_id}:{month}"
    return base if grant == 1 else f"{base}#{grant}"


_ALLOWANCE_KEY = re.compile(r"^(?P<person>.+):(?P<month>\d{4}-\d{2})(?:#(?P<grant>\d+))?$")


def allowance_parts(allowance_key: str) -> tuple[str, str, int]:
    """(person, month, grant) of an allowance key (:func:`allowance_id`), read from its end: a
    person's id may itself hold ``:`` and ``#`` (:data:`shared.schemas.ID_CHARS`)."""
    match = _ALLOWANCE_KEY.match(allowance_key)
    if match is None:
        raise ValueError(f"not an allowance key: {allowance_key!r}")
    return match["person"], match["month"], int(match["grant"] or 1)


def grant_of(allowance_key: str) -> int:
    """The grant number of an allowance key (:func:`allowance_id`): 1, or the number after ``#``."""
    return allowance_parts(allowance_key)[2]


def stable_event_id(kind: str, key: str) -> str:
    """The event id of a once-only event (≤ 64 chars): the same key always gives the same id."""
    return uuid.uuid5(_NS, f"{kind}:{key}").hex


class MonthField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        out = super()._deserialize(value, attr, data, **kwargs)
        if not (len(out) == 7 and out[4] == "-" and out[:4].isdigit() and out[5:].isdigit()
                and 1 <= int(out[5:]) <= 12 and int(out[:4]) >= 1):
            raise ValidationError(f"Not a month (YYYY-MM): {out!r}.")
        return out


class QuarterField(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        out = super()._deserialize(value, attr, data, **kwargs)
        if not (len(out) == 7 and out[:4].isdigit() and out[4:6] == "-Q" and out[6] in "1234"):
            raise ValidationError(f"Not a quarter (YYYY-Qn): {out!r}.")
        return out


# -- RPC payloads ------------------------------------------------------------------------------
class PersonIn(BaseSchema):
    id = Id(**_id)
    unit_id = Id(**_id)
    agency_id = Id(**_opt_id)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    joined = IsoDate(load_default=None, allow_none=True)
    left_on = IsoDate(load_default=None, allow_none=True)
    status = fields.String(load_default="active", validate=validate.OneOf(PERSON_STATUSES))


class UpsertPeople(BaseSchema):
    people = fields.List(fields.Nested(PersonIn), required=True,
                         validate=validate.Length(min=1, max=MAX_BATCH))


class PersonRef(BaseSchema):
    person = Id(**_id)


class ResultsPage(PersonRef):
    after = fields.String(load_default=None, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}/\d{1,18}$",
                                                                      error="not a key of this list"))
    limit = StrictInteger(load_default=None, validate=validate.Range(min=1, max=500))


class PersonOnDate(BaseSchema):
    person = Id(**_id)
    date = IsoDate(required=True)          # the caller's date: never the service's clock


class CourseIn(BaseSchema):
    id = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(COURSE_KINDS))
    title = fields.String(load_default="", validate=validate.Length(max=200))
    modules = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                          load_default=list)


class RegisterCourses(BaseSchema):
    courses = fields.List(fields.Nested(CourseIn), required=True,
                          validate=validate.Length(min=1, max=10_000))


class Empty(BaseSchema):
    pass


class RecordResult(BaseSchema):
    person = Id(**_id)
    course_id = Id(**_id)
    date = IsoDate(required=True)
    result = fields.String(required=True, validate=validate.OneOf(OUTCOMES))


# The columns of a results file (``import_results`` rows, ``lianbao import training``, the gateway's
# streamed upload): English names or their Chinese aliases, and the one rule of a row's date.
RESULT_COLUMNS = ("person", "course_id", "date", "result")
#: a results file's deprecated column: read as ``person`` for one release (gone in PERSON_ID_GOES_IN);
#: a file giving both is refused, naming it
OLD_RESULT_COLUMNS = {"person_id": "person"}
RESULT_HEADER_ALIASES = {"工号": "person", "人员编号": "person", "person_id": "person", "课程": "course_id",
                         "课程编号": "course_id", "日期": "date", "考核日期": "date", "结果": "result",
                         "考核结果": "result"}


def result_column(header) -> str:
    """A results file's header cell as its column name (English, or a Chinese alias)."""
    name = "" if header is None else str(header).strip()
    return RESULT_HEADER_ALIASES.get(name, name)


def result_day(text: str):
    """The day a results file's ``date`` cell names (ISO, ``YYYY-MM-DD`` or its ten-character ISO
    week form ``YYYY-Www-D``), or None: one day may be written two ways, and is the same result."""
    from datetime import date as _date

    text = str(text).strip()
    try:
        return _date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


class ImportResults(BaseSchema):
    rows = RowList(MAX_BATCH, required=True)       # objects with person, course_id, date, result
    first_row = StrictInteger(load_default=2, validate=validate.Range(min=1))
    row_numbers = fields.List(StrictInteger(validate=validate.Range(min=1)), load_default=None,
                              allow_none=True)   # the file's row numbers (blank lines skipped)
    dry_run = fields.Boolean(load_default=False)

    @validates_schema
    def _numbers_match(self, data, **kwargs):
        numbers = data.get("row_numbers")
        if numbers is not None and len(numbers) != len(data.get("rows") or []):
            raise ValidationError("one row number per row", "row_numbers")


class StudyEntry(BaseSchema):
    person = Id(**_id)
    date = IsoDate(required=True)


class RecordStudy(BaseSchema):
    entries = fields.List(fields.Nested(StudyEntry), required=True,
                          validate=validate.Length(min=1, max=MAX_BATCH))


class StudyQuery(BaseSchema):
    month = MonthField(required=True)
    unit_id = Id(**_opt_id)


class RecordSession(BaseSchema):
    unit_id = Id(**_id)
    start = IsoDate(required=True)
    days = StrictInteger(required=True, validate=validate.Range(min=1, max=366))


class QuarterQuery(BaseSchema):
    quarter = QuarterField(required=True)


class FrontlinePost(BaseSchema):
    person = Id(**_id)
    start = IsoDate(required=True)
    left_on = IsoDate(load_default=None, allow_none=True)


class AsOf(BaseSchema):
    as_of = IsoDate(required=True)         # queries take their date from the request


class RotationQuery(BaseSchema):
    year = StrictInteger(required=True, validate=validate.Range(min=1900, max=9999))
    as_of = IsoDate(required=True)
    unit_id = Id(**_opt_id)


class CertQuery(BaseSchema):
    as_of = IsoDate(required=True)
    person = Id(**_opt_id)


class AllowanceQuery(BaseSchema):
    """A person's allowance months and amounts of a year as of a date, read only (nothing paid)."""
    person = Id(**_id)
    year = StrictInteger(required=True, validate=validate.Range(min=1900, max=9999))
    as_of = IsoDate(required=True)


class AllowanceMonth(BaseSchema):
    month = MonthField(required=True)


class PassRateQuery(BaseSchema):
    start = IsoDate(load_default=None, allow_none=True)   # default: 1 January of end's year
    end = IsoDate(required=True)


# -- event payloads (each also carries "event_id" and "occurred_at") ----------------------------
class _Event(BaseSchema):
    event_id = fields.String(required=True)
    occurred_at = fields.String(load_default=None)


class RetrainingFailedEvent(_Event):
    """M§三(四)1(3) 补训仍不合格: the roster removes a chief from the post (``removed_from_post``)
    or transfers an officer out of the team (``transferred_out``) from ``effective_date`` on (the
    failed retraining's date). Published once per failed retraining."""
    person = fields.String(required=True)
    position = fields.String(required=True, validate=validate.OneOf(("chief", "officer")))
    effect = fields.String(required=True, validate=validate.OneOf(EFFECTS))
    effective_date = IsoDate(required=True)
    first_failed_on = IsoDate(required=True)
    course_id = fields.String(required=True)
    unit_id = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)


class AllowanceDueEvent(_Event):
    """M§三(四)1(5): 50 yuan for a month in which the person held the all-round title on at least
    one day. ``allowance_id`` (``person:YYYY-MM``) is unique per (officer, month); ``event_id`` is
    derived from it, so a re-run publishes the same id. The paying unit is ``agency_id`` (所在单位)."""
    allowance_id = fields.String(required=True)
    person = fields.String(required=True)
    unit_id = fields.String(allow_none=True)
    agency_id = fields.String(allow_none=True)
    month = MonthField(required=True)
    amount = StrictInteger(required=True)
    reason = fields.String(required=True)          # "all_round_officer"
    grant = StrictInteger(load_default=1, validate=validate.Range(min=1))   # 1, or a re-grant


class AllowanceWithdrawnEvent(_Event):
    """M§三(四)1(5): an allowance announced (``allowance_due``) for a month training now finds not
    earned (a departure arriving later shows the month wholly away, ...). ``allowance_id`` is the
    key of the grant it withdraws (``person:YYYY-MM`` or ``person:YYYY-MM#n``), ``event_id`` derived
    from it: announced once per grant. Rewards reverses that grant's line once; a withdrawal
    arriving before its due makes the due pay nothing."""
    allowance_id = fields.String(required=True)
    person = fields.String(required=True)
    month = MonthField(required=True)
    grant = StrictInteger(required=True, validate=validate.Range(min=1))
    amount = StrictInteger(required=True)
    reason = fields.String(required=True)          # "not_earned"


class CertifiedEvent(_Event):
    person = fields.String(required=True)
    certified_on = IsoDate(required=True)
    recheck_due = IsoDate(required=True)


class RecheckPassedEvent(_Event):
    person = fields.String(required=True)
    certified_on = IsoDate(required=True)
    passed_on = IsoDate(required=True)
    next_recheck_due = IsoDate(required=True)


class RecheckReminderEvent(_Event):
    person = fields.String(required=True)
    certified_on = IsoDate(required=True)
    recheck_due = IsoDate(required=True)
    lead_days = StrictInteger(required=True)


class CertificationRevokedEvent(_Event):
    """``revoked_on`` is the first day without the title (a failed recheck's date, or the day
    after a recheck date that passed without a pass)."""
    person = fields.String(required=True)
    certified_on = IsoDate(required=True)
    revoked_on = IsoDate(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(REVOKE_REASONS))


EVENT_SCHEMAS = {
    RETRAINING_FAILED: RetrainingFailedEvent, ALLOWANCE_DUE: AllowanceDueEvent,
    CERTIFIED: CertifiedEvent, RECHECK_PASSED: RecheckPassedEvent,
    RECHECK_REMINDER: RecheckReminderEvent, CERTIFICATION_REVOKED: CertificationRevokedEvent,
    ALLOWANCE_WITHDRAWN: AllowanceWithdrawnEvent,
}


# -- answers (issue 21 item 3): what the RPCs above answer, for the gateway's /openapi.json ------------
class CourseOut(BaseSchema):
    """COURSE of ``register_courses`` and ``list_courses``."""
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(COURSE_KINDS))
    title = fields.String(required=True)
    modules = fields.List(fields.String(), required=True, metadata={"description": "sorted"})


class SessionOut(BaseSchema):
    """SESSION: a central study group's session (``record_session``, ``central_group_report``)."""
    unit_id = fields.String(required=True)
    start = IsoDate(required=True)
    days = fields.Integer(required=True)
    end = IsoDate(required=True, metadata={"description": "the last day"})


# -- study days read in one pass (#24 item 5) ------------------------------------------------------
_STUDY_KEYS = frozenset(("person", "date"))
_ID_MAX = _id["validate"].max


def fast_record_study(payload):
    """What ``load(RecordStudy(), payload)`` returns when every entry is exactly a plain valid
    ``{"person", "date"}`` (an id and a ``YYYY-MM-DD`` day), read in one pass without marshmallow;
    None for anything else (the schema then reads it and names every problem, as before; the old
    name ``person_id`` included). A test holds the two equal."""
    if type(payload) is not dict or payload.keys() != {"entries"}:
        return None
    entries = payload["entries"]
    if type(entries) is not list or not 0 < len(entries) <= MAX_BATCH:
        return None
    out, days = [], {}
    for e in entries:
        if type(e) is not dict or e.keys() != _STUDY_KEYS:
            return None
        person, day = e["person"], e["date"]
        if type(day) is not str:
            return None
        if not plain_id(person, _ID_MAX):
            return None
        parsed = days.get(day)
        if parsed is None:
            try:
                parsed = days[day] = parse_iso_date(day)
            except ValueError:
                return None
        out.append({"person": person, "date": parsed})
    return {"entries": out}

