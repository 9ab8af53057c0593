"""Daily logs (M§四6(3) 逐日小结自评到人; M§五(二)3 干警日志由联带责任人考评).

An officer writes one self-summary a day, never for a future day; their mentor reviews it.  A
log not reviewed by the end of the next working day is reported as unreviewed.
"""
from __future__ import annotations

from datetime import date

from shared.errors import Forbidden, ValidationFailed
from services.scoring.domain.workdays import DEFAULT, WorkCalendar


def check_log_date(log_date: date, today: date) -> None:
    """日清事清: a summary of a day already lived (today or before), never of a future day."""
    if log_date > today:
        raise ValidationFailed(f"{log_date} is after {today}", "date")


def check_log_reviewer(actor: str, mentor: str | None) -> None:
    """干警日志由联带责任人考评: only the writer's mentor reviews the log."""
    if mentor is None or actor != mentor:
        raise Forbidden(f"{actor} is not the mentor (联带责任人) of the log's writer", "actor")


def review_due(log_date: date, calendar: WorkCalendar = DEFAULT) -> date:
    """The review is due by the end of the next working day after the log's day (即日控制),
    working days on China's calendar (a log of 30 September 2025 is due on 9 October)."""
    return calendar.next_working_day(log_date)


def is_review_overdue(log_date: date, reviewed: bool, today: date,
                      calendar: WorkCalendar = DEFAULT) -> bool:
    """Unreviewed after the next working day: reported."""
    return not reviewed and today > review_due(log_date, calendar)
