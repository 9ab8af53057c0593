"""Small snapshot builders for the adaptation tests (RATING.md §1 shapes)."""
from __future__ import annotations


def officer(oid, agency="a1", score=90, months=12, year=2026, **extra):
    monthly = {f"{year}-{m:02d}": score for m in range(1, months + 1)}
    out = {"id": oid, "agency": agency, "joined": "2015-03-01", "monthly": monthly}
    out.update(extra)
    return out


def section(sid, agency="a1", score=90, headcount=10, **extra):
    out = {"id": sid, "agency": agency, "headcount": headcount, "score": score}
    out.update(extra)
    return out


def snapshot(officers=(), sections=(), period="2026", rating_date="2027-01-08", rules=None):
    out = {"period": period, "rating_date": rating_date, "officers": list(officers),
           "sections": list(sections), "agencies": []}
    if rules is not None:
        out["rules"] = rules
    return out


def by_id(result, part="officers"):
    return {r["id"]: r for r in result[part]}


def pack(version=1, effective_from="2026", **parts):
    out = {"version": version, "effective_from": effective_from}
    out.update(parts)
    return out
