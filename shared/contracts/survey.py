"""Contracts of the survey service: RPC payloads, event names and event payloads.

RPC (service ``survey``), every payload one dict validated by the schema named beside it:

* ``define_questionnaire(DefineQuestionnaire)`` -> questionnaire dict (``key``, ``version``, ``items``)
* ``get_questionnaire(QuestionnaireRef)`` -> questionnaire dict
* ``create_campaign(CreateCampaign)`` -> campaign dict (same payload twice: same answer); without
  ``subjects``, the owner committee's agencies, sections and staff from the roster read model
* ``set_campaign_questionnaire(SetCampaignQuestionnaire)`` -> campaign dict (refused once forms arrive)
* ``get_campaign(CampaignRef)`` -> campaign dict
* ``campaign_owner(CampaignRef)`` -> ``{"campaign_id", "owner", "status"}`` (one row, no counting: the
  gateway's scope check)
* ``list_campaigns(CampaignsQuery)`` -> ``{"campaigns": [{"campaign_id", "kind", "period", "owner", "title",
  "status", "groups", "questionnaire", "closed_at"}], "next"}``: a page in id order (``next``: the
  ``after`` of the following page, null on the last)
* ``submit_form(SubmitForm)`` -> ``{"campaign_id", "serial", "accepted": true}``; a bad form raises
  ValidationFailed, a duplicate serial Conflict (field ``form.serial``), a closed campaign RuleViolation
* ``submit_batch(SubmitBatch)`` -> :data:`BATCH_RESULT_DOC`; a ``batch_id`` is the caller's own (two callers'
  batches of one id are two batches): re-sending it with the same forms returns the first answer, with
  other forms is a Conflict naming ``batch_id`` (nothing taken); kept ``IDEMPOTENCY_RETENTION_DAYS``
* ``get_rates(CampaignRef)`` -> rates dict (per subject, per dimension, per group; totals)
* ``publish_rates(CampaignRef)`` -> rates dict, and publishes ``satisfaction_rates_published`` (final false)
* ``close_campaign(CampaignRef)`` -> rates dict, publishes ``satisfaction_rates_published`` (final true)
  once; closing again publishes nothing and says ``"already_closed": true``
* ``rates_xlsx(CampaignRef)`` -> ``{"filename", "content_base64"}`` one sheet per subject kind
* ``progress(CampaignRef)`` -> ``{"campaign_id", "status", "items", "forms", "groups": {group: n},
  "subjects": [{"subject", "kind", "name", "forms", "groups": {group: n}}]}`` forms received so far
  per subject and respondent group (subjects without forms listed with 0), as they arrive
* ``campaign_subjects(SubjectsQuery)`` -> ``{"campaign_id", "subjects": [{"id", "kind", "name"}]}``
  of the kinds asked (the online form lists agencies and sections; an officer only by link)
* ``serials_used(SerialsQuery)`` -> ``{"campaign_id", "used": [serial]}``: which of at most 1000
  serials the campaign has already received (the keying page checks a serial as it is typed)
* a campaign of kind ``recognition`` (公认度测评 of the committee's leaders) publishes
  ``recognition_poll_published`` (:class:`RecognitionPollEvent`) instead of satisfaction rates

Answers are packed one code per item: ``S`` 满意, ``B`` 基本满意, ``D`` 不满意, ``N`` 不了解 (no answer).
Rates travel as decimal strings rounded half-up to 4 places (``"0.9231"``) beside the exact counts;
null when nothing was answered.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from shared.schemas import BaseSchema, Id, StrictInteger

SERVICE = "survey"

#: published when a campaign closes (final) and on demand while it is open (not final)
SATISFACTION_RATES_PUBLISHED = "satisfaction_rates_published"
#: a recognition poll's (公认度测评) result, instead of satisfaction rates: closed (final) or on demand
RECOGNITION_POLL_PUBLISHED = "recognition_poll_published"
CAMPAIGN_KINDS = ("satisfaction", "recognition")
POLL_GROUPS = ("leading_group_members",)
POLL_SUBJECT_KINDS = ("leader",)

DIMENSIONS = ("morality", "ability", "diligence", "results", "integrity", "learning")
RESPONDENT_GROUPS = (
    "superior_departments", "deputies", "bureau_heads", "business_owners", "venue_operators",
    "parents", "case_parties", "officer_families", "retired_staff", "officers",
)
SUBJECT_KINDS = ("agency", "section", "officer")
ANSWER_CODES = ("S", "B", "D", "N")
MAX_BATCH = 20000

BATCH_RESULT_DOC = """{"campaign_id", "batch_id", "received": n, "accepted": n, "rejected": n,
"duplicates": n, "blank": n (accepted forms answered 不了解 throughout), "strict": bool,
"dry_run": bool, "committed": bool, "errors": [{"index", "serial", "field", "reason", "message",
"faults": [{"field", "reason", "message"}]}]} (one error per refused form: its first fault, and in
``faults`` every fault it has, each by its field)"""

_id = dict(required=True, validate=validate.Length(min=1, max=100))


class RawList(fields.Field):
    """A JSON array passed through as it is: each element is checked by the domain, form by form,
    so that one bad form is reported on its own and does not fail the batch."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError("Not a valid list.")
        return value


class QuestionnaireItem(BaseSchema):
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    text = fields.String(load_default="", validate=validate.Length(max=500))


class DefineQuestionnaire(BaseSchema):
    key = Id(**_id)
    items = fields.List(fields.Nested(QuestionnaireItem), required=True,
                        validate=validate.Length(min=1, max=200))


class QuestionnaireRef(BaseSchema):
    key = Id(**_id)
    # bounded: a version past the database's integer is refused by name, not an OverflowError
    version = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1_000_000))


class Subject(BaseSchema):
    id = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS + POLL_SUBJECT_KINDS))
    name = fields.String(load_default="", validate=validate.Length(max=200))


class QuestionnaireChoice(BaseSchema):
    key = Id(**_id)
    version = StrictInteger(required=True, validate=validate.Range(min=1, max=1_000_000))


class CreateCampaign(BaseSchema):
    campaign_id = Id(**_id)
    # recognition: the committee leaders' half-yearly poll (公认度测评), subjects of kind leader given,
    # answered by leading_group_members, questionnaire "recognition" by default
    kind = fields.String(load_default="satisfaction", validate=validate.OneOf(CAMPAIGN_KINDS))
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}H[12]$"))
    owner = Id(**_id)
    title = fields.String(load_default="", validate=validate.Length(max=200))
    # absent: the owner committee's agencies, their sections and staff from the roster read model
    subjects = fields.List(fields.Nested(Subject), load_default=None,
                           validate=validate.Length(min=1, max=200000))
    groups = fields.List(fields.String(validate=validate.OneOf(RESPONDENT_GROUPS + POLL_GROUPS)),
                         load_default=None, validate=validate.Length(min=1, max=10))
    questionnaire = fields.Nested(QuestionnaireChoice, load_default=None)


class CampaignRef(BaseSchema):
    campaign_id = Id(**_id)


class CampaignsQuery(BaseSchema):
    """``survey.list_campaigns``: the campaigns in id order, one page at a time — at most ``limit``
    (1 to 500, default 100) whose id comes after ``after`` (the ``next`` of the previous page);
    ``owners``: only the campaigns of these units (omitted: of every unit)."""
    owners = fields.List(Id(validate=validate.Length(min=1, max=100)), load_default=None, allow_none=True,
                         validate=validate.Length(max=100000))
    limit = StrictInteger(load_default=100, validate=validate.Range(min=1, max=500))
    after = Id(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class SubjectsQuery(BaseSchema):
    campaign_id = Id(**_id)
    kinds = fields.List(fields.String(validate=validate.OneOf(SUBJECT_KINDS + POLL_SUBJECT_KINDS)),
                        load_default=("agency", "section"), validate=validate.Length(min=1, max=4))
    subject = Id(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class SerialsQuery(BaseSchema):
    campaign_id = Id(**_id)
    serials = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                          validate=validate.Length(min=1, max=1000))


class SetCampaignQuestionnaire(BaseSchema):
    campaign_id = Id(**_id)
    questionnaire = fields.Nested(QuestionnaireChoice, required=True)


class Form(BaseSchema):
    serial = fields.String(required=True, validate=validate.Length(min=1, max=64))
    subject = Id(**_id)
    group = fields.String(required=True, validate=validate.OneOf(RESPONDENT_GROUPS + POLL_GROUPS))
    answers = fields.String(required=True, validate=validate.Regexp(r"^[SBDN]{1,200}$"))


class SubmitForm(BaseSchema):
    campaign_id = Id(**_id)
    form = fields.Nested(Form, required=True)


class SubmitBatch(BaseSchema):
    campaign_id = Id(**_id)
    batch_id = Id(required=True, validate=validate.Length(min=1, max=200))
    strict = fields.Boolean(load_default=False)
    dry_run = fields.Boolean(load_default=False)
    forms = RawList(required=True, validate=validate.Length(min=1, max=MAX_BATCH))


# -- events ----------------------------------------------------------------------------------------

class SubjectRate(BaseSchema):
    """One subject's pooled counts: what the rating snapshot's ``satisfaction`` needs (RATING.md §1)."""
    id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    forms = StrictInteger(required=True, validate=validate.Range(min=0))
    satisfied = StrictInteger(required=True, validate=validate.Range(min=0))
    basic = StrictInteger(required=True, validate=validate.Range(min=0))
    dissatisfied = StrictInteger(required=True, validate=validate.Range(min=0))
    answered = StrictInteger(required=True, validate=validate.Range(min=0))
    rate = fields.String(required=True, allow_none=True)
    below_60 = fields.Boolean(required=True)
    meets_target = fields.Boolean(required=True)


class Totals(BaseSchema):
    forms = StrictInteger(required=True, validate=validate.Range(min=0))
    satisfied = StrictInteger(required=True, validate=validate.Range(min=0))
    basic = StrictInteger(required=True, validate=validate.Range(min=0))
    dissatisfied = StrictInteger(required=True, validate=validate.Range(min=0))
    answered = StrictInteger(required=True, validate=validate.Range(min=0))
    rate = fields.String(required=True, allow_none=True)
    below_60 = fields.Boolean(required=True)
    meets_target = fields.Boolean(required=True)


class SatisfactionRatesPublished(BaseSchema):
    """Payload of ``satisfaction_rates_published``.  ``final`` is true once, when the campaign closes.

    Consumers: scoring (``below_60`` disqualifies, M§五(二)1(1)③ 1(2)③; counts feed the rating
    snapshot's ``satisfaction``), the dashboard (``totals.meets_target``: the ≥ 90% target, M§一8).
    """
    event_id = fields.String(required=True)
    occurred_at = fields.String(required=True)
    campaign_id = fields.String(required=True)
    period = fields.String(required=True)
    owner = fields.String(required=True)
    final = fields.Boolean(required=True)
    questionnaire = fields.Nested(QuestionnaireChoice, required=True)
    totals = fields.Nested(Totals, required=True)
    subjects = fields.List(fields.Nested(SubjectRate), required=True)


class RecognitionResult(BaseSchema):
    subject = fields.String(required=True)
    recognised = StrictInteger(required=True, validate=validate.Range(min=0))
    basic = StrictInteger(required=True, validate=validate.Range(min=0))
    not_recognised = StrictInteger(required=True, validate=validate.Range(min=0))
    answered = StrictInteger(required=True, validate=validate.Range(min=0))
    rate = fields.String(required=True, allow_none=True)
    forms = StrictInteger(required=True, validate=validate.Range(min=0))


class RecognitionPollEvent(BaseSchema):
    """Payload of ``recognition_poll_published`` (公认度测评, SPEC §3.3): consumed by scoring, which
    keeps it with the half-year (``scoring.recognition_results``)."""
    event_id = fields.String(required=True)
    occurred_at = fields.String(required=True)
    campaign_id = fields.String(required=True)
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}H[12]$"))
    owner = fields.String(required=True)
    final = fields.Boolean(required=True)
    questionnaire = fields.Nested(QuestionnaireChoice, required=True)
    results = fields.List(fields.Nested(RecognitionResult), required=True)


EVENT_SCHEMAS = {
    SATISFACTION_RATES_PUBLISHED: SatisfactionRatesPublished,
    RECOGNITION_POLL_PUBLISHED: RecognitionPollEvent,
}


# -- answers (issue 21 item 3): what the RPCs above answer, for the gateway's /openapi.json ------------
_RATE_TEXT = {"description": "a decimal number as text, 4 places rounded half-up; null: nothing answered",
              "format": "decimal"}


class QuestionnaireVersionOut(BaseSchema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)


class QuestionnaireItemOut(BaseSchema):
    number = fields.Integer(required=True, metadata={"description": "1, 2, ... in the questionnaire's order"})
    dimension = fields.String(required=True, validate=validate.OneOf(DIMENSIONS))
    text = fields.String(required=True)


class CountsOut(BaseSchema):
    """Counts of answers and their rate (of a subject, a dimension, a respondent group or all)."""
    satisfied = fields.Integer(required=True)
    basic = fields.Integer(required=True)
    dissatisfied = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    rate = fields.String(required=True, allow_none=True, metadata=_RATE_TEXT)
    below_60 = fields.Boolean(required=True)
    meets_target = fields.Boolean(required=True)


class RatesTotalsOut(CountsOut):
    """A campaign's totals: every form, per dimension and per respondent group."""
    forms = fields.Integer(required=True)
    dimensions = fields.Dict(keys=fields.String(), values=fields.Nested(CountsOut), required=True,
                             metadata={"description": "keyed by dimension"})
    groups = fields.Dict(keys=fields.String(), values=fields.Nested(CountsOut), required=True,
                         metadata={"description": "keyed by respondent group"})
