"""RATING.md §2.2 (sections) and §2.3 (agencies), one test per rule and per boundary."""
from decimal import Decimal
from fractions import Fraction

import pytest

from rating_builders import agency, by_id, rate, rules_of, section, snapshot
from services.scoring.domain.rating import (agency_class, competition_ranks, is_advanced,
                                            is_last_place, is_veto, is_veto_warning)

SEC_HONOUR = "M§五(二)1(1)①"


def rate_section(**kw):
    return rate(snapshot(sections=[section(**kw)]))["sections"][0]


def rate_agencies(*agencies):
    return by_id(rate(snapshot(agencies=list(agencies))), "agencies")


def rate_agency(**kw):
    return rate_agencies(agency(**kw))["c1" if "id" not in kw else kw["id"]]


# --- sections ---------------------------------------------------------------------------------

def test_section_honours_provincial_1_central_1_5():
    r = rate_section(score=90, honours=[{"title": "省级青年文明号", "level": "provincial"},
                                        {"title": "全国青年文明号", "level": "central"}])
    assert r["score"] == 92.5
    assert rules_of(r["explanation"])[:2] == [(SEC_HONOUR, 1.0), (SEC_HONOUR, 1.5)]


def test_section_same_honour_once_at_highest_level():
    r = rate_section(score=90, honours=[{"title": "文明号", "level": "provincial"},
                                        {"title": "文明号", "level": "central"}])
    assert r["score"] == 91.5


def test_section_honours_capped_at_5():
    r = rate_section(score=96, honours=[{"title": f"t{i}", "level": "central"} for i in range(5)])
    assert r["score"] == 101.0
    assert (SEC_HONOUR, -2.5) in rules_of(r["explanation"])


@pytest.mark.parametrize("score, stars", [(95, 5), (94.99, 4), (90, 4), (89.99, 3), (80, 3),
                                          (79.99, 2), (70, 2), (69.99, 1)])
def test_section_stars_by_the_cutoffs_exactly_and_just_below(score, stars):
    r = rate_section(score=score)
    assert (r["status"], r["stars"]) == ("rated", stars)


def test_section_satisfaction_exactly_60_percent_is_rated():
    assert rate_section(satisfaction={"satisfied": 3, "basic": 0, "dissatisfied": 2})[
        "status"] == "rated"


def test_section_satisfaction_below_60_percent_disqualifies():
    r = rate_section(score=99, satisfaction={"satisfied": 59, "basic": 0, "dissatisfied": 41})
    assert (r["status"], r["stars"], r["reasons"]) == ("disqualified", None, ["low_satisfaction"])
    assert r["explanation"][-1]["rule"] == "M§五(二)1(1)③"


@pytest.mark.parametrize("fact", ["officer_criminal", "mass_incident", "last_in_ranking",
                                  "failed_inspection", "other_mechanism"])
def test_each_section_fact_disqualifies_under_its_own_name(fact):
    r = rate_section(facts=[fact])
    assert (r["status"], r["reasons"]) == ("disqualified", [fact])


def test_section_adapted_cutoffs_apply():
    r = rate(snapshot(sections=[section(score=88)], rules={"cutoffs": {"4": 88}}))["sections"][0]
    assert r["stars"] == 4 and r["explanation"][-1]["rule"] == "rules.cutoffs"


# --- agencies: score ------------------------------------------------------------------------

def test_group_a_unit_commended_central_1_provincial_0_5():
    r = rate_agency(score=80, awards=[{"kind": "unit_commended", "level": "central"},
                                      {"kind": "unit_commended", "level": "provincial"}])
    assert r["score"] == 81.5
    assert rules_of(r["explanation"])[0] == ("M§五(一)1①", 1.5)


def test_group_a_individual_commended_central_0_5_provincial_0_3_city_0():
    r = rate_agency(score=80, awards=[{"kind": "individual_commended", "level": "central"},
                                      {"kind": "individual_commended", "level": "provincial"},
                                      {"kind": "individual_commended", "level": "city"}])
    assert r["score"] == 80.8


def test_group_a_capped_at_3():
    r = rate_agency(score=80, awards=[{"kind": "unit_commended", "level": "central"}] * 4)
    assert r["score"] == 83.0
    assert rules_of(r["explanation"])[:2] == [("M§五(一)1①", 4.0), ("M§五(一)1①", -1.0)]


def test_group_b_experience_promoted_central_5_provincial_3_city_2():
    for level, pts in (("central", 5), ("provincial", 3), ("city", 2)):
        r = rate_agency(score=80, awards=[{"kind": "experience_promoted", "level": level}])
        assert r["score"] == 80 + pts


def test_group_b_capped_at_5():
    r = rate_agency(score=80, awards=[{"kind": "experience_promoted", "level": "provincial"},
                                      {"kind": "experience_promoted", "level": "city"},
                                      {"kind": "experience_promoted", "level": "city"}])
    assert r["score"] == 85.0
    assert ("M§五(一)1②", -2.0) in rules_of(r["explanation"])


def test_group_c_article_0_3_each_inspection_2():
    r = rate_agency(score=80, awards=[{"kind": "article_adopted"}] * 3)
    assert r["score"] == 80.9
    r = rate_agency(score=80, awards=[{"kind": "inspection_hosted", "level": "provincial"}])
    assert r["score"] == 82.0


def test_group_c_capped_at_3():
    r = rate_agency(score=80, awards=[{"kind": "inspection_hosted"}] +
                    [{"kind": "article_adopted"}] * 4)                      # 2 + 1.2 = 3.2
    assert r["score"] == 83.0
    assert rules_of(r["explanation"])[:2] == [("M§五(一)1③", 3.2), ("M§五(一)1③", -0.2)]


def test_groups_are_capped_separately():
    awards = ([{"kind": "unit_commended", "level": "central"}] * 5 +
              [{"kind": "experience_promoted", "level": "central"}] * 2 +
              [{"kind": "article_adopted"}] * 20)
    r = rate_agency(score=50, awards=awards)
    assert r["score"] == 61.0                                               # 50 + 3 + 5 + 3


def test_awards_can_take_an_agency_above_100():
    awards = [{"kind": "experience_promoted", "level": "central"}]
    assert rate_agency(score=99, awards=awards)["score"] == 104.0


def test_criticisms_cost_1_point_each():
    r = rate_agency(score=88, criticisms=3)
    assert r["score"] == 85.0
    assert rules_of(r["explanation"])[0] == ("M§五(一)1④", -3.0)


def test_agency_score_never_below_0():
    r = rate_agency(score=1, criticisms=3)
    assert r["score"] == 0.0
    assert rules_of(r["explanation"])[:2] == [("M§五(一)1④", -3.0), ("M§五(一)1⑤", 2.0)]


# --- agencies: class, rank, advanced, veto ------------------------------------------------

@pytest.mark.parametrize("score, klass", [(90, 1), (Fraction(8999, 100), 2), (80, 2),
                                          (Fraction(7999, 100), 3), (0, 3), (104, 1)])
def test_agency_class_exactly_at_90_and_80_and_just_below(score, klass):
    assert agency_class(Fraction(score)) == klass


def test_agency_class_from_a_snapshot_at_the_boundaries():
    res = rate_agencies(agency("c1", score=90), agency("c2", score=89.99),
                        agency("c3", score=80), agency("c4", score=79.99))
    assert [res[k]["class"] for k in ("c1", "c2", "c3", "c4")] == [1, 2, 2, 3]


def test_ranks_share_on_ties():
    assert competition_ranks([Fraction(95), Fraction(91), Fraction(91), Fraction(85)]) == [1, 2, 2,
                                                                                           4]


def test_ranks_are_within_the_group():
    res = rate_agencies(agency("c1", score=85), agency("u1", group="city_unit", score=95),
                        agency("c2", score=90))
    assert (res["c2"]["rank"], res["c1"]["rank"], res["u1"]["rank"]) == (1, 2, 1)


def test_ranks_decided_on_exact_score_not_on_rounding():
    res = rate_agencies(agency("c1", score=Decimal("90.004")), agency("c2", score=90.001),
                        agency("c3", score=80))
    assert (res["c1"]["score"], res["c2"]["score"]) == (90.0, 90.0)
    assert (res["c1"]["rank"], res["c2"]["rank"]) == (1, 2)


def test_advanced_top_4_counties():
    res = rate_agencies(*[agency(f"c{i}", score=99 - i) for i in range(6)], agency("cz", score=80))
    assert [res[f"c{i}"]["advanced"] for i in range(6)] == [True] * 4 + [False] * 2
    assert res["c0"]["explanation"][-1]["rule"] == "M§五(一)2"


def test_advanced_tie_at_the_cut_rank_advances_everyone_tied():
    scores = [99, 98, 97, 96, 96, 95]
    res = rate_agencies(*[agency(f"c{i}", score=s) for i, s in enumerate(scores)],
                        agency("cz", score=80))
    assert [res[f"c{i}"]["advanced"] for i in range(6)] == [True] * 5 + [False]


def test_advanced_top_3_city_units():
    res = rate_agencies(*[agency(f"u{i}", group="city_unit", score=99 - i) for i in range(5)])
    assert [res[f"u{i}"]["advanced"] for i in range(5)] == [True, True, True, False, False]


def test_advanced_only_from_class_1():
    res = rate_agencies(agency("c1", score=89.99), agency("c2", score=70))
    assert (res["c1"]["rank"], res["c1"]["class"], res["c1"]["advanced"]) == (1, 2, False)
    assert not is_advanced(2, 1, "county", False)


def test_advanced_not_under_a_veto_warning():
    res = rate_agencies(agency("c1", score=95), agency("c2", score=92))
    assert (res["c2"]["class"], res["c2"]["veto_warning"], res["c2"]["advanced"]) == (1, True,
                                                                                     False)
    assert res["c1"]["advanced"]


def test_veto_warning_below_80():
    assert is_veto_warning(Fraction(7999, 100), False)
    assert not is_veto_warning(Fraction(80), False)
    r = rate_agency(score=79)                                              # alone: not last
    assert r["veto_warning"] and r["explanation"][-1]["rule"] == "M§五(一)3(2)"


def test_veto_warning_last_place_of_a_group():
    res = rate_agencies(agency("c1", score=95), agency("c2", score=94), agency("c3", score=93))
    assert [res[k]["veto_warning"] for k in ("c1", "c2", "c3")] == [False, False, True]


def test_group_of_one_has_no_last_place():
    assert not is_last_place(1, [1])
    assert not rate_agency(score=95)["veto_warning"]


def test_all_tied_group_has_no_last_place():
    assert not is_last_place(1, [1, 1, 1])
    res = rate_agencies(agency("c1", score=91), agency("c2", score=91))
    assert not res["c1"]["veto_warning"] and not res["c2"]["veto_warning"]
    assert res["c1"]["advanced"] and res["c2"]["advanced"]


def test_everyone_sharing_the_last_rank_is_last():
    assert is_last_place(2, [1, 2, 2])
    res = rate_agencies(agency("c1", score=95), agency("c2", score=85), agency("c3", score=85))
    assert [res[k]["veto_warning"] for k in ("c1", "c2", "c3")] == [False, True, True]


def test_veto_class_3_two_years_running():
    assert is_veto(3, 3)
    r = rate_agency(score=70, previous_class=3)
    assert r["veto"] and r["explanation"][-1]["rule"] == "M§五(一)3(2)"


def test_no_veto_when_last_year_was_not_class_3_or_unknown():
    assert not is_veto(3, 2) and not is_veto(3, None)
    assert not rate_agency(score=70, previous_class=2)["veto"]
    assert not rate_agency(score=70)["veto"]


def test_no_veto_for_class_2_after_class_3():
    assert not is_veto(2, 3)
    assert not rate_agency(score=80, previous_class=3)["veto"]
