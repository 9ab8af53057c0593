"""shared.dated: the post of a day is the latest starting on or before it (SPEC §9)."""
from datetime import date as D

from shared.dated import latest_on

POSTS = [(D(2026, 3, 1), "b"), (D(2026, 1, 1), "a"), (D(2026, 7, 15), "c")]


def first(item):
    return item[0]


def test_the_post_starting_latest_by_the_day_holds_it_in_any_order():
    assert latest_on(POSTS, D(2026, 2, 28), start=first)[1] == "a"
    assert latest_on(POSTS, D(2026, 3, 1), start=first)[1] == "b"      # its first day
    assert latest_on(POSTS, D(2026, 7, 14), start=first)[1] == "b"
    assert latest_on(POSTS, D(2027, 1, 1), start=first)[1] == "c"


def test_nothing_before_the_first_start_or_without_posts():
    assert latest_on(POSTS, D(2025, 12, 31), start=first) is None
    assert latest_on([], D(2026, 1, 1), start=first) is None
