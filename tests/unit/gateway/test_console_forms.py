"""The console's form rules (issue 22): which month an officer self-assesses, and how the
self-assessment form becomes deductions (a reason for each, within the item's points)."""
from datetime import date

import pytest

from services.gateway.console import deductions_from_form, form_of, month_just_over

TEMPLATE = {"dimensions": [{"id": "political", "items": [{"id": "political.study", "max": 8.0},
                                                          {"id": "political.discipline", "max": 12.0}]}]}


@pytest.mark.parametrize("today, month", [(date(2026, 3, 1), "2026-02"), (date(2026, 3, 31), "2026-02"),
                                          (date(2026, 1, 15), "2025-12")])
def test_the_month_to_self_assess_is_the_one_that_ended_last(today, month):
    assert month_just_over(today) == month


def test_a_deduction_with_its_reason_becomes_one_deduction_of_that_item():
    deductions, errors = deductions_from_form(TEMPLATE, {"deduct.political.study": "2.5",
                                                         "reason.political.study": " 缺勤 "})
    assert errors == {}
    assert deductions == [{"id": "self.political.study", "items": ["political.study"], "points": "2.5",
                           "note": "缺勤"}]


def test_empty_and_zero_points_deduct_nothing_and_the_whole_item_may_go():
    deductions, errors = deductions_from_form(TEMPLATE, {"deduct.political.study": "0",
                                                         "deduct.political.discipline": "12",
                                                         "reason.political.discipline": "违纪"})
    assert errors == {} and [d["points"] for d in deductions] == ["12"]


@pytest.mark.parametrize("form, field", [
    ({"deduct.political.study": "2"}, "reason.political.study"),                    # no reason
    ({"reason.political.study": "x"}, "deduct.political.study"),                    # a reason, no points
    ({"deduct.political.study": "8.5", "reason.political.study": "x"}, "deduct.political.study"),  # > max
    ({"deduct.political.study": "-1", "reason.political.study": "x"}, "deduct.political.study"),
    ({"deduct.political.study": "0.25", "reason.political.study": "x"}, "deduct.political.study"),  # 2 places
    ({"deduct.political.study": "abc", "reason.political.study": "x"}, "deduct.political.study"),
    ({"deduct.political.study": "1", "reason.political.study": "x" * 501}, "reason.political.study"),
])
def test_a_bad_line_is_refused_naming_its_field_and_deducts_nothing(form, field):
    deductions, errors = deductions_from_form(TEMPLATE, form)
    assert list(errors) == [field] and deductions == []


def test_a_submitted_month_comes_back_as_it_was_sent_and_a_reviewed_one_does_not():
    sent = {"state": "submitted", "deductions": [{"id": "self.political.study", "items": ["political.study"],
                                                  "points": "2.0", "note": "缺勤"}],
            "trail": [{"note": "值班"}]}
    assert form_of(sent) == {"deduct.political.study": "2", "reason.political.study": "缺勤", "note": "值班"}
    assert form_of({**sent, "state": "reviewed"}) == {} and form_of(None) == {}



def test_the_consoles_clock_reads_the_day_it_is_set_to_and_runs_on():
    """config CONSOLE_AS_OF (lianbao console --demo): the day given, at the time of day it was
    started, running on from there."""
    import time
    from datetime import datetime

    from services.gateway.signin import clock_from

    started = time.time()
    clock = clock_from("2025-12-20", started)
    first, now = clock(), time.time()
    expected = datetime.combine(datetime(2025, 12, 20).date(), datetime.fromtimestamp(started).time()).timestamp()
    assert expected <= first <= expected + (now - started) + 1e-3
    time.sleep(0.01)
    assert clock() > first
