"""Survey's dated read model of the roster (issue 20 item 1): the agency on a campaign's last day."""
from datetime import date

import pytest

from services.survey.domain.posts import agency_on, period_last_day

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
