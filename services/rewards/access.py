"""What rewards knows for the policy table (``shared.access``): the roster's unit tree and persons'
posts through time (:mod:`services.rewards.roster_view`, from the roster's events), so a person has
the role of his post within his units (a committee's office reads its agencies' notice); its own
tables are ratings, allowances and the ledger.  A calling system writes only about the agencies its
units name."""
from shared.access import Resolver

from services.rewards import roster_view


class RewardsAccess(Resolver):
    def unit(self, unit_id):
        if not isinstance(unit_id, str) or self.session is None:
            return None
        return roster_view.unit_on(self.session, unit_id, self.day)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str) or self.session is None:
            return None
        return roster_view.post_on(self.session, person_id, day)

    def unit_of_record(self, kind, record_id):
        """A task (``rewards.complete_task``): its paying unit; "" for a task without one (within
        no writer's units but every unit's), None for a task rewards does not know (its NotFound)."""
        from services.rewards.models import RewardTask

        if kind != "task" or not isinstance(record_id, str):
            return None
        row = self.session.get(RewardTask, record_id)
        return None if row is None else (row.paying_unit or "")
