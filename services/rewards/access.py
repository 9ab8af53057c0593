"""What rewards knows for the policy table (``shared.access``): nothing of people or units (its
tables are ratings, allowances and the ledger).  A person has no role here and only reads; a
calling system writes only about the agencies its units name."""
from shared.access import Resolver


class RewardsAccess(Resolver):
    pass
