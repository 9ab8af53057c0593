"""Contracts of the HTTP gateway (``services/gateway``): its error body and its token file.

Every answer other than 2xx has the body :class:`ErrorBody` (the ``to_dict()`` of
:class:`shared.errors.LianbaoError`): ``{"error": code, "message", "field"?, "details"?}`` with the
codes of the error table plus ``unauthorized`` (401), ``upstream_error`` (502),
``service_unavailable`` (503), ``upstream_timeout`` (504), ``too_large`` (413) and
``scope_lookup_failed`` (502: the service that says which unit a resource belongs to failed).
A resource outside the caller's units answers exactly as a missing one: 404
``{"error": "not_found", "message": "<parameter> not found", "field": "<parameter>"}``.

The token file (YAML; path in ``$LIANBAO_GATEWAY_TOKENS`` or the config key ``GATEWAY_TOKENS``) lists
one entry per calling system, see ``infra/gateway-tokens.example.yml``::

    systems:
      - system: office            # a name, used in logs and to namespace idempotency keys
        actor: office-system      # the actor id sent to the services (context data ``actor``)
        token_sha256: 5e88...     # sha256 hex of the bearer token (or ``token:`` in clear, tests only)
        agencies: [cnty, c_ps]    # unit ids (agencies, committees) it may see, or "*" for all
        kind: system              # optional: ``persons`` for a system acting for its units' persons
"""
from __future__ import annotations

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from shared.schemas import BaseSchema, Id, IsoDate

SERVICE = "gateway"
TOKENS_ENV = "LIANBAO_GATEWAY_TOKENS"
TOKENS_CONFIG_KEY = "GATEWAY_TOKENS"
ALL_AGENCIES = "*"

UNAUTHORIZED = "unauthorized"
UPSTREAM_ERROR = "upstream_error"
SERVICE_UNAVAILABLE = "service_unavailable"
UPSTREAM_TIMEOUT = "upstream_timeout"
TOO_LARGE = "too_large"
SCOPE_LOOKUP_FAILED = "scope_lookup_failed"
NOT_FOUND_ROUTE = "not_found"


class Problem(BaseSchema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class ErrorBody(BaseSchema):
    """The body of every error answer."""
    error = fields.String(required=True, metadata={"description": "stable error code"})
    message = fields.String(required=True)
    field = fields.String(metadata={"description": "JSON path of the field at fault"})
    details = fields.Raw(metadata={"description": "all problems ({field, message}) or other details"})


class AgencyList(fields.Field):
    """``"*"`` or a list of unit ids."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == ALL_AGENCIES:
            return ALL_AGENCIES
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ValidationError('Must be "*" or a non-empty list of unit ids.')
        return frozenset(value)


class SystemToken(BaseSchema):
    system = fields.String(required=True, validate=validate.Length(min=1, max=100))
    actor = fields.String(required=True, validate=validate.Length(min=1, max=100))
    token = fields.String(validate=validate.Length(min=16, max=500))
    token_sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    agencies = AgencyList(required=True)
    kind = fields.String(load_default="system", validate=validate.OneOf(("system", "persons")))

    @validates_schema
    def _one_token(self, data, **kwargs):
        if ("token" in data) == ("token_sha256" in data):
            raise ValidationError("Give exactly one of token, token_sha256.", "token")


class TokenFile(BaseSchema):
    systems = fields.List(fields.Nested(SystemToken), required=True, validate=validate.Length(min=1))


class PersonYearQuery(BaseSchema):
    """Query of ``GET /scoring/people/{person}/history``: the year as query text."""
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100))
    kind = fields.String(load_default="officer", validate=validate.OneOf(("officer", "section")))


class CampaignsPage(BaseSchema):
    """Query of ``GET /survey/campaigns``: a page of the campaigns the token may see, in id order —
    ``limit`` (1 to 500, default 100) campaigns after the id ``after`` (the answer's ``next``)."""
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
    after = Id(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class FormsUpload(BaseSchema):
    """Query of ``POST /survey/campaigns/{campaign_id}/forms`` (a streamed CSV/NDJSON upload): the
    upload's id; its batches are ``<upload>:<n>``, so sending the same upload again counts nothing twice."""
    upload = Id(required=True, validate=validate.Length(min=1, max=100))
    strict = fields.Boolean(load_default=False)


class RowsUpload(BaseSchema):
    """Query of the streamed row imports: ``dry_run=true`` checks every row and writes nothing."""
    dry_run = fields.Boolean(load_default=False)


class RosterRowsUpload(RowsUpload):
    effective = IsoDate(load_default=None, allow_none=True)


# -- queries of the read routes (issue 21): query text typed as the services' contracts want it ------
from shared.contracts.rewards import LINE_KINDS, PERIOD_RE, TASK_STATUSES  # noqa: E402
from shared.contracts.roster import DISCIPLINE_KINDS  # noqa: E402

class DisciplineFactsQuery(BaseSchema):
    """Query of ``GET /roster/agencies/{agency}/discipline-facts``."""
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1900, max=9999))
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(DISCIPLINE_KINDS))


class AsOfQuery(BaseSchema):
    """``as_of`` (YYYY-MM-DD; default: the service's today) of a report."""
    as_of = IsoDate(load_default=None, allow_none=True)


class OverdueQuery(AsOfQuery):
    month = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", error="Not a month (YYYY-MM)."))


class UnreviewedQuery(AsOfQuery):
    mentor = Id(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class AllowanceYearQuery(BaseSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=1900, max=9999))
    as_of = IsoDate(required=True)


class RotationQuery(AllowanceYearQuery):
    pass


class QuestionnaireQuery(BaseSchema):
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1_000_000))


class LedgerPage(BaseSchema):
    """A page of the ledger: ``limit`` lines (at most 10,000) from ``offset``, oldest first."""
    period = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(PERIOD_RE))
    subject = Id(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LINE_KINDS))
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10_000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class TasksQuery(BaseSchema):
    period = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(PERIOD_RE))
    subject = Id(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(("warning_talk", "admonishment_talk", "rectification")))
    status = fields.String(load_default="all", validate=validate.OneOf(TASK_STATUSES))
    today = IsoDate(load_default=None, allow_none=True)


class YearQuery(BaseSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=1949, max=2999))


class DateRangeQuery(BaseSchema):
    start = IsoDate(required=True)
    end = IsoDate(required=True)


class ReferralsQuery(BaseSchema):
    month = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1949, max=2999))
    state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("open", "minuted", "withdrawn")))
    include_withdrawn = fields.Boolean(load_default=False)


class FollowupTasksQuery(BaseSchema):
    as_of = IsoDate(required=True)
    month = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("open", "done", "withdrawn")))


class PassRateQuery(BaseSchema):
    start = IsoDate(load_default=None, allow_none=True)
    end = IsoDate(required=True)


class SnapshotDateQuery(BaseSchema):
    """``GET /scoring/units/{scope}/snapshots/{period}``: the rating of that day (default: the latest)."""
    rating_date = IsoDate(load_default=None, allow_none=True)


class ReferralExportQuery(BaseSchema):
    """``GET /scoring/evaluators/{evaluator}/referrals.xlsx`` (the query's strings typed)."""
    month = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    year = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1949, max=2999))
    state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(("open", "minuted", "withdrawn")))
    include_withdrawn = fields.Boolean(load_default=False)


# -- typed answers of the gateway's routes (issue 21 item 3: a generated client reads them as models) --
class _Answer(Schema):
    """An answer's documented fields; a service may add more (additionalProperties)."""

    class Meta:
        unknown = INCLUDE


class StaffAnswer(_Answer):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    unit = fields.String(required=True)
    agency = fields.String(required=True)
    section = fields.String(allow_none=True, metadata={"description": "the section (null: the person sits in an agency or a committee)"})
    position = fields.String(required=True, validate=validate.OneOf(("head", "leader", "chief", "officer")))
    joined = IsoDate(required=True)
    titles = fields.List(fields.String(), required=True)
    supervises = fields.List(fields.String(), required=True)


class _PersonNamed(_Answer):
    """A training answer naming a person: ``person``, and its deprecated old name beside it for one
    release (``shared.contracts.training.person_keys``; docs/changes.md)."""
    person = fields.String(required=True)
    person_id = fields.String(required=True, metadata={
        "deprecated": True,
        "description": "the same as `person`: deprecated, answered until 0.2.0 (docs/changes.md)"})


class TrainingResultAnswer(_PersonNamed):
    course_id = fields.String(required=True)
    kind = fields.String(required=True)
    date = IsoDate(required=True)
    result = fields.String(required=True, validate=validate.OneOf(("pass", "fail")))


class RecordResultAnswer(_Answer):
    result = fields.Nested(TrainingResultAnswer, required=True)
    events = fields.List(fields.String(), required=True, metadata={
        "description": "the events the result set off, by name (retraining_failed, certified, recheck_passed, "
                       "certification_revoked)"})


class TrainingResultsAnswer(_PersonNamed):
    results = fields.List(fields.Nested(TrainingResultAnswer), required=True)


class CertificationAnswer(_PersonNamed):
    certified_on = IsoDate(required=True)
    next_recheck = IsoDate(required=True, allow_none=True, metadata={"description": "null once revoked"})
    rechecks = fields.List(IsoDate(), required=True)
    revoked_on = IsoDate(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    holds = fields.Boolean(required=True, metadata={"description": "whether the title holds on `as_of`"})


class CertificationsAnswer(_Answer):
    as_of = IsoDate(required=True)
    certifications = fields.List(fields.Nested(CertificationAnswer), required=True)


class AllowanceMonthAnswer(_Answer):
    month = fields.String(required=True)
    amount = fields.Integer(required=True)
    announced = fields.Boolean(required=True)


class AllowancesAnswer(_PersonNamed):
    year = fields.Integer(required=True)
    as_of = IsoDate(required=True)
    amount_each = fields.Integer(required=True)
    months = fields.List(fields.Nested(AllowanceMonthAnswer), required=True)
    total = fields.Integer(required=True)


class CanTakePostAnswer(_PersonNamed):
    date = IsoDate(required=True)
    allowed = fields.Boolean(required=True)
    passed_on = IsoDate(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)


class StudyLineAnswer(_PersonNamed):
    position = fields.String(required=True)
    days = fields.Integer(required=True)
    met = fields.Boolean(required=True)
    missing = fields.Integer(required=True)


class StudyUnitAnswer(_Answer):
    unit_id = fields.String(required=True)
    people = fields.List(fields.Nested(StudyLineAnswer), required=True)
    shortfalls = fields.List(fields.Nested(StudyLineAnswer), required=True, metadata={"description": "the people not met"})


class StudyReportAnswer(_Answer):
    month = fields.String(required=True)
    required_days = fields.Integer(required=True)
    required = fields.Integer(required=True)
    met_count = fields.Integer(required=True)
    shortfall_count = fields.Integer(required=True)
    units = fields.List(fields.Nested(StudyUnitAnswer), required=True)


class RotationLineAnswer(_PersonNamed):
    unit_id = fields.String(required=True)
    position = fields.String(required=True)
    status = fields.String(required=True)
    met = fields.Boolean(required=True)
    due_year = fields.Integer(required=True, allow_none=True)
    last_pass = IsoDate(required=True, allow_none=True)
    retraining_due_by = IsoDate(required=True, allow_none=True)
    effect = fields.String(required=True, allow_none=True)


class RotationReportAnswer(_Answer):
    year = fields.Integer(required=True)
    as_of = IsoDate(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "people per status"})
    people = fields.List(fields.Nested(RotationLineAnswer), required=True)


class FrontlineAnswer(_PersonNamed):
    start = IsoDate(required=True)
    left_on = IsoDate(required=True, allow_none=True)
    completes_on = IsoDate(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("serving", "completed", "cut_short")))


class FrontlineReportAnswer(_Answer):
    as_of = IsoDate(required=True)
    people = fields.List(fields.Nested(FrontlineAnswer), required=True)


def _keep_name(cls: type, name: str) -> type:
    """``cls`` under the name its answer had when the route table's text described it
    (``training.ResultsOfAnswer``): typed now, the same name in /openapi.json, so a generated
    client's model keeps its name."""
    service, _, cls.__name__ = name.partition(".")
    cls.__qualname__ = cls.__name__
    cls.__module__ = f"answers.{service}"
    return cls


for _cls, _name in ((TrainingResultsAnswer, "training.ResultsOfAnswer"),
                    (CertificationsAnswer, "training.CertificationsAnswer"),
                    (AllowancesAnswer, "training.AllowancesOfAnswer"),
                    (CanTakePostAnswer, "training.CanTakePostAnswer"),
                    (StudyReportAnswer, "training.StudyReportAnswer"),
                    (RotationReportAnswer, "training.RotationReportAnswer"),
                    (FrontlineReportAnswer, "training.FrontlineReportAnswer")):
    _keep_name(_cls, _name)


def _open(schema_cls: type) -> type:
    """A service's output schema as an answer: its fields, and whatever a newer service adds."""
    return type(schema_cls.__name__, (schema_cls,), {"Meta": type("Meta", (), {"unknown": INCLUDE}),
                                                     "__module__": schema_cls.__module__})


_OPENED: dict = {}


def answer_schema(schema_cls: type) -> type:
    """:func:`_open` made once per contract class (one name in /openapi.json, one class behind it);
    a contract that already takes what a newer service adds (scoring's ``_Out``) is its own."""
    if schema_cls.opts.unknown == INCLUDE:
        return schema_cls
    if schema_cls not in _OPENED:
        _OPENED[schema_cls] = _open(schema_cls)
    return _OPENED[schema_cls]


class UploadFault(_Answer):
    field = fields.String(required=True)
    reason = fields.String(required=True)
    message = fields.String(required=True)


class UploadError(_Answer):
    """A refused row of a streamed upload, by its place in the file: a row the gateway could not read
    or that repeats an earlier one (``line`` or ``row``, ``reason``), or the service's own error for it
    (an import's ``{row, column, message}``, a form's ``{serial, field, reason, message, faults}``)."""
    line = fields.Integer(allow_none=True, metadata={"description": "the line of the file"})
    row = fields.Integer(allow_none=True, metadata={"description": "the line of the file (an import's error)"})
    index = fields.Integer(allow_none=True, metadata={"description": "always null here (the line says where)"})
    field = fields.String(metadata={"description": "the column or JSON path at fault"})
    column = fields.String(allow_none=True)
    reason = fields.String()
    serial = fields.String(allow_none=True, metadata={"description": "a form's serial"})
    message = fields.String(required=True)
    faults = fields.List(fields.Nested(UploadFault), metadata={"description": "every fault of a form"})


def _contract_answers() -> dict:
    """RPC -> the schema of its answer, built from the services' own output contracts (the rest
    of the routes state their shape in the route table: :mod:`services.gateway.answers`)."""
    from shared.contracts import rating, rewards, roster, survey

    unit, staff, spell = _open(roster.UnitOut), _open(roster.StaffOut), _open(roster.SpellOut)

    class UnitsAnswer(_Answer):
        units = fields.List(fields.Nested(unit), required=True)

    class SpellsAnswer(_Answer):
        person = fields.String(required=True)
        spells = fields.List(fields.Nested(spell), required=True)

    class MemberAnswer(staff):
        status = fields.String(metadata={"description": "the person's status on the date"})

    class MembersAnswer(_Answer):
        unit = fields.String(required=True)
        date = IsoDate(required=True)
        members = fields.List(fields.Nested(MemberAnswer), required=True)

    class RecognitionAnswer(_Answer):
        period = fields.String(required=True)
        results = fields.List(fields.Nested(_open(survey.RecognitionResult)), required=True)

    pair_out = _open(roster.PairOut)

    class PairAnswer(_Answer):
        pair = fields.Nested(pair_out, required=True)
        replayed = fields.Boolean(metadata={"description": "the same command again: nothing changed"})

    class CutPair(pair_out):
        reason = fields.String(required=True, metadata={"description": "unassigned or reassigned"})

    class ReassignAnswer(PairAnswer):
        unassigned = fields.List(fields.Nested(CutPair), required=True)

    class UnassignAnswer(_Answer):
        unassigned = fields.List(fields.Nested(CutPair), required=True)

    unit_out, staff_out, spell_out = unit, staff, spell

    class UnitVersion(unit):
        since = IsoDate(required=True)
        until = IsoDate(required=True, allow_none=True)

    class UnitHistory(_Answer):
        unit = fields.String(required=True)
        versions = fields.List(fields.Nested(UnitVersion), required=True)
        dissolved = IsoDate(required=True, allow_none=True)

    class UnitChange(_Answer):
        unit = fields.Nested(unit_out, required=True)
        changed = fields.Boolean(required=True)
        versions = fields.List(fields.Nested(UnitVersion), required=True)

    class UnitDissolved(_Answer):
        unit = fields.String(required=True)
        dissolved = IsoDate(required=True)
        changed = fields.Boolean(required=True)
        versions = fields.List(fields.Nested(UnitVersion), required=True)

    class StaffChange(_Answer):
        staff = fields.Nested(staff_out, required=True)
        unassigned = fields.List(fields.Nested(CutPair), required=True)
        changed = fields.Boolean(required=True)

    class SpellAnswer(_Answer):
        spell = fields.Nested(spell_out, required=True)
        unassigned = fields.List(fields.Nested(CutPair), metadata={"description": "mentoring the spell ended"})

    class StaffSince(staff):
        since = IsoDate(metadata={"description": "the day of this version"})

    class ReturnAnswer(_Answer):
        staff = fields.Nested(StaffSince, required=True)
        exit = fields.Nested(spell_out, required=True, metadata={"description": "the spell that ended"})

    class CaseAnswer(_Answer):
        violation = fields.Nested(answer_schema(roster.ViolationOut), required=True)
        suspension = fields.Nested(spell_out, allow_none=True)
        cases = fields.List(fields.Nested(answer_schema(roster.CaseOut)), required=True)
        unassigned = fields.List(fields.Nested(CutPair), required=True)

    notice = _keep_name(type("NoticeAnswer", (answer_schema(rewards.NoticeOut),), {}), "rewards.NoticeAnswer")

    for cls in (UnitsAnswer, SpellsAnswer, MemberAnswer, MembersAnswer, RecognitionAnswer, PairAnswer, CutPair,
                ReassignAnswer, UnassignAnswer, UnitVersion, UnitHistory, UnitChange, UnitDissolved, StaffChange, SpellAnswer,
                StaffSince, ReturnAnswer, CaseAnswer):
        cls.__module__ = __name__
    return {"roster.get_units": UnitsAnswer, "roster.spells_of": SpellsAnswer,
            "roster.members_of": MembersAnswer, "scoring.recognition_results": RecognitionAnswer,
            "roster.assign_mentor": PairAnswer,
            "roster.reassign_mentor": ReassignAnswer, "roster.unassign_mentor": UnassignAnswer,
            "scoring.snapshot": rating.SnapshotSchema, "roster.unit_history": UnitHistory, "roster.move_unit": UnitChange, "roster.rename_unit": UnitChange, "roster.dissolve_unit": UnitDissolved,
            "roster.change_staff": StaffChange, "roster.record_spell": SpellAnswer, "roster.end_spell": SpellAnswer,
            "roster.return_to_team": ReturnAnswer, "roster.record_ban_violation": CaseAnswer,
            "rewards.notice": notice}


def _scoring_answers() -> dict:
    """Scoring's answers that are one entity, from its output contracts (``shared.contracts.scoring``)."""
    from shared.contracts import scoring

    return {**dict.fromkeys(("scoring.evaluation", "scoring.submit_self_assessment", "scoring.review",
                             "scoring.approve", "scoring.send_back", "scoring.raise_objection"),
                            scoring.EvaluationOut),
            **dict.fromkeys(("scoring.submit_rectification", "scoring.file_rectification"),
                            scoring.RectificationOut),
            **dict.fromkeys(("scoring.name_helpers", "scoring.record_study_class"), scoring.FollowupOut),
            "scoring.record_referral_minutes": scoring.ReferralOut, "scoring.complete_task": scoring.TaskOut,
            "scoring.explanation": scoring.ExplanationOut, "scoring.rate_snapshot": scoring.RatingResultOut}


CONTRACT_ANSWERS = {**_contract_answers(), **_scoring_answers()}


# -- the types of the answers' properties (issue 21 item 3) ---------------------------------------------
# The route table states each answer's shape (``{a, b: [{c}]}``, :mod:`services.gateway.answers`);
# the type of a property named there is the one below: ``str``, ``date`` (YYYY-MM-DD), ``int``, ``num``,
# ``bool``, ``dec`` (a decimal as a string), ``obj``, ``arr<T>``; ``?``: the service may answer null.
# A name whose type differs between answers has its RPC's own entry in ANSWER_TYPES_OF.
ANSWER_TYPES = {
    **dict.fromkeys(("agency", "agency_id", "campaign_id", "class", "committee", "database", "database_kind",
                     "digest", "dimension", "error", "evaluator", "field", "id", "key", "kind", "label", "level",
                     "mark", "mentee", "message", "month", "objection_id", "owner", "period", "person_id",
                     "position", "quarter", "rule", "scope", "serial", "service", "source", "state", "status",
                     "subject", "text", "title", "unit", "unit_id", "rating_id", "batch_id", "contact",
                     "template_version", "event_id", "effective_from", "paying_unit", "version",
                     "study classes", "referral_id", "task_id"), "str"),
    **dict.fromkeys(("agency_type", "answer", "answered_by", "comment", "group", "mentor", "name", "person",
                     "reason", "reviewed_by", "section", "supervising_unit", "parent", "rank"), "str?"),
    **dict.fromkeys(("as_of", "date", "deadline", "effective", "joined", "notice_end_if_posted_on_start",
                     "notice_start", "rating_date", "received_on", "start", "today", "completes_on", "opened",
                     "dissolved"), "date"),
    **dict.fromkeys(("answered_on", "end", "filed_on", "left_on", "notice_end", "passed_on", "reviewed_on",
                     "revoked", "done_on"), "date?"),
    **dict.fromkeys(("closed_at",), "dt?"),
    **dict.fromkeys(("allowances", "amount_each", "answered", "assigned", "basic", "count", "covered",
                     "dissatisfied", "expected", "filed", "filed_on_time", "forms", "index", "last_seq", "ledger",
                     "met_count", "number", "passed", "ratings", "required", "required_days", "reversals",
                     "satisfied", "shortfall_count", "taken", "year", "days", "reviewed", "created", "changed",
                     "unchanged", "forms_received", "outbox_backlog", "outbox_published", "posted", "not_ready",
                     "recorded", "replayed", "received", "accepted", "rejected", "duplicates", "blank",
                     "done", "rows", "bad_rows", "objections", "total", "due", "batches", "errors_listed"), "int"),
    **dict.fromkeys(("stars",), "int?"),
    **dict.fromkeys(("next",), "str?"),
    **dict.fromkeys(("outbox_oldest_age_seconds", "self_score", "max", "seconds"), "num"),
    **dict.fromkeys(("points", "score"), "num?"),
    **dict.fromkeys(("share", "target"), "dec"),
    **dict.fromkeys(("rate",), "dec?"),
    **dict.fromkeys(("allowed", "below_60", "deadline_passed", "final", "met", "ok", "reopened",
                     "strict", "dry_run", "committed", "already_closed", "late"), "bool"),
    **dict.fromkeys(("meets_target", "upheld"), "bool?"),   # upheld: null until the objection is answered
    **dict.fromkeys(("counts", "filing", "questionnaire", "rules", "target_1", "totals", "result", "items",
                     "by_agency", "by_mentor", "sources", "subjects", "groups", "city", "adaptation", "exit", "violation",
                     "fact"), "obj"),
    **dict.fromkeys(("pack", "rating", "secondment", "daily_logs", "six_month_mark", "published", "suspension"),
                   "obj?"),
    **dict.fromkeys(("deductions", "different", "errors", "extra", "helpers", "plugins", "problems",
                     "reasons", "skipped", "trail", "missing", "overdue", "lines", "ids", "notes",
                     "unassigned", "waiting", "not_filed", "not_posted", "left_for_another_member", "warnings",
                     "calendar_missing_years", "supervisors"), "arr<obj>"),
    **dict.fromkeys(("supervises", "titles", "headers"), "arr<str>"),
}
ANSWER_TYPES_OF = {
    "scoring.template": {"version": "str", "total": "num", "sources": "arr<str>", "items": "arr<obj>"},
    "scoring.register_criteria_pack": {"total": "num", "sources": "arr<str>"},
    "survey.get_questionnaire": {"version": "int", "items": "arr<obj>"},
    "survey.define_questionnaire": {"version": "int", "items": "arr<obj>"},
    "survey.get_campaign": {"groups": "arr<str>", "version": "int"},
    "survey.get_rates": {"version": "int"},
    "survey.list_campaigns": {"groups": "arr<str>"},
    "survey.progress": {"items": "int"},
    "rewards.verify_chain": {"lines": "int"},
    "rewards.reconcile": {"lines": "int", "missing": "arr<obj>"},
    "rewards.tasks": {"overdue": "int"},
    "scoring.followup_tasks": {"overdue": "int", "tasks": "arr<scoring.TaskOut>"},
    "scoring.committee_board": {"agencies": "arr<scoring.BoardAgencyOut>"},
    "scoring.overdue_evaluations": {"overdue": "arr<obj>"},
    "scoring.calendar_status": {"missing": "arr<int>"},
    "scoring.working_days": {"sources": "obj"},
    "scoring.file_month": {"late": "int", "waiting": "arr<str>"},
    "scoring.run_rating": {"published": "bool", "unchanged": "bool", "skipped": "arr<scoring.SkippedOut>",
                           "result": "scoring.RatingResultOut"},
    "scoring.preview_rating": {"unchanged": "bool", "skipped": "arr<scoring.SkippedOut>",
                               "published": "scoring.PublishedOut?", "result": "scoring.RatingResultOut"},
    # scoring's entities inside an answer, from its output contracts (shared.contracts.scoring)
    "scoring.person_history": {"months": "arr<scoring.EvaluationOut>"},
    "scoring.waiting_for": {"review": "arr<scoring.WaitingEvaluationOut>", "approve": "arr<scoring.EvaluationOut>",
                            "logs": "arr<scoring.LogOut>"},
    "scoring.referrals": {"referrals": "arr<scoring.ReferralOut>"},
    "scoring.poor_followups": {"poor": "arr<scoring.FollowupOut>"},
    "scoring.rectifications": {"rectifications": "arr<scoring.RectificationOut>"},
    "scoring.unreviewed_logs": {"logs": "arr<scoring.UnreviewedLogOut>"},
    "scoring.unit_results": {"officers": "arr<scoring.RatedSubjectOut>", "sections": "arr<scoring.RatedSubjectOut>",
                             "agencies": "arr<scoring.RatedAgencyOut>"},
    "scoring.rate_adapted": {"result": "scoring.RatingResultOut", "adaptation": "scoring.AdaptationOut"},
    "scoring.pack_history": {"versions": "arr<scoring.PackVersionOut>"},
    "scoring.register_pack": {"notes": "arr<scoring.NoteOut>"},
    "scoring.validate_pack": {"notes": "arr<scoring.NoteOut>"},
    "scoring.effective_pack": {"pack": "scoring.PackRefOut?", "rules": "scoring.PackRulesOut",
                               "plugins": "arr<scoring.PluginUsedOut>"},
    "scoring.preview_pack": {"changes": "arr<scoring.PackChangeOut>", "settlement": "scoring.SettlementChangesOut",
                             "notes": "arr<scoring.NoteOut>", "incidents": "arr<scoring.IncidentOut>"},
}
# the output contracts of the services (issue 21 item 3): an entity of an answer typed property by
# property where its service writes it down (shared/contracts/<service>.py), never a bare object;
# named as everywhere in ANSWER_TYPES_OF: ``<module>.<Schema>`` of shared.contracts, ``arr<…>``, ``…?``

#: an element word of the route table's shapes (``errors: [error]``) -> the contract it is; an RPC's own
#: words are its ``"[word]"`` entries in ANSWER_TYPES_OF (``[task]`` is rewards' or scoring's)
ANSWER_ITEMS = {
    "error": "gateway.UploadError",             # the streamed uploads' refused rows (services.gateway.uploads)
}
_RATES_TYPES = {"totals": "survey.RatesTotalsOut"}
for _target, _types in {
    "rewards.ledger": {"[ledger line]": "rewards.LedgerLineOut"},
    "rewards.tasks": {"[task]": "rewards.TaskOut"},
    "rewards.schedules": {"[schedule]": "rewards.ScheduleOut"},
    "training.list_courses": {"[course]": "training.CourseOut"},
    "training.register_courses": {"[course]": "training.CourseOut"},
    "training.central_group_report": {"[session]": "training.SessionOut"},
    "roster.discipline_facts": {"[fact]": "roster.DisciplineFactOut"},
    "rewards.reconcile": {"missing": "arr<rewards.LineOut>", "extra": "arr<rewards.LedgerLineOut>",
                          "different": "arr<rewards.DifferenceOut>", "problems": "arr<rewards.ReconcileProblemOut>"},
    "rewards.verify_chain": {"problems": "arr<rewards.ChainProblemOut>"},
    "survey.list_campaigns": {"questionnaire": "survey.QuestionnaireVersionOut"},
    "survey.define_questionnaire": {"items": "arr<survey.QuestionnaireItemOut>"},
    "survey.get_rates": _RATES_TYPES, "survey.close_campaign": _RATES_TYPES, "survey.publish_rates": _RATES_TYPES,
    "survey.progress": {"groups": "map<int>"},
    "roster.evaluator_of": {"secondment": "str?", "six_month_mark": "date?", "daily_logs": "str?"},
    "roster.mentoring_coverage": {"share": "dec?"},     # null: no one of the position to cover (total 0)
    "roster.cases_of": {"[case]": "roster.PersonCaseOut"},
    "roster.record_discipline_fact": {"fact": "roster.DisciplineFactOut"},
    "roster.investigate": {"fact": "roster.DisciplineFactOut"},
}.items():
    ANSWER_TYPES_OF[_target] = {**ANSWER_TYPES_OF.get(_target, {}), **_types}
