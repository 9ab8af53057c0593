"""Contracts of the roster service: RPC payloads, event names and event payloads.

RPC (service ``roster``); every payload is one dict validated by the schema named beside it.
Dates are ISO strings (``YYYY-MM-DD``); a date that does not parse is a ValidationFailed naming
the field.

Units and staff
* ``save_units(SaveUnits)`` -> ``{"created", "changed", "unchanged", "units": [UNIT]}`` (batch,
  parents may come earlier in the same batch; a unit's kind never changes)
* ``create_staff(CreateStaff)`` -> ``{"created", "unchanged", "staff": [STAFF]}`` (batch; the same
  record again is unchanged; a person already in another unit is a Conflict ``staff[i].unit``)
* ``change_staff(ChangeStaff)`` -> ``{"staff": STAFF, "unassigned": [PAIR]}``: pairs that no longer
  follow the chain are cut from ``effective`` on (never reassigned)
* ``get_staff(PersonRef)`` -> STAFF;  ``get_units(UnitsQuery)`` -> ``{"date", "units": [UNIT]}``:
  the tree as it was on ``date`` (default today; SPEC §9: the unit tree is dated too)
* the unit tree through time: every unit is kept as dated versions (name, kind, parent, type, rank,
  supervising unit), never overwritten. ``save_units`` takes ``effective`` (the day the batch takes
  effect): a new unit without it has existed as far back as the roster goes (``1900-01-01``), a
  change without it takes effect today; a change dated before a unit's latest change is a Conflict
  ``units[i].effective``. The tree must hold its rules on every day from the change on.
* ``move_unit(MoveUnit)`` -> ``{"unit": UNIT, "versions": [VERSION], "changed"}``: a unit under another
  parent from ``effective`` (a section to another agency, an agency to another committee); a section
  still supervised (分管) by a leader of another agency then is a Conflict ``unit``
* ``rename_unit(RenameUnit)`` -> the same, the name from ``effective``
* ``dissolve_unit(DissolveUnit)`` -> ``{"unit", "dissolved", "versions": [VERSION], "changed"}``: the
  unit exists until the day before ``effective``; refused (Conflict ``unit``) while a unit sits under
  it, a person holds a post in it or a secondment is hosted by it on or after that day; the same
  day again changes nothing (``"changed": false``)
* ``unit_history(UnitRef)`` -> ``{"unit", "versions": [VERSION], "dissolved": date | null}`` with
  VERSION = UNIT + ``"since"`` (first day) and ``"until"`` (last day, null = open)
* every change of the tree publishes ``units_saved`` ``{"units": [VERSION], "effective"}`` (the
  versions closed and opened, the closed first) and, for the people whose agency changes with it,
  ``staff_changed`` (their post from the change, ``since`` the change's day) and
  ``evaluators_resolved``; a month is read on its last day (SPEC §9), so a section moved during a
  month counts for its new agency that month, a unit dissolved during a month is not evaluated for it
* ``members_of(MembersPage)`` -> ``{"unit", "date", "members": [STAFF + "status"]}``: on the team on
  the date (joined, not transferred out or dismissed), optionally with the units below, in id order;
  with ``limit``: those whose id comes after ``after``, at most ``limit``, and ``next`` (the id to
  send as ``after`` for the next page, null on the last), read by key
* ``people_of_agency(AgencyOnDate)`` -> ``{"agency", "date", "people": [PERSON_OF_AGENCY]}``: every
  person of the agency and its sections who joined by the date, with position, section, join date,
  status and mentor on the date, and all their spells (leave, secondment, suspension, exit)

Status spells
* ``record_spell(RecordSpell)`` -> ``{"spell": SPELL, "unassigned": [PAIR]}``: a suspension or an
  exit cuts the person's pairs from its first day (as mentor; an exit as mentee too)
* ``end_spell(EndSpell)`` -> ``{"spell": SPELL}``;  ``spells_of(PersonRef)`` -> ``{"spells": [...]}``

Mentoring (M§四1-3)
* ``assign_mentor(AssignMentor)`` -> ``{"pair": PAIR}``; outside the chain: Forbidden ``mentor``;
  the mentee already has a mentor then: Conflict ``mentee``
* ``assign_mentors(AssignMentors)`` -> ``{"assigned", "replayed", "errors": [{"index", "field", "error",
  "message"}]}``: the batch form (every good pair is assigned, each bad one reported by index;
  the state is loaded once, so ten thousand pairs take seconds, not minutes)
* ``reassign_mentor(AssignMentor)`` -> ``{"pair": PAIR, "unassigned": [PAIR]}``
* ``unassign_mentor(UnassignMentor)`` -> ``{"unassigned": [PAIR]}`` (no mentor from ``date`` on)
* ``mentor_of(PersonOnDate)`` -> ``{"person", "date", "mentor": id | null}``
* ``mentees_of(PersonOnDate)`` -> ``{"person", "date", "mentees": [id]}``
* ``mentoring_coverage(CoverageQuery)`` -> ``{"date", "unit", "officer": COV, "chief": COV,
  "leader": COV, "by_agency": {agency: {"officer": COV, ...}}}`` with COV = ``{"total", "covered",
  "share" (decimal string, 4 places, or null), "without": [id]}``

Evaluators (M§五(二)3)
* ``evaluator_of(PersonOnDate)`` -> ``{"person", "date", "group", "rule", "mark", "daily_logs",
  "secondment", "six_month_mark"}``; ``group`` is the unit whose leading group evaluates
* ``evaluator_of_section(UnitOnOptionalDate)`` -> ``{"unit", "date", "group", "rule", "mark",
  "supervisors": [id]}``: the leaders supervising the section (分管领导, its reviewers) on the date
  (default today); an empty list says the section has none then
* every "as of" answer (members, people of an agency, evaluators, mentors, coverage) reads the
  roster as it was on the date (SPEC §9: posts kept as dated history); ``evaluator_of`` also gives
  the ``unit``, ``position`` and ``status`` of that date
* event ``evaluators_resolved`` ``{"people": [{"person", "spans": [{"start", "end", "group",
  "rule"}]}], "resolved_at"}``: each named person's whole evaluator timeline (M§五(二)3 on every
  day on the team: posts, secondments with their six-month mark, exits and returns), published
  whenever it may have changed; a consumer keeps the latest ``resolved_at`` per person
* ``return_to_team(ReturnToTeam)`` -> ``{"staff": STAFF, "exit": SPELL}``: a return after a
  transfer out is a new spell of service in a new post from ``date``; the exit ends the day before;
  ``joined`` stays the first join date

Bans (M§三(三))
* ``record_ban_violation(RecordBanViolation)`` -> ``{"violation": {...}, "suspension": SPELL|null,
  "cases": [CASE], "unassigned": [PAIR]}``;  ``cases_of(PersonRef)`` -> ``{"cases": [CASE]}``

Team discipline (M§一2, 4-7; kinds in ``DISCIPLINE_KINDS``)
* ``record_discipline_fact(RecordDisciplineFact)`` -> ``{"fact": FACT}`` and event
  ``discipline_fact_recorded`` FACT; the same fact again (kind, person or unit, occurred_on) -> the
  first record with ``"replayed": true`` and no second event
* ``investigate(Investigate)`` -> ``{"fact": FACT}`` and event ``discipline_fact_investigated``
  FACT; the same date again -> ``"replayed": true``, no event; another date: Conflict
  ``investigated_on``; an ``incompetent_leader`` fact: ValidationFailed ``fact_id``
* ``discipline_facts(DisciplineQuery)`` -> ``{"facts": [FACT]}``
  with FACT = ``{"id", "kind", "agency", "unit", "person" | null, "year", "occurred_on",
  "reported_on", "investigated_on" | null, "note"}``
* ``targets(TargetsQuery)`` -> targets 2, 4, 5, 6, 7 (:mod:`shared.contracts.targets`)

Import
* ``import_roster(ImportRoster)`` -> ``{"dry_run", "committed", "rows", "created", "changed",
  "unchanged", "errors": [{"row", "column", "message"}]}``: any bad row → nothing written
  (a dry run never writes); the same file again → created 0, changed 0.
"""
from __future__ import annotations

from marshmallow import fields, validate

from shared.schemas import BaseSchema, Id, IsoDate, RowList, StrictInteger

# The columns of a roster file (``import_roster`` rows, ``lianbao import roster``, the gateway's
# streamed upload): a header cell is stripped and lower-cased, or a Chinese label mapped.
ROSTER_HEADER_ALIASES = {"工号": "id", "编号": "id", "姓名": "name", "单位": "unit", "职务": "position",
                         "入队日期": "joined", "加入日期": "joined", "职衔": "titles", "分管科室": "supervises",
                         "分管": "supervises"}


def roster_column(header) -> str:
    """A roster file's header cell as its column name."""
    text = "" if header is None else str(header).strip()
    return ROSTER_HEADER_ALIASES.get(text, text.lower())

SERVICE = "roster"

# -- events (nameko event type; source service "roster") ------------------------------------
UNITS_SAVED = "units_saved"                    # {"units": [VERSION], "effective"}
STAFF_JOINED = "staff_joined"                  # {"staff": [STAFF]}  (batched: ≤ EVENT_BATCH)
STAFF_CHANGED = "staff_changed"                # {"staff": [STAFF], "effective"}
STAFF_LEFT = "staff_left"                      # {"person", "kind", "date", "spell_id"}
EVALUATORS_RESOLVED = "evaluators_resolved"    # {"people": [{"person", "spans"}], "resolved_at"}
STATUS_SPELL_RECORDED = "status_spell_recorded"  # {"spell": SPELL}
STATUS_SPELL_CHANGED = "status_spell_changed"    # {"spell": SPELL}
MENTOR_ASSIGNED = "mentor_assigned"            # PAIR (one pair: assign_mentor, reassign_mentor)
MENTORS_ASSIGNED = "mentors_assigned"          # {"pairs": [PAIR]}  (assign_mentors, batched: ≤ EVENT_BATCH)
MENTOR_UNASSIGNED = "mentor_unassigned"        # PAIR + "reason"; end null = cancelled
BAN_VIOLATED = "ban_violated"                  # see BanViolatedEvent
DISCIPLINE_FACT_RECORDED = "discipline_fact_recorded"          # FACT
DISCIPLINE_FACT_INVESTIGATED = "discipline_fact_investigated"  # FACT
EVENTS = (UNITS_SAVED, STAFF_JOINED, STAFF_CHANGED, STAFF_LEFT, STATUS_SPELL_RECORDED,
          STATUS_SPELL_CHANGED, MENTOR_ASSIGNED, MENTORS_ASSIGNED, MENTOR_UNASSIGNED, BAN_VIOLATED,
          DISCIPLINE_FACT_RECORDED, DISCIPLINE_FACT_INVESTIGATED, EVALUATORS_RESOLVED)
EVENT_BATCH = 1000

UNIT_KINDS = ("committee", "agency", "section")
AGENCY_TYPES = ("public_security", "procuratorate", "court", "justice_bureau", "other")
RANKS = ("division", "deputy_division")
POSITIONS = ("head", "leader", "chief", "officer")
TITLES = ("committee_secretary", "public_security_chief", "political_commissar",
          "chief_procurator", "court_president")
SPELL_KINDS = ("leave", "secondment", "suspension", "transferred_out", "dismissed")
LEAVE_KINDS = ("sick", "personal", "annual", "maternity", "other")
DISCIPLINE_KINDS = ("incompetent_leader", "cadre_selection_violation", "dereliction_case",
                    "officer_crime", "violation")
STATUSES = ("active", "on_leave", "seconded", "suspended", "transferred_out", "dismissed",
            "not_joined")
UNASSIGN_REASONS = ("reassigned", "unassigned", "mentor_suspended", "mentor_left",
                    "mentee_left", "chain_broken")
MAX_BATCH = 200_000

_id = dict(required=True, validate=validate.Length(min=1, max=100))
_opt_id = dict(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


# -- RPC payloads ------------------------------------------------------------------------------
class UnitIn(BaseSchema):
    id = Id(**_id)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent = Id(**_opt_id)
    agency_type = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(AGENCY_TYPES))
    rank = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(RANKS))
    supervising_unit = Id(**_opt_id)


class SaveUnits(BaseSchema):
    units = fields.List(fields.Nested(UnitIn), required=True,
                        validate=validate.Length(min=1, max=MAX_BATCH))
    effective = IsoDate(load_default=None, allow_none=True)


class UnitsQuery(BaseSchema):
    under = Id(**_opt_id)
    date = IsoDate(load_default=None, allow_none=True)


class MoveUnit(BaseSchema):
    unit = Id(**_id)
    parent = Id(**_id)
    effective = IsoDate(required=True)


class RenameUnit(BaseSchema):
    unit = Id(**_id)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    effective = IsoDate(required=True)


class DissolveUnit(BaseSchema):
    unit = Id(**_id)
    effective = IsoDate(required=True)


class StaffIn(BaseSchema):
    id = Id(**_id)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    unit = Id(**_id)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    joined = IsoDate(required=True)
    titles = fields.List(fields.String(validate=validate.OneOf(TITLES)), load_default=list)
    supervises = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                             load_default=list)


class CreateStaff(BaseSchema):
    staff = fields.List(fields.Nested(StaffIn), required=True,
                        validate=validate.Length(min=1, max=MAX_BATCH))


class ChangeStaff(BaseSchema):
    person = Id(**_id)
    effective = IsoDate(required=True)
    name = fields.String(validate=validate.Length(min=1, max=200))
    unit = fields.String(validate=validate.Length(min=1, max=100))
    position = fields.String(validate=validate.OneOf(POSITIONS))
    joined = IsoDate()
    titles = fields.List(fields.String(validate=validate.OneOf(TITLES)))
    supervises = fields.List(fields.String(validate=validate.Length(min=1, max=100)))


class PersonRef(BaseSchema):
    person = Id(**_id)


class PersonOnDate(BaseSchema):
    person = Id(**_id)
    date = IsoDate(required=True)


class UnitRef(BaseSchema):
    unit = Id(**_id)


class UnitOnOptionalDate(BaseSchema):
    unit = fields.String(**_id)
    date = IsoDate(load_default=None, allow_none=True)


class ReturnToTeam(BaseSchema):
    person = fields.String(**_id)
    date = IsoDate(required=True)
    unit = fields.String(**_id)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    titles = fields.List(fields.String(validate=validate.OneOf(TITLES)), load_default=list)
    supervises = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                             load_default=list)


class UnitOnDate(BaseSchema):
    unit = Id(**_id)
    date = IsoDate(required=True)
    include_subunits = fields.Boolean(load_default=False)


class MembersPage(UnitOnDate):
    """``members_of``: with ``limit``, a page of the members whose id comes after ``after`` (and
    ``next``: the ``after`` of the next page, null on the last); without, every member."""
    after = Id(load_default=None)
    limit = StrictInteger(load_default=None, validate=validate.Range(min=1, max=500))


class AgencyOnDate(BaseSchema):
    agency = Id(**_id)
    date = IsoDate(required=True)


class RecordSpell(BaseSchema):
    person = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(SPELL_KINDS))
    start = IsoDate(required=True)
    end = IsoDate(load_default=None, allow_none=True)
    leave_kind = fields.String(load_default=None, allow_none=True,
                               validate=validate.OneOf(LEAVE_KINDS))
    host_unit = Id(**_opt_id)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class EndSpell(BaseSchema):
    spell_id = Id(**_id)
    end = IsoDate(required=True)


class AssignMentor(BaseSchema):
    mentor = Id(**_id)
    mentee = Id(**_id)
    start = IsoDate(required=True)


class AssignMentors(BaseSchema):
    """A batch of assignments (the same rules as ``assign_mentor``, item by item)."""
    pairs = fields.List(fields.Nested(AssignMentor), required=True,
                        validate=validate.Length(min=1, max=MAX_BATCH))


class UnassignMentor(BaseSchema):
    mentee = Id(**_id)
    date = IsoDate(required=True)


class CoverageQuery(BaseSchema):
    date = IsoDate(required=True)
    unit = Id(**_opt_id)


class RecordBanViolation(BaseSchema):
    person = Id(**_id)
    ban = StrictInteger(required=True, validate=validate.Range(min=1, max=10))
    occurred_on = IsoDate(required=True)
    confirmed_on = IsoDate(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RecordDisciplineFact(BaseSchema):
    """A person (``incompetent_leader``, ``officer_crime``: required) or a unit; ``year``: the year
    the fact counts in (default the year of ``occurred_on``; an annual review: the year reviewed);
    ``reported_on`` defaults to ``occurred_on``; ``investigated_on`` may come at once."""
    kind = fields.String(required=True, validate=validate.OneOf(DISCIPLINE_KINDS))
    person = Id(**_opt_id)
    unit = Id(**_opt_id)
    year = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=1949, max=2100))
    occurred_on = IsoDate(required=True)
    reported_on = IsoDate(load_default=None, allow_none=True)
    investigated_on = IsoDate(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class Investigate(BaseSchema):
    fact_id = Id(**_id)
    investigated_on = IsoDate(required=True)


class DisciplineQuery(BaseSchema):
    agency = Id(**_opt_id)
    year = StrictInteger(load_default=None, allow_none=True)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(DISCIPLINE_KINDS))


class ImportRoster(BaseSchema):
    rows = RowList(MAX_BATCH, required=True)
    first_row = StrictInteger(load_default=2, validate=validate.Range(min=1))
    row_numbers = fields.List(StrictInteger(validate=validate.Range(min=1)), load_default=None,
                              allow_none=True)   # the file's own row numbers, one per row
    dry_run = fields.Boolean(load_default=False)
    effective = IsoDate(load_default=None, allow_none=True)


# -- event payloads ----------------------------------------------------------------------------
class UnitOut(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent = fields.String(allow_none=True)
    agency_type = fields.String(allow_none=True)
    rank = fields.String(allow_none=True)
    supervising_unit = fields.String(allow_none=True)
    agency = fields.String(required=True)     # the committee or agency owning the unit
    level = fields.String(required=True, validate=validate.OneOf(("city", "county")))
    since = IsoDate(load_default=None, allow_none=True)   # first day of this version
    until = IsoDate(load_default=None, allow_none=True)   # last day (null = open)


class UnitsSavedEvent(BaseSchema):
    units = fields.List(fields.Nested(UnitOut), required=True)
    effective = IsoDate(load_default=None, allow_none=True)


class StaffOut(BaseSchema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    agency = fields.String(required=True)
    section = fields.String(allow_none=True)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    joined = IsoDate(required=True)
    titles = fields.List(fields.String(), required=True)
    supervises = fields.List(fields.String(), required=True)
    since = IsoDate(load_default=None, allow_none=True)   # first day of the post shown


class StaffJoinedEvent(BaseSchema):
    staff = fields.List(fields.Nested(StaffOut), required=True)


class StaffChangedEvent(BaseSchema):
    staff = fields.List(fields.Nested(StaffOut), required=True)
    effective = IsoDate(required=True)


class StaffLeftEvent(BaseSchema):
    person = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("transferred_out", "dismissed")))
    date = IsoDate(required=True)
    spell_id = fields.String(required=True)


class SpellOut(BaseSchema):
    id = fields.String(required=True)
    person = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SPELL_KINDS))
    start = IsoDate(required=True)
    end = IsoDate(allow_none=True)
    leave_kind = fields.String(allow_none=True)
    host_unit = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class StatusSpellEvent(BaseSchema):
    spell = fields.Nested(SpellOut, required=True)


class PairOut(BaseSchema):
    pair_id = fields.String(required=True)
    mentor = fields.String(required=True)
    mentee = fields.String(required=True)
    start = IsoDate(required=True)
    end = IsoDate(allow_none=True)


class MentorAssignedEvent(PairOut):
    pass


class MentorsAssignedEvent(BaseSchema):
    """The pairs of one ``assign_mentors`` call (at most ``EVENT_BATCH`` an event), each what
    ``mentor_assigned`` says of one pair: one event for a batch instead of one a pair (#24 item 5)."""
    pairs = fields.List(fields.Nested(PairOut), required=True)


class MentorUnassignedEvent(PairOut):
    """``end`` is the mentee's last day with this mentor; null when the pair is cancelled before
    it began."""
    reason = fields.String(required=True, validate=validate.OneOf(UNASSIGN_REASONS))


class BanViolatedEvent(BaseSchema):
    violation_id = fields.String(required=True)
    person = fields.String(required=True)
    mentor = fields.String(allow_none=True)       # the 联带责任人 on the day of the violation
    ban = StrictInteger(required=True, validate=validate.Range(min=1, max=10))
    occurred_on = IsoDate(required=True)
    confirmed_on = IsoDate(required=True)
    suspension_spell_id = fields.String(allow_none=True)
    person_case_id = fields.String(required=True)
    mentor_case_id = fields.String(allow_none=True)


class DisciplineFactEvent(BaseSchema):
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(DISCIPLINE_KINDS))
    agency = fields.String(required=True)
    unit = fields.String(required=True)
    person = fields.String(allow_none=True)
    year = StrictInteger(required=True)
    occurred_on = IsoDate(required=True)
    reported_on = IsoDate(required=True)
    investigated_on = IsoDate(allow_none=True)
    note = fields.String(allow_none=True)


class EvaluatorSpanOut(BaseSchema):
    start = IsoDate(required=True)
    end = IsoDate(allow_none=True)
    group = fields.String(required=True)
    rule = fields.String(required=True)


class PersonEvaluators(BaseSchema):
    person = fields.String(required=True)
    spans = fields.List(fields.Nested(EvaluatorSpanOut), required=True)


class EvaluatorsResolvedEvent(BaseSchema):
    people = fields.List(fields.Nested(PersonEvaluators), required=True)
    resolved_at = fields.String(required=True)
    stamp = fields.String(load_default=None, allow_none=True)



# -- answers (issue 21 item 3): the ban cases, for the gateway's /openapi.json --------------------------
class ViolationOut(BaseSchema):
    id = fields.String(required=True)
    person = fields.String(required=True)
    ban = fields.Integer(required=True)
    mentor = fields.String(required=True, allow_none=True, metadata={"description": "the 联带责任人 that day"})
    occurred_on = IsoDate(required=True)
    confirmed_on = IsoDate(required=True)
    note = fields.String(required=True, allow_none=True)


class DisciplineFactOut(DisciplineFactEvent):
    """A discipline fact as answered (``record_discipline_fact``, ``investigate``, ``discipline_facts``):
    the payload of its events."""


class CaseOut(BaseSchema):
    id = fields.String(required=True)
    violation = fields.String(required=True, metadata={"description": "the violation's id"})
    person = fields.String(required=True, metadata={"description": "whose case (the violator or the mentor)"})
    role = fields.String(required=True)


class PersonCaseOut(CaseOut):
    """A case of ``cases_of``: the case and its violation."""
    ban = fields.Integer(required=True)
    occurred_on = IsoDate(required=True)
    confirmed_on = IsoDate(required=True)
    violator = fields.String(required=True)

EVENT_SCHEMAS = {
    EVALUATORS_RESOLVED: EvaluatorsResolvedEvent,
    UNITS_SAVED: UnitsSavedEvent, STAFF_JOINED: StaffJoinedEvent,
    STAFF_CHANGED: StaffChangedEvent, STAFF_LEFT: StaffLeftEvent,
    STATUS_SPELL_RECORDED: StatusSpellEvent, STATUS_SPELL_CHANGED: StatusSpellEvent,
    MENTOR_ASSIGNED: MentorAssignedEvent, MENTORS_ASSIGNED: MentorsAssignedEvent,
    MENTOR_UNASSIGNED: MentorUnassignedEvent,
    BAN_VIOLATED: BanViolatedEvent,
    DISCIPLINE_FACT_RECORDED: DisciplineFactEvent, DISCIPLINE_FACT_INVESTIGATED: DisciplineFactEvent,
}
