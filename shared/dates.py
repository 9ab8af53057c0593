"""Calendar arithmetic every service's rules use (pure)."""
from __future__ import annotations

from datetime import date


def add_years(day: date, years: int) -> date:
    """``day`` moved by whole years (a calendar anniversary); 29 February becomes 28 February in a
    common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


__all__ = ["add_years"]
