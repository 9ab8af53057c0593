"""RATING.md §6: the hand-computed examples (copied from the shared examples) are the oracle.

Everything is compared except the free ``text`` of explanation entries."""
import json
from pathlib import Path

import pytest

from services.scoring.domain.payload import rate_payload
from shared.contracts.rating import ResultSchema, loads_snapshot
from shared.schemas import load

DATA = Path(__file__).resolve().parents[2] / "data" / "rating"
EXAMPLES = sorted(p.name[: -len(".json")] for p in DATA.glob("*.json")
                  if not p.name.endswith(".expected.json"))


def without_text(result):
    out = json.loads(json.dumps(result))
    for coll in ("officers", "sections", "agencies"):
        for item in out[coll]:
            for entry in item["explanation"]:
                assert isinstance(entry.pop("text"), str)
    return out


def test_examples_are_present():
    assert EXAMPLES == ["01-basic", "02-agencies"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_matches_expected(name):
    snap = loads_snapshot((DATA / f"{name}.json").read_text(encoding="utf-8"))
    expected = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    got = rate_payload(snap)
    assert without_text(got) == without_text(expected)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_result_matches_result_contract(name):
    snap = loads_snapshot((DATA / f"{name}.json").read_text(encoding="utf-8"))
    result = json.loads(json.dumps(rate_payload(snap)))
    assert load(ResultSchema(), result) == result
