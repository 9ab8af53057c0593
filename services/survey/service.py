"""The survey service: a thin nameko shell (validate → handler → dict); rules live in the domain.

RPC names and payloads: :mod:`shared.contracts.survey`.  Events consumed: the roster's
``units_saved``, ``staff_joined``, ``staff_changed``, ``staff_left`` (read model of subjects).
"""
from shared.access import targets_within
from shared.contracts import roster as roster_contract
from shared.contracts import survey as contract
from shared.contracts import targets as targets_contract
from shared.db import Database
from shared.entrypoints import event_handler, rpc
from shared.metrics import TargetGauges
from shared.errors import Conflict, RuleViolation, ValidationFailed
from shared.identity import ALL_UNITS, caller_id
from shared.schemas import load
from shared.service import ServiceBase

from services.survey.access import SurveyAccess
from services.survey import handlers, models


class SurveyService(ServiceBase):
    name = "survey"
    policy_name = "survey"          # its rows of the policy table, whatever a test renames it to
    policy_access = SurveyAccess
    db = Database(models.Base)
    # target 8 on /metrics, computed at scrape time (shared/metrics.py)
    target_gauges = TargetGauges(lambda uow, year, today: handlers.target_results(uow, year))

    # -- metrics -------------------------------------------------------------------------------
    def _count_intake(self, result: dict) -> None:
        m = self.metrics
        m.counter("lianbao_survey_forms_received_total", "Forms received (batches and single)"
                  ).inc(result["received"])
        m.counter("lianbao_survey_forms_accepted_total", "Forms taken into a campaign"
                  ).inc(result["accepted"])
        rejected = m.counter("lianbao_survey_forms_rejected_total", "Forms refused, by reason",
                             ["reason"])
        for err in result["errors"]:
            rejected.labels(err["reason"]).inc()
        if result.get("seconds"):
            m.gauge("lianbao_survey_intake_forms_per_second",
                    "Intake rate of the last batch (forms per second)"
                    ).set(result["received"] / result["seconds"])

    def _count_closed(self, n: int) -> None:
        self.metrics.counter("lianbao_survey_forms_received_total", "Forms received (batches and single)"
                             ).inc(n)
        self.metrics.counter("lianbao_survey_forms_rejected_total", "Forms refused, by reason",
                             ["reason"]).labels("campaign_closed").inc(n)

    def _gauge_rates(self, rates: dict) -> dict:
        rate = rates["totals"]["rate"]
        self.metrics.gauge("lianbao_survey_satisfaction_rate",
                           "Satisfied + basically satisfied over answered, per campaign (target ≥ 0.9)",
                           ["campaign", "owner", "period"]
                           ).labels(rates["campaign_id"], rates["owner"], rates["period"]
                                    ).set(float(rate) if rate is not None else float("nan"))
        return rates

    # -- questionnaires ------------------------------------------------------------------------
    @rpc
    def define_questionnaire(self, payload):
        return handlers.define_questionnaire(self.db, load(contract.DefineQuestionnaire(), payload))

    @rpc
    def get_questionnaire(self, payload):
        return handlers.get_questionnaire(self.db, load(contract.QuestionnaireRef(), payload))

    # -- campaigns -----------------------------------------------------------------------------
    @rpc
    def create_campaign(self, payload):
        return handlers.create_campaign(self.db, load(contract.CreateCampaign(), payload))

    @rpc
    def get_campaign(self, payload):
        return handlers.get_campaign(self.db, load(contract.CampaignRef(), payload))

    @rpc
    def list_campaigns(self, payload=None):
        data = load(contract.CampaignsQuery(), payload or {})
        who = self.who
        if who is not None and who.kind == "person":     # a person lists the campaigns of their units
            from shared.access import auditors_of

            data["owners"] = handlers.owners_of_person(self.db, who.sub,
                                                       auditors_of(self.db.provider.container.config),
                                                       data.get("owners"))
        elif who is not None and who.kind in ("system", "persons") and who.units != ALL_UNITS:
            # a calling system lists its units' campaigns, whatever ``owners`` it sends
            data["owners"] = handlers.units_below(self.db, who.units, data.get("owners"))
        return handlers.list_campaigns(self.db, data)

    @rpc
    def campaign_owner(self, payload):
        return handlers.campaign_owner(self.db, load(contract.CampaignRef(), payload))

    @rpc
    def set_campaign_questionnaire(self, payload):
        return handlers.set_campaign_questionnaire(self.db,
                                                   load(contract.SetCampaignQuestionnaire(), payload))

    @rpc
    def close_campaign(self, payload):
        return self._gauge_rates(handlers.close_campaign(self.db, load(contract.CampaignRef(), payload)))

    # -- intake --------------------------------------------------------------------------------
    @rpc
    def submit_form(self, payload):
        data = load(contract.SubmitForm(), payload)
        try:
            result = handlers.submit_form(self.db, data)
        except RuleViolation as err:
            if err.field == "campaign_id":
                self._count_closed(1)
            raise
        except (ValidationFailed, Conflict) as err:
            if err.details:
                self._count_intake({"received": 1, "accepted": 0, "errors": err.details})
            raise
        self._count_intake({"received": 1, "accepted": 1, "errors": []})
        return result

    @rpc
    def submit_batch(self, payload):
        data = load(contract.SubmitBatch(), payload)
        try:
            result = handlers.submit_batch(self.db, data, caller_id(self.who))
        except RuleViolation as err:
            if err.field == "campaign_id":
                self._count_closed(len(data["forms"]))
            raise
        if not result.get("replayed") and not result["dry_run"]:
            self._count_intake(result)
        return result

    @rpc
    def progress(self, payload):
        return handlers.progress(self.db, load(contract.CampaignRef(), payload))

    @rpc
    def campaign_subjects(self, payload):
        return handlers.campaign_subjects(self.db, load(contract.SubjectsQuery(), payload))

    @rpc
    def serials_used(self, payload):
        return handlers.serials_used(self.db, load(contract.SerialsQuery(), payload))

    # -- rates and reports ---------------------------------------------------------------------
    @rpc
    def get_rates(self, payload):
        return self._gauge_rates(handlers.get_rates(self.db, load(contract.CampaignRef(), payload)))

    @rpc
    def publish_rates(self, payload):
        return self._gauge_rates(handlers.publish_rates(self.db, load(contract.CampaignRef(), payload)))

    @rpc
    def targets(self, payload=None):
        """Target 8 of the Method per agency and city-wide (:mod:`shared.contracts.targets`); only
        answers (the gauges are computed at scrape time by ``target_gauges``)."""
        from datetime import date

        query = load(targets_contract.TargetsQuery(), payload or {})
        return targets_within(handlers.targets(self.db, query, date.today()), query,
                              self.policy_access(self.db.session))

    @rpc
    def rates_xlsx(self, payload):
        return handlers.rates_xlsx(self.db, load(contract.CampaignRef(), payload))

    # -- the roster's read model ---------------------------------------------------------------
    @event_handler(roster_contract.SERVICE, roster_contract.UNITS_SAVED)
    def on_units_saved(self, event):
        handlers.on_units_saved(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_JOINED)
    def on_staff_joined(self, event):
        handlers.on_staff(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_CHANGED)
    def on_staff_changed(self, event):
        handlers.on_staff(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_LEFT)
    def on_staff_left(self, event):
        handlers.on_staff_left(self.db, event)


Service = SurveyService
