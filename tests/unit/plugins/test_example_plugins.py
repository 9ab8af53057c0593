"""The two example plug-ins (plugins/psb_clearance, plugins/court_reversals), installed from the
repo and found through the entry-point group ``lianbao.plugins``."""
from decimal import Decimal
from fractions import Fraction

import pytest

from lianbao_court_reversals import plugin as court
from lianbao_psb_clearance import plugin as psb
from services.scoring.domain import packs
from shared import plugins
from tests.unit.plugins.builders import by_id, officer, section, snapshot

pytestmark = pytest.mark.timeout(30)


def monthly(rate, months=12, year=2026):
    return {f"{year}-{m:02d}": rate for m in range(1, months + 1)}


# -- psb-clearance: 破案率 --------------------------------------------------------------------

@pytest.mark.parametrize("rate,points", [(Decimal("0.95"), 2), (Decimal("0.90"), 2),
                                         (Decimal("0.8999"), 1), (Decimal("0.80"), 1),
                                         (Decimal("0.7"), 0), (Decimal("0.60"), 0),
                                         (Decimal("0.5999"), -1)])
def test_psb_bands(rate, points):
    assert psb.points_for(Fraction(rate)) == points


def test_psb_mean_counts_only_the_months_of_the_period():
    figure = {"2025-12": 0, "2026-01": Decimal("0.9"), "2026-02": Decimal("0.7")}
    assert psb.mean_rate(figure, "2026") == Fraction(4, 5)
    assert psb.mean_rate({"2026-08": 1}, "2026H1") is None


def test_psb_through_the_rating_engine_with_the_installed_plugin():
    host = plugins.build_host("psb-clearance=psb")
    data = {"p1": {"facts": (), "figures": {"clearance_rate": monthly(Decimal("0.92"))}},
            "p2": {"facts": (), "figures": {"clearance_rate": monthly(Decimal("0.55"))}},
            "p3": {"facts": (), "figures": {}},
            "ps": {"facts": (), "figures": {"clearance_rate": monthly(Decimal("0.85"))}}}
    snap = snapshot([officer("p1", "psb", score=93), officer("p2", "psb", score=90),
                     officer("p3", "psb", score=93)], [section("ps", "psb", score=94)])
    result = packs.rate_adapted(snap, packs.Adaptation("psb", "2026", host=host, data=data))
    res = by_id(result)
    assert (res["p1"]["score"], res["p1"]["stars"]) == (95, 5)       # +2 lifts ★4 to ★5
    assert (res["p2"]["score"], res["p2"]["stars"]) == (89, 3)       # −1 drops ★4 to ★3
    assert (res["p3"]["score"], res["p3"]["stars"]) == (93, 4)
    entry = res["p1"]["explanation"][0]
    assert entry["rule"] == "plugin:psb-clearance/0.1.0:case_clearance_rate"
    assert "92.0%" in entry["text"] and entry["points"] == 2.0
    assert by_id(result, "sections")["ps"]["score"] == 95


# -- court-reversals: 改判发回, 错案责任追究 -------------------------------------------------------

def test_court_deduction_per_reversed_judgment_capped():
    assert court.deduction(Decimal(1)) == Decimal("-0.5")
    assert court.deduction(Decimal(10)) == Decimal(-5)
    assert court.deduction(Decimal(11)) == Decimal(-5)
    assert court.reversed_count({"2026-03": 1, "2026-09": 2, "2027-01": 5}, "2026") == 3
    assert court.reversed_count({"2026-03": 1, "2026-09": 2}, "2026H1") == 1


def test_court_through_the_rating_engine_with_the_installed_plugin():
    host = plugins.build_host("court-reversals=court")
    assert host.facts("officer", "court") == {
        "wrongful_judgment_liability": "plugin:court-reversals/0.1.0"}
    data = {"j1": {"facts": (), "figures": {"reversed_judgments": 3}},
            "j2": {"facts": ("wrongful_judgment_liability",), "figures": {}},
            "j3": {"facts": (), "figures": {"reversed_judgments": 14}}}
    snap = snapshot([officer("j1", "court", score=91), officer("j2", "court", score=99),
                     officer("j3", "court", score=96, mentor="j2")])
    result = packs.rate_adapted(snap, packs.Adaptation("court", "2026", host=host, data=data))
    res = by_id(result)
    assert (res["j1"]["score"], res["j1"]["stars"]) == (89.5, 3)
    assert res["j1"]["explanation"][0]["rule"] == "plugin:court-reversals/0.1.0:reversed_on_appeal"
    assert res["j2"]["status"] == "disqualified"
    assert res["j2"]["reasons"] == ["wrongful_judgment_liability"]
    assert res["j2"]["explanation"][-1]["rule"] == \
        "plugin:court-reversals/0.1.0:wrongful_judgment_liability"
    assert res["j3"]["score"] == 91                                      # capped at −5
    # j2 is not j3's mentee; the mentor link is the Method's and follows its own rule
    assert res["j3"]["stars"] == 4


def test_court_plugin_fact_disqualifies_and_the_mentor_link_follows():
    host = plugins.build_host("court-reversals=court")
    data = {"j2": {"facts": ("wrongful_judgment_liability",), "figures": {}}}
    snap = snapshot([officer("m", "court", score=97), officer("j2", "court", mentor="m")])
    res = by_id(packs.rate_adapted(snap, packs.Adaptation("court", "2026", host=host, data=data)))
    assert res["j2"]["status"] == "disqualified"
    assert res["m"]["stars"] == 4 and res["m"]["reasons"] == ["mentee_disqualified"]


def test_examples_do_not_touch_agencies_they_are_not_bound_to():
    host = plugins.build_host("court-reversals=court,psb-clearance=psb")
    data = {"x": {"facts": (), "figures": {"reversed_judgments": 4,
                                            "clearance_rate": monthly(Decimal("0.99"))}}}
    snap = snapshot([officer("x", "procuratorate", score=92)])
    res = by_id(packs.rate_adapted(snap, packs.Adaptation("procuratorate", "2026", host=host,
                                                          data=data)))
    assert res["x"]["score"] == 92 and len(res["x"]["explanation"]) == 1
