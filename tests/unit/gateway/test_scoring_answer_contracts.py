"""Scoring's output contracts (issue 21 item 3, ``shared.contracts.scoring``) describe what its code
makes, checked without services: the rating engine's result of the documented example snapshot and
a rule pack's preview on it (the answers of ``POST /ratings/preview`` and ``POST
/scoring/agencies/{agency}/packs/preview``) are valid against /openapi.json, as the gateway tests'
checker validates every answer they receive; a wrong value fails."""
import json
from pathlib import Path

import pytest
import yaml

from tests.unit.gateway.documented import problems

pytestmark = pytest.mark.timeout(60)

DOCS = Path(__file__).resolve().parents[3] / "docs" / "examples"
SNAPSHOT = json.loads((DOCS / "snapshot.json").read_text(encoding="utf-8"))
PACK = json.loads(json.dumps(yaml.safe_load((DOCS / "pack.yml").read_text(encoding="utf-8"))))   # as JSON sends it


def test_a_rating_result_is_as_documented():
    from services.scoring.domain.payload import rate_payload

    result = rate_payload(SNAPSHOT)
    assert result["officers"] and result["officers"][0]["explanation"] and result["settlement"]
    assert problems("POST", "/ratings/preview", result) == []
    officer = result["officers"][0]
    assert problems("POST", "/ratings/preview", dict(result, officers=[dict(officer, reasons=[{"x": 1}])]))
    assert problems("POST", "/ratings/preview", dict(result, officers=[dict(officer, explanation=[{"rule": "r"}])]))


def test_a_packs_preview_is_as_documented():
    from services.scoring.domain import packs
    from services.scoring.packs_service import jsonable

    period = "2026"
    candidate = packs.parse_pack({**PACK, "effective_from": period, "rules": {"cutoffs": {"5": 99},
                                                                              "five_star_quota": 0.2}}, "cps")
    answer = jsonable(packs.preview(SNAPSHOT, packs.Adaptation("cps", period),
                                    packs.Adaptation("cps", period, pack=candidate)))
    assert answer["changes"] and answer["changes"][0]["before"] and answer["settlement"]["money"]
    path = "/scoring/agencies/{agency}/packs/preview"
    assert problems("POST", path, answer) == []
    change = answer["changes"][0]
    assert problems("POST", path, dict(answer, changes=[dict(change, before=dict(change["before"], stars="5"))]))
