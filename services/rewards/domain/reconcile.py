"""Reconciliation: what the period's ratings and allowances imply versus what the ledger holds.

The ledger is compared by identity (``<period>|<subject>|<kind>``, an allowance's month): the lines
in force after every reversal (:func:`services.rewards.domain.revision.ledger_state`) against the
lines the ratings in force (the latest settled version per scope) and the allowances imply.  A
line in force may come from an earlier version of the rating when the re-rating left it
unchanged, so what is compared is what a line pays or grants (:data:`CONTENT`), not its source.
"""
from __future__ import annotations

from typing import Iterable

from services.rewards.domain.lines import CONTENT, identity_of
from services.rewards.domain.revision import ledger_state


def diff(expected: Iterable[dict], actual: Iterable[dict]) -> dict:
    """Compare expected lines with the ledger's lines (in seq order) → ``missing`` (expected, not
    in force), ``extra`` (in force, not expected), ``different`` (both, a field of what it pays
    differs, the fields named) and ``problems`` (two lines in force for one identity, a reversal
    of a line not in force, a net that is not the line in force).  ``ok``: all four are empty."""
    want = {identity_of(row): row for row in expected}
    rows = list(actual)
    state = ledger_state(rows)
    have = state.in_force
    missing = [want[k] for k in want if k not in have]
    extra = [have[k] for k in have if k not in want]
    different = []
    for ident, row in want.items():
        if ident in have:
            fields = [f for f in CONTENT if row.get(f) != have[ident].get(f)]
            if fields:
                different.append({"key": have[ident]["key"], "identity": ident, "fields": fields,
                                  "expected": {f: row.get(f) for f in fields},
                                  "actual": {f: have[ident].get(f) for f in fields}})
    problems = state.problems
    return {"ok": not (missing or extra or different or problems), "expected": len(want),
            "ledger": len(have), "lines": len(rows),
            "reversals": sum(1 for r in rows if r.get("reverses")),
            "missing": missing, "extra": extra, "different": different, "problems": problems}
