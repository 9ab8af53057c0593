"""Survey's dated read model of the roster (issue 20 item 1, SPEC §9): a person's agency on a day.

Pure rules: a post holds from its ``start`` until the next post's start; a campaign reads each
person's agency on the last day of its period (30 June for H1, 31 December for H2)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from operator import itemgetter

from shared.dated import latest_on


def period_last_day(period: str) -> date:
    """The last day of a half year ``YYYYH1`` / ``YYYYH2`` (validated by the campaign rules)."""
    year = int(period[:4])
    return date(year, 6, 30) if period.endswith("H1") else date(year, 12, 31)


def agency_on(posts: Iterable[tuple[date, str]], day: date) -> str | None:
    """The agency of the post held on ``day`` (posts are ``(start, agency)``): the latest starting on
    or before it; None before the first post (not on the team yet) or without any."""
    post = latest_on(posts, day, start=itemgetter(0))
    return post[1] if post else None


__all__ = ["agency_on", "period_last_day"]
