"""Scoring's read model of the dated unit tree (SPEC §9, issue 20): a section's agency on a day
from the roster's versions; a section moved on the 1st, the 15th or the last day of a month counts
for its new agency that month (read on its last day); a unit dissolved during a month is absent."""
from datetime import date

import pytest

from services.scoring.domain.asof import UnitVersion, month_last_day, tree_on, unit_on

EARLIEST = date(1900, 1, 1)


def moved(day):
    return {"s1": [
        UnitVersion("s1", EARLIEST, date.fromordinal(day.toordinal() - 1), "section", "a1", "a1"),
        UnitVersion("s1", day, None, "section", "a2", "a2")]}


@pytest.mark.parametrize("day, march", [(date(2026, 3, 1), "a2"), (date(2026, 3, 15), "a2"),
                                        (date(2026, 3, 31), "a2"), (date(2026, 4, 1), "a1")])
def test_a_moved_section_counts_for_the_agency_of_the_months_last_day(day, march):
    versions = moved(day)
    assert tree_on(versions, month_last_day("2026-03"))["s1"].agency == march
    assert tree_on(versions, month_last_day("2026-02"))["s1"].agency == "a1"
    assert tree_on(versions, month_last_day("2026-04"))["s1"].agency == "a2"


@pytest.mark.parametrize("gone, march_there", [(date(2026, 3, 1), False),
                                               (date(2026, 3, 31), False),
                                               (date(2026, 4, 1), True)])
def test_a_dissolved_section_is_absent_from_the_day_it_is_dissolved(gone, march_there):
    versions = [UnitVersion("s2", EARLIEST, date.fromordinal(gone.toordinal() - 1), "section",
                            "a1", "a1")]
    assert (unit_on(versions, month_last_day("2026-03")) is not None) is march_there
    assert unit_on(versions, date(2026, 2, 28)).agency == "a1"


def test_versions_in_any_order_and_a_loaded_evaluator():
    later = UnitVersion("s1", date(2026, 5, 1), None, "section", "a2", "a2")
    first = UnitVersion("s1", EARLIEST, date(2026, 4, 30), "section", "a1", "a1", evaluator="x")
    assert unit_on([later, first], date(2026, 4, 30)).body == "x"
    assert unit_on([later, first], date(2026, 5, 1)).body == "a2"
    assert unit_on([later], date(2026, 4, 30)) is None         # not known before its first version
