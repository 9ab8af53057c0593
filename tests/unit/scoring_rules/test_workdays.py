"""China's working-day calendar (SPEC §3.1): holidays, make-up working days, loaded years."""
from datetime import date

import pytest

from services.scoring.domain import workdays
from services.scoring.domain.daily_logs import review_due
from services.scoring.domain.deadlines import filing_deadline, notice_end
from services.scoring.domain.workdays import DEFAULT, WorkCalendar, parse_year
from shared.errors import ValidationFailed

pytestmark = pytest.mark.timeout(30)


def test_the_day_before_national_day_2025_is_a_working_day_and_the_first_is_not():
    assert DEFAULT.is_working_day(date(2025, 9, 30))
    assert not DEFAULT.is_working_day(date(2025, 10, 1))
    assert not DEFAULT.is_working_day(date(2025, 10, 8))        # a Wednesday, still the holiday
    assert DEFAULT.is_working_day(date(2025, 10, 9))            # the day after the holiday


def test_make_up_saturday_and_sunday_count_as_working_days():
    assert DEFAULT.is_working_day(date(2025, 9, 28))            # Sunday, 调休上班
    assert DEFAULT.is_working_day(date(2025, 10, 11))           # Saturday, 调休上班
    assert not DEFAULT.is_working_day(date(2025, 10, 12))       # an ordinary Sunday


def test_a_notice_posted_2025_09_30_closes_after_the_holiday_on_a_make_up_saturday():
    assert notice_end(date(2025, 9, 30)) == date(2025, 10, 11)  # 9, 10, 11 October


def test_a_notice_posted_on_the_holidays_last_day_or_the_day_after_it():
    assert notice_end(date(2025, 10, 8)) == date(2025, 10, 11)  # 9, 10, 11 (make-up Saturday)
    assert notice_end(date(2025, 10, 9)) == date(2025, 10, 13)  # 10, 11 (Sat), 13 (Sunday 12 off)
    assert review_due(date(2025, 9, 30)) == date(2025, 10, 9)   # a log of the day before: after it
    assert review_due(date(2025, 10, 9)) == date(2025, 10, 10)


def test_a_notice_posted_on_a_make_up_sunday_does_not_count_its_posting_day():
    assert notice_end(date(2025, 9, 28)) == date(2025, 10, 9)   # 29, 30 September, 9 October


def test_spring_festival_2026():
    # 2026: 15–23 February off; Saturday 14 February and Saturday 28 February are working days
    assert DEFAULT.is_working_day(date(2026, 2, 14))
    assert not DEFAULT.is_working_day(date(2026, 2, 16))
    assert not DEFAULT.is_working_day(date(2026, 2, 23))
    assert DEFAULT.is_working_day(date(2026, 2, 24))
    assert notice_end(date(2026, 2, 12)) == date(2026, 2, 24)   # 13, 14 (Sat) and 24 February
    assert review_due(date(2026, 2, 13)) == date(2026, 2, 14)


def test_the_15th_filing_deadline_stays_a_calendar_day_on_a_holiday():
    assert filing_deadline("2025-09") == date(2025, 10, 15)
    assert filing_deadline("2026-01") == date(2026, 2, 15)      # a Sunday in Spring Festival


def test_a_year_the_package_does_not_cover_is_weekdays_and_missing():
    cal = WorkCalendar()
    assert cal.source(2027) == workdays.WEEKDAYS
    assert cal.missing([2026, 2027]) == [2027]
    assert not cal.is_working_day(date(2027, 1, 2))             # Saturday
    assert cal.is_working_day(date(2027, 1, 1))                 # Friday: no holiday known


FILE_2027 = {"year": 2027,
             "holidays": [{"date": "2027-01-01", "name": "元旦"},
                          {"from": "2027-02-06", "to": "2027-02-12", "name": "春节"}],
             "workdays": [{"date": "2027-02-13", "name": "春节"}]}


def test_a_loaded_year_is_used_and_no_longer_missing():
    cal = WorkCalendar([parse_year(FILE_2027)])
    assert cal.source(2027) == workdays.LOADED and cal.missing([2027]) == []
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_working_day(date(2027, 2, 13))                # Saturday, loaded as make-up
    assert notice_end(date(2027, 2, 5), calendar=cal) == date(2027, 2, 16)  # 13, 15, 16 Feb


def test_a_loaded_year_wins_over_the_package():
    cal = WorkCalendar([parse_year({"year": 2025, "holidays": [{"date": "2025-01-01"}]})])
    assert cal.source(2025) == workdays.LOADED
    assert cal.is_working_day(date(2025, 10, 1))                # the loaded file knows no October


@pytest.mark.parametrize("doc, field", [
    ({"year": "2027", "holidays": []}, "year"),
    ({"year": 2027}, "holidays"),
    ({"year": 2027, "holidays": [{"date": "2027-13-01"}]}, "holidays[0].date"),
    ({"year": 2027, "holidays": [{"date": "2028-01-01"}]}, "holidays[0].date"),
    ({"year": 2027, "holidays": [{"date": "2027-01-01"}, {"date": "2027-01-01"}]}, "holidays[1].date"),
    ({"year": 2027, "holidays": [{"from": "2027-02-12", "to": "2027-02-06"}]}, "holidays[0].to"),
    ({"year": 2027, "holidays": [{"name": "x"}]}, "holidays[0].date"),
    ({"year": 2027, "holidays": [{"date": "2027-01-01"}], "workdays": [{"date": "2027-01-04"}]},
     "workdays"),                                                # a Monday is no make-up day
    ({"year": 2027, "holidays": [{"date": "2027-01-02"}], "workdays": [{"date": "2027-01-02"}]},
     "workdays"),
    ({"year": 2027, "holidays": [{"date": "2027-01-01"}], "extra": 1}, "extra"),
])
def test_a_bad_file_names_the_field(doc, field):
    with pytest.raises(ValidationFailed) as err:
        parse_year(doc)
    assert err.value.field == field
