"""RATING.md §2.1: officers, one test per rule and per boundary, with the Method's numbers."""
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from rating_builders import by_id, months, officer, rate, rate_officer, rules_of, snapshot
from shared.dates import add_years
from services.scoring.domain.rating import (has_absence, has_long_leave,
                                            has_three_months_below_60, honours_bonus,
                                            is_low_satisfaction, joined_less_than_a_year,
                                            leave_days_in_period, period_mean, round2,
                                            stars_by_cutoffs)
from services.scoring.domain.snapshot import Honour, Leave, Period, Rules, Satisfaction

HONOUR = "M§五(二)1(2)①"
Y2026 = Period(2026, False)


# --- 1. score: mean of the monthly scores + honours ------------------------------------------

def test_score_is_the_exact_mean_of_the_months_present():
    # twelve months summing to 1140 average exactly 95 (RATING.md §2)
    monthly = months(94) | {"2026-01": 100, "2026-02": 99, "2026-03": 89}  # 9*94 + 288 = 1134
    assert period_mean(monthly) == Fraction(1134, 12)
    r = rate_officer(monthly=months(95, 11) | {"2026-12": 95})
    assert r["score"] == 95.0 and r["stars"] == 5


def test_score_of_some_months_only_is_their_mean():
    r = rate_officer(monthly={"2026-03": 90, "2026-04": 91.5})
    assert r["score"] == 90.75


def test_honour_provincial_adds_1():
    r = rate_officer(monthly=months(90), honours=[{"title": "省优秀政法干警", "level": "provincial"}])
    assert r["score"] == 91.0
    assert (HONOUR, 1.0) in rules_of(r["explanation"])


def test_honour_central_adds_1_5():
    r = rate_officer(monthly=months(90), honours=[{"title": "全国优秀公务员", "level": "central"}])
    assert r["score"] == 91.5
    assert (HONOUR, 1.5) in rules_of(r["explanation"])


def test_honour_city_adds_nothing():
    r = rate_officer(monthly=months(90), honours=[{"title": "市十佳", "level": "city"}])
    assert r["score"] == 90.0
    assert (HONOUR, None) in rules_of(r["explanation"])


def test_same_honour_counts_once_at_its_highest_level():
    bonus, entries = honours_bonus([Honour("优秀干警", "provincial"), Honour("优秀干警", "central"),
                                    Honour("优秀干警", "provincial")], HONOUR)
    assert bonus == Fraction(3, 2)
    assert [e.points for e in entries] == [Decimal("1.5")]


def test_different_honours_add_up():
    bonus, _ = honours_bonus([Honour("甲", "provincial"), Honour("乙", "central")], HONOUR)
    assert bonus == Fraction(5, 2)


def test_honours_bonus_capped_at_5():
    hs = [{"title": f"称号{i}", "level": "central"} for i in range(4)]       # 4 x 1.5 = 6
    r = rate_officer(monthly=months(99), honours=hs)
    assert r["score"] == 104.0
    assert rules_of(r["explanation"])[:5] == [(HONOUR, 1.5)] * 4 + [(HONOUR, -1.0)]


def test_honours_bonus_of_exactly_5_is_not_capped():
    bonus, entries = honours_bonus([Honour(f"t{i}", "provincial") for i in range(5)], HONOUR)
    assert bonus == 5 and len(entries) == 5


def test_score_can_reach_105_with_honours():
    hs = [{"title": f"称号{i}", "level": "central"} for i in range(5)]
    assert rate_officer(monthly=months(100), honours=hs)["score"] == 105.0


def test_no_monthly_score_gives_null_score_and_not_rated():
    r = rate_officer(monthly={})
    assert (r["status"], r["score"], r["stars"], r["reasons"]) == (
        "not_rated", None, None, ["no_monthly_scores"])


# --- 4. stars by the cut-offs -----------------------------------------------------------------

@pytest.mark.parametrize("cut, stars", [(95, 5), (90, 4), (80, 3), (70, 2)])
def test_cutoff_exactly_gives_its_stars(cut, stars):
    assert rate_officer(monthly=months(cut))["stars"] == stars


@pytest.mark.parametrize("cut, stars", [(95, 4), (90, 3), (80, 2), (70, 1)])
def test_cutoff_just_below_gives_one_star_less(cut, stars):
    # one month 0.01 below: the mean is cut - 0.01/12, just below the cut-off
    monthly = months(cut) | {"2026-12": cut - 0.01}
    assert rate_officer(monthly=monthly)["stars"] == stars


def test_score_is_not_rounded_before_the_cutoff():
    # 11 x 95 + 94.952 = 1139.952 -> mean 94.996: printed 95.0, but below 95: four stars
    r = rate_officer(monthly=months(95) | {"2026-12": 94.952})
    assert r["score"] == 95.0 and r["stars"] == 4


def test_stars_by_cutoffs_below_70_is_one_star():
    assert stars_by_cutoffs(Fraction(0), Rules()) == 1
    assert stars_by_cutoffs(Fraction(6999, 100), Rules()) == 1


def test_stars_explanation_names_the_default_cutoffs():
    r = rate_officer(monthly=months(91))
    assert r["explanation"] == [{"rule": "SPEC §3.2 default cut-offs", "points": None,
                                 "text": r["explanation"][0]["text"]}]


def test_adapted_cutoffs_apply_and_are_named():
    r = rate_officer(monthly=months(93), rules={"cutoffs": {"5": 93}})
    assert r["stars"] == 5
    assert ("rules.cutoffs", None) in rules_of(r["explanation"])


def test_output_score_rounds_half_up_to_2_decimals():
    assert round2(Fraction(96125, 1000)) == 96.13
    assert round2(Fraction(96124, 1000)) == 96.12
    assert round2(Fraction(1, 3)) == 0.33
    assert round2(Fraction(-1, 200)) == -0.01


# --- 2. disqualified ----------------------------------------------------------------------------

def test_satisfaction_exactly_60_percent_is_not_disqualified():
    r = rate_officer(satisfaction={"satisfied": 50, "basic": 10, "dissatisfied": 40})
    assert r["status"] == "rated"


def test_satisfaction_just_below_60_percent_disqualifies():
    r = rate_officer(satisfaction={"satisfied": 500, "basic": 99, "dissatisfied": 400})  # 59.96 %
    assert (r["status"], r["reasons"]) == ("disqualified", ["low_satisfaction"])
    assert r["explanation"][-1]["rule"] == "M§五(二)1(2)③"


def test_satisfaction_counts_basic_as_satisfied():
    assert not is_low_satisfaction(Satisfaction(0, 3, 2))
    assert is_low_satisfaction(Satisfaction(2, 0, 3))


def test_satisfaction_without_answers_does_not_disqualify():
    assert not is_low_satisfaction(Satisfaction(0, 0, 0))
    assert not is_low_satisfaction(None)
    assert rate_officer(satisfaction={"satisfied": 0, "basic": 0, "dissatisfied": 0})[
        "status"] == "rated"


def test_three_months_below_60_disqualify():
    monthly = months(90) | {"2026-02": 59, "2026-05": 59.99, "2026-09": 0}
    r = rate_officer(monthly=monthly)
    assert (r["status"], r["reasons"]) == ("disqualified", ["three_months_below_60"])


def test_two_months_below_60_do_not_disqualify():
    assert not has_three_months_below_60(months(90) | {"2026-02": 59, "2026-05": 59})


def test_a_month_of_exactly_60_is_not_below_60():
    assert not has_three_months_below_60(months(90) | {"2026-02": 59, "2026-05": 59,
                                                       "2026-09": 60})


def test_absence_of_5_days_disqualifies():
    r = rate_officer(unexcused_absence_days=5)
    assert (r["status"], r["reasons"]) == ("disqualified", ["absence"])


def test_absence_of_4_days_does_not_disqualify():
    assert not has_absence(4)
    assert rate_officer(unexcused_absence_days=4)["status"] == "rated"


@pytest.mark.parametrize("fact", ["mass_incident", "illegal_organisation", "protective_umbrella",
                                  "secret_leak", "disciplinary_sanction", "other_mechanism"])
def test_each_officer_fact_disqualifies_under_its_own_name(fact):
    r = rate_officer(facts=[fact])
    assert (r["status"], r["reasons"]) == ("disqualified", [fact])


def test_reasons_hold_every_disqualification_in_order_each_once():
    r = rate_officer(monthly=months(50), unexcused_absence_days=9,
                     satisfaction={"satisfied": 1, "basic": 0, "dissatisfied": 9},
                     facts=["secret_leak", "mass_incident", "secret_leak"])
    assert r["reasons"] == ["low_satisfaction", "three_months_below_60", "absence",
                            "secret_leak", "mass_incident"]
    assert [e["rule"] for e in r["explanation"]] == ["M§五(二)1(2)③"] * 5


def test_disqualified_officer_gets_no_not_rated_codes_and_no_stars():
    r = rate_officer(joined="2026-06-01", monthly=months(99), unexcused_absence_days=5)
    assert (r["status"], r["stars"], r["reasons"], r["score"]) == (
        "disqualified", None, ["absence"], 99.0)


# --- 3. not rated ------------------------------------------------------------------------------

def test_joined_exactly_one_year_before_is_rated():
    assert rate_officer(joined="2026-01-08")["status"] == "rated"


def test_joined_one_day_less_than_a_year_is_not_rated():
    r = rate_officer(joined="2026-01-09")
    assert (r["status"], r["reasons"]) == ("not_rated", ["joined_less_than_a_year"])
    assert r["explanation"][-1]["rule"] == "M§五(二)1(2)⑤"


def test_joined_29_february_plus_one_year_is_28_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert not joined_less_than_a_year(date(2024, 2, 29), date(2025, 2, 28))
    assert joined_less_than_a_year(date(2024, 2, 29), date(2025, 2, 27))
    r = rate_officer(joined="2024-02-29", monthly=months(90, year=2024), period="2024",
                     rating_date="2025-02-28")
    assert r["status"] == "rated"


def test_leave_of_90_days_is_rated():
    r = rate_officer(leave=[{"kind": "sick", "from": "2026-03-01", "to": "2026-05-29"}])
    assert r["status"] == "rated"


def test_leave_of_91_days_is_not_rated():
    r = rate_officer(leave=[{"kind": "sick", "from": "2026-03-01", "to": "2026-05-30"}])
    assert (r["status"], r["reasons"]) == ("not_rated", ["long_leave"])


def test_sick_and_personal_leave_add_up():
    spells = [Leave("sick", date(2026, 1, 1), date(2026, 1, 31)),
              Leave("personal", date(2026, 3, 1), date(2026, 4, 30))]
    assert leave_days_in_period(spells, Y2026, ("sick", "personal")) == 31 + 61
    assert has_long_leave(spells, Y2026)


def test_annual_maternity_and_other_leave_do_not_count():
    spells = [Leave(kind, date(2026, 1, 1), date(2026, 12, 31))
              for kind in ("annual",)] + [Leave("maternity", date(2025, 1, 1), date(2025, 12, 31))]
    assert not has_long_leave(spells, Y2026)
    r = rate_officer(leave=[{"kind": "maternity", "from": "2026-01-01", "to": "2026-06-30"},
                            {"kind": "other", "from": "2026-07-01", "to": "2026-12-31"}])
    assert r["status"] == "rated"


def test_leave_is_clipped_to_the_period():
    # 2025-11-01 .. 2026-03-31: only 1 Jan .. 31 Mar 2026 count = 90 days -> rated
    assert rate_officer(leave=[{"kind": "sick", "from": "2025-11-01",
                                "to": "2026-03-31"}])["status"] == "rated"
    assert rate_officer(leave=[{"kind": "sick", "from": "2025-11-01",
                                "to": "2026-04-01"}])["status"] == "not_rated"


def test_leave_is_clipped_to_a_half_year_period():
    h1 = Period(2026, True)
    spell = [Leave("sick", date(2026, 4, 1), date(2026, 12, 31))]          # 91 days in H1
    assert leave_days_in_period(spell, h1, ("sick",)) == 91
    spell = [Leave("sick", date(2026, 4, 2), date(2026, 12, 31))]          # 90 days in H1
    assert not has_long_leave(spell, h1)


def test_not_rated_reasons_in_order():
    r = rate_officer(joined="2026-12-01", monthly={},
                     leave=[{"kind": "personal", "from": "2026-01-01", "to": "2026-12-31"}])
    assert r["reasons"] == ["joined_less_than_a_year", "long_leave", "no_monthly_scores"]


# --- 5. mentor link ---------------------------------------------------------------------------

def _mentor_case(mentor_monthly, mentee_kw, grand=False):
    people = [officer("m", monthly=mentor_monthly),
              officer("e", mentor="m", **mentee_kw)]
    if grand:
        people.insert(0, officer("g", monthly=months(97)))
        people[1]["mentor"] = "g"
    return by_id(rate(snapshot(people)))


def test_mentor_of_a_disqualified_officer_loses_the_fifth_star():
    res = _mentor_case(months(97), {"unexcused_absence_days": 5})
    assert (res["m"]["stars"], res["m"]["reasons"]) == (4, ["mentee_disqualified"])
    assert res["m"]["explanation"][-1]["rule"] == "M§五(二)1(2)④"


def test_mentor_link_changes_nothing_for_a_four_star_mentor():
    res = _mentor_case(months(92), {"unexcused_absence_days": 5})
    assert (res["m"]["stars"], res["m"]["reasons"]) == (4, [])


def test_mentor_link_changes_nothing_for_a_mentor_not_rated():
    res = _mentor_case({}, {"unexcused_absence_days": 5})
    assert (res["m"]["status"], res["m"]["reasons"]) == ("not_rated", ["no_monthly_scores"])


def test_mentor_of_a_not_rated_officer_keeps_five_stars():
    res = _mentor_case(months(97), {"joined": "2026-10-01"})
    assert (res["m"]["stars"], res["m"]["reasons"]) == (5, [])


def test_mentor_link_goes_one_level_only():
    res = _mentor_case(months(97), {"unexcused_absence_days": 5}, grand=True)
    assert res["m"]["stars"] == 4
    assert (res["g"]["stars"], res["g"]["reasons"]) == (5, [])


# --- 6. five-star quota -----------------------------------------------------------------------

def _quota_people(n_five, n_other, **kw):
    fives = [officer(f"f{i}", monthly=months(95 + i % 5)) for i in range(n_five)]
    others = [officer(f"x{i}", monthly=months(85)) for i in range(n_other)]
    return fives + others


def test_quota_keeps_floor_of_quota_times_rated():
    # 0.2 x 7 rated = 1.4 -> one keeps ★5, the highest score
    people = _quota_people(3, 4)
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.2})))
    assert [res[f"f{i}"]["stars"] for i in range(3)] == [4, 4, 5]
    assert res["f0"]["reasons"] == ["quota"]
    assert res["f0"]["explanation"][-1]["rule"] == "rules.five_star_quota"


def test_quota_floor_of_zero_leaves_no_five_stars():
    res = by_id(rate(snapshot(_quota_people(2, 2), rules={"five_star_quota": 0.2})))  # 0.8 -> 0
    assert [r["stars"] for r in res.values()] == [4, 4, 3, 3]


def test_quota_of_1_keeps_all():
    res = rate(snapshot(_quota_people(3, 0), rules={"five_star_quota": 1}))
    assert [r["stars"] for r in res["officers"]] == [5, 5, 5]


def test_quota_ties_break_on_satisfaction_then_id_by_code_point():
    people = [officer("o2", monthly=months(96)), officer("o10", monthly=months(96)),
              officer("o3", monthly=months(96),
                      satisfaction={"satisfied": 9, "basic": 0, "dissatisfied": 1})]
    people += [officer(f"x{i}", monthly=months(80)) for i in range(7)]
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.2})))   # 10 rated -> 2 keep
    assert {k for k, r in res.items() if r["stars"] == 5} == {"o3", "o10"}
    assert res["o2"]["reasons"] == ["quota"]


def test_quota_counts_no_answers_as_satisfaction_0():
    people = [officer("o2", monthly=months(96),
                      satisfaction={"satisfied": 0, "basic": 0, "dissatisfied": 0}),
              officer("o1", monthly=months(96),
                      satisfaction={"satisfied": 3, "basic": 0, "dissatisfied": 2})]
    people += [officer(f"x{i}", monthly=months(80)) for i in range(3)]
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.2})))   # 5 rated -> 1 keeps
    assert (res["o1"]["stars"], res["o2"]["stars"]) == (5, 4)


def test_quota_prefers_the_higher_exact_score_over_satisfaction():
    people = [officer("o1", monthly=months(96) | {"2026-12": 95.99},
                      satisfaction={"satisfied": 10, "basic": 0, "dissatisfied": 0}),
              officer("o2", monthly=months(96))] + [officer(f"x{i}") for i in range(3)]
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.2})))
    assert (res["o1"]["stars"], res["o2"]["stars"]) == (4, 5)


def test_quota_counts_rated_officers_per_agency():
    people = _quota_people(2, 3) + [officer("b1", agency="a2", monthly=months(99))]
    people += [officer(f"d{i}", unexcused_absence_days=5) for i in range(5)]
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.4})))
    # a1: 5 rated x 0.4 = 2 keep both; a2: 1 rated x 0.4 = 0
    assert (res["f0"]["stars"], res["f1"]["stars"], res["b1"]["stars"]) == (5, 5, 4)


def test_quota_applies_after_the_mentor_link():
    people = [officer("m", monthly=months(99)), officer("e", mentor="m", facts=["secret_leak"]),
              officer("f", monthly=months(96))] + [officer(f"x{i}") for i in range(2)]
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.25})))  # 4 rated -> 1 keeps
    assert (res["m"]["stars"], res["m"]["reasons"]) == (4, ["mentee_disqualified"])
    assert (res["f"]["stars"], res["f"]["reasons"]) == (5, [])


def test_without_quota_everyone_above_95_keeps_five_stars():
    res = rate(snapshot(_quota_people(4, 0)))
    assert [r["stars"] for r in res["officers"]] == [5, 5, 5, 5]


def test_rated_officer_carries_only_link_or_quota_reasons():
    people = [officer("m", monthly=months(99)), officer("e", mentor="m", facts=["secret_leak"])]
    res = by_id(rate(snapshot(people, rules={"five_star_quota": 0.1})))
    assert res["m"]["reasons"] == ["mentee_disqualified"]
