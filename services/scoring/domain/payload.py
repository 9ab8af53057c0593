"""JSON in, JSON out: the rating engine behind ``lianbao rate`` and ``scoring.rate_snapshot``.

Not a rule module: it validates with the contract (:mod:`shared.contracts.rating`), calls the pure
engine (:func:`services.scoring.domain.rating.rate`) and returns the JSON-ready result.
"""
from __future__ import annotations

import gc

from shared.contracts.rating import validate_snapshot
from services.scoring.domain.rating import rate
from services.scoring.domain.snapshot import snapshot_from_validated


def rate_payload(payload, *, extensions=None) -> dict:
    """Validate a snapshot (a dict) and rate it.

    Raises :class:`shared.errors.ValidationFailed` whose ``field`` names the JSON path of the first
    problem (``details`` lists them all).  Returns the RATING.md §5 result as plain JSON types."""
    # a big snapshot makes millions of small objects that live until the end: the cyclic garbage
    # collector would scan them again and again for nothing (about a third of the time at 100k)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        valid = validate_snapshot(payload)
        return rate(snapshot_from_validated(valid), extensions=extensions).to_dict()
    finally:
        if was_enabled:
            gc.enable()
