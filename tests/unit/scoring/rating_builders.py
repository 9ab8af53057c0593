"""Small builders of rating snapshots for the tests of the rating engine (RATING.md)."""
from __future__ import annotations

import copy

from services.scoring.domain.payload import rate_payload

PERIOD, RATING_DATE = "2026", "2027-01-08"


def months(score, n=12, year=2026):
    """``n`` monthly scores all equal to ``score``, from January."""
    return {f"{year}-{m:02d}": score for m in range(1, n + 1)}


def officer(id="o1", **kw):
    out = {"id": id, "agency": "a1", "joined": "2010-01-01", "monthly": months(85)}
    out.update(kw)
    return out


def section(id="s1", **kw):
    out = {"id": id, "agency": "a1", "headcount": 10, "score": 85}
    out.update(kw)
    return out


def agency(id="c1", **kw):
    out = {"id": id, "group": "county", "score": 85}
    out.update(kw)
    return out


def snapshot(officers=(), sections=(), agencies=(), period=PERIOD, rating_date=RATING_DATE,
             rules=None):
    out = {"period": period, "rating_date": rating_date, "officers": list(officers),
           "sections": list(sections), "agencies": list(agencies)}
    if rules is not None:
        out["rules"] = rules
    return copy.deepcopy(out)


def rate(snap, **kw) -> dict:
    return rate_payload(snap, **kw)


def by_id(result, coll="officers") -> dict:
    return {r["id"]: r for r in result[coll]}


def one(result, coll="officers") -> dict:
    assert len(result[coll]) >= 1
    return result[coll][0]


def rate_officer(**kw) -> dict:
    """Rate a single officer (others as ``extra``) and return its result."""
    extra = kw.pop("extra", ())
    snap_kw = {k: kw.pop(k) for k in ("period", "rating_date", "rules") if k in kw}
    return by_id(rate(snapshot([officer(**kw), *extra], **snap_kw)))[kw.get("id", "o1")]


def lines(result, subject=None):
    return [(s["subject"], s["kind"], s.get("amount"), s["reason"]) for s in result["settlement"]
            if subject is None or s["subject"] == subject]


def rules_of(entries):
    return [(e["rule"], e["points"]) for e in entries]
