"""The unit tree through time (SPEC §9, issue 20): versions never overwritten, the tree of a day,
a section moved to another agency on the 1st, the 15th and the last day of a month (the month is
read on its last day, as for a person's transfer), a unit dissolved, and the evaluators of the
people under a moved section."""
from dataclasses import replace
from datetime import date

import pytest
from roster_city import build_units, person

from services.roster.domain.history import evaluator_timeline, month_evaluator, post_of
from services.roster.domain.tree import (EARLIEST, Tree, UnitVersion, agency_on, change_unit,
                                         check_tree_from, children_on, dissolve, get_on,
                                         month_agency)
from shared.errors import Conflict, NotFound, ValidationFailed


def city_tree() -> Tree:
    return Tree(UnitVersion(u, EARLIEST) for u in build_units().values())


def changed(tree: Tree, unit, effective) -> Tree:
    closed, opened = change_unit(tree.history(unit.id), unit, effective)
    return tree.with_changes(closed, opened)


def moved(day: date) -> Tree:
    """The county bureau's 刑侦大队 moves under the county procuratorate from ``day``."""
    tree = city_tree()
    section = tree.on(day)["c_ps_s1"]
    return changed(tree, replace(section, parent="c_proc"), day)


def test_a_move_closes_the_version_the_day_before_and_never_overwrites_it():
    tree = moved(date(2026, 3, 15))
    assert [(v.start, v.end, v.unit.parent) for v in tree.history("c_ps_s1")] == [
        (EARLIEST, date(2026, 3, 14), "c_ps"), (date(2026, 3, 15), None, "c_proc")]
    assert agency_on(tree, "c_ps_s1", date(2026, 3, 14)) == "c_ps"
    assert agency_on(tree, "c_ps_s1", date(2026, 3, 15)) == "c_proc"


@pytest.mark.parametrize("day, march, april", [
    (date(2026, 3, 1), "c_proc", "c_proc"),      # moved on the 1st: March is the new agency's
    (date(2026, 3, 15), "c_proc", "c_proc"),     # mid-month: read on the month's last day
    (date(2026, 3, 31), "c_proc", "c_proc"),     # on the last day itself: already moved
    (date(2026, 4, 1), "c_ps", "c_proc"),        # the 1st of the next month: March stays
])
def test_a_section_moved_during_a_month_counts_for_the_agency_on_its_last_day(day, march, april):
    tree = moved(day)
    assert month_agency(tree, "c_ps_s1", date(2026, 3, 31)) == march
    assert month_agency(tree, "c_ps_s1", date(2026, 4, 30)) == april
    assert month_agency(tree, "c_ps_s1", date(2026, 2, 28)) == "c_ps"   # earlier months stand


@pytest.mark.parametrize("day, march", [
    (date(2026, 3, 1), "c_proc"), (date(2026, 3, 15), "c_proc"), (date(2026, 3, 31), "c_proc"),
    (date(2026, 4, 1), "c_ps")])
def test_an_officer_of_a_moved_section_is_evaluated_by_the_agency_on_the_months_last_day(
        day, march):
    """The same reading as a person's own transfer: the section's people follow their section."""
    tree = moved(day)
    o1 = person("o1", "c_ps_s1", "officer")
    spans = evaluator_timeline(o1, [post_of(o1, o1.joined)], tree, [])
    assert month_evaluator(spans, "2026-02").group == "c_ps"
    assert month_evaluator(spans, "2026-03").group == march
    assert month_evaluator(spans, "2026-05").group == "c_proc"
    assert [s.start for s in spans] == [o1.joined, day]


def test_a_county_agency_moved_under_the_city_committee_changes_its_leaders_evaluator():
    tree = city_tree()
    just = tree.on(date(2026, 1, 1))["c_just"]
    tree = changed(tree, replace(just, parent="city", rank="division"), date(2026, 7, 1))
    head = person("jh", "c_just", "head")
    spans = evaluator_timeline(head, [post_of(head, head.joined)], tree, [])
    assert month_evaluator(spans, "2026-06").group == "cnty"      # county leader: the county
    assert month_evaluator(spans, "2026-07").group == "city"      # city-level division: the city
    assert month_evaluator(spans, "2026-07").rule == "division_leader_by_city"


def test_a_rename_keeps_the_old_name_on_the_days_before():
    tree = city_tree()
    unit = tree.on(date(2026, 1, 1))["c_ps_s2"]
    tree = changed(tree, replace(unit, name="巡特警大队"), date(2026, 5, 1))
    assert tree.on(date(2026, 4, 30))["c_ps_s2"].name == "治安大队"
    assert tree.on(date(2026, 5, 1))["c_ps_s2"].name == "巡特警大队"


def test_a_new_unit_without_a_date_exists_as_far_back_as_the_roster_goes():
    tree = city_tree()
    new = build_units()["c_ps_s1"].__class__("c_ps_s3", "交警大队", "section", parent="c_ps")
    assert change_unit([], new, None) == ([], [UnitVersion(new, EARLIEST)])
    dated = change_unit([], new, date(2026, 6, 1))[1][0]
    tree = tree.with_changes([], [dated])
    assert "c_ps_s3" not in tree.on(date(2026, 5, 31))
    assert tree.on(date(2026, 6, 1))["c_ps_s3"] == new


def test_the_same_unit_again_changes_nothing_and_a_same_day_change_replaces_that_version():
    tree = moved(date(2026, 3, 15))
    current = tree.on(date(2026, 3, 15))["c_ps_s1"]
    assert change_unit(tree.history("c_ps_s1"), current, date(2026, 9, 1)) == ([], [])
    closed, opened = change_unit(tree.history("c_ps_s1"), replace(current, parent="c_court"),
                                 date(2026, 3, 15))
    assert [v.start for v in closed] == [date(2026, 3, 15)]
    assert [(v.start, v.unit.parent) for v in opened] == [(date(2026, 3, 15), "c_court")]


def test_history_is_not_rewritten_before_the_latest_change():
    tree = moved(date(2026, 3, 15))
    current = tree.on(date(2026, 3, 15))["c_ps_s1"]
    with pytest.raises(Conflict) as err:
        change_unit(tree.history("c_ps_s1"), replace(current, parent="c_court"), date(2026, 3, 14))
    assert err.value.field == "effective"


def test_an_existing_unit_never_changes_kind():
    tree = city_tree()
    unit = tree.on(date(2026, 1, 1))["c_ps_s1"]
    with pytest.raises(Conflict) as err:
        change_unit(tree.history("c_ps_s1"), replace(unit, kind="agency",
                                                     agency_type="other"), date(2026, 5, 1))
    assert err.value.field == "kind"


def test_a_dissolved_unit_does_not_exist_from_its_day_and_is_not_evaluated_for_that_month():
    tree = city_tree()
    closed = dissolve(tree.history("c_ps_s2"), date(2026, 3, 15))
    assert closed.end == date(2026, 3, 14)
    tree = tree.with_changes([closed], [])
    assert tree.dissolved("c_ps_s2") == date(2026, 3, 15)
    assert "c_ps_s2" in tree.on(date(2026, 3, 14))
    assert "c_ps_s2" not in tree.on(date(2026, 3, 15))
    assert month_agency(tree, "c_ps_s2", date(2026, 2, 28)) == "c_ps"     # earlier months stand
    assert month_agency(tree, "c_ps_s2", date(2026, 3, 31)) is None       # not evaluated
    with pytest.raises(NotFound) as err:
        get_on(tree, "c_ps_s2", date(2026, 4, 1), "unit")
    assert err.value.field == "unit" and "did not exist" in err.value.message


@pytest.mark.parametrize("day, march_evaluated", [
    (date(2026, 3, 1), False), (date(2026, 3, 31), False), (date(2026, 4, 1), True)])
def test_a_unit_dissolved_on_the_1st_or_the_last_day_of_a_month(day, march_evaluated):
    tree = city_tree()
    tree = tree.with_changes([dissolve(tree.history("c_ps_s2"), day)], [])
    assert (month_agency(tree, "c_ps_s2", date(2026, 3, 31)) is not None) is march_evaluated


def test_dissolving_again_on_the_same_day_changes_nothing_and_another_day_is_a_conflict():
    tree = city_tree()
    tree = tree.with_changes([dissolve(tree.history("c_ps_s2"), date(2026, 3, 15))], [])
    assert dissolve(tree.history("c_ps_s2"), date(2026, 3, 15)) is None
    with pytest.raises(Conflict) as err:
        dissolve(tree.history("c_ps_s2"), date(2026, 4, 1))
    assert err.value.field == "unit"


def test_a_dissolved_unit_saved_again_is_recreated_from_a_later_date_only():
    tree = city_tree()
    unit = tree.on(date(2026, 1, 1))["c_ps_s2"]
    tree = tree.with_changes([dissolve(tree.history("c_ps_s2"), date(2026, 3, 15))], [])
    with pytest.raises(ValidationFailed) as err:
        change_unit(tree.history("c_ps_s2"), unit, None)
    assert err.value.field == "effective"
    with pytest.raises(Conflict):
        change_unit(tree.history("c_ps_s2"), unit, date(2026, 3, 1))
    assert change_unit(tree.history("c_ps_s2"), unit, date(2026, 9, 1))[1][0].start == \
        date(2026, 9, 1)


def test_the_tree_rules_hold_on_every_day_from_the_change():
    tree = city_tree()
    agency = tree.on(date(2026, 1, 1))["c_ps"]
    with pytest.raises(ValidationFailed) as err:       # an agency under an agency
        check_tree_from(changed(tree, replace(agency, parent="c_proc"), date(2026, 5, 1)),
                        date(2026, 5, 1), changed={"c_ps"})
    assert err.value.field == "parent"
    # a section's parent dissolved: the stranded section is named
    gone = tree.with_changes([dissolve(tree.history("c_ps"), date(2026, 5, 1))], [])
    with pytest.raises(NotFound) as err:
        check_tree_from(gone, date(2026, 5, 1), changed={"c_ps"})
    assert err.value.field.endswith(".parent") and "c_ps_s" in err.value.field
    assert children_on(tree, "c_ps", date(2026, 5, 1)) == ["c_ps_s1", "c_ps_s2"]
    check_tree_from(moved(date(2026, 5, 1)), date(2026, 5, 1), changed={"c_ps_s1"})


def test_a_move_later_undone_by_a_later_move_is_checked_on_every_day_between():
    tree = moved(date(2026, 3, 1))
    back = replace(tree.on(date(2026, 3, 1))["c_ps_s1"], parent="c_ps")
    tree = changed(tree, back, date(2026, 6, 1))
    assert [agency_on(tree, "c_ps_s1", d) for d in
            (date(2026, 2, 28), date(2026, 3, 1), date(2026, 5, 31), date(2026, 6, 1))] == \
        ["c_ps", "c_proc", "c_proc", "c_ps"]
    assert tree.change_days() == [EARLIEST, date(2026, 3, 1), date(2026, 6, 1)]
