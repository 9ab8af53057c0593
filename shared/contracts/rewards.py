"""Contracts of the rewards service (SPEC §6): RPC payloads, events consumed and published.

Events consumed:
* ``scoring.rating_published`` (:mod:`shared.contracts.scoring_events`): settled into ledger lines.
* ``training.allowance_due`` (:class:`shared.contracts.training.AllowanceDueEvent`): one 50-yuan line
  per officer per month (key ``allowance:<YYYY-MM>|<officer>|allowance``); paying unit =
  ``agency_id`` (else ``unit_id``).

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
