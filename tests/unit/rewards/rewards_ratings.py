"""Builders of published ratings for the rewards tests (plain dicts, as the contract loads them)."""
from __future__ import annotations

import copy
import uuid

from shared.contracts.scoring_events import load_rating


def officer(id, status="rated", stars=None, score=None):
    return {"id": id, "status": status, "score": score, "stars": stars, "reasons": []}


def section(id, status="rated", stars=None, score=None):
    return {"id": id, "status": status, "score": score, "stars": stars, "reasons": []}


def agency(id, klass=2, advanced=False, veto_warning=False, veto=False, score=85.0, rank=1):
    return {"id": id, "score": score, "class": klass, "rank": rank, "advanced": advanced,
            "veto_warning": veto_warning, "veto": veto}


def rating_payload(officers=(), sections=(), agencies=(), settlement=(), period="2026",
                   version=1, scope="a1", disqualified_last_year=(), headcount=12, paying_unit="a1",
                   rating_date=None, event_id=None):
    subjects = {}
    for o in officers:
        subjects[o["id"]] = {"paying_unit": paying_unit, "unit": "s1", "name": f"干警{o['id']}"}
    for s in sections:
        subjects[s["id"]] = {"paying_unit": paying_unit, "headcount": headcount,
                             "name": f"科室{s['id']}"}
    annual = not period.endswith("H1")
    return {
        "event_id": event_id or uuid.uuid4().hex,
        "rating_id": f"{period}:{scope}:{version}",
        "period": period,
        "kind": "annual" if annual else "half_year",
        "scope": scope,
        "rating_date": rating_date or (f"{int(period[:4]) + 1}-01-08" if annual
                                       else f"{period[:4]}-07-08"),
        "result": {"officers": list(officers), "sections": list(sections),
                   "agencies": list(agencies), "settlement": list(settlement)},
        "subjects": subjects,
        "disqualified_last_year": list(disqualified_last_year),
    }


def rating(*args, **kwargs):
    """A validated rating (the dict the contract's loader returns)."""
    return load_rating(copy.deepcopy(rating_payload(*args, **kwargs)))
