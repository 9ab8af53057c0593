"""The eight targets of the Method (M§一, SPEC §7): each rule at its boundary."""
from decimal import Decimal
from fractions import Fraction

import pytest

from shared import targets

pytestmark = pytest.mark.timeout(10)


def test_target_1_management_rate_is_met_at_100_percent_only():
    assert targets.management_rate_met(1) is True
    assert targets.management_rate_met(Fraction(20, 20)) is True
    assert targets.management_rate_met(Fraction(19, 20)) is False
    assert targets.management_rate_met(0.9999) is False
    assert targets.management_rate_met(None) is None


def test_target_1_management_result_nothing_due_is_no_data():
    assert targets.management_rate("a", 0, 0).value is None and targets.management_rate("a", 0, 0).met is None
    r = targets.management_rate("a", 9, 10)
    assert r.value == Fraction(9, 10) and r.met is False
    assert targets.management_rate("a", 10, 10).met is True


def test_target_2_one_leader_rated_incompetent_misses_it():
    assert targets.no_incompetent_leaders_met(0) is True
    assert targets.no_incompetent_leaders_met(1) is False
    with pytest.raises(ValueError):
        targets.no_incompetent_leaders_met(-1)


def test_target_3_skills_pass_rate_95_met_94_99_missed():
    assert targets.skills_pass_rate_met(0.95) is True            # 以上含本数
    assert targets.skills_pass_rate_met(Decimal("0.95")) is True
    assert targets.skills_pass_rate_met(Fraction(19, 20)) is True
    assert targets.skills_pass_rate_met(0.9499) is False
    assert targets.skills_pass_rate_met("0.9499") is False
    assert targets.skills_pass_rate_met(Fraction(18, 20)) is False
    assert targets.skills_pass_rate_met(None) is None
    assert targets.skills_pass_rate("a", 19, 20).met is True
    assert targets.skills_pass_rate("a", 1899, 2000).met is False   # 94.95%
    assert targets.skills_pass_rate("a", 0, 0).met is None


def test_target_4_5_6_any_case_misses_them():
    for rule in (targets.no_cadre_selection_violations_met, targets.no_dereliction_cases_met,
                 targets.no_officer_crimes_met):
        assert rule(0) is True
        assert rule(1) is False
        assert rule(7) is False
    assert targets.cadre_selection_violations("a", 1).as_dict()["met"] is False
    assert targets.dereliction_cases("a", 0).as_dict() == {
        "target": "5_no_dereliction_cases", "agency": "a", "value": 0, "met": True,
        "label": "无渎职枉法案件", "unit": "count", "detail": {"count": 0}}
    assert targets.officer_crimes("city", 2).value == 2


def test_target_7_every_reported_violation_investigated():
    assert targets.violations_investigated_met(4, 4) is True
    assert targets.violations_investigated_met(3, 4) is False
    assert targets.violations_investigated_met(0, 0) is True      # nothing reported, nothing left open
    with pytest.raises(ValueError):
        targets.violations_investigated_met(5, 4)
    r = targets.violations_investigated("a", 3, 4)
    assert r.value == Fraction(3, 4) and r.met is False
    none = targets.violations_investigated("a", 0, 0)
    assert none.value is None and none.met is True


def test_target_8_public_satisfaction_90_met_89_99_missed():
    assert targets.public_satisfaction_met(0.9) is True
    assert targets.public_satisfaction_met(Fraction(9, 10)) is True
    assert targets.public_satisfaction_met(0.8999) is False
    assert targets.public_satisfaction_met(None) is None
    assert targets.public_satisfaction("a", 900, 1000).met is True
    assert targets.public_satisfaction("a", 8999, 10000).met is False
    assert targets.public_satisfaction("a", 0, 0).value is None


def test_every_target_named_owned_and_labelled():
    assert len(targets.TARGETS) == 8
    assert [n.split("_")[0] for n in targets.TARGETS] == [str(i) for i in range(1, 9)]
    assert set(targets.OWNERS) == set(targets.LABELS) == set(targets.UNITS) == set(targets.TARGETS)
    assert set(targets.OWNERS.values()) == {"roster", "training", "scoring", "survey"}


def test_every_rule_carries_its_method_mark():
    rules = [targets.management_rate_met, targets.no_incompetent_leaders_met, targets.skills_pass_rate_met,
             targets.no_cadre_selection_violations_met, targets.no_dereliction_cases_met, targets.no_officer_crimes_met,
             targets.violations_investigated_met, targets.public_satisfaction_met]
    for i, rule in enumerate(rules, 1):
        assert f"M§一{i}" in rule.__doc__


def test_share_refuses_nonsense():
    with pytest.raises(ValueError):
        targets.share(3, 2)
    assert targets.share(0, 0) is None
    with pytest.raises(TypeError):
        targets.exact(True)


def test_years_shown_this_year_and_the_previous_until_its_ratings_are_filed():
    from datetime import date

    assert targets.years_shown(date(2026, 3, 1), previous_filed=False) == [2026, 2025]
    assert targets.years_shown(date(2026, 1, 9), previous_filed=True) == [2026]
    assert targets.years_shown(date(2026, 12, 31), previous_filed=False) == [2026, 2025]


def test_years_shown_by_the_rating_calendar_when_the_owner_cannot_see_the_ratings():
    from datetime import date

    assert targets.years_shown(date(2026, 1, 31), previous_filed=None) == [2026, 2025]   # the rating month
    assert targets.years_shown(date(2026, 2, 1), previous_filed=None) == [2026]


def test_gauge_values_no_data_is_none_never_a_made_up_figure():
    assert targets.gauge_values(targets.skills_pass_rate("a1", 19, 20)) == (0.95, 1.0)
    assert targets.gauge_values(targets.skills_pass_rate("a1", 0, 0)) == (None, None)
    assert targets.gauge_values(targets.violations_investigated("a1", 0, 0)) == (None, 1.0)
    assert targets.gauge_values(targets.officer_crimes("city", 1)) == (1.0, 0.0)
