"""Reconciliation: what the period's ratings and allowances imply versus what the ledger holds."""
from __future__ import annotations

from typing import Iterable

from services.rewards.domain.lines import FIELDS


def diff(expected: Iterable[dict], actual: Iterable[dict]) -> dict:
    """Compare expected lines with ledger lines by key → ``missing`` (expected, not in the ledger),
    ``extra`` (in the ledger, not expected) and ``different`` (same key, a field differs, with the
    fields named).  ``ok`` is true when all three are empty."""
    want = {row["key"]: row for row in expected}
    have = {row["key"]: row for row in actual}
    missing = [want[k] for k in want if k not in have]
    extra = [have[k] for k in have if k not in want]
    different = []
    for key in want:
        if key in have:
            fields = [f for f in FIELDS if want[key].get(f) != have[key].get(f)]
            if fields:
                different.append({"key": key, "fields": fields,
                                  "expected": {f: want[key].get(f) for f in fields},
                                  "actual": {f: have[key].get(f) for f in fields}})
    return {"ok": not (missing or extra or different), "expected": len(want), "ledger": len(have),
            "missing": missing, "extra": extra, "different": different}
