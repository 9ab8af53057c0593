"""``shared.dated``'s rule of a person off the team (SPEC §9): from a departure (the roster's
``staff_left``) until a post of his begins after it (``return_to_team``), as the survey, training and
their policy tables read it."""
import itertools
from datetime import date, timedelta

import pytest

from shared.dated import away_on, away_spells, still_away

pytestmark = pytest.mark.timeout(10)

D = date(2026, 5, 20)


def test_no_departure_no_spell():
    assert away_spells([], [date(2020, 1, 1)]) == [] and away_spells([], []) == []
    assert not away_on([], [], D) and not still_away([], [date(2020, 1, 1)])


def test_no_return_an_open_spell_from_the_departure_day():
    assert away_spells([D], [date(2020, 1, 1)]) == [(D, None)]
    assert away_spells([D], []) == [(D, None)]
    assert not away_on([D], [], D - timedelta(1))
    assert away_on([D], [], D) and away_on([D], [], date(2099, 12, 31))
    assert still_away([D], [date(2020, 1, 1)])


def test_a_return_the_day_after_ends_the_spell_that_day():
    back = D + timedelta(1)
    assert away_spells([D], [date(2020, 1, 1), back]) == [(D, back)]
    assert away_on([D], [back], D) and not away_on([D], [back], back)
    assert not still_away([D], [back])


def test_a_post_beginning_on_the_departure_day_is_not_a_return():
    assert away_spells([D], [D]) == [(D, None)]
    assert away_on([D], [D], D) and away_on([D], [D], D + timedelta(400))
    assert still_away([D], [D])


def test_a_post_beginning_before_the_departure_is_not_a_return():
    assert away_spells([D], [D - timedelta(1)]) == [(D, None)]
    assert not away_on([D], [D - timedelta(1)], D - timedelta(1)) and away_on([D], [D - timedelta(1)], D)
    assert still_away([D], [D - timedelta(1)])


def test_several_spells_and_departures_with_no_return_between_them():
    a, back1, b, c, back2, d = (date(2026, 1, 10), date(2026, 3, 1), date(2026, 6, 1), date(2026, 7, 1),
                                date(2026, 9, 1), date(2027, 2, 1))
    starts = [date(2020, 1, 1), back1, back2]
    assert away_spells([a, b, c, d], starts) == [(a, back1), (b, back2), (d, None)]   # c within b's spell
    assert away_spells([a, b, c], starts) == [(a, back1), (b, back2)]
    assert [away_on([a, b, c, d], starts, day) for day in
            (a - timedelta(1), a, back1 - timedelta(1), back1, b, c, back2 - timedelta(1), back2, d)] == \
        [False, True, True, False, True, True, True, False, True]
    assert still_away([a, b, c, d], starts) and not still_away([a, b, c], starts)


def test_the_order_the_events_arrived_in_and_repeats_change_nothing():
    deps = [date(2026, 1, 10), date(2026, 6, 1), date(2026, 7, 1)]
    starts = [date(2020, 1, 1), date(2026, 3, 1), date(2026, 9, 1)]
    want = away_spells(deps, starts)
    for dp in itertools.permutations(deps):
        for sp in itertools.permutations(starts):
            assert away_spells(dp, sp) == want
            assert away_spells(list(dp) + [dp[0]], list(sp) + [sp[-1]]) == want
            assert still_away(dp, sp) is still_away(deps, starts)


def _days(mask, base=date(2026, 1, 1)):
    return [base + timedelta(i) for i in range(len(mask)) if mask[i] == "1"]


@pytest.mark.parametrize("n", [5])
def test_only_the_latest_departure_and_post_by_the_day_decide_it(n):
    """Every set of departures and post starts over ``n`` days, every day: ``away_on`` equals the
    rule the policy tables read from two rows (the latest departure on or before the day, the latest
    post starting on or before it: off the team when the departure is not followed by that post),
    and ``still_away`` the survey's (the latest post begins after the latest departure: back)."""
    masks = ["".join(bits) for bits in itertools.product("01", repeat=n)]
    for dm in masks:
        deps = _days(dm)
        for sm in masks:
            starts = _days(sm)
            for day in _days("1" * (n + 1), date(2025, 12, 31)) + [date(2026, 1, 1) + timedelta(n)]:
                left = max((x for x in deps if x <= day), default=None)
                post = max((x for x in starts if x <= day), default=None)
                two_rows = left is not None and (post is None or post <= left)
                assert away_on(deps, starts, day) is two_rows, (deps, starts, day)
                assert away_on([left] if left else [], [post] if post else [], day) is two_rows
            if deps:
                assert still_away(deps, starts) is not (bool(starts) and max(starts) > max(deps))
            else:
                assert not still_away(deps, starts)
