"""Calendar helpers of the training rules: months, quarters, anniversaries (pure)."""
from __future__ import annotations

import calendar as _cal
import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def year_end(year: int) -> date:
    return date(year, 12, 31)


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, ``YYYY-MM`` at the boundary."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        match = _MONTH.match(text or "")
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, _cal.monthrange(self.year, self.month)[1])

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> "Month":
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __contains__(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, ``YYYY-Qn`` at the boundary."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = re.match(r"^(\d{4})-Q([1-4])$", text or "")
        if not match:
            raise ValueError(f"not a quarter (YYYY-Qn): {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last(self) -> date:
        return Month(self.year, 3 * self.quarter).last

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"


def day_after(day: date) -> date:
    return day + timedelta(days=1)
