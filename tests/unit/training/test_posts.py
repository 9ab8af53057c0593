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


def test_away_on_a_day_and_throughout_a_period():
    from services.training.domain.posts import away_on_a_day, away_throughout
    away = [(date(2026, 5, 20), date(2026, 9, 10)), (date(2027, 11, 1), None)]
    june, may, sept, aug = ((date(2026, 6, 1), date(2026, 6, 30)), (date(2026, 5, 1), date(2026, 5, 31)),
                            (date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 8, 1), date(2026, 8, 31)))
    assert away_on_a_day(away, *june) and away_on_a_day(away, *may) and away_on_a_day(away, *sept)
    assert not away_on_a_day(away, date(2026, 9, 10), date(2026, 10, 31))     # back on the 10th
    assert not away_on_a_day(away, date(2026, 4, 1), date(2026, 5, 19))
    assert away_throughout(away, *june) and away_throughout(away, *aug)
    assert not away_throughout(away, *may) and not away_throughout(away, *sept)
    assert away_throughout(away, date(2028, 1, 1), date(2028, 12, 31))         # no return: open
    assert not away_throughout(away, date(2027, 1, 1), date(2027, 12, 31))
    assert not away_on_a_day([], *june) and not away_throughout([], *june)
