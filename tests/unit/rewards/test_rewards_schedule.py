"""Amounts and the guardrail of SPEC §6 (000 §二2)."""
import pytest

from shared.errors import RuleViolation, ValidationFailed
from services.rewards.domain.schedule import (CITY_SCHEDULE, adapted_schedule, officer_bonus,
                                              section_bonus)

pytestmark = pytest.mark.timeout(10)


def test_city_defaults_1000_and_300_per_head():  # M§五(二)5(2)①, 5(1)①
    assert officer_bonus(None, 5, None) == (1000, "city_default")
    assert section_bonus(None, 5, 7, None) == (2100, "city_default")
    assert CITY_SCHEDULE.amount("officer", 4) == 0


def test_partial_adaptation_keeps_city_defaults_for_other_levels():
    s = adapted_schedule({"officer": {"5": 800}}, "b")
    assert [s.amount("officer", k) for k in range(1, 6)] == [0, 0, 0, 0, 800]
    assert s.amount("section_per_head", 5) == 300


def test_growing_schedule_accepted():
    s = adapted_schedule({"officer": {"5": 2000, "4": 800, "3": 300}}, "b")
    assert officer_bonus(s, 3, None) == (300, "b")


@pytest.mark.parametrize("stars", ["1", "2"])
def test_refused_paying_at_two_stars_or_fewer(stars):
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"officer": {"5": 1000, "4": 500, "3": 200, stars: 100}}, "b")
    assert err.value.field == f"officer.{stars}"


def test_refused_flat_schedule():  # 将奖金作为一种福利来发放
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"officer": {"5": 500, "4": 500, "3": 500}}, "b")
    assert err.value.field == "officer.4"


def test_refused_five_equal_to_four():
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"section_per_head": {"5": 300, "4": 300}}, "b")
    assert err.value.field == "section_per_head.5"


def test_refused_shrinking_with_stars():
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"officer": {"5": 1000, "4": 0, "3": 200}}, "b")
    assert err.value.field == "officer.4"


def test_refused_five_stars_paying_nothing():
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"officer": {"5": 0}}, "b")
    assert err.value.field == "officer.5"


def test_city_limit_boundary_twice_the_default():
    assert adapted_schedule({"officer": {"5": 2000}}, "b").amount("officer", 5) == 2000
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"officer": {"5": 2001}}, "b")
    assert err.value.field == "officer.5"


def test_negative_amount_refused():
    with pytest.raises(RuleViolation) as err:
        adapted_schedule({"officer": {"5": 1000, "3": -1}}, "b")
    assert err.value.field == "officer.3"


def test_non_integer_amount_and_bad_level_refused():
    with pytest.raises(ValidationFailed) as err:
        adapted_schedule({"officer": {"5": 99.5}}, "b")
    assert err.value.field == "officer.5"
    with pytest.raises(ValidationFailed) as err:
        adapted_schedule({"officer": {"6": 10}}, "b")
    assert err.value.field == "officer.6"


def test_unrated_subject_gets_no_bonus():
    assert officer_bonus(CITY_SCHEDULE, None, None) == (None, None)
