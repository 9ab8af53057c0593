"""The roster service: a thin nameko shell (validate → handler → dict); rules live in the domain.

RPC names and payloads: :mod:`shared.contracts.roster`.
"""
from __future__ import annotations

from datetime import date

from shared.access import targets_within
from shared.contracts import roster as roster_contract
from shared.contracts import targets as targets_contract
from shared.contracts import training as training_contract
from shared.db import Database
from shared.entrypoints import event_handler, rpc, timer
from shared.metrics import TargetGauges
from shared.schemas import load
from shared.service import ServiceBase

from services.roster.access import RosterAccess
from services.roster import (conversions, discipline, evaluators, importing, mentoring, models, spells,
                             staff, units)

GAUGE_SECONDS = 60
#: the schema of a hot read, made once (a schema object is built afresh for every other call; loading
#: keeps nothing on it but the old names its fields read, the same for every call): issue 24 item 2
_PERSON_REF = roster_contract.PersonRef()


class RosterService(ServiceBase):
    name = "roster"
    policy_name = "roster"          # its rows of the policy table, whatever a test renames it to
    policy_access = RosterAccess
    db = Database(models.Base)
    # targets 2, 4, 5, 6, 7 on /metrics, computed at scrape time (shared/metrics.py)
    target_gauges = TargetGauges(lambda uow, year, today: discipline.target_results(uow, year))

    # -- units and staff ------------------------------------------------------------------------
    @rpc
    def save_units(self, payload):
        return units.save_units(self.db, load(roster_contract.SaveUnits(), payload))

    @rpc
    def get_units(self, payload=None):
        return units.get_units(self.db, load(roster_contract.UnitsQuery(), payload or {}))

    @rpc
    def move_unit(self, payload):
        return units.move_unit(self.db, load(roster_contract.MoveUnit(), payload))

    @rpc
    def rename_unit(self, payload):
        return units.rename_unit(self.db, load(roster_contract.RenameUnit(), payload))

    @rpc
    def dissolve_unit(self, payload):
        return units.dissolve_unit(self.db, load(roster_contract.DissolveUnit(), payload))

    @rpc
    def unit_history(self, payload):
        return units.unit_history(self.db, load(roster_contract.UnitRef(), payload))

    @rpc
    def create_staff(self, payload):
        return staff.create_staff(self.db, load(roster_contract.CreateStaff(), payload))

    @rpc
    def change_staff(self, payload):
        return staff.change_staff(self.db, load(roster_contract.ChangeStaff(), payload))

    @rpc
    def get_staff(self, payload):
        return staff.get_staff(self.db, load(_PERSON_REF, payload))

    @rpc
    def members_of(self, payload):
        return staff.members_of(self.db, load(roster_contract.MembersPage(), payload))

    @rpc
    def people_of_agency(self, payload):
        return staff.people_of_agency(self.db, load(roster_contract.AgencyOnDate(), payload))

    @rpc
    def import_roster(self, payload):
        return importing.import_roster(self.db, load(roster_contract.ImportRoster(), payload))

    # -- status spells ----------------------------------------------------------------------------
    @rpc
    def record_spell(self, payload):
        return spells.record_spell(self.db, load(roster_contract.RecordSpell(), payload))

    @rpc
    def end_spell(self, payload):
        return spells.end_spell(self.db, load(roster_contract.EndSpell(), payload))

    @rpc
    def spells_of(self, payload):
        return spells.spells_of(self.db, load(roster_contract.PersonRef(), payload))

    # -- mentoring --------------------------------------------------------------------------------
    @rpc
    def assign_mentor(self, payload):
        return mentoring.assign_mentor(self.db, load(roster_contract.AssignMentor(), payload))

    @rpc
    def assign_mentors(self, payload):
        return mentoring.assign_mentors(self.db, load(roster_contract.AssignMentors(), payload))

    @rpc
    def reassign_mentor(self, payload):
        return mentoring.reassign_mentor(self.db, load(roster_contract.AssignMentor(), payload))

    @rpc
    def unassign_mentor(self, payload):
        return mentoring.unassign_mentor(self.db, load(roster_contract.UnassignMentor(), payload))

    @rpc
    def mentor_of(self, payload):
        return mentoring.mentor_of(self.db, load(roster_contract.PersonOnDate(), payload))

    @rpc
    def mentees_of(self, payload):
        return mentoring.mentees_of(self.db, load(roster_contract.PersonOnDate(), payload))

    @rpc
    def mentoring_coverage(self, payload):
        return mentoring.mentoring_coverage(self.db, load(roster_contract.CoverageQuery(), payload))

    # -- evaluators and bans ----------------------------------------------------------------------
    @rpc
    def evaluator_of(self, payload):
        return evaluators.evaluator_of(self.db, load(roster_contract.PersonOnDate(), payload))

    @rpc
    def evaluator_of_section(self, payload):
        return evaluators.evaluator_of_section(self.db, load(roster_contract.UnitOnOptionalDate(), payload))

    @rpc
    def return_to_team(self, payload):
        return spells.return_to_team(self.db, load(roster_contract.ReturnToTeam(), payload))

    @rpc
    def record_ban_violation(self, payload):
        return discipline.record_ban_violation(self.db, load(roster_contract.RecordBanViolation(), payload))

    @rpc
    def cases_of(self, payload):
        return discipline.cases_of(self.db, load(roster_contract.PersonRef(), payload))

    # -- team discipline (M§一2, 4-7) ------------------------------------------------------------
    @rpc
    def record_discipline_fact(self, payload):
        return discipline.record_discipline_fact(self.db, load(roster_contract.RecordDisciplineFact(), payload))

    @rpc
    def investigate(self, payload):
        return discipline.investigate(self.db, load(roster_contract.Investigate(), payload))

    @rpc
    def discipline_facts(self, payload=None):
        return discipline.discipline_facts(self.db, load(roster_contract.DisciplineQuery(), payload or {}))

    @rpc
    def targets(self, payload=None):
        query = load(targets_contract.TargetsQuery(), payload or {})
        return targets_within(discipline.targets(self.db, query, date.today()), query,
                              self.policy_access(self.db.session))

    # -- events consumed ----------------------------------------------------------------------------
    @event_handler(training_contract.SERVICE, training_contract.RETRAINING_FAILED)
    def on_retraining_failed(self, event):
        spells.retraining_failed(self.db, event)

    # -- metrics ----------------------------------------------------------------------------------
    @rpc
    def refresh_metrics(self):
        """Recompute the domain gauges now (the timer does it at start and every minute); the targets
        of this year are returned (their gauges are computed at scrape time)."""
        return self._set_gauges()

    @timer(interval=GAUGE_SECONDS, eager=True)
    def gauges_tick(self):
        self._set_gauges()

    def _set_gauges(self):
        figures = mentoring.gauges(self.db, date.today())
        ratio = self.metrics.gauge("lianbao_mentoring_coverage_ratio",
                                   "Share of officers on the team with a mentor (M§四3)",
                                   ["agency"])
        for agency, share in figures["coverage"].items():
            ratio.labels(agency).set(float(share) if share is not None else float("nan"))
        by_status = self.metrics.gauge("lianbao_roster_staff", "Staff on the roster by status today",
                                       ["status"])
        for status in roster_contract.STATUSES:
            by_status.labels(status).set(figures["status"].get(status, 0))
        results = discipline.target_results(self.db, date.today().year)
        return {"coverage": {a: conversions.share(s) for a, s in figures["coverage"].items()},
                "status": figures["status"], "targets": [r.as_dict() for r in results]}


Service = RosterService
