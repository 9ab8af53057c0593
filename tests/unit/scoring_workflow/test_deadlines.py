"""Dates of the monthly evaluation (M§五(二)2, 4)."""
from datetime import date

import pytest

from shared.errors import Conflict, ValidationFailed
from services.scoring.domain.deadlines import (check_month_is_over, filing_deadline,
                                               implementation_rate, is_filed_late, is_overdue,
                                               notice_end, notice_has_ended, notice_is_open,
                                               parse_month, previous_month)

pytestmark = pytest.mark.timeout(10)


def test_filing_deadline_is_the_15th_of_the_next_month():
    assert filing_deadline("2026-01") == date(2026, 2, 15)
    assert filing_deadline("2026-12") == date(2027, 1, 15)


def test_is_filed_late_on_the_15th_is_on_time_the_16th_is_late():
    assert not is_filed_late("2026-03", date(2026, 4, 15))
    assert is_filed_late("2026-03", date(2026, 4, 16))


def test_is_overdue_unfiled_after_the_15th():
    assert not is_overdue("2026-03", None, date(2026, 4, 15))
    assert is_overdue("2026-03", None, date(2026, 4, 16))
    assert not is_overdue("2026-03", date(2026, 4, 20), date(2026, 4, 30))


def test_month_is_over_evaluated_from_the_first_of_the_next_month():
    check_month_is_over("2026-01", date(2026, 2, 1))
    with pytest.raises(Conflict):
        check_month_is_over("2026-01", date(2026, 1, 31))


def test_parse_month_refuses_month_13():
    with pytest.raises(ValidationFailed):
        parse_month("2026-13")


def test_previous_month_across_the_year():
    assert previous_month(date(2027, 1, 8)) == "2026-12"


def test_notice_end_posting_day_never_counts_posted_monday_ends_thursday():
    assert notice_end(date(2026, 2, 2)) == date(2026, 2, 5)


def test_notice_end_posted_thursday_spans_the_weekend():
    assert notice_end(date(2026, 2, 5)) == date(2026, 2, 10)


def test_notice_end_posted_saturday_runs_monday_to_wednesday():
    assert notice_end(date(2026, 2, 7)) == date(2026, 2, 11)


def test_notice_is_open_on_its_last_day_and_ends_the_day_after():
    start, end = date(2026, 2, 2), date(2026, 2, 4)
    assert notice_is_open(start, end, end) and not notice_is_open(start, end, date(2026, 2, 5))
    assert not notice_has_ended(end, end) and notice_has_ended(end, date(2026, 2, 5))


def test_implementation_rate_filed_on_time_over_due():
    assert implementation_rate(19, 20) == 0.95
    assert implementation_rate(0, 0) is None
