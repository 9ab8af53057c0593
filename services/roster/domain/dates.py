"""Dates of the roster: ISO strings on the wire, ``datetime.date`` inside (the contracts'
:class:`shared.schemas.IsoDate` loads them; :func:`parse_date` reads a spreadsheet row's cell).

Pure helpers, no framework.  The six-month mark of a secondment lives here because it is a
calendar computation (SPEC §2, "Readings where the Method is silent").
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from shared.errors import ValidationFailed

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ONE_DAY = timedelta(days=1)


def parse_date(value, field: str) -> date:
    """An imported row's ISO date ``YYYY-MM-DD`` (a cell may carry spaces around it); anything else
    is a ValidationFailed naming ``field``."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO.match(value.strip()):
        raise ValidationFailed(f"not a date (YYYY-MM-DD): {value!r}", field)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(f"not a date (YYYY-MM-DD): {value!r}", field) from None


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def add_months(start: date, months: int) -> date:
    """``start`` plus whole calendar months; a missing day becomes the month's last day.

    M§五(二)3 "借调时间已满半年": 2026-01-31 + 6 = 2026-07-31, 2026-08-31 + 6 = 2027-02-28.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    """Two inclusive ranges (``None`` end = open) share at least one day."""
    a_stop = a_end or date.max
    b_stop = b_end or date.max
    return a_start <= b_stop and b_start <= a_stop


def covers(start: date, end: date | None, day: date) -> bool:
    """The inclusive range [start, end] (open when ``end`` is None) contains ``day``."""
    return start <= day and (end is None or day <= end)
