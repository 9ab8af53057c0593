"""Dates of the monthly evaluation: the window, the filing deadline, working days of the notice.

M§五(二)2: 月考评在次月上旬进行; M§五(二)4: 上月月考评备案时间必须在下月15日前完成 (read as: filed on or
before the 15th of M+1), a calendar day never moved off a weekend or holiday.  Working days follow
China's official calendar (:mod:`services.scoring.domain.workdays`: public holidays and make-up
working days), Monday–Friday only for a year with no published arrangement.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from shared.errors import Conflict, ValidationFailed
from services.scoring.domain.workdays import DEFAULT, WorkCalendar

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
NOTICE_WORKING_DAYS = 3
FILING_DAY = 15


def parse_month(month: str, field: str = "month") -> tuple[int, int]:
    m = MONTH_RE.match(month or "")
    if not m:
        raise ValidationFailed(f"not a month (YYYY-MM): {month!r}", field)
    return int(m.group(1)), int(m.group(2))


def next_month_start(month: str) -> date:
    y, m = parse_month(month)
    return date(y + (m == 12), m % 12 + 1, 1)


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def previous_month(d: date) -> str:
    first = d.replace(day=1) - timedelta(days=1)
    return month_of(first)


def month_is_over(month: str, as_of: date) -> bool:
    """The evaluation of month M is made after M ends (M§五(二)2 月考评在次月上旬进行)."""
    return as_of >= next_month_start(month)


def check_month_is_over(month: str, as_of: date, field: str = "month") -> None:
    if not month_is_over(month, as_of):
        raise Conflict(f"month {month} is not over on {as_of}: it is evaluated from "
                       f"{next_month_start(month)}", field)


def filing_deadline(month: str) -> date:
    """M§五(二)4: 上月月考评备案时间必须在下月15日前完成 → the 15th of M+1, inclusive."""
    return next_month_start(month).replace(day=FILING_DAY)


def is_filed_late(month: str, filed_on: date) -> bool:
    """Filed after the 15th of M+1 (M§五(二)4); filed on the 15th is on time."""
    return filed_on > filing_deadline(month)


def is_overdue(month: str, filed_on: date | None, today: date) -> bool:
    """Not filed and the deadline has passed (today after the 15th of M+1)."""
    return filed_on is None and today > filing_deadline(month)


def is_working_day(d: date, calendar: WorkCalendar = DEFAULT) -> bool:
    """China's official working days (holidays off, make-up Saturdays and Sundays on)."""
    return calendar.is_working_day(d)


def notice_end(posted: date, working_days: int = NOTICE_WORKING_DAYS,
               calendar: WorkCalendar = DEFAULT) -> date:
    """公示监督 (M§五(二)4), default three working days (SPEC §3.1): the posting day never counts;
    the notice runs the next three working days and ends on the last of them (posted Monday → ends
    Thursday; posted 2025-09-30, before National Day → 9, 10 and 11 October, a make-up Saturday).
    Objections are heard until that day; they close the calendar day after."""
    return calendar.add_working_days(posted, working_days)


def notice_is_open(notice_start: date, end: date, on: date) -> bool:
    """An objection is heard from the posting day to the notice's last day, both included."""
    return notice_start <= on <= end


def notice_has_ended(end: date, on: date) -> bool:
    """Filing (上报备案) comes after the notice: from the day after its last day."""
    return on > end


def implementation_rate(filed_on_time: int, due: int):
    """Management implementation rate (M§一 target 1, SPEC §7): filed on time / due; None if none
    was due."""
    if due == 0:
        return None
    return filed_on_time / due
