"""Evaluator resolution, M§五(二)3 and the SPEC §2 readings: one test per rule and boundary."""
from datetime import date

from roster_city import person

from services.roster.domain.evaluator import (evaluator_of, evaluator_of_section,
                                              six_month_mark)
from services.roster.domain.model import Spell

D = date(2026, 5, 10)


def ev(p, units, spells=(), day=D, mentor=None):
    return evaluator_of(p, units, list(spells), day, mentor)


def test_section_is_evaluated_by_its_agency_leading_group(units):
    assert evaluator_of_section(units["c_ps_s1"], units).group == "c_ps"
    assert evaluator_of_section(units["m_dd_s1"], units).group == "m_dd"


def test_division_unit_leaders_including_head_go_to_city_committee(units):
    head = person("h", "m_ps", "head")
    leader = person("l", "m_ps", "leader")
    assert ev(head, units).group == "city"
    assert ev(leader, units).group == "city"
    assert ev(leader, units).rule == "division_leader_by_city"


def test_deputy_division_head_goes_to_city_committee(units):
    assert ev(person("h", "m_dd", "head"), units).group == "city"


def test_deputy_division_other_leaders_go_to_guikou_unit(units):
    result = ev(person("l", "m_dd", "leader"), units)
    assert result.group == "m_just"
    assert result.rule == "deputy_division_leader_by_guikou"


def test_deputy_division_chiefs_and_officers_stay_with_own_unit(units):
    assert ev(person("c", "m_dd_s1", "chief"), units).group == "m_dd"
    assert ev(person("o", "m_dd_s1", "officer"), units).group == "m_dd"


def test_county_committee_secretary_goes_to_city_committee(units):
    assert ev(person("s", "cnty", "head"), units).group == "city"
    assert ev(person("s2", "cnty", "leader", titles=["committee_secretary"]), units).group == "city"


def test_county_committee_other_staff_stay_with_county_committee(units):
    assert ev(person("d", "cnty", "leader"), units).group == "cnty"
    assert ev(person("o", "cnty_office", "officer"), units).group == "cnty"


def test_city_committee_staff_belong_to_city_committee(units):
    assert ev(person("o", "city_office", "officer"), units).group == "city"
    assert ev(person("h", "city", "head"), units).group == "city"


def test_county_public_security_chief_and_commissar_go_to_city_committee(units):
    assert ev(person("h", "c_ps", "head"), units).group == "city"
    commissar = person("z", "c_ps", "leader", titles=["political_commissar"])
    assert ev(commissar, units).group == "city"
    assert ev(commissar, units).rule == "county_post_by_city"


def test_chief_procurator_and_court_president_go_to_city_committee(units):
    assert ev(person("p", "c_proc", "head"), units).group == "city"
    assert ev(person("j", "c_court", "head"), units).group == "city"


def test_county_justice_bureau_head_goes_to_county_committee(units):
    result = ev(person("h", "c_just", "head"), units)
    assert result.group == "cnty"
    assert result.rule == "county_leader_by_committee"


def test_other_county_leaders_go_to_county_committee(units):
    assert ev(person("l", "c_ps", "leader"), units).group == "cnty"
    assert ev(person("l2", "c_court", "leader"), units).group == "cnty"


def test_everyone_else_goes_to_own_agency(units):
    assert ev(person("c", "c_ps_s1", "chief"), units).group == "c_ps"
    assert ev(person("o", "m_ps_s1", "officer"), units).group == "m_ps"
    assert ev(person("l", "m_small", "leader"), units).group == "m_small"


def test_six_month_mark_counts_calendar_months():
    assert six_month_mark(Spell("s", "p", "secondment", date(2026, 1, 31), host_unit="x")) == \
        date(2026, 7, 31)


def test_six_month_mark_clamps_to_month_end():
    assert six_month_mark(Spell("s", "p", "secondment", date(2026, 8, 31), host_unit="x")) == \
        date(2027, 2, 28)


def _seconded(start, host="m_ps"):
    return Spell("sp1", "o", "secondment", start, end=None, host_unit=host)


def test_secondment_one_day_short_of_six_months_stays_with_original_unit(units):
    officer = person("o", "c_ps_s1", "officer")
    result = ev(officer, units, [_seconded(date(2026, 1, 31))], day=date(2026, 7, 30))
    assert result.group == "c_ps"
    assert result.rule == "seconded_under_six_months_by_home"


def test_secondment_exactly_six_months_goes_to_host_unit(units):
    officer = person("o", "c_ps_s1", "officer")
    result = ev(officer, units, [_seconded(date(2026, 1, 31))], day=date(2026, 7, 31))
    assert result.group == "m_ps"
    assert result.rule == "seconded_six_months_by_host"


def test_secondment_from_month_end_switches_on_clamped_day(units):
    officer = person("o", "c_ps_s1", "officer")
    spells = [_seconded(date(2026, 8, 31))]
    assert ev(officer, units, spells, day=date(2027, 2, 27)).group == "c_ps"
    assert ev(officer, units, spells, day=date(2027, 2, 28)).group == "m_ps"


def test_secondment_to_a_section_goes_to_that_sections_agency(units):
    officer = person("o", "c_ps_s1", "officer")
    spells = [_seconded(date(2025, 1, 1), host="m_ps_s1")]
    assert ev(officer, units, spells, day=date(2025, 7, 1)).group == "m_ps"


def test_each_secondment_spell_counts_on_its_own(units):
    officer = person("o", "c_ps_s1", "officer")
    spells = [Spell("a", "o", "secondment", date(2025, 1, 1), date(2025, 4, 30), host_unit="m_ps"),
              Spell("b", "o", "secondment", date(2025, 5, 1), None, host_unit="m_ps")]
    # four months + four months: eight in all, but the second spell alone is under six
    assert ev(officer, units, spells, day=date(2025, 9, 1)).group == "c_ps"
    assert ev(officer, units, spells, day=date(2025, 11, 1)).group == "m_ps"


def test_after_secondment_ends_original_unit_again(units):
    officer = person("o", "c_ps_s1", "officer")
    spells = [Spell("a", "o", "secondment", date(2025, 1, 1), date(2025, 12, 31),
                    host_unit="m_ps")]
    assert ev(officer, units, spells, day=date(2026, 1, 1)).group == "c_ps"


def test_seconded_leader_keeps_home_evaluator_under_six_months(units):
    chief = person("h", "c_ps", "head")
    spells = [Spell("a", "h", "secondment", date(2026, 1, 1), None, host_unit="m_ps")]
    assert ev(chief, units, spells, day=date(2026, 6, 30)).group == "city"
    assert ev(chief, units, spells, day=date(2026, 7, 1)).group == "m_ps"


def test_daily_logs_go_to_the_mentor(units):
    leader = person("l", "c_ps", "leader")
    assert ev(leader, units, mentor="h").daily_logs == "h"
    assert ev(leader, units).daily_logs is None
