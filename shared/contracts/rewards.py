"""Contracts of the rewards service (SPEC §6): RPC payloads, events consumed and published.

Events consumed:
* ``scoring.rating_published`` (:mod:`shared.contracts.scoring_events`): settled into ledger lines.
* ``training.allowance_due`` (:class:`shared.contracts.training.AllowanceDueEvent`): one 50-yuan line
  per officer per month and grant (key ``allowance:<YYYY-MM>|<officer>|allowance``, grant g ≥ 2:
  ``<identity>|<2g-1>``); paying unit = ``agency_id`` (else ``unit_id``); a grant whose withdrawal
  arrived first pays nothing.
* ``training.allowance_withdrawn`` (:class:`shared.contracts.training.AllowanceWithdrawnEvent`): the
  grant's line reversed once (key ``<identity>|<2g>``, ``reverses`` = the grant's key, amount −50,
  reason ``revoked``; the original untouched); received before its due, recorded (the due then pays
  nothing); a second event of the grant changes nothing.

Event published (source ``rewards``):
* ``rating_settled`` (:data:`RATING_SETTLED`): ``{"rating_id", "period", "lines", "written",
  "amount_total", "disagreements", "supersedes", "reversed", "unchanged", "net_amount"}`` once per
  rating, when it is settled (``supersedes``: the version it replaced, or null).

RPC (service ``rewards``), each payload one dict validated by the schema named beside it:
* ``settle(rating)`` — the ``rating_published`` payload (``event_id`` optional): the same code path
  and idempotency as the event.  -> :data:`SETTLE_RESULT_DOC`.  Money once per person, period and
  kind (SPEC §6): a line's identity is ``<period>|<subject>|<kind>``, its key
  ``<identity>|<entry>``.  A rating_id settled before with a different content is a Conflict
  (``rating_id``); a newer version of a settled period and scope (a re-rating) is settled by
  reversal lines (``reverses`` = the key cancelled, amount negated; reason ``corrected`` or
  ``revoked``) and new lines, subjects whose result did not change untouched; an older version
  changes nothing (``superseded``); a rating of another scope over subjects already settled for
  the period is a Conflict (``scope``) naming the rating that settled them, nothing written; two
  versions that cannot be ordered are a Conflict (``version``).
* ``ledger(LedgerQuery)`` -> ``{"total", "lines": [LINE]}`` in ledger order; LINE = ``{"seq", "key",
  "source", "period", "subject", "subject_type", "kind", "amount" (int yuan or null),
  "paying_unit", "reason", "rule", "basis", "effective", "reverses" (null, or the key of the line
  a reversal cancels), "recorded_at", "prev_hash", "hash"}``
* ``reconcile(PeriodQuery)`` -> ``{"period", "ok", "expected", "ledger" (lines in force), "lines",
  "reversals", "missing": [LINE], "extra": [LINE], "different": [{"key", "identity", "fields",
  "expected", "actual"}], "problems": [{"identity", "key", "problem", "message"}], "ratings",
  "allowances"}``: the lines in force per identity after every reversal, against what the ratings
  in force (latest settled version per scope) and the allowances of the period imply; problem ∈
  doubled | reversal | unbalanced
* ``verify_chain({})`` -> ``{"ok", "lines", "last_seq", "problems": [{"seq", "problem", "message"}]}``,
  problem ∈ edited | relinked | missing | head
* ``set_schedule(ScheduleIn)`` -> the schedule: an agency's adapted amounts (对接) from a year on;
  refused (RuleViolation naming ``officer.<stars>``/``section_per_head.<stars>``) when it pays at
  two stars or fewer, does not grow with the stars or leaves the city's limits (0..2×default);
  Conflict (``effective_from``) when a rating of that year or later is already settled for it
* ``schedules(AgencyQuery)`` -> ``{"schedules": [{"agency", "effective_from", "officer",
  "section_per_head"}]}``
* ``tasks(TaskQuery)`` -> ``{"today", "overdue", "tasks": [{"key", "subject", "kind", "period",
  "paying_unit", "opened", "due", "done", "revoked", "overdue"}]}`` (a task whose line a re-rating
  reversed is ``revoked``: neither open nor overdue)
* ``complete_task(CompleteTask)`` -> the task; Conflict if already done or revoked, RuleViolation
  ``done`` before it opened, NotFound ``key``
* ``notice(PeriodQuery)`` -> ``{"period", "headers", "sheets": {unit: [row]}, "summary_headers",
  "summary": [row]}`` (公示: one table per paying unit and a payout summary per paying unit)
"""
from __future__ import annotations

from marshmallow import fields, validate

from shared.contracts.scoring_events import PERIOD_RE
from shared.schemas import BaseSchema, Id, IsoDate, StrictInteger

SERVICE = "rewards"
RATING_SETTLED = "rating_settled"
TASK_STATUSES = ("open", "done", "overdue", "revoked", "all")
LINE_KINDS = ("bonus", "certificate", "eligibility", "warning_talk", "dismissal", "plaque",
              "rectification", "admonishment_talk", "commendation", "eligibility_revoked",
              "removal", "allowance")

SETTLE_RESULT_DOC = """{"rating_id", "settled": true when this call settled the rating,
"already_settled": true when it was settled before (nothing changed), "superseded": true when a
newer version is in force (nothing changed), "status", "lines": n implied, "written": n written
now, "amount_total": yuan implied, "supersedes": the version replaced or null, "reversed": n lines
reversed, "unchanged": n lines left in force, "net_amount": yuan written now (reversals negative),
"disagreements": [{"subject", "kind", "in"}], "message"}"""

_opt = dict(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))


class LedgerQuery(BaseSchema):
    period = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(PERIOD_RE))
    subject = fields.String(**_opt)
    kind = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(LINE_KINDS))
    paying_unit = fields.String(**_opt)
    source = fields.String(**_opt)
    limit = StrictInteger(load_default=1000, validate=validate.Range(1, 100_000))
    offset = StrictInteger(load_default=0, validate=validate.Range(min=0))


class PeriodQuery(BaseSchema):
    period = fields.String(required=True, validate=validate.Regexp(PERIOD_RE))


class NoticeQuery(BaseSchema):
    period = fields.String(required=True, validate=validate.Regexp(PERIOD_RE))
    #: the paying units under this unit only (a committee: its agencies); none: every paying unit
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100))


class Empty(BaseSchema):
    pass


class Levels(BaseSchema):
    """Amounts in whole yuan per star level; levels not given keep the city's default."""
    for _stars in "12345":
        locals()[_stars] = StrictInteger(validate=validate.Range(min=0))
    del _stars


class ScheduleIn(BaseSchema):
    agency = Id(required=True, validate=validate.Length(min=1, max=100))
    effective_from = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$"))
    officer = fields.Nested(Levels, load_default=dict)
    section_per_head = fields.Nested(Levels, load_default=dict)


class AgencyQuery(BaseSchema):
    agency = fields.String(**_opt)


class TaskQuery(BaseSchema):
    period = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(PERIOD_RE))
    subject = fields.String(**_opt)
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(("warning_talk", "admonishment_talk",
                                                  "rectification")))
    status = fields.String(load_default="all", validate=validate.OneOf(TASK_STATUSES))
    today = IsoDate(load_default=None, allow_none=True)
    # the tasks one agency pays for (a county's reader names its own); none: every agency's (the city's)
    paying_unit = fields.String(**_opt)


class CompleteTask(BaseSchema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=400))
    done = IsoDate(required=True)


# -- answers (issue 21 item 3): what the RPCs above answer, for the gateway's /openapi.json ------------
SUBJECT_TYPES = ("officer", "section", "agency")
_TASK_KINDS = ("warning_talk", "admonishment_talk", "rectification")


class LineOut(BaseSchema):
    """A settlement line as the ledger's rules make it (reconciliation's ``missing``: expected, not
    in force)."""
    key = fields.String(required=True, metadata={"description": "`<identity>|<entry>` (an allowance: its identity)"})
    source = fields.String(required=True, metadata={"description": "the rating_id, or `allowance:<YYYY-MM>`"})
    period = fields.String(required=True)
    subject = fields.String(required=True)
    subject_type = fields.String(required=True, validate=validate.OneOf(SUBJECT_TYPES))
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    amount = fields.Integer(required=True, allow_none=True, metadata={"description": "whole yuan; null: no money"})
    paying_unit = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    rule = fields.String(required=True, metadata={"description": "the Method's mark"})
    basis = fields.String(required=True, allow_none=True, metadata={"description": "where the amount comes from"})
    effective = IsoDate(required=True)
    reverses = fields.String(allow_none=True, metadata={"description": "a reversal: the key of the line it cancels"})


class LedgerLineOut(LineOut):
    """A line of the ledger: the line, its place in the hash chain and when it was written."""
    seq = fields.Integer(required=True)
    recorded_at = fields.String(required=True, metadata={"description": "UTC, ISO 8601 without offset"})
    prev_hash = fields.String(required=True)
    hash = fields.String(required=True)


class LineContentOut(BaseSchema):
    """The fields of a line that say what it pays (those reconciliation compares), any of them."""
    subject_type = fields.String(validate=validate.OneOf(SUBJECT_TYPES))
    amount = fields.Integer(allow_none=True)
    paying_unit = fields.String(allow_none=True)
    reason = fields.String()
    rule = fields.String()
    basis = fields.String(allow_none=True)


class DifferenceOut(BaseSchema):
    """A line in force that pays otherwise than expected: the fields that differ, both ways."""
    key = fields.String(required=True)
    identity = fields.String(required=True)
    fields_ = fields.List(fields.String(), required=True, data_key="fields")
    expected = fields.Nested(LineContentOut, required=True,
                             metadata={"description": "the differing fields (`fields`) as expected"})
    actual = fields.Nested(LineContentOut, required=True,
                           metadata={"description": "the differing fields (`fields`) in the ledger"})


class ReconcileProblemOut(BaseSchema):
    identity = fields.String(required=True)
    key = fields.String(required=True, allow_none=True)
    problem = fields.String(required=True, validate=validate.OneOf(("doubled", "reversal", "unbalanced")))
    message = fields.String(required=True)


class ChainProblemOut(BaseSchema):
    seq = fields.Integer(required=True)
    key = fields.String(allow_none=True)
    problem = fields.String(required=True, validate=validate.OneOf(("edited", "relinked", "missing", "head")))
    message = fields.String(required=True)


class TaskOut(BaseSchema):
    key = fields.String(required=True, metadata={"description": "the ledger line's key"})
    subject = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(_TASK_KINDS))
    period = fields.String(required=True)
    paying_unit = fields.String(required=True, allow_none=True)
    opened = IsoDate(required=True)
    due = IsoDate(required=True)
    done = IsoDate(required=True, allow_none=True)
    revoked = IsoDate(required=True, allow_none=True, metadata={"description": "a re-rating reversed its line"})
    overdue = fields.Boolean(required=True)


class ScheduleOut(BaseSchema):
    agency = fields.String(required=True)
    effective_from = fields.String(required=True, metadata={"description": "the first year (YYYY)"})
    officer = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                          metadata={"description": "yuan per officer, keyed by stars (1 to 5)"})
    section_per_head = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                                   metadata={"description": "yuan per head of a section, keyed by stars"})
    basis = fields.String(metadata={"description": "set_schedule only"})


NOTICE_ROW_DOC = ("one row of the notice's table, cells in `headers` order: id, name, type, outcome (text), "
                  "stars (integer or null), score (number or null), rewards (text), amount (yuan or null), basis (text)")
SUMMARY_ROW_DOC = ("a paying unit's payout, cells in `summary_headers` order: unit (text), then bonuses, "
                   "bonus yuan, allowances, allowance yuan, total yuan (integers)")


def _cells(*types: str, description: str) -> fields.List:
    """A table row: an array of cells, each one of ``types`` or null (OpenAPI 3.0 has no tuples)."""
    return fields.List(fields.Raw(metadata={"anyOf": [{"type": t, "nullable": True} for t in types]}),
                       metadata={"description": description})


class NoticeOut(BaseSchema):
    """``notice(PeriodQuery)``: one table per paying unit (公示) and the payout summary."""
    period = fields.String(required=True)
    headers = fields.List(fields.String(), required=True)
    sheets = fields.Dict(keys=fields.String(), values=fields.List(_cells("string", "number", description=NOTICE_ROW_DOC)),
                         required=True, metadata={"description": "keyed by paying unit"})
    summary_headers = fields.List(fields.String(), required=True)
    summary = fields.List(_cells("string", "integer", description=SUMMARY_ROW_DOC), required=True)
    unit = fields.String(metadata={"description": "the unit asked (its paying units only)"})
