"""The scoring domain: pure rules, no nameko, no database.

``rate(snapshot) -> RatingResult`` is the rating engine of RATING.md; ``rate_payload`` (in
:mod:`services.scoring.domain.payload`) is its JSON entry point for the CLI and the RPC.
"""
from services.scoring.domain.defaults import CITY, CityDefaults
from services.scoring.domain.rating import Proposal, RatingResult, rate
from services.scoring.domain.snapshot import Snapshot, snapshot_from_validated

__all__ = ["CITY", "CityDefaults", "Proposal", "RatingResult", "Snapshot", "rate",
           "snapshot_from_validated"]
