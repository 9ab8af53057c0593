"""Target 3 (M§一3) per agency and city-wide from the training results of a year."""
from datetime import date

import pytest

from services.training.domain import passrate
from services.training.domain.model import SKILLS, Result

pytestmark = pytest.mark.timeout(10)


def results(prefix, passed, failed, year=2026):
    out = [Result(f"{prefix}{i}", "c1", SKILLS, date(year, 3, 1), True) for i in range(passed)]
    return out + [Result(f"{prefix}f{i}", "c1", SKILLS, date(year, 3, 1), False) for i in range(failed)]


def test_19_of_20_meets_18_of_20_misses_and_the_city_pools_them():
    rs = results("a", 19, 1) + results("b", 18, 2) + results("old", 0, 5, year=2025)
    agency_of = {r.person_id: "a1" if r.person_id.startswith("a") else "a2" for r in rs}
    out = {r.agency: r for r in passrate.target_results(rs, agency_of, 2026)}
    assert set(out) == {"a1", "a2", "city"}
    assert out["a1"].met is True and out["a1"].detail == {"passed": 19, "taken": 20}
    assert out["a2"].met is False
    assert out["city"].detail == {"passed": 37, "taken": 40} and out["city"].met is False


def test_one_agency_without_tests_is_no_data():
    rs = results("a", 20, 0)
    [only] = passrate.target_results(rs, {r.person_id: "a1" for r in rs}, 2026, agency="a9")
    assert only.agency == "a9" and only.value is None and only.met is None
    [city] = passrate.target_results(rs, {}, 2026, agency="city")
    assert city.met is True and city.value == 1


def test_meets_pass_rate_target_is_the_shared_rule():
    from fractions import Fraction
    assert passrate.meets_pass_rate_target(Fraction(95, 100)) is True
    assert passrate.meets_pass_rate_target(Fraction(9499, 10000)) is False
