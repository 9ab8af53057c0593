"""Survey's dated read model of the roster (issue 20 item 1): the agency on a campaign's last day."""
from datetime import date

import pytest

from services.survey.domain.posts import UnitVersion, agency_on, period_last_day, tree_on, unit_on

pytestmark = pytest.mark.timeout(10)

POSTS = [(date(2026, 7, 1), "a2"), (date(2020, 1, 1), "a1")]


def test_a_half_years_last_day():
    assert period_last_day("2026H1") == date(2026, 6, 30)
    assert period_last_day("2026H2") == date(2026, 12, 31)


@pytest.mark.parametrize("day, agency", [(date(2019, 12, 31), None), (date(2020, 1, 1), "a1"),
                                         (date(2026, 6, 30), "a1"), (date(2026, 7, 1), "a2"),
                                         (date(2026, 12, 31), "a2")])
def test_the_agency_of_the_post_held_on_the_day(day, agency):
    assert agency_on(POSTS, day) == agency
    assert agency_on([], day) is None


EARLIEST = date(1900, 1, 1)
S1 = [UnitVersion("s1", date(2026, 8, 1), None, "section", "a2", "a2"),
      UnitVersion("s1", EARLIEST, date(2026, 7, 31), "section", "a1", "a1")]


@pytest.mark.parametrize("day, agency", [(date(2026, 6, 30), "a1"), (date(2026, 7, 31), "a1"),
                                         (date(2026, 8, 1), "a2"), (date(2026, 12, 31), "a2")])
def test_a_moved_section_on_each_day(day, agency):
    assert unit_on(S1, day).agency == agency
    assert tree_on({"s1": S1}, day)["s1"].agency == agency


def test_a_dissolved_unit_is_absent_from_its_day_on():
    gone = [UnitVersion("s2", EARLIEST, date(2026, 6, 29), "section", "a1", "a1")]
    assert unit_on(gone, date(2026, 6, 29)).agency == "a1"
    assert unit_on(gone, period_last_day("2026H1")) is None
    assert tree_on({"s2": gone}, date(2026, 6, 30)) == {}
