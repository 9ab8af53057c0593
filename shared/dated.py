"""The roster's dated records as every service reads them (SPEC §9): a post holds from its start
until the next post's start, so the post of a day is the latest one starting on or before it."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from operator import attrgetter
from typing import TypeVar

T = TypeVar("T")


def latest_on(items: Iterable[T], day: date, start: Callable[[T], date] = attrgetter("start")) -> T | None:
    """The item starting latest on or before ``day``; None when none has started by then."""
    best, best_start = None, None
    for item in items:
        begins = start(item)
        if begins <= day and (best_start is None or begins > best_start):
            best, best_start = item, begins
    return best


__all__ = ["latest_on"]
