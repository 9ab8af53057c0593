"""shared.dated: the post of a day is the latest starting on or before it; a unit's content saved
from a day re-dates its history by one rule (SPEC §9)."""
from datetime import date as D

import pytest

from shared.dated import EARLIEST, change_from, latest_on
from shared.errors import Conflict, ValidationFailed

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


# -- change_from: one rule for a unit's dated history (the roster's tree, scoring's read model) ------
MAR1, MAR15, MAR31, APR1 = D(2026, 3, 1), D(2026, 3, 15), D(2026, 3, 31), D(2026, 4, 1)


def test_a_new_unit_exists_from_its_date_or_as_far_back_as_the_roster_goes():
    assert change_from("u", None, None, MAR15, unchanged=False) == ("create", MAR15)
    assert change_from("u", None, None, None, unchanged=False) == ("create", EARLIEST)


def test_a_dissolved_unit_saved_again_is_recreated_only_from_a_date_after_its_end():
    assert change_from("u", MAR1, MAR31, APR1, unchanged=True) == ("recreate", APR1)
    assert change_from("u", MAR1, MAR31, D(2027, 1, 1), unchanged=False) == ("recreate", D(2027, 1, 1))
    with pytest.raises(ValidationFailed) as err:
        change_from("u", MAR1, MAR31, None, unchanged=True)
    assert err.value.field == "effective" and "2026-04-01" in err.value.message   # dissolved from
    for day in (MAR31, MAR15, D(2025, 1, 1)):
        with pytest.raises(Conflict) as err:
            change_from("u", MAR1, MAR31, day, unchanged=True)
        assert err.value.field == "effective"


def test_an_open_unit_changes_from_a_date_on_or_after_its_latest_start():
    assert change_from("u", MAR1, None, None, unchanged=True) == ("same", None)
    assert change_from("u", MAR1, None, D(2025, 1, 1), unchanged=True) == ("same", None)
    assert change_from("u", MAR1, None, MAR1, unchanged=False) == ("replace", MAR1)
    assert change_from("u", MAR1, None, MAR15, unchanged=False) == ("end", MAR15)
    with pytest.raises(ValidationFailed) as err:
        change_from("u", MAR1, None, None, unchanged=False)
    assert err.value.field == "effective"
    with pytest.raises(Conflict) as err:
        change_from("u", MAR15, None, MAR1, unchanged=False)
    assert err.value.field == "effective"
