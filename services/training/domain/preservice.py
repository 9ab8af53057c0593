"""Pre-service training and the front-line year (M§三(四)1(2)).

新进政法机关人员需经岗前培训,合格后方能上岗。新进政法干警应安排到基层一线岗位工作,时间不得少于一年。
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from shared.dates import add_years
from .model import PRE_SERVICE, Result

FRONTLINE_MIN_YEARS = 1  # 时间不得少于一年


def passed_pre_service_on(results: Iterable[Result], on: date) -> date | None:
    """The day the person passed pre-service training, if on or before ``on``."""
    passes = [r.on for r in results if r.kind == PRE_SERVICE and r.passed and r.on <= on]
    return min(passes) if passes else None


def may_take_post(results: Iterable[Result], on: date) -> bool:
    """M§三(四)1(2): 合格后方能上岗 — a new entrant takes a post only after passing pre-service
    training (a pass dated on or before the day asked)."""
    return passed_pre_service_on(results, on) is not None


def frontline_year_complete_on(start: date) -> date:
    """M§三(四)1(2): the day a front-line posting started on ``start`` reaches one year
    (29 February → 28 February)."""
    return add_years(start, FRONTLINE_MIN_YEARS)


@dataclass(frozen=True)
class FrontlineStatus:
    status: str          # serving | completed | cut_short
    completes_on: date


def frontline_status(start: date, left_on: date | None, on: date) -> FrontlineStatus:
    """M§三(四)1(2): a new officer's front-line post lasts at least a year. ``left_on`` is the first
    day off the post. Leaving on the anniversary or later completes it; leaving before it cuts it
    short; still in the post before the anniversary is serving."""
    completes = frontline_year_complete_on(start)
    if left_on is not None and left_on <= on:
        return FrontlineStatus("completed" if left_on >= completes else "cut_short", completes)
    return FrontlineStatus("completed" if on >= completes else "serving", completes)
