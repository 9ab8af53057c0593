"""Contract of the ``targets`` RPC that each owner of a target of the Method (M§一) exposes.

Owners (:data:`shared.targets.OWNERS`): roster (targets 2, 4, 5, 6, 7), training (3), scoring (1),
survey (8).  ``lianbao targets`` calls ``<owner>.targets(TargetsQuery)`` on each.

* ``targets(TargetsQuery)`` -> ``{"year", "as_of", "targets": [TARGET]}`` with TARGET =
  ``{"target": name from shared.targets.TARGETS, "agency": agency id or "city", "value": float
  (a share 0..1, 4 places) | int (a count) | null (no data), "met": bool | null (no data),
  "label", "unit": "rate" | "count", "detail": {figures behind the value}}`` — built with
  :meth:`shared.targets.TargetResult.as_dict`.  Without ``agency``: every agency and ``city``;
  with it, that agency only (``city``: the city-wide figure only).  With ``committee``: only the
  units under that committee in the owner's tree of ``as_of`` (its agencies, and the committee itself
  where the owner counts it as a body), no ``city`` row; a committee the owner does not know that day
  is ``NotFound`` (field ``committee``).  The policy table (:data:`shared.policy.TARGETS_SCOPE`) lets a
  caller name an agency or a committee within its units; naming neither is a read of the whole city,
  the city's callers' only (``lianbao targets``, the city committee's office; a county committee's
  office names its committee, as the console's board does).  ``as_of`` (default today):
  the answer from the facts known on that date (what was recorded, reported, tested or surveyed
  by then), so that a question about a past date gives the same answer whenever it is asked;
  ``year`` defaults to the year of ``as_of``.
  The RPC only answers: the owner's gauges ``lianbao_target_value`` / ``lianbao_target_met``
  ``{target, agency, year}`` are computed at scrape time (:class:`shared.metrics.TargetGauges`).
"""
from __future__ import annotations

from marshmallow import fields, validate

from shared.schemas import BaseSchema, IsoDate, StrictInteger

RPC = "targets"


class TargetsQuery(BaseSchema):
    agency = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    committee = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))
    year = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100))
    as_of = IsoDate(load_default=None, allow_none=True)


class TargetOut(BaseSchema):
    target = fields.String(required=True)
    agency = fields.String(required=True)
    value = fields.Raw(allow_none=True)
    met = fields.Boolean(allow_none=True)
    label = fields.String(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(("rate", "count")))
    detail = fields.Dict(required=True)


class TargetsReply(BaseSchema):
    year = StrictInteger(required=True)
    as_of = fields.String(required=True)
    targets = fields.List(fields.Nested(TargetOut), required=True)
