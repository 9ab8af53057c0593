"""The scoring service: a thin nameko shell (validate → handler → dict); rules live in the domain.

RPC names and payloads: :mod:`shared.contracts.scoring`; the event it publishes,
``rating_published``: :mod:`shared.contracts.scoring_events`.  Consumes roster's staff, spell,
mentoring and ban events and survey's ``satisfaction_rates_published`` into its read models.  Rule
packs and plug-ins (``PacksMixin``, :mod:`services.scoring.packs_service`) adapt each agency's
rating inside ``run_rating``.
"""
from __future__ import annotations

from datetime import date

from shared.access import targets_within
from shared.contracts import roster as roster_contract
from shared.contracts import scoring as scoring_contract
from shared.contracts import survey as survey_contract
from shared.contracts import targets as targets_contract
from shared.db import Database
from shared.entrypoints import event_handler, rpc, timer
from shared.metrics import TargetGauges
from shared.errors import LianbaoError
from shared.schemas import load
from shared.service import ServiceBase

from services.scoring.access import ScoringAccess
from services.scoring import (daily_logs, facts, models, monitoring, ranking, ratings, read_model,
                              results, templates, workflow)
from services.scoring.followups import FollowupsMixin
from services.scoring.packs_service import PacksMixin
from services.scoring.public import PublicNoticeMixin

OVERDUE_TIMER_SECONDS = 3600
#: the schema of a hot read, made once (a schema object is built afresh for every other call; loading
#: keeps nothing on it but the old names its fields read, the same for every call): issue 24 item 2
_PERSON_HISTORY = scoring_contract.PersonHistory()


def _single(result):
    """A single-item RPC raises the item's error as its class, naming the field."""
    if result["errors"]:
        err = result["errors"][0]
        from shared.errors import ERRORS

        raise ERRORS.get(err["error"], LianbaoError)(err["message"], err["field"])
    return result


class ScoringService(FollowupsMixin, PacksMixin, PublicNoticeMixin, ServiceBase):
    name = "scoring"
    policy_name = "scoring"          # its rows of the policy table, whatever a test renames it to
    policy_access = ScoringAccess
    db = Database(models.Base)
    # target 1 on /metrics, computed at scrape time; last year's until its annual rating is stored
    target_gauges = TargetGauges(lambda uow, year, today: monitoring.target_results(uow, year, today),
                                 previous_filed=lambda uow, year: monitoring.annual_rating_filed(uow, year))

    # -- the rating engine (RATING.md) -------------------------------------------------------
    @rpc
    def rate_snapshot(self, snapshot):
        """A snapshot (RATING.md §1), or a composite one as ``snapshot`` returns it."""
        return ratings.rate_snapshot(self.db, snapshot)

    # -- read models -------------------------------------------------------------------------
    @rpc
    def upsert_people(self, payload):
        return read_model.upsert_people(self.db, load(scoring_contract.UpsertPeople(), payload))

    @rpc
    def save_units(self, payload):
        return read_model.save_units(self.db, load(scoring_contract.SaveUnits(), payload))

    @rpc
    def record_spells(self, payload):
        return read_model.record_spells(self.db, load(scoring_contract.RecordSpells(), payload))

    @event_handler(roster_contract.SERVICE, roster_contract.UNITS_SAVED)
    def on_units_saved(self, event):
        read_model.on_units_saved(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_JOINED)
    def on_staff_joined(self, event):
        read_model.on_staff(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_CHANGED)
    def on_staff_changed(self, event):
        read_model.on_staff(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_LEFT)
    def on_staff_left(self, event):
        read_model.on_staff_left(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STATUS_SPELL_RECORDED)
    def on_spell_recorded(self, event):
        read_model.on_spell(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STATUS_SPELL_CHANGED)
    def on_spell_changed(self, event):
        read_model.on_spell(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.EVALUATORS_RESOLVED)
    def on_evaluators_resolved(self, event):
        """Who evaluates each person on each date, as the roster resolved it (M§五(二)3)."""
        read_model.on_evaluators_resolved(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.MENTOR_ASSIGNED)
    def on_mentor_assigned(self, event):
        read_model.on_mentor_assigned(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.MENTORS_ASSIGNED)
    def on_mentors_assigned(self, event):
        read_model.on_mentors_assigned(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.MENTOR_UNASSIGNED)
    def on_mentor_unassigned(self, event):
        read_model.on_mentor_unassigned(self.db, event)

    @event_handler(roster_contract.SERVICE, roster_contract.BAN_VIOLATED)
    def on_ban_violated(self, event):
        """A confirmed ban violation (M§三(三)): the cases against the person and the mentor."""
        facts.on_ban_violated(self.db, event)

    @event_handler(survey_contract.SERVICE, survey_contract.SATISFACTION_RATES_PUBLISHED)
    def on_satisfaction_rates(self, event):
        read_model.on_satisfaction_rates(self.db, event)

    # -- criteria ------------------------------------------------------------------------------
    @rpc
    def template(self, payload=None):
        return templates.template(self.db, load(scoring_contract.TemplateQuery(), payload or {}))

    @rpc
    def register_criteria_pack(self, payload):
        return templates.register_criteria_pack(self.db, load(scoring_contract.CriteriaPack(), payload))

    # -- the monthly workflow ------------------------------------------------------------------
    @rpc
    def submit_self_assessments(self, payload):
        data = (scoring_contract.fast_step_batch(scoring_contract.SubmitBatch, payload)   # one pass, else:
                or load(scoring_contract.SubmitBatch(), payload))
        return workflow.submit_self_assessments(self.db, data)

    @rpc
    def submit_self_assessment(self, payload):
        item = load(scoring_contract.SubmitOne(), payload)
        as_of = item.pop("as_of")
        _single(workflow.submit_self_assessments(self.db, {"items": [item], "as_of": as_of}))
        return workflow.evaluation(self.db, item)

    @rpc
    def review_batch(self, payload):
        data = (scoring_contract.fast_step_batch(scoring_contract.ReviewBatch, payload)   # one pass, else:
                or load(scoring_contract.ReviewBatch(), payload))
        return workflow.review_batch(self.db, data)

    @rpc
    def review(self, payload):
        item = load(scoring_contract.ReviewOne(), payload)
        as_of = item.pop("as_of")
        _single(workflow.review_batch(self.db, {"items": [item], "as_of": as_of}))
        return workflow.evaluation(self.db, item)

    @rpc
    def approve_batch(self, payload):
        data = (scoring_contract.fast_step_batch(scoring_contract.StepBatch, payload)   # one pass, else:
                or load(scoring_contract.StepBatch(), payload))
        return workflow.approve_batch(self.db, data)

    @rpc
    def approve(self, payload):
        item = load(scoring_contract.StepOne(), payload)
        as_of = item.pop("as_of")
        _single(workflow.approve_batch(self.db, {"items": [item], "as_of": as_of}))
        return workflow.evaluation(self.db, item)

    @rpc
    def send_back_batch(self, payload):
        """退回: evaluations waiting for approval back to the mentor's review, with a reason."""
        return workflow.send_back_batch(self.db, load(scoring_contract.SendBackBatch(), payload))

    @rpc
    def send_back(self, payload):
        item = load(scoring_contract.SendBackOne(), payload)
        as_of = item.pop("as_of")
        _single(workflow.send_back_batch(self.db, {"items": [item], "as_of": as_of}))
        return workflow.evaluation(self.db, item)

    @rpc
    def publish_notice(self, payload):
        return workflow.publish_notice(self.db, load(scoring_contract.BodyMonth(), payload))

    @rpc
    def publish_notices(self, payload):
        """:meth:`publish_notice` of many bodies' months in one call (the demo's month)."""
        return workflow.publish_notices(self.db, load(scoring_contract.BodyMonths(), payload))

    @rpc
    def raise_objection(self, payload):
        """An objection during the notice (公示): the evaluation goes back to review, recorded."""
        return workflow.raise_objection(self.db, load(scoring_contract.Objection(), payload))

    @rpc
    def object(self, payload):
        """The old name of :meth:`raise_objection` (it shadowed the builtin), kept working for one
        release (issue 17): to be removed after it."""
        return self.raise_objection(payload)

    @rpc
    def file_month(self, payload):
        result = workflow.file_month(self.db, load(scoring_contract.BodyMonth(), payload))
        return result

    @rpc
    def file_months(self, payload):
        """:meth:`file_month` of many bodies' months in one call."""
        return workflow.file_months(self.db, load(scoring_contract.BodyMonths(), payload))

    @rpc
    def evaluation(self, payload):
        return workflow.evaluation(self.db, load(scoring_contract.EvaluationRef(), payload))

    @rpc
    def person_history(self, payload):
        return workflow.person_history(self.db, load(_PERSON_HISTORY, payload))

    @rpc
    def waiting_for(self, payload):
        """Evaluations a person may review or approve on the date, and his mentees' logs."""
        return workflow.waiting_for(self.db, load(scoring_contract.WaitingFor(), payload))

    @rpc
    def overdue_evaluations(self, payload=None):
        report = monitoring.overdue_evaluations(self.db, load(scoring_contract.OverdueQuery(), payload or {}))
        self._set_gauges(report)
        return report

    @rpc
    def committee_board(self, payload):
        """A committee's agencies in one call: filing against the 15th, target 1, latest stars."""
        return monitoring.committee_board(self.db, load(scoring_contract.CommitteeBoard(), payload))

    @timer(interval=OVERDUE_TIMER_SECONDS, eager=True)
    def flag_overdue(self):
        self._set_gauges(monitoring.flag_overdue(self.db, date.today()))

    @rpc
    def targets(self, payload=None):
        """Target 1 of the Method per agency and city-wide (:mod:`shared.contracts.targets`); only
        answers (the gauges are computed at scrape time by ``target_gauges``)."""
        query = load(targets_contract.TargetsQuery(), payload or {})
        return targets_within(monitoring.targets(self.db, query, date.today()), query,
                              self.policy_access(self.db.session))

    def _set_gauges(self, report):
        overdue = self.metrics.gauge("lianbao_scoring_overdue_evaluations",
                                     "Evaluations of the latest month due not filed by the 15th",
                                     ["agency"])
        rate = self.metrics.gauge("lianbao_management_implementation_rate",
                                  "Evaluations filed on time / due (M§一 target 1)", ["agency"])
        for agency, a in report["by_agency"].items():
            overdue.labels(agency or "").set(a["overdue"])
            if a["rate"] is not None:
                rate.labels(agency or "").set(a["rate"])

    # -- daily logs ----------------------------------------------------------------------------
    @rpc
    def write_daily_logs(self, payload):
        return daily_logs.write_daily_logs(self.db, load(scoring_contract.LogBatch(), payload))

    @rpc
    def review_daily_logs(self, payload):
        return daily_logs.review_daily_logs(self.db, load(scoring_contract.LogReviewBatch(), payload))

    @rpc
    def daily_logs_of(self, payload):
        """A person's own daily logs of a month, with their review."""
        return daily_logs.daily_logs_of(self.db, load(scoring_contract.LogsOf(), payload))

    @rpc
    def unreviewed_logs(self, payload=None):
        return daily_logs.unreviewed_logs(self.db, load(scoring_contract.UnreviewedQuery(), payload or {}))

    # -- monthly ranking -----------------------------------------------------------------------
    @rpc
    def rank_month(self, payload):
        return ranking.rank_month(self.db, load(scoring_contract.BodyMonth(), payload))

    @rpc
    def rank_months(self, payload):
        """:meth:`rank_month` of many bodies' months in one call."""
        return ranking.rank_months(self.db, load(scoring_contract.BodyMonths(), payload))

    @rpc
    def ranking_of_month(self, payload):
        return ranking.ranking_of_month(self.db, load(scoring_contract.BodyMonthQuery(), payload))

    @rpc
    def submit_rectification(self, payload):
        return ranking.submit_rectification(self.db, load(scoring_contract.RectificationIn(), payload))

    @rpc
    def file_rectification(self, payload):
        return ranking.file_rectification(self.db, load(scoring_contract.RectificationFile(), payload))

    @rpc
    def rectifications(self, payload=None):
        return ranking.rectifications(self.db, load(scoring_contract.RectificationQuery(), payload or {}))

    # -- facts for the ratings -----------------------------------------------------------------
    @rpc
    def record_honours(self, payload):
        return facts.record_honours(self.db, load(scoring_contract.RecordHonours(), payload))

    @rpc
    def record_facts(self, payload):
        return facts.record_facts(self.db, load(scoring_contract.RecordFacts(), payload))

    @rpc
    def record_absences(self, payload):
        return facts.record_absences(self.db, load(scoring_contract.RecordAbsences(), payload))

    @rpc
    def record_agency_evaluation(self, payload):
        return facts.record_agency_evaluation(self.db, load(scoring_contract.AgencyEvaluationIn(), payload))

    # -- ratings -------------------------------------------------------------------------------
    @rpc
    def run_rating(self, payload):
        return ratings.run_rating(self.db, load(scoring_contract.RunRating(), payload))

    @rpc
    def preview_rating(self, payload):
        """What ``run_rating`` would publish now, with its digest; nothing stored."""
        return ratings.preview_rating(self.db, load(scoring_contract.PreviewRating(), payload))

    @rpc
    def snapshot(self, payload):
        return ratings.snapshot(self.db, load(scoring_contract.SnapshotQuery(), payload))

    @rpc
    def unit_results(self, payload):
        return results.unit_results(self.db, load(scoring_contract.UnitResults(), payload))

    @rpc
    def explanation(self, payload):
        return results.explanation(self.db, load(scoring_contract.ExplanationQuery(), payload))


Service = ScoringService
