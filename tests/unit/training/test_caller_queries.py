"""Training as an outside caller needs it: the read-only allowance statement and the everyone lists."""
import pytest

from services.training.domain import study
from services.training.domain.allround import allowance_statement, title_spells
from services.training.domain.calendar import Month
from services.training.domain.model import Person

from .conftest import d, res

pytestmark = pytest.mark.timeout(30)


def _spells(as_of):
    return title_spells([res("all_round_assessment", "2026-03-15", True)], d(as_of))


def test_statement_certified_15_march_is_ten_months_500_yuan():
    lines = allowance_statement(_spells("2026-12-31"), 2026, d("2026-12-31"))
    assert [str(m) for m, _ in lines][0] == "2026-03" and len(lines) == 10
    assert sum(a for _, a in lines) == 500


def test_statement_stops_at_the_requests_date():
    assert allowance_statement(_spells("2026-03-14"), 2026, d("2026-03-14")) == []
    lines = allowance_statement(_spells("2026-03-15"), 2026, d("2026-03-15"))
    assert [(str(m), a) for m, a in lines] == [("2026-03", 50)]
    assert len(allowance_statement(_spells("2026-05-01"), 2026, d("2026-05-01"))) == 3  # Mar–May


def test_statement_ends_with_the_month_of_leaving_the_team():
    lines = allowance_statement(_spells("2026-12-31"), 2026, d("2026-12-31"), left_on=d("2026-06-01"))
    assert [str(m) for m, _ in lines] == ["2026-03", "2026-04", "2026-05"]


def test_study_lines_list_those_who_meet_two_days_and_those_short():
    people = [Person("a", "s1", "officer", joined=d("2020-01-01")),
              Person("b", "s1", "officer", joined=d("2020-01-01")),
              Person("c", "s1", "officer", joined=d("2026-10-15"))]      # joined mid-month: not owing
    days = {"a": [d("2026-10-05"), d("2026-10-06")], "b": [d("2026-10-05"), d("2026-10-05")]}
    lines = study.study_lines(people, days, Month(2026, 10))
    assert [(x.person_id, x.days, x.met, x.missing) for x in lines] == [
        ("a", 2, True, 0), ("b", 1, False, 1)]
