"""The composite snapshot (one part per adapted agency) and the trusted rating path."""
import json
from decimal import Decimal

import pytest

from services.scoring.domain import assemble, composite, packs
from services.scoring.domain.payload import rate_payload, rate_trusted
from shared.errors import Conflict, RuleViolation
from tests.unit.plugins.builders import officer, section, snapshot

pytestmark = pytest.mark.timeout(30)

PACK = {"version": 3, "effective_from": "2026", "rules": {"cutoffs": {"5": 97}}}


def city():
    snap = snapshot([officer("b1", "b", 96), officer("a1", "a", 96, mentor="a2"),
                     officer("a2", "a", 99), officer("c1", "c", 96)],
                    [section("sb", "b", 96), section("sa", "a", 96)])
    snap["agencies"] = [{"id": "a", "group": "county", "score": 85},
                        {"id": "b", "group": "county", "score": 91}]
    return snap


def test_split_keeps_each_agencys_subjects_and_the_agencies_in_the_committee_part():
    parts = dict(composite.split(city(), ["a"]))
    assert list(parts) == [None, "a"]
    assert [o["id"] for o in parts["a"]["officers"]] == ["a1", "a2"]
    assert [o["id"] for o in parts[None]["officers"]] == ["b1", "c1"]
    assert [s["id"] for s in parts["a"]["sections"]] == ["sa"]
    assert [x["id"] for x in parts[None]["agencies"]] == ["a", "b"] and parts["a"]["agencies"] == []
    assert parts["a"]["period"] == "2026"


def test_a_mentor_in_another_part_is_refused_with_every_pair():
    snap = city()
    snap["officers"][0]["mentor"] = "a2"                 # b1 (b) mentored by a2 (a)
    snap["officers"][3]["mentor"] = "b1"                 # c1 (c) by b1 (b): same part, fine
    with pytest.raises(RuleViolation) as err:
        composite.split(snap, ["a"])
    assert err.value.field == "mentor"
    assert [d["field"] for d in err.value.details] == ["officers[0].mentor"]
    snap["officers"][0]["mentor"] = None
    # c1 and b1 both in the committee part: allowed (the city's rules for both)
    assert [o["id"] for o in dict(composite.split(snap, ["a"]))[None]["officers"]] == ["b1", "c1"]
    with pytest.raises(RuleViolation):
        composite.split(snap, ["a", "c"])                # c1 (part c) mentored by b1 (committee)
    snap["officers"][3]["mentor"] = None
    assert [a for a, _ in composite.split(snap, ["a", "c"])] == [None, "a", "c"]


def test_the_composite_rates_each_part_with_its_pack_and_merges_in_input_order():
    snap = city()
    doc = composite.build(snap, [{"agency": "a", "pack": PACK, "plugins": [],
                                  "subject_data": []}])
    result, used = composite.rate_composite(doc)
    assert [o["id"] for o in result["officers"]] == ["b1", "a1", "a2", "c1"]
    assert [s["id"] for s in result["sections"]] == ["sb", "sa"]
    assert [x["id"] for x in result["agencies"]] == ["a", "b"]
    stars = {o["id"]: o["stars"] for o in result["officers"]}
    assert stars == {"b1": 5, "a1": 4, "a2": 5, "c1": 5}           # only agency a's cut-off
    assert result["officers"][1]["explanation"][-1]["rule"] == "pack:a/v3:rules.cutoffs"
    assert [u.used["pack"]["version"] for u in used] == [3]
    assert composite.subject_order(doc) == ["b1", "a1", "a2", "c1", "sb", "sa", "a", "b"]
    # settlement grouped by subject in that order
    assert [x["subject"] for x in result["settlement"]][:3] == ["b1", "b1", "b1"]
    subjects = list(dict.fromkeys(x["subject"] for x in result["settlement"]))
    assert subjects == [s for s in composite.subject_order(doc) if s in subjects]
    # a JSON round trip rates the same; the flat snapshot is the city's rating of everyone
    assert composite.rate_composite(json.loads(json.dumps(doc)))[0] == result
    flat = composite.flatten(doc)
    assert [o["id"] for o in flat["officers"]] == ["b1", "a1", "a2", "c1"]
    assert {o["id"]: o["stars"] for o in rate_payload(flat)["officers"]}["a1"] == 5


def test_a_stored_part_whose_plugins_differ_from_the_hosts_is_refused():
    doc = composite.build(city(), [{"agency": "a", "pack": None,
                                    "plugins": ["plugin:x/1.0"], "subject_data": []}])
    with pytest.raises(Conflict) as err:
        composite.rate_composite(doc)
    assert err.value.field == "plugins"


def test_the_trusted_path_rates_like_the_validated_json_text():
    """What the service assembles (numbers as int or the float's Decimal, ISO dates) rates exactly
    like its JSON text through the full validator."""
    snap = snapshot([officer("o1", "a", 96, leave=[{"kind": "sick", "from": "2026-02-01",
                                                    "to": "2026-06-30"}]),
                     officer("o2", "a", 90, honours=[{"title": "t", "level": "central"}],
                             satisfaction={"satisfied": 5, "basic": 1, "dissatisfied": 1},
                             mentor="o1", facts=["secret_leak"]),
                     officer("o3", "a", 88, unexcused_absence_days=2,
                             disqualified_last_year=True)],
                    [section("s1", "a", 95)], rules={"five_star_quota": 0.5})
    snap["officers"][2]["monthly"]["2026-03"] = assemble.exact_number(Decimal("88.30"))
    snap["sections"][0]["score"] = assemble.exact_number(Decimal("95.50"))
    assert snap["sections"][0]["score"] == Decimal("95.5")
    text = json.dumps(snap, default=assemble.json_number)
    assert rate_trusted(snap) == rate_payload(json.loads(text))
    adaptation = packs.Adaptation("a", "2026", pack=packs.parse_pack(PACK, "a"))
    assert packs.rate_adapted(snap, adaptation, trusted=True) == \
        packs.rate_adapted(json.loads(text), adaptation)
