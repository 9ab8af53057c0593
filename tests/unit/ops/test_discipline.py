"""Team-discipline facts of the roster (M§一2, 4-7): well-formed facts, investigation, the targets."""
from datetime import date

import pytest

from services.roster.domain import discipline
from services.roster.domain.model import Staff
from shared.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.timeout(10)

LEADER = Staff("l", "副局长", "a1", "leader", date(2005, 1, 1))
OFFICER = Staff("o", "干警", "a1_s1", "officer", date(2020, 1, 1))
D = date(2026, 3, 10)


def fact(kind, agency="a1", person=None, unit="a1", year=2026, investigated=None, fid=None, on=D):
    return discipline.DisciplineFact(fid or f"{kind}-{person}-{agency}-{on}", kind, agency, unit, person, year, on, on,
                                     investigated)


def by(results, target, agency):
    return next(r for r in results if r.target == target and r.agency == agency)


def test_incompetent_rating_needs_a_leadership_member():
    assert discipline.check_fact("incompetent_leader", LEADER, True, 2025, date(2026, 1, 10), date(2026, 1, 10)) == 2025
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("incompetent_leader", OFFICER, True, 2025, date(2026, 1, 10), date(2026, 1, 10))
    assert e.value.field == "person"
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("officer_crime", None, True, None, D, D)
    assert e.value.field == "person"


def test_fact_needs_a_subject_reported_after_it_occurred_and_a_known_kind():
    assert discipline.check_fact("cadre_selection_violation", None, True, None, D, D) == 2026
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("dereliction_case", None, False, None, D, D)
    assert e.value.field == "unit"
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("violation", OFFICER, True, None, D, date(2026, 3, 9))
    assert e.value.field == "reported_on"
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("theft", OFFICER, True, None, D, D)
    assert e.value.field == "kind"
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("violation", OFFICER, True, None, date(2019, 1, 1), date(2019, 1, 1))
    assert e.value.field == "occurred_on"
    with pytest.raises(ValidationFailed) as e:
        discipline.check_fact("violation", OFFICER, True, 2027, D, D)
    assert e.value.field == "year"


def test_investigation_once_same_date_again_is_no_change_another_date_conflicts():
    f = fact("violation", person="o")
    done = discipline.investigate(f, date(2026, 4, 1))
    assert done.investigated_on == date(2026, 4, 1)
    assert discipline.investigate(done, date(2026, 4, 1)) == done
    with pytest.raises(Conflict):
        discipline.investigate(done, date(2026, 4, 2))
    with pytest.raises(ValidationFailed) as e:
        discipline.investigate(f, date(2026, 3, 9))
    assert e.value.field == "investigated_on"
    with pytest.raises(ValidationFailed) as e:
        discipline.investigate(fact("incompetent_leader", person="l"), date(2026, 4, 1))
    assert e.value.field == "fact_id"


def test_same_fact_is_kind_subject_and_day():
    f = fact("officer_crime", person="o")
    assert discipline.same_fact(f, "officer_crime", "o", "other-unit", D)
    assert not discipline.same_fact(f, "officer_crime", "o", "a1", date(2026, 3, 11))
    assert not discipline.same_fact(f, "violation", "o", "a1", D)
    u = fact("cadre_selection_violation")
    assert discipline.same_fact(u, "cadre_selection_violation", None, "a1", D)
    assert not discipline.same_fact(u, "cadre_selection_violation", None, "a2", D)


def test_targets_per_agency_and_city_count_people_for_2_and_6_cases_for_4_and_5():
    facts = [fact("incompetent_leader", person="l", fid="1"),
             fact("incompetent_leader", person="l", fid="2", on=date(2026, 5, 1)),  # one leader
             fact("officer_crime", person="o", fid="3", investigated=D),
             fact("officer_crime", person="o", fid="4", on=date(2026, 6, 1)),        # one officer
             fact("cadre_selection_violation", agency="a2", unit="a2", fid="5", investigated=D),
             fact("dereliction_case", agency="a2", unit="a2", fid="6"),
             fact("dereliction_case", agency="a2", unit="a2", fid="7", on=date(2026, 7, 1)),
             fact("violation", agency="a1", fid="8", year=2025, on=date(2025, 12, 1))]  # other year
    results = discipline.targets(facts, ["a1", "a2", "a3"], 2026)
    assert {r.agency for r in results} == {"a1", "a2", "a3", "city"}
    assert len(results) == 4 * 5
    assert by(results, "2_no_incompetent_leaders", "a1").value == 1
    assert by(results, "2_no_incompetent_leaders", "a1").met is False
    assert by(results, "6_no_officer_crimes", "a1").value == 1
    assert by(results, "4_no_cadre_selection_violations", "a2").value == 1
    assert by(results, "5_no_dereliction_cases", "a2").value == 2
    assert by(results, "5_no_dereliction_cases", "city").value == 2
    seven = by(results, "7_violations_investigated", "city")
    assert seven.detail == {"investigated": 2, "reported": 5} and seven.met is False
    for target in ("2_no_incompetent_leaders", "4_no_cadre_selection_violations", "5_no_dereliction_cases",
                   "6_no_officer_crimes", "7_violations_investigated"):
        assert by(results, target, "a3").met is True          # no fact recorded is no case
    assert by(results, "7_violations_investigated", "a3").value is None


def test_targets_as_of_leaves_out_later_reports_and_investigations():
    facts = [fact("violation", person="o", fid="1", investigated=date(2026, 4, 1)),
             fact("violation", person="o", fid="2", on=date(2026, 8, 1))]
    before = discipline.targets(facts, ["a1"], 2026, as_of=date(2026, 3, 31), agency="a1")
    assert by(before, "7_violations_investigated", "a1").detail == {"investigated": 0, "reported": 1}
    later = discipline.targets(facts, ["a1"], 2026, as_of=date(2026, 4, 1), agency="a1")
    assert by(later, "7_violations_investigated", "a1").detail == {"investigated": 1, "reported": 1}


def test_one_agency_or_the_city_figure_only_and_a_unit_called_city_counts_city_wide():
    facts = [fact("dereliction_case", agency="city", unit="city", fid="1"),
             fact("dereliction_case", agency="a1", fid="2")]
    only = discipline.targets(facts, ["a1", "city"], 2026, agency="a1")
    assert {r.agency for r in only} == {"a1"} and len(only) == 5
    assert by(only, "5_no_dereliction_cases", "a1").value == 1
    city = discipline.targets(facts, ["a1", "city"], 2026, agency="city")
    assert by(city, "5_no_dereliction_cases", "city").value == 2
    everything = discipline.targets(facts, ["a1", "city"], 2026)
    assert [r.agency for r in everything].count("city") == 5
