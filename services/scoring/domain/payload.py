"""JSON in, JSON out: the rating engine behind ``lianbao rate`` and ``scoring.rate_snapshot``.

Not a rule module: it validates with the contract (:mod:`shared.contracts.rating`), calls the pure
engine (:func:`services.scoring.domain.rating.rate`) and returns the JSON-ready result.  Both entry
points end in the same ``rate()``: :func:`rate_payload` for a snapshot from outside (validated
whole), :func:`rate_trusted` for a snapshot the scoring service assembled from its own validated
tables (only its head, rules and agencies are validated).
"""
from __future__ import annotations

from datetime import date

from shared.contracts.rating import _DEC_CACHE as _DECIMALS, exact_float, validate_snapshot
from shared.gc_pause import without_gc
from services.scoring.domain.rating import rate
from services.scoring.domain.snapshot import (Honour, Leave, Officer, Satisfaction,
                                              snapshot_from_validated)


def rate_payload(payload, *, extensions=None) -> dict:
    """Validate a snapshot (a dict) and rate it.

    Raises :class:`shared.errors.ValidationFailed` whose ``field`` names the JSON path of the first
    problem (``details`` lists them all).  Returns the RATING.md §5 result as plain JSON types."""
    return without_gc(lambda: rate(snapshot_from_validated(validate_snapshot(payload)),
                                    extensions=extensions).to_dict())


def _officers(officers) -> list:
    """The engine's officers of assembled officer dicts, in one pass (no normalised dict in
    between): what :func:`snapshot_from_validated` makes of the validator's officer, a JSON float
    of ``monthly`` the Decimal of its repr as the validator reads it, a date string the date."""
    known = _DECIMALS.get           # a hit is never Decimal zero (zero is not cached)
    iso = date.fromisoformat
    out = []
    append = out.append
    for o in officers:
        monthly = o["monthly"]
        for v in monthly.values():
            if type(v) is float:
                monthly = {k: (known(v) or exact_float(v)) if type(v) is float else v
                           for k, v in monthly.items()}
                break
        get = o.get
        honours, leave, sat, facts = get("honours"), get("leave"), get("satisfaction"), get("facts")
        append(Officer(
            o["id"], o["agency"], iso(o["joined"]), monthly, get("section"), get("mentor"),
            tuple(Honour(h["title"], h["level"]) for h in honours) if honours else (),
            tuple(Leave(x["kind"], iso(x["from"]), iso(x["to"])) for x in leave) if leave else (),
            get("unexcused_absence_days", 0),
            None if sat is None else Satisfaction(sat["satisfied"], sat["basic"],
                                                  sat["dissatisfied"]),
            tuple(facts) if facts else (), get("disqualified_last_year", False)))
    return out


def rate_trusted(snapshot: dict, *, extensions=None) -> dict:
    """Rate a snapshot assembled by the scoring service from its own tables
    (:func:`services.scoring.domain.assemble.assemble_snapshot`): officers and sections are already
    valid (ids unique, references inside, months of the period, numbers as the JSON text gives them
    back: int when whole, else the Decimal of the float's repr; a monthly score may also be that
    float, made the Decimal of its repr here, as the validator does).  What came from outside is
    validated as for any snapshot: period, rating date, ``rules`` (the caller's and the packs'),
    agencies.  The result equals :func:`rate_payload` of the snapshot's JSON text (tests hold it)."""
    head = {k: snapshot[k] for k in ("period", "rating_date", "rules", "agencies") if k in snapshot}

    def run():
        valid = validate_snapshot(head)
        valid["sections"] = list(snapshot.get("sections") or ())
        snap = snapshot_from_validated(valid)
        snap.officers = _officers(snapshot.get("officers") or ())
        return rate(snap, extensions=extensions).to_dict()

    return without_gc(run)
