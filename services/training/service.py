"""The training service: a thin nameko shell (validate → handler → dict); rules live in the domain.

Contracts: :mod:`shared.contracts.training`. Every query takes its date from the request (``as_of``,
``date``, ``end``); the process clock (``date.today()``, or ``TRAINING_TODAY`` in tests and demos) only
bounds what may be recorded (no study day, session or result in the future), drives the timers
(allowances, rechecks) and answers ``targets``.  ``RECHECK_REMINDER_DAYS`` is the reminder lead time.
"""
from datetime import date

from nameko.dependency_providers import Config

from shared.access import targets_within
from shared.contracts import roster as roster_contract
from shared.contracts import targets as targets_contract
from shared.contracts import training as training_contract
from shared.db import Database
from shared.entrypoints import event_handler, rpc, timer
from shared.metrics import TargetGauges
from shared.schemas import load
from shared.service import ServiceBase

from services.training.access import TrainingAccess
from services.training import handlers, models
from services.training.domain.allround import DEFAULT_REMINDER_DAYS
from services.training.domain.calendar import Month

HOUR = 3600


def _today_of(config) -> date:
    fixed = config.get("TRAINING_TODAY")
    return date.fromisoformat(str(fixed)) if fixed else date.today()


class TrainingService(ServiceBase):
    name = training_contract.SERVICE
    policy_name = "training"          # its rows of the policy table, whatever a test renames it to
    policy_access = TrainingAccess
    db = Database(models.Base)
    # target 3 on /metrics, computed at scrape time (this service's today: TRAINING_TODAY)
    target_gauges = TargetGauges(lambda uow, year, today: handlers.target_results(uow, year),
                                 today=lambda config: _today_of(config))
    config = Config()

    def _today(self) -> date:
        return _today_of(self.config)

    def _lead_days(self) -> int:
        return int(self.config.get("RECHECK_REMINDER_DAYS") or DEFAULT_REMINDER_DAYS)

    # -- people ------------------------------------------------------------------------------
    @rpc
    def upsert_people(self, payload):
        return handlers.upsert_people(self.db, load(training_contract.UpsertPeople(), payload))

    @rpc
    def get_person(self, payload):
        return handlers.get_person(self.db, load(training_contract.PersonRef(), payload)["person"])

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_JOINED)
    def on_staff_joined(self, event):
        handlers.staff_from_roster(self.db, event["staff"], event.get("effective"))
        handlers.reconsider_allowances(self.db, [s["id"] for s in event["staff"]], self._today())

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_CHANGED)
    def on_staff_changed(self, event):   # a return: a withdrawn month may be earned again
        handlers.staff_from_roster(self.db, event["staff"], event.get("effective"))
        handlers.reconsider_allowances(self.db, [s["id"] for s in event["staff"]], self._today())

    @event_handler(roster_contract.SERVICE, roster_contract.UNITS_SAVED)
    def on_units_saved(self, event):
        handlers.units_from_roster(self.db, event["units"])

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_LEFT)
    def on_staff_left(self, event):      # a month now found away: its allowance is withdrawn
        handlers.staff_left(self.db, event)
        handlers.reconsider_allowances(self.db, [event["person"]], self._today())

    # -- courses and results -----------------------------------------------------------------
    @rpc
    def register_courses(self, payload):
        return handlers.register_courses(self.db, load(training_contract.RegisterCourses(), payload))

    @rpc
    def list_courses(self, payload=None):
        load(training_contract.Empty(), payload or {})
        return handlers.list_courses(self.db)

    @rpc
    def record_result(self, payload):
        return handlers.record_result(self.db, load(training_contract.RecordResult(), payload), self._today())

    @rpc
    def import_results(self, payload):
        return handlers.import_results(self.db, load(training_contract.ImportResults(), payload), self._today())

    @rpc
    def results_of(self, payload):
        data = load(training_contract.ResultsPage(), payload)
        return handlers.results_of(self.db, data["person"], data["after"], data["limit"])

    # -- study --------------------------------------------------------------------------------
    @rpc
    def record_study(self, payload):
        data = (training_contract.fast_record_study(payload)      # one pass, else the schema
                or load(training_contract.RecordStudy(), payload))
        return handlers.record_study(self.db, data, self._today())

    @rpc
    def study_report(self, payload):
        return handlers.study_report(self.db, load(training_contract.StudyQuery(), payload))

    @rpc
    def record_session(self, payload):
        return handlers.record_session(self.db, load(training_contract.RecordSession(), payload), self._today())

    @rpc
    def central_group_report(self, payload):
        return handlers.central_group_report(self.db, load(training_contract.QuarterQuery(), payload))

    # -- pre-service and front line --------------------------------------------------------------
    @rpc
    def can_take_post(self, payload):
        return handlers.can_take_post(self.db, load(training_contract.PersonOnDate(), payload))

    @rpc
    def set_frontline_post(self, payload):
        return handlers.set_frontline_post(self.db, load(training_contract.FrontlinePost(), payload), self._today())

    @rpc
    def frontline_report(self, payload=None):
        return handlers.frontline_report(self.db, load(training_contract.AsOf(), payload or {}))

    # -- rotation -----------------------------------------------------------------------------------
    @rpc
    def rotation_report(self, payload):
        return handlers.rotation_report(self.db, load(training_contract.RotationQuery(), payload))

    # -- all-round officer ---------------------------------------------------------------------------
    @rpc
    def certifications(self, payload=None):
        return handlers.certifications(self.db, load(training_contract.CertQuery(), payload or {}))

    @rpc
    def allowances_of(self, payload):
        """A person's allowance months and amounts of a year as of the request's date (read only)."""
        return handlers.allowances_of(self.db, load(training_contract.AllowanceQuery(), payload))

    @rpc
    def run_allowances(self, payload):
        return handlers.run_allowances(self.db, load(training_contract.AllowanceMonth(), payload)["month"],
                                       self._today())

    @rpc
    def check_certifications(self, payload=None):
        load(training_contract.Empty(), payload or {})
        return handlers.check_certifications(self.db, self._today(), self._lead_days())

    @timer(interval=HOUR)
    def allowances_timer(self):
        """The current month (held so far) and the previous one (late records), once each."""
        month = Month.of(self._today())
        for m in (month.previous(), month):
            handlers.run_allowances(self.db, str(m), self._today())

    @timer(interval=HOUR)
    def certifications_timer(self):
        handlers.check_certifications(self.db, self._today(), self._lead_days())
        self._set_pass_rate_gauges(handlers.pass_rate(self.db, {"end": self._today()}))

    # -- pass rate --------------------------------------------------------------------------------------
    @rpc
    def pass_rate(self, payload=None):
        data = load(training_contract.PassRateQuery(), payload or {})
        out = handlers.pass_rate(self.db, data)
        if data.get("start") is None and data["end"] == self._today():  # the gauge's own period
            self._set_pass_rate_gauges(out)
        return out

    @rpc
    def targets(self, payload=None):
        """Target 3 of the Method per agency and city-wide (:mod:`shared.contracts.targets`); only
        answers (the gauges are computed at scrape time by ``target_gauges``)."""
        query = load(targets_contract.TargetsQuery(), payload or {})
        return targets_within(handlers.targets(self.db, query, self._today()), query,
                              self.policy_access(self.db.session))

    def _set_pass_rate_gauges(self, out: dict) -> None:
        gauge = self.metrics.gauge("lianbao_training_skills_pass_rate",
                                   "Skills pass rate (考技考能合格率, target 0.95) since 1 January",
                                   ["scope"])
        for scope, rate in [("city", out["city"]["rate"])] + [
                (u["unit_id"], u["rate"]) for u in out["units"]]:
            if rate is not None:
                gauge.labels(scope).set(float(rate))


Service = TrainingService
