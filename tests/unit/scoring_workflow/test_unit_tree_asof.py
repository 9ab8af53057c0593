"""Scoring's read model of the dated unit tree (SPEC §9, issue 20): a section's agency on a day
from the roster's versions; a section moved on the 1st, the 15th or the last day of a month counts
for its new agency that month (read on its last day); a unit dissolved during a month is absent."""
from dataclasses import replace
from datetime import date

import pytest

from services.scoring.domain.asof import UnitVersion, load_version, month_last_day, name_on, tree_on, unit_on
from shared.errors import Conflict, ValidationFailed

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


# -- scoring.save_units, a bulk load of the read model, dated as the roster dates its tree ----------
def _unit(parent, name="刑侦大队", kind="section"):
    return UnitVersion("s1", EARLIEST, None, kind, parent, parent, name)


def test_a_unit_new_to_the_read_model_exists_as_far_back_as_the_roster_goes_or_from_its_date():
    assert load_version([], _unit("ps"), None) == ([], [_unit("ps")])
    assert load_version([], _unit("ps"), date(2026, 3, 15))[1][0].since == date(2026, 3, 15)


@pytest.mark.parametrize("day, march", [(date(2026, 3, 1), "ct"), (date(2026, 3, 15), "ct"),
                                        (date(2026, 3, 31), "ct"), (date(2026, 4, 1), "ps")])
def test_a_section_loaded_under_another_agency_on_the_1st_15th_or_last_day(day, march):
    closed, opened = load_version([_unit("ps")], _unit("ct"), day)
    assert closed == [replace(_unit("ps"), until=date.fromordinal(day.toordinal() - 1))]
    versions = {"s1": closed + opened}
    assert tree_on(versions, month_last_day("2026-02"))["s1"].agency == "ps"
    assert tree_on(versions, month_last_day("2026-03"))["s1"].agency == march


def test_the_same_content_again_is_no_change_and_a_same_day_change_replaces_that_version():
    assert load_version([_unit("ps")], _unit("ps"), None) == ([], [])
    moved = replace(_unit("ct"), since=date(2026, 3, 15))
    first = replace(_unit("ps"), until=date(2026, 3, 14))
    closed, opened = load_version([first, moved], _unit("ct", "刑侦一大队"), date(2026, 3, 15))
    assert closed == [moved] and opened == [replace(_unit("ct", "刑侦一大队"), since=date(2026, 3, 15))]


def test_a_change_needs_its_date_and_never_rewrites_history_nor_the_kind():
    with pytest.raises(ValidationFailed) as err:
        load_version([_unit("ps")], _unit("ct"), None)
    assert err.value.field == "effective"
    later = [replace(_unit("ps"), until=date(2026, 3, 14)), replace(_unit("ct"), since=date(2026, 3, 15))]
    with pytest.raises(Conflict) as err:
        load_version(later, _unit("ps"), date(2026, 3, 1))
    assert err.value.field == "effective"
    with pytest.raises(Conflict) as err:
        load_version([_unit("ps")], _unit("ps", kind="agency"), date(2026, 3, 1))
    assert err.value.field == "kind"


def test_a_unit_ended_in_the_read_model_is_loaded_again_only_from_a_later_day():
    ended = [replace(_unit("ps"), until=date(2026, 3, 31))]
    with pytest.raises(Conflict):
        load_version(ended, _unit("ps"), date(2026, 3, 31))
    assert load_version(ended, _unit("ps"), date(2026, 4, 1)) == (
        [], [replace(_unit("ps"), since=date(2026, 4, 1))])


@pytest.mark.parametrize("day, march_name", [(date(2026, 3, 1), "刑侦一大队"), (date(2026, 3, 15), "刑侦一大队"),
                                             (date(2026, 3, 31), "刑侦一大队"), (date(2026, 4, 1), "刑侦大队")])
def test_a_unit_is_named_as_on_the_months_last_day(day, march_name):
    renamed = [replace(_unit("ps"), until=date.fromordinal(day.toordinal() - 1)),
               replace(_unit("ps", "刑侦一大队"), since=day)]
    assert name_on(renamed, month_last_day("2026-02")) == "刑侦大队"
    assert name_on(renamed, month_last_day("2026-03")) == march_name


def test_a_unit_gone_keeps_its_last_name_and_one_not_yet_created_its_first():
    gone = [replace(_unit("ps", "禁毒大队"), until=date(2026, 3, 14))]
    assert name_on(gone, date(2026, 3, 31)) == "禁毒大队"
    assert name_on([replace(_unit("ps", "新大队"), since=date(2026, 5, 1))], date(2026, 3, 31)) == "新大队"
    assert name_on([], date(2026, 3, 31)) is None
