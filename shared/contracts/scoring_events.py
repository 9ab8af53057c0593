"""The event scoring publishes when a rating is final: ``scoring.rating_published``.

Owned by the rewards engineer (its consumer); scoring publishes it from its outbox on the
``scoring`` service's event exchange, routing key :data:`RATING_PUBLISHED`, so a consumer writes
``@event_handler(SERVICE, RATING_PUBLISHED)``.  Rewards settles it (SPEC §6, RATING.md §5).

Payload (one JSON object, validated by :class:`RatingPublished`)::

    {
      "event_id": "uuid",                       # unique per publication (inbox key)
      "rating_id": "2026:county-a:1",           # stable: "<period>:<scope>:<version>"
      "period": "2026",                         # "YYYY" annual | "YYYYH1" half-year
      "kind": "annual",                         # annual | half_year (must agree with period)
      "scope": "county-a",                      # the rated agency or committee ("city" for all)
      "version": 1,                             # optional: the rating's version for its period
                                                # and scope (a re-rating after objections: 2, ...)
      "rating_date": "2027-01-08",
      "result": {                               # rate(snapshot)'s output, RATING.md §5
        "officers":  [{"id", "status", "score", "stars", "reasons", "explanation"?}],
        "sections":  [{"id", "status", "score", "stars", "reasons", "explanation"?}],
        "agencies":  [{"id", "score", "class", "rank", "advanced", "veto_warning", "veto",
                       "explanation"?}],
        "settlement": [{"subject", "kind", "amount"?, "reason"}]
      },
      "subjects": {                             # one entry per officer and section of the result
        "o1": {"paying_unit": "a1", "unit": "s1", "name": "张三"},
        "s1": {"paying_unit": "a1", "headcount": 12, "name": "刑侦大队"}
      },                                        # agencies may be omitted: they pay themselves
      "disqualified_last_year": ["o7"]          # officers disqualified in the previous annual rating
    }

* ``paying_unit`` is the agency that pays the subject's money (M§五(二)5: "由所在单位颁发奖金").
* ``headcount`` of a section is the number its per-head bonus is multiplied by.
* ``disqualified_last_year`` carries the facts for the dismissal of M§五(二)5(2)③; an officer listed
  there and disqualified in this annual rating is dismissed (公务员法第83条).
* ``name`` is optional, for the public notice only.
* ``version`` (added later, optional): the rating's version within its period and scope; when absent
  it is read from a ``rating_id`` of the form ``<period>:<scope>:<version>``.  Rewards settles a
  newer version of a settled period and scope by reversal and correction lines (SPEC §6).
* ``settlement[].reason``: one of :data:`SETTLEMENT_REASONS` (the Method's, and ``four_stars`` /
  ``three_stars`` of a rule pack's schedule), or a plug-in's own reason, a lower-case identifier
  (:data:`PLUGIN_REASON_RE`, the plug-in contract's rule, ``plugins/README.md``).
"""
from __future__ import annotations

import re
from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from shared.schemas import BaseSchema, FiniteFloat, Id, IsoDate, StrictInteger, load

SERVICE = "scoring"
RATING_PUBLISHED = "rating_published"

KINDS = ("annual", "half_year")
STATUSES = ("rated", "not_rated", "disqualified")
SETTLEMENT_KINDS = ("bonus", "certificate", "eligibility", "warning_talk", "dismissal", "plaque",
                    "rectification", "admonishment_talk", "commendation", "eligibility_revoked",
                    "removal")
#: the reasons of the rating engine's own lines (M§五) and of a rule pack's ★4/★3 bonus (its
#: schedule, 000 §二2); a test derives the set from the engine and the packs and checks it is here
SETTLEMENT_REASONS = ("five_stars", "four_stars", "three_stars", "two_stars_or_fewer",
                      "disqualified", "disqualified_two_years", "advanced", "veto_warning", "veto")
#: a plug-in's settlement line names its own reason: a lower-case identifier (shared.plugins checks
#: it with the same rule before the rating engine sees it)
PLUGIN_REASON_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
RATING_ID_RE = re.compile(r"^(?P<period>\d{4}(?:H1)?):(?P<scope>.+):(?P<version>[1-9]\d{0,8})$")
PERIOD_RE = re.compile(r"^(\d{4})(H1)?$")

_id = dict(required=True, validate=validate.Length(min=1, max=100))


def period_kind(period: str) -> str:
    """``"2026"`` → annual, ``"2026H1"`` → half_year (RATING.md §1)."""
    match = PERIOD_RE.match(period or "")
    if not match:
        raise ValueError(f"not a period: {period!r}")
    return "half_year" if match.group(2) else "annual"


class RatedSubject(BaseSchema):
    id = Id(**_id)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    score = FiniteFloat(allow_none=True, load_default=None)
    stars = StrictInteger(allow_none=True, load_default=None, validate=validate.Range(1, 5))
    reasons = fields.List(fields.String(), load_default=list)
    explanation = fields.List(fields.Dict(), load_default=list)

    @validates_schema
    def _stars_iff_rated(self, data, **kwargs):
        if data["status"] == "rated" and data.get("stars") is None:
            raise ValidationError("a rated subject has stars", "stars")
        if data["status"] != "rated" and data.get("stars") is not None:
            raise ValidationError("only a rated subject has stars", "stars")


class RatedAgency(BaseSchema):
    id = Id(**_id)
    score = FiniteFloat(allow_none=True, load_default=None)
    class_ = StrictInteger(data_key="class", required=True, validate=validate.Range(1, 3))
    rank = StrictInteger(allow_none=True, load_default=None, validate=validate.Range(min=1))
    advanced = fields.Boolean(required=True)
    veto_warning = fields.Boolean(required=True)
    veto = fields.Boolean(required=True)
    explanation = fields.List(fields.Dict(), load_default=list)

    @post_load
    def _class_key(self, data, **kwargs):
        data["class"] = data.pop("class_")
        return data


def _known_reason(reason: str) -> bool:
    if reason in SETTLEMENT_REASONS or PLUGIN_REASON_RE.match(reason or ""):
        return True
    raise ValidationError(f"Must be one of: {', '.join(SETTLEMENT_REASONS)}, or a plug-in's reason "
                          "(a lower-case identifier).")


def rating_version(rating: dict) -> int | None:
    """The version of a rating within its period and scope: the payload's ``version``, else the
    number ending a ``<period>:<scope>:<version>`` rating id; ``None`` when neither says."""
    if rating.get("version") is not None:
        return rating["version"]
    match = RATING_ID_RE.match(rating.get("rating_id") or "")
    if match and match["period"] == rating.get("period") and match["scope"] == rating.get("scope"):
        return int(match["version"])
    return None


class SettlementLine(BaseSchema):
    subject = Id(**_id)
    kind = fields.String(required=True, validate=validate.OneOf(SETTLEMENT_KINDS))
    amount = StrictInteger(validate=validate.Range(min=0))
    reason = fields.String(required=True, validate=lambda r: _known_reason(r))


class RatingResult(BaseSchema):
    officers = fields.List(fields.Nested(RatedSubject), load_default=list)
    sections = fields.List(fields.Nested(RatedSubject), load_default=list)
    agencies = fields.List(fields.Nested(RatedAgency), load_default=list)
    settlement = fields.List(fields.Nested(SettlementLine), load_default=list)


class SubjectInfo(BaseSchema):
    paying_unit = Id(**_id)
    unit = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=100))
    headcount = StrictInteger(allow_none=True, load_default=None, validate=validate.Range(min=0))
    name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))


class RatingPublished(BaseSchema):
    event_id = Id(**_id)
    occurred_at = fields.String(load_default=None, allow_none=True)   # added by the outbox
    rating_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    period = fields.String(required=True, validate=validate.Regexp(PERIOD_RE))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    scope = Id(**_id)
    version = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=1))
    rating_date = IsoDate(required=True)
    result = fields.Nested(RatingResult, required=True)
    subjects = fields.Dict(keys=fields.String(), values=fields.Nested(SubjectInfo),
                           load_default=dict)
    disqualified_last_year = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _consistent(self, data, **kwargs):
        if period_kind(data["period"]) != data["kind"]:
            raise ValidationError(f"period {data['period']} is not a {data['kind']} rating", "kind")
        match = RATING_ID_RE.match(data["rating_id"])
        if (data.get("version") is not None and match and match["period"] == data["period"]
                and match["scope"] == data["scope"] and int(match["version"]) != data["version"]):
            raise ValidationError(f"rating {data['rating_id']} is not version {data['version']}",
                                  "version")
        result, subjects = data["result"], data["subjects"]
        seen = set()
        for group in ("officers", "sections", "agencies"):
            for i, item in enumerate(result[group]):
                if item["id"] in seen:
                    raise ValidationError({group: {i: {"id": ["id given twice"]}}}, "result")
                seen.add(item["id"])
        for i, item in enumerate(result["officers"]):
            if item["id"] not in subjects:
                raise ValidationError({item["id"]: ["no paying_unit for this officer"]}, "subjects")
        for i, item in enumerate(result["sections"]):
            info = subjects.get(item["id"])
            if info is None:
                raise ValidationError({item["id"]: ["no paying_unit for this section"]}, "subjects")
            if info.get("headcount") is None:
                raise ValidationError({item["id"]: {"headcount": ["a section needs its headcount"]}},
                                      "subjects")
        for i, line in enumerate(result["settlement"]):
            if line["subject"] not in seen:
                raise ValidationError({"settlement": {i: {"subject": ["not a subject of the result"]}}},
                                      "result")


class RatingPublishedBody(RatingPublished):
    """The same payload without ``event_id``: what ``rewards.settle`` accepts (RPC path)."""

    event_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


EVENT_SCHEMAS = {RATING_PUBLISHED: RatingPublished}


def load_rating(payload, direct: bool = False) -> dict:
    """Validate a published rating; raise ``ValidationFailed`` naming the field."""
    return load(RatingPublishedBody() if direct else RatingPublished(), payload)


def dump_rating(data: dict) -> dict:
    """The JSON form of a validated rating (dates back to ISO strings), for storage."""
    out = dict(data)
    if isinstance(out.get("rating_date"), date):
        out["rating_date"] = out["rating_date"].isoformat()
    return out
