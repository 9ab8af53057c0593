import pytest

from services.training.domain.calendar import Month, Quarter
from shared.dates import add_years

from .conftest import d

pytestmark = pytest.mark.timeout(10)


def test_add_years_29_february_becomes_28_february():
    assert add_years(d("2024-02-29"), 3) == d("2027-02-28")
    assert add_years(d("2024-02-29"), 4) == d("2028-02-29")
    assert add_years(d("2026-03-15"), 3) == d("2029-03-15")


def test_month_parse_bounds_and_neighbours():
    assert Month.parse("2026-02").last == d("2026-02-28")
    assert Month.parse("2024-02").last == d("2024-02-29")
    assert str(Month(2026, 12).next()) == "2027-01"
    assert str(Month(2026, 1).previous()) == "2025-12"
    for bad in ("2026-13", "2026-00", "2026-1", "26-01", ""):
        with pytest.raises(ValueError):
            Month.parse(bad)


def test_quarter_contains_its_three_months_only():
    q2 = Quarter.parse("2026-Q2")
    assert q2.first == d("2026-04-01") and q2.last == d("2026-06-30")
    assert d("2026-03-31") not in q2 and d("2026-07-01") not in q2
    assert Quarter.of(d("2026-06-30")) == q2
