"""The unit tree and staff placement (SPEC §2 "Units form a tree", M§四1-3)."""
from dataclasses import replace
from datetime import date

import pytest
from roster_city import person

from services.roster.domain.dates import add_months, parse_date
from services.roster.domain.model import Unit
from services.roster.domain.staff import check_new_person, check_staff, titles_of
from services.roster.domain.units import check_units_batch, level_of, units_under
from shared.errors import Conflict, NotFound, ValidationFailed


def test_tree_levels(units):
    assert level_of(units, units["c_ps_s1"]) == "county"
    assert level_of(units, units["m_ps_s1"]) == "city"
    assert level_of(units, units["cnty"]) == "county"


def test_second_city_committee_is_a_conflict(units):
    with pytest.raises(Conflict) as err:
        check_units_batch([Unit("city2", "x", "committee")], units)
    assert err.value.field == "units[0].parent"


def test_section_under_section_is_refused(units):
    with pytest.raises(ValidationFailed) as err:
        check_units_batch([Unit("s", "x", "section", parent="c_ps_s1")], units)
    assert err.value.field == "units[0].parent"


def test_unknown_parent_names_the_field(units):
    with pytest.raises(NotFound) as err:
        check_units_batch([Unit("s", "x", "section", parent="nowhere")], units)
    assert err.value.field == "units[0].parent"


def test_rank_only_for_city_level_agencies(units):
    with pytest.raises(ValidationFailed) as err:
        check_units_batch([Unit("a", "x", "agency", parent="cnty", agency_type="court",
                                rank="division")], units)
    assert err.value.field == "units[0].rank"


def test_deputy_division_unit_names_its_guikou_unit(units):
    with pytest.raises(ValidationFailed) as err:
        check_units_batch([Unit("a", "x", "agency", parent="city", agency_type="other",
                                rank="deputy_division")], units)
    assert err.value.field == "units[0].supervising_unit"


def test_batch_may_define_parent_before_child(units):
    merged = check_units_batch([Unit("n", "新县委政法委", "committee", parent="city"),
                                Unit("n_ps", "新县公安局", "agency", parent="n",
                                     agency_type="public_security")], units)
    assert level_of(merged, merged["n_ps"]) == "county"


def test_units_under_is_the_subtree(units):
    assert units_under(units, "c_ps") == {"c_ps", "c_ps_s1", "c_ps_s2"}


def test_officer_sits_in_a_section(units):
    with pytest.raises(ValidationFailed) as err:
        check_staff(person("o", "c_ps", "officer"), units)
    assert err.value.field == "unit"


def test_leader_sits_in_an_agency(units):
    with pytest.raises(ValidationFailed) as err:
        check_staff(person("l", "c_ps_s1", "leader"), units)
    assert err.value.field == "unit"


def test_unknown_unit_is_not_found(units):
    with pytest.raises(NotFound) as err:
        check_staff(person("o", "nowhere", "officer"), units)
    assert err.value.field == "unit"


def test_title_must_fit_the_unit(units):
    with pytest.raises(ValidationFailed) as err:
        check_staff(person("l", "c_court", "leader", titles=["political_commissar"]), units)
    assert err.value.field == "titles"


def test_leader_supervises_only_sections_of_own_agency(units):
    check_staff(person("l", "c_ps", "leader", supervises=["c_ps_s1"]), units)
    with pytest.raises(ValidationFailed) as err:
        check_staff(person("l", "c_ps", "leader", supervises=["m_ps_s1"]), units)
    assert err.value.field == "supervises"


def test_head_holds_title_by_office(units):
    assert "chief_procurator" in titles_of(person("p", "c_proc", "head"), units)
    assert titles_of(person("j", "c_just", "head"), units) == frozenset()


def test_person_in_two_units_is_a_conflict(units):
    first = person("o", "c_ps_s1", "officer")
    check_new_person(first, first)  # the same record again is fine
    with pytest.raises(Conflict) as err:
        check_new_person(replace(first, unit="c_ps_s2"), first)
    assert err.value.field == "unit"


def test_date_that_does_not_parse_names_the_field():
    with pytest.raises(ValidationFailed) as err:
        parse_date("2026-02-30", "joined")
    assert err.value.field == "joined"
    with pytest.raises(ValidationFailed):
        parse_date("2026/01/01", "joined")


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2026, 1, 15), 6) == date(2026, 7, 15)


def test_retraining_failure_removes_a_chief_from_the_post():
    from services.roster.domain.staff import retraining_failure
    chief = person("c", "c_ps_s1", "chief")
    after = retraining_failure(chief, "removed_from_post")
    assert (after.position, after.unit) == ("officer", "c_ps_s1")
    assert retraining_failure(person("o", "c_ps_s1", "officer"), "removed_from_post") is None


def test_retraining_failure_transfers_an_officer_out():
    from services.roster.domain.staff import retraining_failure
    assert retraining_failure(person("o", "c_ps_s1", "officer"), "transferred_out") == \
        "transferred_out"
