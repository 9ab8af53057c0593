"""What rewards knows for the policy table (``shared.access``): nothing of people or units (its
tables are ratings, allowances and the ledger).  A person has no role here and only reads; a
calling system writes only about the agencies its units name."""
from shared.access import Resolver


class RewardsAccess(Resolver):
    def unit_of_record(self, kind, record_id):
        """A task (``rewards.complete_task``): its paying unit; "" for a task without one (within
        no writer's units but every unit's), None for a task rewards does not know (its NotFound)."""
        from services.rewards.models import RewardTask

        if kind != "task" or not isinstance(record_id, str):
            return None
        row = self.session.get(RewardTask, record_id)
        return None if row is None else (row.paying_unit or "")
