"""The rewards service: a thin nameko shell (validate → handler → dict); rules live in the domain.

Consumes ``scoring.rating_published``, ``training.allowance_due`` and ``training.allowance_withdrawn``, and the roster's unit and staff
events for the policy table (:mod:`services.rewards.roster_view`); publishes ``rating_settled``.
RPC and payloads: :mod:`shared.contracts.rewards`.
"""
import logging
from datetime import date

from shared.contracts import rewards as contract
from shared.contracts import roster as roster_contract
from shared.contracts import scoring_events, training
from shared.contracts.scoring_events import load_rating
from shared.db import Database
from shared.entrypoints import event_handler, rpc, timer
from shared.errors import Forbidden
from shared.schemas import load
from shared.service import ServiceBase

from services.rewards.access import RewardsAccess
from services.rewards import handlers, models, roster_view

log = logging.getLogger(__name__)

OVERDUE_GAUGE = ("lianbao_rewards_overdue_tasks", "Talks and rectifications past their due date",
                 ["kind"])
LINES_COUNTER = ("lianbao_rewards_ledger_lines_written_total", "Ledger lines written",
                 ["source"])


class RewardsService(ServiceBase):
    name = "rewards"
    policy_name = "rewards"          # its rows of the policy table, whatever a test renames it to
    policy_access = RewardsAccess
    db = Database(models.Base)

    # -- settlement ------------------------------------------------------------------------------
    @event_handler(scoring_events.SERVICE, scoring_events.RATING_PUBLISHED)
    def on_rating_published(self, event):
        # the entry point dead-letters any rating_published not signed by scoring; said again here
        if self.who is None or (self.who.kind, self.who.sub) != ("service", scoring_events.SERVICE):
            raise Forbidden("a rating is settled only when scoring published it", "_origin")
        self._settled(handlers.settle_rating(self.db, event))

    @rpc
    def settle(self, rating):
        # who may: the policy table's row rewards.settle (an operator's replay), enforced by the entry point
        return self._settled(handlers.settle_rating(self.db, load_rating(rating, direct=True)))

    @event_handler(training.SERVICE, training.ALLOWANCE_DUE)
    def on_allowance_due(self, event):
        if handlers.record_allowance(self.db, event)["written"]:
            self._count("allowance", 1)

    @event_handler(training.SERVICE, training.ALLOWANCE_WITHDRAWN)
    def on_allowance_withdrawn(self, event):
        if handlers.withdraw_allowance(self.db, event)["written"]:
            self._count("allowance_withdrawn", 1)

    def _settled(self, result):
        log.info(result["message"])
        if result["written"]:
            self._count("rating", result["written"])
            self._overdue_gauge(date.today())   # a settlement brings talks (and their deadlines)
        return result

    def _count(self, source, n):
        self.metrics.counter(*LINES_COUNTER).labels(source).inc(n)

    # -- the ledger ------------------------------------------------------------------------------
    @rpc
    def ledger(self, query=None):
        return handlers.ledger(self.db, load(contract.LedgerQuery(), query or {}))

    @rpc
    def reconcile(self, query):
        return handlers.reconcile(self.db, load(contract.PeriodQuery(), query)["period"])

    @rpc
    def verify_chain(self, query=None):
        load(contract.Empty(), query or {})
        return handlers.verify_chain(self.db)

    @rpc
    def notice(self, query):
        """A period's notice: every paying unit's sheet, or with ``unit`` those of the paying units
        under it in the roster's tree today (and the payout summary's rows of those)."""
        data = load(contract.NoticeQuery(), query)
        return handlers.notice(self.db, data["period"], data.get("unit"))

    # -- the roster's tree and posts, for the policy table -----------------------------------------
    @event_handler(roster_contract.SERVICE, roster_contract.UNITS_SAVED)
    def on_units_saved(self, event):
        roster_view.units_saved(self.db, event["units"])

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_JOINED)
    def on_staff_joined(self, event):
        roster_view.staff_posts(self.db, event["staff"], event.get("effective"))

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_CHANGED)
    def on_staff_changed(self, event):
        roster_view.staff_posts(self.db, event["staff"], event.get("effective"))

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_LEFT)
    def on_staff_left(self, event):
        roster_view.staff_left(self.db, event)

    # -- schedules -------------------------------------------------------------------------------
    @rpc
    def set_schedule(self, payload):
        return handlers.set_schedule(self.db, load(contract.ScheduleIn(), payload))

    @rpc
    def schedules(self, query=None):
        return handlers.schedules(self.db, load(contract.AgencyQuery(), query or {}))

    # -- tasks -----------------------------------------------------------------------------------
    @rpc
    def tasks(self, query=None):
        data = load(contract.TaskQuery(), query or {})
        self._overdue_gauge(date.today())
        return handlers.tasks(self.db, data)

    @rpc
    def complete_task(self, payload):
        out = handlers.complete_task(self.db, load(contract.CompleteTask(), payload))
        self._overdue_gauge(date.today())
        return out

    @timer(interval=300, eager=True)
    def refresh_overdue(self):
        self._overdue_gauge(date.today())

    def _overdue_gauge(self, today):
        gauge = self.metrics.gauge(*OVERDUE_GAUGE)
        for kind, n in handlers.overdue_counts(self.db, today).items():
            gauge.labels(kind).set(n)


Service = RewardsService
