"""The eight targets of the Method (M§一, SPEC §7): each rule at its boundary."""
from decimal import Decimal
from fractions import Fraction

import pytest

from shared import targets as t

pytestmark = pytest.mark.timeout(10)


def test_target_1_management_rate_is_met_at_100_percent_only():
    assert t.management_rate_met(1) is True
    assert t.management_rate_met(Fraction(20, 20)) is True
    assert t.management_rate_met(Fraction(19, 20)) is False
    assert t.management_rate_met(0.9999) is False
    assert t.management_rate_met(None) is None


def test_target_1_management_result_nothing_due_is_no_data():
    assert t.management_rate("a", 0, 0).value is None and t.management_rate("a", 0, 0).met is None
    r = t.management_rate("a", 9, 10)
    assert r.value == Fraction(9, 10) and r.met is False
    assert t.management_rate("a", 10, 10).met is True


def test_target_2_one_leader_rated_incompetent_misses_it():
    assert t.no_incompetent_leaders_met(0) is True
    assert t.no_incompetent_leaders_met(1) is False
    with pytest.raises(ValueError):
        t.no_incompetent_leaders_met(-1)


def test_target_3_skills_pass_rate_95_met_94_99_missed():
    assert t.skills_pass_rate_met(0.95) is True            # 以上含本数
    assert t.skills_pass_rate_met(Decimal("0.95")) is True
    assert t.skills_pass_rate_met(Fraction(19, 20)) is True
    assert t.skills_pass_rate_met(0.9499) is False
    assert t.skills_pass_rate_met("0.9499") is False
    assert t.skills_pass_rate_met(Fraction(18, 20)) is False
    assert t.skills_pass_rate_met(None) is None
    assert t.skills_pass_rate("a", 19, 20).met is True
    assert t.skills_pass_rate("a", 1899, 2000).met is False   # 94.95%
    assert t.skills_pass_rate("a", 0, 0).met is None


def test_target_4_5_6_any_case_misses_them():
    for rule in (t.no_cadre_selection_violations_met, t.no_dereliction_cases_met, t.no_officer_crimes_met):
        assert rule(0) is True
        assert rule(1) is False
        assert rule(7) is False
    assert t.cadre_selection_violations("a", 1).as_dict()["met"] is False
    assert t.dereliction_cases("a", 0).as_dict() == {
        "target": "5_no_dereliction_cases", "agency": "a", "value": 0, "met": True,
        "label": "无渎职枉法案件", "unit": "count", "detail": {"count": 0}}
    assert t.officer_crimes("city", 2).value == 2


def test_target_7_every_reported_violation_investigated():
    assert t.violations_investigated_met(4, 4) is True
    assert t.violations_investigated_met(3, 4) is False
    assert t.violations_investigated_met(0, 0) is True      # nothing reported, nothing left open
    with pytest.raises(ValueError):
        t.violations_investigated_met(5, 4)
    r = t.violations_investigated("a", 3, 4)
    assert r.value == Fraction(3, 4) and r.met is False
    none = t.violations_investigated("a", 0, 0)
    assert none.value is None and none.met is True


def test_target_8_public_satisfaction_90_met_89_99_missed():
    assert t.public_satisfaction_met(0.9) is True
    assert t.public_satisfaction_met(Fraction(9, 10)) is True
    assert t.public_satisfaction_met(0.8999) is False
    assert t.public_satisfaction_met(None) is None
    assert t.public_satisfaction("a", 900, 1000).met is True
    assert t.public_satisfaction("a", 8999, 10000).met is False
    assert t.public_satisfaction("a", 0, 0).value is None


def test_every_target_named_owned_and_labelled():
    assert len(t.TARGETS) == 8
    assert [n.split("_")[0] for n in t.TARGETS] == [str(i) for i in range(1, 9)]
    assert set(t.OWNERS) == set(t.LABELS) == set(t.UNITS) == set(t.TARGETS)
    assert set(t.OWNERS.values()) == {"roster", "training", "scoring", "survey"}


def test_every_rule_carries_its_method_mark():
    rules = [t.management_rate_met, t.no_incompetent_leaders_met, t.skills_pass_rate_met,
             t.no_cadre_selection_violations_met, t.no_dereliction_cases_met, t.no_officer_crimes_met,
             t.violations_investigated_met, t.public_satisfaction_met]
    for i, rule in enumerate(rules, 1):
        assert f"M§一{i}" in rule.__doc__


def test_share_refuses_nonsense():
    with pytest.raises(ValueError):
        t.share(3, 2)
    assert t.share(0, 0) is None
    with pytest.raises(TypeError):
        t.exact(True)


def test_years_shown_this_year_and_the_previous_until_its_ratings_are_filed():
    from datetime import date

    assert t.years_shown(date(2026, 3, 1), previous_filed=False) == [2026, 2025]
    assert t.years_shown(date(2026, 1, 9), previous_filed=True) == [2026]
    assert t.years_shown(date(2026, 12, 31), previous_filed=False) == [2026, 2025]


def test_years_shown_by_the_rating_calendar_when_the_owner_cannot_see_the_ratings():
    from datetime import date

    assert t.years_shown(date(2026, 1, 31), previous_filed=None) == [2026, 2025]   # the rating month
    assert t.years_shown(date(2026, 2, 1), previous_filed=None) == [2026]


def test_gauge_values_no_data_is_none_never_a_made_up_figure():
    assert t.gauge_values(t.skills_pass_rate("a1", 19, 20)) == (0.95, 1.0)
    assert t.gauge_values(t.skills_pass_rate("a1", 0, 0)) == (None, None)
    assert t.gauge_values(t.violations_investigated("a1", 0, 0)) == (None, 1.0)
    assert t.gauge_values(t.officer_crimes("city", 1)) == (1.0, 0.0)
