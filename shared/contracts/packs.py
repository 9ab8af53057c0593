"""Contracts of the adaptation interface (对接, DESIGN §3): rule packs, subject data, pack RPCs.

* :class:`PackSchema` — the structure of a rule pack document (YAML or JSON).  The guardrails
  (cut-offs decreasing, amounts within the city's limits, a schedule that grows with the stars, no
  lifted disqualification ...) are rules, checked by ``services.scoring.domain.packs``.
* :class:`SubjectDataSchema` — per-subject extra facts and figures of one agency and period that
  packs and plug-ins read (``{"agency", "period", "subjects": [{"id", "facts", "figures"}]}``).
  They are NOT part of the rating snapshot (RATING.md §1 is unchanged): they travel beside it.
* RPC payloads of ``scoring.register_pack``, ``scoring.pack_history``, ``scoring.effective_pack``,
  ``scoring.preview_pack``, ``scoring.record_subject_data``.

Numbers load as ``int`` or ``decimal.Decimal`` (never binary float).
"""
from __future__ import annotations

import re
from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.rating import ExactNumber, Text
from shared.schemas import BaseSchema, StrictInteger

FORMAT = "lianbao-rule-pack/1"
PERIOD_RE = re.compile(r"^\d{4}(H1)?$")
IDENT_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SUBJECT_KINDS = ("officer", "section")
STAR_KEYS = ("5", "4", "3", "2", "1")
CUTOFF_KEYS = ("5", "4", "3", "2")
# dimension ids of the city's templates (kept equal to services.scoring.domain.criteria and
# agency_eval by a test): extra criteria and plug-in points name one of them
DIMENSIONS = {
    "officer": ("political", "integrity", "performance", "fairness", "diligence"),
    "section": ("cooperation", "quality", "management", "enforcement", "satisfaction"),
    "agency": ("structures", "mentoring", "joint_work", "rules_and_bans", "central_tasks",
               "effectiveness"),
}
DIMENSION_POINTS = Decimal(20)          # SPEC §3.1: 20 points per dimension (officers, sections)
# RATING.md §3: the Method's facts (a pack or plug-in cannot redefine them)
METHOD_FACTS = {
    "officer": ("mass_incident", "illegal_organisation", "protective_umbrella", "secret_leak",
                "disciplinary_sanction", "other_mechanism"),
    "section": ("officer_criminal", "mass_incident", "last_in_ranking", "failed_inspection",
                "other_mechanism"),
}
IDENT_MESSAGE = "Must be a lower-case identifier (a-z, 0-9, _; starting with a letter)."


class Ident(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not str or not IDENT_RE.match(value):
            raise ValidationError(IDENT_MESSAGE)
        return value


class Period(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not str or not PERIOD_RE.match(value):
            raise ValidationError("Period must be YYYY or YYYYH1.")
        return value


def _kinds():
    return fields.List(fields.String(validate=validate.OneOf(SUBJECT_KINDS)), required=True,
                       validate=validate.Length(min=1))


class Condition(BaseSchema):
    """``{"fact": X}`` or ``{"figure": F, "at_least": v}`` / ``{"figure": F, "below": v}``."""

    fact = Ident(load_default=None)
    figure = Ident(load_default=None)
    at_least = ExactNumber(load_default=None)
    below = ExactNumber(load_default=None)

    @validates_schema
    def _one(self, data, **kwargs):
        if (data["fact"] is None) == (data["figure"] is None):
            raise ValidationError("Give either a fact or a figure.")
        if data["figure"] is not None and (data["at_least"] is None) == (data["below"] is None):
            raise ValidationError("A figure needs exactly one of at_least or below.")
        if data["fact"] is not None and (data["at_least"] is not None or data["below"] is not None):
            raise ValidationError("A fact takes no at_least or below.")


class FactDef(BaseSchema):
    id = Ident(required=True)
    applies_to = _kinds()
    meaning = Text(required=True)


class Criterion(BaseSchema):
    id = Ident(required=True)
    applies_to = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    dimension = Ident(required=True)
    label = Text(load_default=None)
    points = ExactNumber(required=True)
    when = fields.Nested(Condition, required=True)


class Disqualify(BaseSchema):
    applies_to = fields.String(required=True, validate=validate.OneOf(SUBJECT_KINDS))
    code = Ident(load_default=None)
    when = fields.Nested(Condition, required=True)
    text = Text(load_default=None)


class RulesPart(BaseSchema):
    cutoffs = fields.Dict(keys=fields.String(validate=validate.OneOf(CUTOFF_KEYS)),
                          values=ExactNumber(), load_default=None)
    five_star_quota = ExactNumber(load_default=None, allow_none=True)


def _schedule():
    return fields.Dict(keys=fields.String(validate=validate.OneOf(STAR_KEYS)), values=ExactNumber(),
                       load_default=None)


class Rewards(BaseSchema):
    """Reward schedule in yuan per star level (officer: per person; section: per head)."""

    officer = _schedule()
    section_per_head = _schedule()


class Thresholds(BaseSchema):
    """Stricter readings of the Method's disqualification thresholds (never more lenient)."""

    absence_days = StrictInteger(load_default=None)
    months_below_60 = StrictInteger(load_default=None)
    satisfaction_floor = ExactNumber(load_default=None)


class PackSchema(BaseSchema):
    format = fields.String(load_default=FORMAT, validate=validate.Equal(FORMAT))
    agency = Text(load_default=None)
    version = StrictInteger(required=True, validate=validate.Range(min=1))
    effective_from = Period(required=True)
    title = Text(load_default=None)
    rules = fields.Nested(RulesPart, load_default=dict)
    rewards = fields.Nested(Rewards, load_default=dict)
    thresholds = fields.Nested(Thresholds, load_default=dict)
    facts = fields.List(fields.Nested(FactDef), load_default=list)
    figures = fields.List(fields.Nested(FactDef), load_default=list)
    criteria = fields.List(fields.Nested(Criterion), load_default=list)
    disqualify = fields.List(fields.Nested(Disqualify), load_default=list)
    # recognised only to be refused with the guardrail's reason: nothing may lift what the Method
    # imposes (a disqualification of M§五(二)1(1)③/1(2)③ or a ban of M§三(三))
    waive = fields.List(fields.Raw(), load_default=list)


# ------------------------------------------------------------------------------------------------
# subject data: extra facts and figures beside the snapshot


class FigureValue(fields.Field):
    """A number, or a mapping ``"YYYY-MM"`` -> number (a monthly figure)."""

    def _deserialize(self, value, attr, data, **kwargs):
        num = ExactNumber()
        if isinstance(value, dict):
            out = {}
            for key, v in value.items():
                if type(key) is not str or not MONTH_RE.match(key):
                    raise ValidationError({key: ["Not a valid month (YYYY-MM)."]})
                try:
                    out[key] = num.deserialize(v)
                except ValidationError as exc:
                    raise ValidationError({key: exc.messages}) from None
            return out
        return num.deserialize(value)


class SubjectData(BaseSchema):
    id = Text(required=True)
    facts = fields.List(Ident(), load_default=list)
    figures = fields.Dict(keys=Ident(), values=FigureValue(), load_default=dict)


class SubjectDataSchema(BaseSchema):
    agency = Text(required=True)
    period = Period(required=True)
    subjects = fields.List(fields.Nested(SubjectData), required=True)


# ------------------------------------------------------------------------------------------------
# RPC payloads


class RegisterPack(BaseSchema):
    agency = Text(required=True)
    pack = fields.Dict(required=True)           # the document; validated by PackSchema + guardrails
    registered_by = Text(load_default=None)


class AgencyQuery(BaseSchema):
    agency = Text(required=True)


class EffectiveQuery(BaseSchema):
    agency = Text(required=True)
    period = Period(required=True)


class PreviewPack(BaseSchema):
    agency = Text(required=True)
    period = Period(required=True)
    pack = fields.Dict(required=True)
    snapshot = fields.Dict(load_default=None, allow_none=True)   # else the stored one is asked for
    subject_data = fields.Dict(load_default=None, allow_none=True)


class RateAdapted(BaseSchema):
    agency = Text(required=True)
    period = Period(required=True)
    snapshot = fields.Dict(required=True)
    # no ``rating_id``: a read records nothing (issue 18); a rating's pack version and plug-ins are
    # recorded by the rating itself (``scoring.run_rating``), the only writer of ``pack_history``'s used_by
