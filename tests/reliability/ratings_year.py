"""A year of ratings and allowances for one small city, as scoring and training publish them."""
from __future__ import annotations

import uuid

from shared.contracts.scoring_events import load_rating
from services.rewards.domain.allowance import allowance_line
from services.rewards.domain.settlement import settle

YEAR = "2026"


def _officer(i: int, scope: int) -> dict:
    n = i + scope
    if n % 11 == 0:
        return {"id": f"o{scope}-{i}", "status": "disqualified", "score": None, "stars": None,
                "reasons": ["ban"]}
    return {"id": f"o{scope}-{i}", "status": "rated", "score": 60.0 + n % 40,
            "stars": 1 + n % 5, "reasons": []}


def rating(scope: int, period: str, officers: int = 12, sections: int = 3) -> dict:
    """One agency's published rating of ``period`` (``2026`` annual or ``2026H1`` half-year)."""
    agency = f"agency-{scope}"
    result = {
        "officers": [_officer(i, scope) for i in range(officers)],
        "sections": [{"id": f"s{scope}-{j}", "status": "rated", "score": 70.0 + j,
                      "stars": 1 + (scope + j) % 5, "reasons": []} for j in range(sections)],
        "agencies": [{"id": agency, "score": 80.0 + scope % 15, "class": 1 + scope % 3,
                      "rank": 1 + scope, "advanced": scope % 4 == 0,
                      "veto_warning": scope % 7 == 3, "veto": scope % 9 == 5}],
        "settlement": [],
    }
    subjects = {o["id"]: {"paying_unit": agency, "unit": f"s{scope}-0", "name": f"干警{o['id']}"}
                for o in result["officers"]}
    subjects.update({s["id"]: {"paying_unit": agency, "headcount": 8 + scope % 5,
                               "name": f"科室{s['id']}"} for s in result["sections"]})
    annual = not period.endswith("H1")
    return {"event_id": uuid.uuid4().hex, "rating_id": f"{period}:{agency}:1", "period": period,
            "kind": "annual" if annual else "half_year", "scope": agency,
            "rating_date": f"{int(period[:4]) + 1}-01-08" if annual else f"{period[:4]}-07-08",
            "result": result, "subjects": subjects, "disqualified_last_year": []}


def allowance(officer: str, agency: str, month: str) -> dict:
    return {"event_id": f"allowance:{officer}:{month}", "allowance_id": f"{officer}:{month}",
            "person": officer, "unit_id": None, "agency_id": agency, "month": month,
            "amount": 50, "reason": "all_round_officer"}


def year_of(scopes: int, certified_per_scope: int = 2):
    """(ratings, allowances) of a year: each agency's half-year and annual rating, and twelve
    months of allowances for its all-round officers."""
    ratings = [rating(s, p) for s in range(scopes) for p in (f"{YEAR}H1", YEAR)]
    allowances = [allowance(f"o{s}-{i}", f"agency-{s}", f"{YEAR}-{m:02d}")
                  for s in range(scopes) for i in range(certified_per_scope) for m in range(1, 13)]
    return ratings, allowances


def expected_keys(ratings, allowances) -> set[str]:
    """Every ledger key these ratings and allowances imply (the domain's own rules, recomputed)."""
    keys = set()
    for payload in ratings:
        keys.update(line.key for line in settle(load_rating(dict(payload))))
    for a in allowances:
        keys.add(allowance_line(a["person"], a["agency_id"], a["month"], a["amount"]).key)
    return keys
