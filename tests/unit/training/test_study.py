"""M§三(四)1(1): 干警政治理论学习时间每月不少于2天,中心组成员集中学习每季度不少于1次,每次不少于3天。"""
import pytest

from services.training.domain.calendar import Month, Quarter
from services.training.domain.model import Person
from services.training.domain.study import (Session, central_group_met, central_group_units,
                                            meets_monthly_study, study_days_in_month,
                                            study_required, study_shortfalls)

from .conftest import d

pytestmark = pytest.mark.timeout(10)
NOV = Month(2026, 11)


def test_study_exactly_2_days_a_month_meets_the_rule():
    assert meets_monthly_study(2)
    assert meets_monthly_study(3)


def test_study_1_day_a_month_falls_short():
    assert not meets_monthly_study(1)
    assert not meets_monthly_study(0)


def test_study_days_are_distinct_calendar_days_of_the_month():
    days = [d("2026-11-03"), d("2026-11-03"), d("2026-10-31"), d("2026-12-01"), d("2026-11-30")]
    assert study_days_in_month(days, NOV) == 2


def test_study_same_day_twice_counts_once_so_falls_short():
    people = [Person("p1", "s1", "officer", joined=d("2020-01-01"))]
    out = study_shortfalls(people, {"p1": [d("2026-11-05"), d("2026-11-05")]}, NOV)
    assert [(s.person_id, s.days, s.missing) for s in out] == [("p1", 1, 1)]


def test_study_shortfalls_reported_per_unit_in_unit_order():
    people = [Person("b", "s2", "officer", joined=d("2020-01-01")),
              Person("a", "s1", "chief", joined=d("2020-01-01")),
              Person("ok", "s1", "officer", joined=d("2020-01-01"))]
    days = {"ok": [d("2026-11-02"), d("2026-11-09")], "b": [d("2026-11-02")]}
    out = study_shortfalls(people, days, NOV)
    assert [(s.unit_id, s.person_id, s.days, s.missing) for s in out] == [
        ("s1", "a", 0, 2), ("s2", "b", 1, 1)]


def test_study_required_only_for_a_whole_month_on_the_team():
    assert study_required(Person("p", "s", "officer", joined=d("2026-11-01")), NOV)
    assert not study_required(Person("p", "s", "officer", joined=d("2026-11-02")), NOV)
    assert not study_required(Person("p", "s", "officer", joined=d("2020-01-01"),
                                     left_on=d("2026-11-30"), status="transferred_out"), NOV)
    assert study_required(Person("p", "s", "officer", joined=d("2020-01-01"),
                                 left_on=d("2026-12-01"), status="transferred_out"), NOV)
    assert not study_required(Person("p", "s", "officer", status="dismissed"), NOV)


def test_central_group_one_session_of_exactly_3_days_meets_the_quarter():
    q = Quarter(2026, 4)
    assert central_group_met([Session("a1", d("2026-10-12"), 3)], q)


def test_central_group_two_2_day_sessions_do_not_add_up():
    q = Quarter(2026, 4)
    assert not central_group_met([Session("a1", d("2026-10-12"), 2),
                                  Session("a1", d("2026-11-12"), 2)], q)


def test_central_group_session_counts_in_the_quarter_it_starts():
    s = Session("a1", d("2026-09-29"), 4)
    assert s.end == d("2026-10-02")
    assert central_group_met([s], Quarter(2026, 3))
    assert not central_group_met([s], Quarter(2026, 4))


def test_central_group_no_session_misses_the_quarter():
    assert not central_group_met([], Quarter(2026, 1))


def test_central_group_units_are_those_with_a_head():
    people = [Person("h", "a1", "head"), Person("l", "a1", "leader"), Person("o", "s1", "officer"),
              Person("h2", "a2", "head")]
    assert central_group_units(people) == ["a1", "a2"]
