"""Training's dated read model (issue 20 item 1, SPEC §9): a person as he was on a day."""
from datetime import date

import pytest

from services.training.domain.model import Person
from services.training.domain.posts import Post, person_on, post_on

pytestmark = pytest.mark.timeout(10)

POSTS = [Post(date(2026, 3, 15), "civil", "court", "chief"), Post(date(2020, 1, 1), "crim", "psb", "officer")]


@pytest.mark.parametrize("day, unit", [(date(2019, 12, 31), "crim"),    # before the first: the first
                                       (date(2020, 1, 1), "crim"), (date(2026, 3, 14), "crim"),
                                       (date(2026, 3, 15), "civil"), (date(2026, 12, 31), "civil")])
def test_a_post_holds_from_its_start_until_the_next_one(day, unit):
    assert post_on(POSTS, day).unit_id == unit


def test_no_post_no_answer_and_the_person_is_read_as_on_the_day():
    assert post_on([], date(2026, 1, 1)) is None
    today = Person("p", "civil", "chief", "court", date(2020, 1, 1))
    then = person_on(today, POSTS, date(2026, 2, 28))
    assert (then.unit_id, then.agency_id, then.position, then.joined) == ("crim", "psb", "officer", date(2020, 1, 1))
    assert person_on(today, [], date(2026, 2, 28)) == today


@pytest.mark.parametrize("day, march", [(date(2026, 3, 1), "civil"), (date(2026, 3, 15), "civil"),
                                        (date(2026, 3, 31), "civil"), (date(2026, 4, 1), "crim")])
def test_a_months_report_reads_the_post_of_its_last_day(day, march):
    """SPEC §9: a transfer on the 1st, the 15th or the last day puts the month's study in the new
    unit's report; the day after, the month stays with the old one (February always does)."""
    from services.training.domain.calendar import Month

    posts = [Post(day, "civil", "court", "officer"), Post(date(2020, 1, 1), "crim", "psb", "officer")]
    today = Person("p", "civil", "officer", "court", date(2020, 1, 1))
    assert person_on(today, posts, Month.parse("2026-03").last).unit_id == march
    assert person_on(today, posts, Month.parse("2026-02").last).unit_id == "crim"
