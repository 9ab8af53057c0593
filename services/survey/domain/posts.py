"""Survey's dated read model of the roster (issue 20 item 1, SPEC §9): a person's agency on a day.

Pure rules: a post holds from its ``start`` until the next post's start; a campaign reads each
person's agency on the last day of its period (30 June for H1, 31 December for H2)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter, itemgetter

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


@dataclass(frozen=True)
class UnitVersion:
    """A unit of the roster's tree from ``since`` to ``until`` (inclusive; None = open), as the
    roster's ``units_saved`` gives it (issue 20: the tree is dated too)."""
    id: str
    since: date
    until: date | None
    kind: str
    parent: str | None
    agency: str
    name: str = ""


def unit_on(versions: Iterable[UnitVersion], day: date) -> UnitVersion | None:
    """The unit on ``day``: its latest version starting on or before it, unless that one ended
    before (dissolved); None when the unit did not exist then."""
    version = latest_on(versions, day, start=attrgetter("since"))
    if version is None or (version.until is not None and version.until < day):
        return None
    return version


def tree_on(versions: dict[str, list[UnitVersion]], day: date) -> dict[str, UnitVersion]:
    """Every unit as it was on ``day``: a campaign reads its agencies and sections, and which
    agency a section counts for (target 8), on its period's last day, as it reads its officers."""
    out = {}
    for uid, mine in versions.items():
        version = unit_on(mine, day)
        if version is not None:
            out[uid] = version
    return out


__all__ = ["UnitVersion", "agency_on", "period_last_day", "tree_on", "unit_on"]
