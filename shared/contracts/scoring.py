"""Contracts of the scoring service: RPC payloads (event ``rating_published``: scoring_events.py).

RPC (service ``scoring``); one dict payload each, validated by the schema named beside it.  Dates
are ISO strings; ``as_of`` defaults to today.  The actor's id travels in the payload (``actor``).
Scores are numbers (float, 2 decimals).  Batch RPCs apply every good item and report each bad one
as ``{"index", "field", "error", "message"}`` in ``errors`` (nothing of a bad item is written); the
single-item RPCs raise the item's error.

Read model (also fed by roster's events and survey's ``satisfaction_rates_published``)
* ``upsert_people(UpsertPeople)`` -> ``{"created", "changed", "unchanged"}``: a bulk load of the
  read model (a roster export, a test's city), each person's post and mentor from the join date;
  in a deployment the roster's events keep it with its dates (``staff_joined``, ``staff_changed``
  with ``since``, ``mentor_assigned``/``mentor_unassigned``).  No caller types an evaluator in: an
  ``evaluator`` field is refused, and evaluators come only from the roster's
  ``evaluators_resolved`` events (until the first one, a loaded person is evaluated by his agency's
  leading group; a later load never replaces what the roster resolved)
* ``save_units(SaveUnits)`` -> ``{"created", "changed", "unchanged"}``: a bulk load of the units,
  dated as the roster dates its tree (its ``save_units``): a unit new to the read model exists from
  ``effective`` (from 1900-01-01 without one), a changed unit takes its new content from
  ``effective`` (required: ValidationFailed ``effective``), the version it replaces kept until the
  day before; a change dated before a unit's latest version is a Conflict ``effective``, another
  kind a Conflict ``units[i].kind``.  In a deployment the roster's ``units_saved`` keeps the same
  versions.
* ``record_spells(RecordSpells)`` -> ``{"created", "changed", "unchanged"}``

Monthly evaluation (M§五(二)4: submitted → reviewed → approved → on_notice → filed)
* ``template(TemplateQuery)`` -> TEMPLATE;  ``register_criteria_pack(CriteriaPack)`` -> TEMPLATE
* ``submit_self_assessments(SubmitBatch)`` / ``submit_self_assessment(SubmitItem + as_of)``
* ``review_batch(ReviewBatch)`` / ``review(ReviewItem + as_of)``
* ``approve_batch(StepBatch)`` / ``approve(StepItem + as_of)``
* ``send_back_batch(SendBackBatch)`` / ``send_back(SendBackItem + as_of)``: an evaluation waiting for
  approval (``reviewed``) back to review (``submitted``) with its ``reason`` (required), by whoever
  may approve it (the same checks); the same send-back again is ``unchanged``
* ``publish_notice(BodyMonth)`` -> ``{"posted": n, "notice_start", "notice_end"}``
* ``publish_notices(BodyMonths)``, ``file_months(BodyMonths)``, ``rank_months(BodyMonths)``: many
  bodies' months in one call (one transaction, the call's ``as_of``), each item checked and done as
  its single call does it -> ``{"done", "unchanged", "errors", "results"}``: ``results[i]`` the single
  call's answer for item ``i`` (None when refused, the error in ``errors``); an item that posted or
  filed nothing, or whose ranking was the one already stored, is ``unchanged``
* ``object(Objection)`` -> EVALUATION (back to ``submitted``, objection in the trail)
* ``file_month(BodyMonth)`` -> ``{"filed", "late", "waiting": [id]}``
* ``evaluation(EvaluationRef)`` -> EVALUATION with its ``trail``
  EVALUATION = ``{"id", "kind", "subject", "month", "state", "score", "self_score", "items",
  "deductions", "agency", "evaluator", "template_version", "notice_end", "filed_on", "late",
  "objections"}`` (:class:`EvaluationOut`: the output contracts of what scoring answers are at the
  end of this module, the gateway's /openapi.json types its answers with them)
* ``overdue_evaluations(OverdueQuery)`` -> ``{"month", "deadline", "as_of", "overdue": [...],
  "by_agency": {agency: {"due", "filed_on_time", "overdue", "rate"}}}``
Daily logs: ``write_daily_logs(LogBatch)``, ``review_daily_logs(LogReviewBatch)``,
``unreviewed_logs(UnreviewedQuery)``.
What waits for a person: ``waiting_for(WaitingFor)`` -> ``{"person", "as_of", "review": [EVALUATION +
"sent_back": {"by", "on", "reason"} or None], "approve": [EVALUATION], "logs": [{"person", "date",
"text"}]}`` (the step's own checks decide).
Ranking: ``rank_month(BodyMonth)`` / ``ranking_of_month(BodyMonthQuery)`` -> ``{"evaluator",
"month", "groups": {group: [{"subject", "score", "rank", "class"}]}, "owed": [subject]}``;
``submit_rectification(RectificationIn)``, ``file_rectification(RectificationFile)``,
``rectifications(RectificationQuery)``.
Rating facts: ``record_honours``, ``record_facts``, ``record_absences``,
``record_agency_evaluation(AgencyEvaluationIn)``.
Ratings: ``run_rating(RunRating)`` -> ``{"rating_id", "published", "unchanged", "skipped",
"result"}`` (``digest``: only the rating previewed, else 409); ``preview_rating(PreviewRating)`` ->
``{"period", "scope", "rating_date", "digest", "skipped", "unchanged", "published", "result"}`` (nothing
stored); ``snapshot(SnapshotQuery)``; ``rate_snapshot(snapshot)`` (RATING.md);
``person_history(PersonHistory)``, ``unit_results(UnitResults)``, ``explanation(ExplanationQuery)``.
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import INCLUDE, Schema, ValidationError, fields, validate, validates_schema

from shared.contracts import packs as _packs
from shared.contracts import rating as _rating
from shared.contracts import scoring_events as _events
from shared.contracts import targets as _targets
from shared.schemas import BaseSchema, Id, IsoDate, StrictInteger, parse_iso_date, plain_id

SERVICE = "scoring"
MAX_BATCH = 200_000
SUBJECT_KINDS = ("officer", "section")
POSITIONS = ("head", "leader", "chief", "officer")
UNIT_KINDS = ("committee", "agency", "section")
SPELL_KINDS = ("leave", "secondment", "suspension", "transferred_out", "dismissed")
LEAVE_KINDS = ("sick", "personal", "annual", "maternity", "other")
LEVELS = ("city", "provincial", "central")
RANKING_GROUPS = ("units", "leaders", "reserve", "chiefs", "officers")
AGENCY_GROUPS = ("county", "city_unit")
FACT_KINDS = ("mass_incident", "illegal_organisation", "protective_umbrella", "secret_leak",
              "disciplinary_sanction", "other_mechanism", "officer_criminal", "last_in_ranking",
              "failed_inspection")

_id = dict(required=True, validate=validate.Length(min=1, max=100))
_opt_id = dict(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
_month = dict(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$",
                                                      error="Not a month (YYYY-MM)."))
_text = dict(load_default=None, allow_none=True, validate=validate.Length(max=4000))


def _batch(nested):
    return fields.List(fields.Nested(nested), required=True,
                       validate=validate.Length(min=1, max=MAX_BATCH))


class Score(fields.Decimal):
    """A finite number, kept as a Decimal (no binary floating point on the way in)."""

    def __init__(self, **kwargs):
        super().__init__(allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# -- read model ---------------------------------------------------------------------------------
class PersonIn(BaseSchema):
    id = Id(**_id)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    agency = Id(**_id)
    section = Id(**_opt_id)
    position = fields.String(required=True, validate=validate.OneOf(POSITIONS))
    joined = IsoDate(required=True)
    mentor = Id(**_opt_id)
    # no ``evaluator``: who evaluates a person reaches scoring only from the roster's
    # ``evaluators_resolved`` events (issue 27); the field is refused by name (unknown field)
    supervises = fields.List(Id(validate=validate.Length(min=1, max=100)),
                             load_default=list)   # a leader's sections (分管: their reviewer)
    reserve = fields.Boolean(load_default=False)
    left_on = IsoDate(load_default=None, allow_none=True)


class UpsertPeople(BaseSchema):
    people = _batch(PersonIn)


class UnitIn(BaseSchema):
    id = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    parent = Id(**_opt_id)
    agency = Id(**_opt_id)         # the committee or agency owning it (itself if one)
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    evaluator = Id(**_opt_id)      # sections: their agency's leading group by default


class SaveUnits(BaseSchema):
    units = _batch(UnitIn)
    effective = IsoDate(load_default=None, allow_none=True)


class SpellIn(BaseSchema):
    id = Id(**_id)
    person = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(SPELL_KINDS))
    leave_kind = fields.String(load_default=None, allow_none=True,
                               validate=validate.OneOf(LEAVE_KINDS))
    start = IsoDate(required=True)
    end = IsoDate(load_default=None, allow_none=True)


class RecordSpells(BaseSchema):
    spells = _batch(SpellIn)


# -- criteria --------------------------------------------------------------------------------------
class TemplateQuery(BaseSchema):
    kind = fields.String(load_default="officer", validate=validate.OneOf(SUBJECT_KINDS))
    agency = Id(**_opt_id)
    month = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))


class PackItem(BaseSchema):
    dimension = Id(**_id)
    id = Id(**_id)
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    max = Score(required=True, validate=validate.Range(min=0, min_inclusive=False, max=100))


class CriteriaPack(BaseSchema):
    agency = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    version = StrictInteger(required=True, validate=validate.Range(min=1))
    effective_from = fields.String(**_month)
    items = fields.List(fields.Nested(PackItem), load_default=list)
    maxima = fields.Dict(keys=fields.String(), values=Score(validate=validate.Range(min=0, max=100)),
                         load_default=dict)


# -- the workflow ----------------------------------------------------------------------------------
class DeductionIn(BaseSchema):
    id = Id(**_id)
    items = fields.List(fields.String(validate=validate.Length(min=1, max=100)), required=True,
                        validate=validate.Length(min=1))
    points = Score(required=True, validate=validate.Range(min=0, min_inclusive=False, max=100))
    note = fields.String(**_text)


class Ref(BaseSchema):
    actor = Id(**_id)
    subject = Id(**_id)
    kind = fields.String(load_default="officer", validate=validate.OneOf(SUBJECT_KINDS))
    month = fields.String(**_month)


class SubmitItem(Ref):
    item_scores = fields.Dict(keys=fields.String(), values=Score(), load_default=dict)
    deductions = fields.List(fields.Nested(DeductionIn), load_default=list)
    note = fields.String(**_text)


class ReviewItem(SubmitItem):
    item_scores = fields.Dict(keys=fields.String(), values=Score(), load_default=None,
                              allow_none=True)   # absent: the self-assessed scores stand


class StepItem(Ref):
    note = fields.String(**_text)


class SendBackItem(Ref):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class _AsOf(BaseSchema):
    as_of = IsoDate(load_default=None, allow_none=True)


class SubmitBatch(_AsOf):
    items = _batch(SubmitItem)


class ReviewBatch(_AsOf):
    items = _batch(ReviewItem)


class StepBatch(_AsOf):
    items = _batch(StepItem)


class SendBackBatch(_AsOf):
    items = _batch(SendBackItem)


class SendBackOne(SendBackItem):
    as_of = IsoDate(load_default=None, allow_none=True)


class SubmitOne(SubmitItem):
    as_of = IsoDate(load_default=None, allow_none=True)


class ReviewOne(ReviewItem):
    as_of = IsoDate(load_default=None, allow_none=True)


class StepOne(StepItem):
    as_of = IsoDate(load_default=None, allow_none=True)


class Objection(StepOne):
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class BodyMonthItem(BaseSchema):
    """One body's month in a batch of them (``publish_notices``, ``file_months``, ``rank_months``):
    :class:`BodyMonth` but the call's ``as_of``."""
    actor = Id(**_id)
    evaluator = Id(**_id)
    month = fields.String(**_month)
    groups = fields.List(fields.String(validate=validate.OneOf(RANKING_GROUPS)),
                         load_default=("units", "leaders", "reserve"))


class BodyMonth(BodyMonthItem, _AsOf):
    """One body's month (``publish_notice``, ``file_month``, ``rank_month``): a
    :class:`BodyMonthItem` with its ``as_of`` (read first, as before)."""


class BodyMonths(_AsOf):
    items = _batch(BodyMonthItem)


class BodyMonthQuery(BaseSchema):
    evaluator = Id(**_id)
    month = fields.String(**_month)


class EvaluationRef(BaseSchema):
    subject = Id(**_id)
    kind = fields.String(load_default="officer", validate=validate.OneOf(SUBJECT_KINDS))
    month = fields.String(**_month)


class OverdueQuery(_AsOf):
    # years 1900-2999: the deadline is a date of the next month (year 0000 has none)
    month = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", error="Not a month (YYYY-MM)."))
    agency = Id(**_opt_id)


class CommitteeBoard(_AsOf):
    """The board of a committee's office (``committee_board``): its agencies' month and latest ratings."""
    committee = Id(**_id)
    month = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", error="Not a month (YYYY-MM)."))


# -- daily logs ----------------------------------------------------------------------------------
class LogIn(BaseSchema):
    person = Id(**_id)
    date = IsoDate(required=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class LogBatch(_AsOf):
    logs = _batch(LogIn)


class LogReviewIn(BaseSchema):
    actor = Id(**_id)
    person = Id(**_id)
    date = IsoDate(required=True)
    comment = fields.String(**_text)


class LogReviewBatch(_AsOf):
    reviews = _batch(LogReviewIn)


class WaitingFor(_AsOf):
    """``waiting_for``: what waits for a person on the date (to review, to approve, logs)."""
    person = Id(**_id)


class LogsOf(BaseSchema):
    """``daily_logs_of``: a person's own daily logs of a month, with their review."""
    person = Id(**_id)
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$",
                                                                  error="Not a month (YYYY-MM)."))


class UnreviewedQuery(_AsOf):
    mentor = Id(**_opt_id)
    agency = Id(**_opt_id)


# -- ranking -------------------------------------------------------------------------------------
class RectificationIn(BaseSchema):
    actor = Id(**_id)
    evaluator = Id(**_id)
    month = fields.String(**_month)
    subject = Id(**_id)
    explanation = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    plan = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    as_of = IsoDate(load_default=None, allow_none=True)


class RectificationFile(BaseSchema):
    actor = Id(**_id)
    evaluator = Id(**_id)
    month = fields.String(**_month)
    subject = Id(**_id)
    as_of = IsoDate(load_default=None, allow_none=True)


class RectificationQuery(BaseSchema):
    evaluator = Id(**_opt_id)
    month = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    state = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(("owed", "submitted", "filed")))


# -- rating facts ----------------------------------------------------------------------------------
class HonourIn(BaseSchema):
    id = Id(**_id)
    subject = Id(**_id)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    date = IsoDate(required=True)


class RecordHonours(BaseSchema):
    honours = _batch(HonourIn)


class FactIn(BaseSchema):
    id = Id(**_id)
    subject = Id(**_id)
    subject_kind = fields.String(load_default="officer", validate=validate.OneOf(SUBJECT_KINDS))
    kind = fields.String(required=True, validate=validate.OneOf(FACT_KINDS))
    date = IsoDate(required=True)
    note = fields.String(**_text)

    @validates_schema
    def _vocabulary(self, data, **kwargs):
        officer = FACT_KINDS[:6]
        section = ("officer_criminal", "mass_incident", "last_in_ranking", "failed_inspection",
                   "other_mechanism")
        allowed = officer if data.get("subject_kind", "officer") == "officer" else section
        if data.get("kind") not in allowed:
            raise ValidationError(f"not a fact of a {data.get('subject_kind')}", "kind")


class RecordFacts(BaseSchema):
    facts = _batch(FactIn)


class AbsenceIn(BaseSchema):
    person = Id(**_id)
    date = IsoDate(required=True)


class RecordAbsences(BaseSchema):
    absences = _batch(AbsenceIn)


class AwardIn(BaseSchema):
    kind = fields.String(required=True, validate=validate.OneOf(
        ("unit_commended", "individual_commended", "experience_promoted", "article_adopted",
         "inspection_hosted")))
    level = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LEVELS))


class AgencyEvaluationIn(BaseSchema):
    actor = Id(**_opt_id)
    agency = Id(**_id)
    year = StrictInteger(required=True, validate=validate.Range(min=2000, max=2100))
    group = fields.String(required=True, validate=validate.OneOf(AGENCY_GROUPS))
    standards = fields.Dict(keys=fields.String(), values=Score(), required=True)
    awards = fields.List(fields.Nested(AwardIn), load_default=list)
    criticisms = StrictInteger(load_default=0, validate=validate.Range(min=0))
    previous_class = StrictInteger(load_default=None, allow_none=True,
                                   validate=validate.Range(min=1, max=3))


# -- ratings -------------------------------------------------------------------------------------
_period = dict(required=True, validate=validate.Regexp(r"^(19|2\d)\d{2}(H1)?$",   # (no year 0: a date of it fails)
                                                       error="Not a period (YYYY or YYYYH1)."))


class RunRating(BaseSchema):
    period = fields.String(**_period)
    scope = Id(**_id)
    rating_date = IsoDate(load_default=None, allow_none=True)
    rules = fields.Dict(load_default=None, allow_none=True)
    #: the digest of the preview looked at (``preview_rating``): publish only that rating (else 409)
    digest = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


class PreviewRating(BaseSchema):
    period = fields.String(**_period)
    scope = Id(**_id)
    rating_date = IsoDate(load_default=None, allow_none=True)
    rules = fields.Dict(load_default=None, allow_none=True)


class SnapshotQuery(BaseSchema):
    rating_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    period = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^\d{4}(H1)?$"))
    scope = Id(**_opt_id)
    rating_date = IsoDate(load_default=None, allow_none=True)

    @validates_schema
    def _one_way(self, data, **kwargs):
        if not data.get("rating_id") and not (data.get("period") and data.get("scope")):
            raise ValidationError("give rating_id, or period and scope", "rating_id")


class PersonHistory(BaseSchema):
    person = Id(**_id)
    kind = fields.String(load_default="officer", validate=validate.OneOf(SUBJECT_KINDS))
    year = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100))


class UnitResults(BaseSchema):
    unit = Id(**_id)
    period = fields.String(**_period)


class ExplanationQuery(BaseSchema):
    subject = Id(**_id)
    period = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^\d{4}(H1)?$"))
    rating_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


# -- the public notice (公示) and the public's objections (issue 23) ----------------------------------
# * ``public_notice(PublicNoticeQuery)`` -> ``{"evaluator", "evaluator_name", "month", "as_of",
#   "status": open|closed|not_started|none, "start", "end", "entries": [{"kind", "subject", "name",
#   "unit", "score", "notice_end"}]}`` (entries only while open; nothing personal beyond the notice)
# * ``public_object(PublicObjectionIn)`` -> ``{"objection_id", "received": true, "replayed": bool}``;
#   the same objection_id with the same content answers the same, with other content Conflict
# * ``objections(ObjectionsQuery)`` -> ``{"evaluator", "objections": [OBJECTION]}`` (the leading
#   group's queue, contact included); ``answer_objection(AnswerObjectionIn)`` -> OBJECTION
#   OBJECTION = ``{"objection_id", "evaluator", "month", "kind", "subject", "name", "text",
#   "contact", "received_on", "state": open|answered, "answer", "upheld", "answered_by",
#   "answered_on", "reopened"}``
OBJECTION_STATES = ("open", "answered")


class PublicNoticeQuery(_AsOf):
    evaluator = Id(**_id)
    month = fields.String(**_month)


#: a notice's month (YYYY-MM) or a rating's period (YYYYH1 half-year, YYYY annual)
_notice_of = dict(validate=validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2])|H1)?$",
                                           error="Not a month (YYYY-MM) nor a period (YYYY or YYYYH1)."))


class PublicPeriodNoticeQuery(_AsOf):
    unit = Id(**_id)                 # the agency whose officers and sections were rated
    period = fields.String(**_period)


class PublicObjectionIn(_AsOf):
    objection_id = Id(required=True, validate=validate.Length(min=8, max=100))
    evaluator = Id(**_id)            # a period's notice: the unit whose notice it is
    month = fields.String(required=True, **_notice_of)   # or the period of a rating's notice
    kind = fields.String(load_default="officer", validate=validate.OneOf(SUBJECT_KINDS))
    subject = Id(**_id)
    # checked again by the domain (plain text: no markup, no control characters)
    text = fields.String(required=True, validate=validate.Length(
        min=1, max=1000, error="必填, 最多 1000 字 (1 to 1000 characters)"))
    contact = fields.String(required=True, validate=validate.Length(
        min=1, max=100, error="必填, 最多 100 字 (1 to 100 characters)"))


class ObjectionsQuery(BaseSchema):
    evaluator = Id(**_id)
    month = fields.String(load_default=None, allow_none=True, **_notice_of)
    state = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(OBJECTION_STATES))


class AnswerObjectionIn(_AsOf):
    objection_id = Id(required=True, validate=validate.Length(min=8, max=100))
    evaluator = Id(**_id)           # the body whose queue it is in (another body's: NotFound)
    actor = Id(**_id)
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    upheld = fields.Boolean(required=True)


# -- what scoring answers (issue 21 item 3): the output contracts of the entities its RPCs answer ------
# The gateway's /openapi.json types its answers with them (shared.contracts.gateway: CONTRACT_ANSWERS
# for an answer that is one entity, ANSWER_TYPES_OF for an entity inside an answer the route table
# describes). They describe, they never load: a newer service may add properties (``unknown``:
# INCLUDE). Dates are ISO dates, a null is said (``allow_none``), ``required``: always answered.
_MONTH_OUT = {"metadata": {"description": "YYYY-MM"}}


class _Out(Schema):
    class Meta:
        unknown = INCLUDE


class DeductionOut(_Out):
    """A deduction of an evaluation (as the self-assessment or the review gave it)."""
    id = fields.String(required=True)
    items = fields.List(fields.String(), required=True, metadata={"description": "the criteria items it lowers"})
    points = fields.String(required=True, metadata={"description": "a decimal number as text", "format": "decimal"})
    note = fields.String(allow_none=True)


class TrailEntryOut(_Out):
    """One step of an evaluation's trail, oldest first."""
    action = fields.String(required=True)
    actor = fields.String(required=True)
    on = IsoDate(required=True)
    from_ = fields.String(data_key="from", required=True, allow_none=True,
                          metadata={"description": "the state before (null: the self-assessment that made it)"})
    to = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    signed_by = fields.String(required=True, allow_none=True,
                              metadata={"description": "who the entry point verified (null before it was recorded)"})


class EvaluationOut(_Out):
    """A monthly evaluation (EVALUATION): ``trail`` only where one evaluation is answered."""
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    subject = fields.String(required=True)
    month = fields.String(required=True, **_MONTH_OUT)
    state = fields.String(required=True)
    score = fields.Float(required=True, allow_none=True)
    self_score = fields.Float(required=True, allow_none=True)
    items = fields.Dict(keys=fields.String(), values=fields.Float(), required=True,
                        metadata={"description": "the final score of each criteria item, by item id"})
    deductions = fields.List(fields.Nested(DeductionOut), required=True)
    agency = fields.String(required=True, allow_none=True)
    evaluator = fields.String(required=True, allow_none=True)
    template_version = fields.String(required=True)
    notice_end = IsoDate(required=True, allow_none=True)
    filed_on = IsoDate(required=True, allow_none=True)
    late = fields.Boolean(required=True)
    objections = fields.Integer(required=True)
    trail = fields.List(fields.Nested(TrailEntryOut), metadata={"description": "one evaluation's: its steps"})


class SentBackOut(_Out):
    by = fields.String(required=True)
    on = IsoDate(required=True)
    reason = fields.String(required=True, allow_none=True)


class WaitingEvaluationOut(EvaluationOut):
    """An evaluation waiting for the person's review."""
    sent_back = fields.Nested(SentBackOut, required=True, allow_none=True,
                              metadata={"description": "its last step sent it back from the approval (null: not)"})


class LogOut(_Out):
    """A mentee's daily log waiting for its mentor's review."""
    person = fields.String(required=True)
    date = IsoDate(required=True)
    text = fields.String(required=True)


class UnreviewedLogOut(_Out):
    person = fields.String(required=True)
    date = IsoDate(required=True)
    mentor = fields.String(required=True, allow_none=True)
    agency = fields.String(required=True, allow_none=True)
    due = IsoDate(required=True, metadata={"description": "the day the mentor's review was due"})


class RectificationOut(_Out):
    """What a poor month owes (整改): the subject's explanation and plan, filed by the body."""
    evaluator = fields.String(required=True)
    month = fields.String(required=True, **_MONTH_OUT)
    subject = fields.String(required=True)
    group = fields.String(required=True)
    state = fields.String(required=True)
    explanation = fields.String(required=True, allow_none=True)
    plan = fields.String(required=True, allow_none=True)
    submitted_on = IsoDate(required=True, allow_none=True)
    filed_on = IsoDate(required=True, allow_none=True)


class ReferralOut(_Out):
    """A referral to the committee (good or poor twice running) and its meeting's minutes."""
    id = fields.String(required=True)
    evaluator = fields.String(required=True)
    month = fields.String(required=True, **_MONTH_OUT)
    group = fields.String(required=True)
    subject = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    class_ = fields.String(data_key="class", required=True)
    state = fields.String(required=True, validate=validate.OneOf(("open", "minuted", "withdrawn")))
    meeting_date = IsoDate(required=True, allow_none=True)
    minutes = fields.String(required=True, allow_none=True)
    addressees = fields.List(fields.String(), required=True)
    recorded_by = fields.String(required=True, allow_none=True)


class TaskOut(_Out):
    """A follow-up task (a collective talk): ``overdue`` where the answer has a date to judge it by."""
    id = fields.String(required=True)
    kind = fields.String(required=True)
    evaluator = fields.String(required=True)
    month = fields.String(required=True, **_MONTH_OUT)
    subject = fields.String(required=True)
    opened_on = IsoDate(required=True)
    due = IsoDate(required=True)
    state = fields.String(required=True, validate=validate.OneOf(("open", "done", "withdrawn")))
    done_on = IsoDate(required=True, allow_none=True)
    done_by = fields.String(required=True, allow_none=True)
    record = fields.String(required=True, allow_none=True)
    overdue = fields.Boolean()


class RectificationStateOut(_Out):
    state = fields.String(required=True)
    explanation = fields.String(required=True, allow_none=True)
    plan = fields.String(required=True, allow_none=True)


class StudyClassOut(_Out):
    class_id = fields.String(required=True)
    class_name = fields.String(required=True)
    held_on = IsoDate(required=True)
    attendee = fields.String(required=True)
    attended = fields.Boolean(required=True)


class FollowupOut(_Out):
    """The follow-up of a poor month: the rectification, the three helpers (三帮一), the study classes,
    the collective talk (a leader's; null: none)."""
    evaluator = fields.String(required=True)
    month = fields.String(required=True, **_MONTH_OUT)
    subject = fields.String(required=True)
    group = fields.String(required=True)
    rectification = fields.Nested(RectificationStateOut, required=True)
    helpers = fields.List(fields.String(), required=True)
    helpers_named = fields.Boolean(required=True)
    study_classes = fields.List(fields.Nested(StudyClassOut), required=True)
    collective_talk = fields.Nested(TaskOut, required=True, allow_none=True)


# the rating results (RATING.md §5), as the engine answers them and as they are stored
class ExplanationLineOut(_Out):
    rule = fields.String(required=True, metadata={"description": "a mark of the Method or a rule pack's key"})
    points = fields.Float(required=True, allow_none=True)
    text = fields.String(required=True)


class SettlementLineOut(_Out):
    subject = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_events.SETTLEMENT_KINDS))
    amount = fields.Float(metadata={"description": "yuan (an integer when whole); absent: no money"})
    reason = fields.String(required=True)


class RatedSubjectOut(_Out):
    """An officer's or a section's result."""
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(_events.STATUSES))
    score = fields.Float(required=True, allow_none=True)
    stars = fields.Integer(required=True, allow_none=True, metadata={"description": "1 to 5; null unless rated"})
    reasons = fields.List(fields.String(), required=True)
    explanation = fields.List(fields.Nested(ExplanationLineOut),
                              metadata={"description": "absent from a unit's stored results"})


class RatedAgencyOut(_Out):
    """An agency's result."""
    id = fields.String(required=True)
    score = fields.Float(required=True)
    class_ = fields.Integer(data_key="class", required=True, validate=validate.Range(1, 3))
    rank = fields.Integer(required=True)
    advanced = fields.Boolean(required=True)
    veto_warning = fields.Boolean(required=True)
    veto = fields.Boolean(required=True)
    explanation = fields.List(fields.Nested(ExplanationLineOut),
                              metadata={"description": "absent from a unit's stored results"})


class RatingResultOut(_Out):
    officers = fields.List(fields.Nested(RatedSubjectOut), required=True)
    sections = fields.List(fields.Nested(RatedSubjectOut), required=True)
    agencies = fields.List(fields.Nested(RatedAgencyOut), required=True)
    settlement = fields.List(fields.Nested(SettlementLineOut), required=True)


class ExplanationOut(_Out):
    """A subject's result in a rating with its explanation and its settlement lines (an officer's or a
    section's; an agency's has ``class``, ``rank``, ``advanced``, ``veto_warning``, ``veto`` instead
    of ``status``, ``stars``, ``reasons``)."""
    rating_id = fields.String(required=True)
    period = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("officer", "section", "agency")))
    id = fields.String(required=True)
    status = fields.String(validate=validate.OneOf(_events.STATUSES))
    score = fields.Float(required=True, allow_none=True)
    stars = fields.Integer(allow_none=True)
    reasons = fields.List(fields.String())
    class_ = fields.Integer(data_key="class")
    rank = fields.Integer()
    advanced = fields.Boolean()
    veto_warning = fields.Boolean()
    veto = fields.Boolean()
    explanation = fields.List(fields.Nested(ExplanationLineOut), required=True)
    settlement = fields.List(fields.Nested(SettlementLineOut), required=True)


class SkippedOut(_Out):
    """A subject a rating left out, and why."""
    id = fields.String(required=True)
    reason = fields.String(required=True)


class PublishedOut(_Out):
    rating_id = fields.String(required=True)
    digest = fields.String(required=True)


class Target1Out(_targets.TargetOut):
    """Target 1 of the Method (evaluations filed on time / due) of an agency."""

    class Meta:
        unknown = INCLUDE

    value = fields.Float(required=True, allow_none=True, metadata={"description": "a share 0..1 (null: nothing due)"})
    met = fields.Boolean(required=True, allow_none=True)
    detail = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "filed_on_time and due"})


class FilingOut(_Out):
    due = fields.Integer(required=True)
    filed_on_time = fields.Integer(required=True)
    filed_late = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    rate = fields.Float(required=True, allow_none=True)


class OverdueOut(_Out):
    kind = fields.String(required=True)
    subject = fields.String(required=True)
    agency = fields.String(required=True, allow_none=True)
    state = fields.String(required=True, metadata={"description": "`missing`: no evaluation at all"})
    filed_on = IsoDate(required=True, allow_none=True)


class BoardRatingOut(_Out):
    """The latest rating covering an agency: its rated officers by stars, the agency's own result."""
    period = fields.String(required=True)
    rating_id = fields.String(required=True)
    stars = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                        metadata={"description": "rated officers by stars (\"1\" to \"5\")"})
    rated = fields.Integer(required=True)
    agency = fields.Nested(RatedAgencyOut, required=True, allow_none=True)


class BoardAgencyOut(_Out):
    agency = fields.String(required=True)
    filing = fields.Nested(FilingOut, required=True, allow_none=True)
    overdue = fields.List(fields.Nested(OverdueOut), required=True)
    target_1 = fields.Nested(Target1Out, required=True, allow_none=True)
    rating = fields.Nested(BoardRatingOut, required=True, allow_none=True)


# rule packs (docs/rule-packs.md)
class NoteOut(_Out):
    field = fields.String(required=True)
    message = fields.String(required=True)


class PackUseOut(_Out):
    rating_id = fields.String(required=True)
    period = fields.String(required=True)


class PackDocumentOut(_packs.PackSchema):
    """A pack's document as it was registered (docs/rule-packs.md), its ``agency`` set."""

    class Meta:
        unknown = INCLUDE

    agency = fields.String(required=True)
    waive = fields.List(fields.String(), metadata={"description": "empty: a pack that waives is refused"})


class PackVersionOut(_Out):
    version = fields.Integer(required=True)
    effective_from = fields.String(required=True)
    title = fields.String(required=True, allow_none=True)
    digest = fields.String(required=True)
    registered_by = fields.String(required=True, allow_none=True)
    registered_at = fields.String(required=True, metadata={
        "description": "when, in UTC: ISO 8601 date and time without an offset (YYYY-MM-DDTHH:MM:SS[.ffffff])"})
    document = fields.Nested(PackDocumentOut, required=True)
    used_by = fields.List(fields.Nested(PackUseOut), required=True, metadata={"description": "the ratings that used it"})


class PackRulesOut(_rating.RulesSchema):
    """The rules a pack gives the snapshot (RATING.md §4): its cut-offs, five-star quota, ★5 amounts."""

    class Meta:
        unknown = INCLUDE


class PackRefOut(_Out):
    version = fields.Integer(required=True)
    effective_from = fields.String(required=True)
    label = fields.String(required=True)


class PackUsedOut(PackRefOut):
    agency = fields.String(required=True)


class PluginUsedOut(_Out):
    name = fields.String(required=True)
    version = fields.String(required=True)
    label = fields.String(required=True)


class IncidentOut(_Out):
    """A plug-in that failed or refused for a subject (the engine skipped it there)."""
    plugin = fields.String(required=True)
    subject = fields.String(required=True)
    what = fields.String(required=True)
    message = fields.String(required=True)


class AdaptationOut(_Out):
    """What a rating of an agency used: its pack (null: the city's defaults) and plug-ins."""
    agency = fields.String(required=True)
    period = fields.String(required=True)
    pack = fields.Nested(PackUsedOut, required=True, allow_none=True)
    plugins = fields.List(fields.Nested(PluginUsedOut), required=True)
    incidents = fields.List(fields.Nested(IncidentOut), required=True)


class BriefOut(_Out):
    status = fields.String(required=True)
    stars = fields.Integer(required=True, allow_none=True)
    score = fields.Float(required=True, allow_none=True)
    reasons = fields.List(fields.String(), required=True)


class PackChangeOut(_Out):
    """A subject whose status, stars or score the candidate pack changes, and why."""
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    id = fields.String(required=True)
    changes = fields.List(fields.String(), required=True)
    before = fields.Nested(BriefOut, required=True)
    after = fields.Nested(BriefOut, required=True)
    why = fields.List(fields.Nested(ExplanationLineOut), required=True, metadata={"description": "explanation lines gained"})
    no_longer = fields.List(fields.Nested(ExplanationLineOut), required=True, metadata={"description": "explanation lines lost"})


class SettlementKeyOut(_Out):
    subject = fields.String(required=True)
    kind = fields.String(required=True)
    amount = fields.Float(required=True, allow_none=True)
    reason = fields.String(required=True)


class MoneyOut(_Out):
    before = fields.Float(required=True)
    after = fields.Float(required=True)


class SettlementChangesOut(_Out):
    added = fields.List(fields.Nested(SettlementKeyOut), required=True)
    removed = fields.List(fields.Nested(SettlementKeyOut), required=True)
    money = fields.Nested(MoneyOut, required=True, metadata={"description": "the yuan paid, without and with the pack"})


# -- the batch steps' payloads read in one pass (#24 item 5) ------------------------------------------
_MONTH_RE = re.compile(_month["validate"].regex.pattern)
_ITEM_FIELDS = {schema: tuple(schema().load_fields) for schema in (SubmitItem, ReviewItem, StepItem)}
_BATCH_ITEMS = {SubmitBatch: SubmitItem, ReviewBatch: ReviewItem, StepBatch: StepItem}
_ID_MAX = _id["validate"].max
_TEXT_MAX = _text["validate"].max


def _plain_id(value) -> bool:
    return plain_id(value, _ID_MAX)


def _scores_of(value):
    """A dict of item scores as ``Score`` loads it (each a Decimal of its ``str``), or None when
    anything in it is not a plain case (a string, a bool, NaN, an infinity, a key not printable)."""
    if type(value) is not dict:
        return None
    out = {}
    for key, v in value.items():
        if type(key) is not str or not key.isprintable() or type(v) not in (int, float):
            return None
        num = Decimal(str(v))
        if not num.is_finite():
            return None
        out[key] = num
    return out


def fast_step_batch(schema_cls, payload):
    """What ``load(schema_cls(), payload)`` returns for a batch step (``SubmitBatch``,
    ``ReviewBatch``, ``StepBatch``) whose every field is a plain valid case, read in one pass
    without marshmallow; None for anything else (the caller then loads it with the schema, which
    names every problem as before): the service reads ``fast_step_batch(...) or load(...)``. A test
    holds the two equal."""
    item_schema = _BATCH_ITEMS.get(schema_cls)
    if item_schema is None or type(payload) is not dict or not payload.keys() <= {"items", "as_of"}:
        return None
    items = payload.get("items")
    if type(items) is not list or not 0 < len(items) <= MAX_BATCH:
        return None
    as_of = payload.get("as_of")
    if as_of is not None:
        try:
            as_of = parse_iso_date(as_of)
        except ValueError:
            return None
    order = _ITEM_FIELDS[item_schema]
    allowed = frozenset(order)
    review, submit = item_schema is ReviewItem, item_schema is SubmitItem
    out_items = []
    for it in items:
        if type(it) is not dict or not it.keys() <= allowed:
            return None
        actor, subject, month = it.get("actor"), it.get("subject"), it.get("month")
        if not (_plain_id(actor) and _plain_id(subject) and type(month) is str and month.isprintable()
                and _MONTH_RE.match(month)):
            return None
        kind = it.get("kind", "officer")
        if type(kind) is not str or kind not in SUBJECT_KINDS:
            return None
        note = it.get("note")
        if note is not None and (type(note) is not str or len(note) > _TEXT_MAX or not note.isprintable()):
            return None
        loaded = {"actor": actor, "subject": subject, "kind": kind, "month": month}
        if submit or review:
            if "item_scores" in it:
                scores = it["item_scores"]
                if scores is None and review:
                    loaded["item_scores"] = None
                else:
                    loaded["item_scores"] = _scores_of(scores)
                    if loaded["item_scores"] is None:
                        return None
            else:
                loaded["item_scores"] = None if review else {}
            deductions = it.get("deductions", [])
            if type(deductions) is not list or deductions:
                return None             # deductions given: the schema reads them
            loaded["deductions"] = []
        loaded["note"] = note
        out_items.append({name: loaded[name] for name in order})
    return {"as_of": as_of, "items": out_items}

