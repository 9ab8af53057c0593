"""Mentoring coverage (做到每名干警有人带, M§四3; SPEC §2 coverage reading).

Reported per position. The headline counts people of position officer on the team on the date
(leave, suspension and secondment still count; transferred out and dismissed do not); chiefs and
leaders are reported beside it. A mentor who is suspended, transferred out or dismissed stops
counting from that day.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .model import CHIEF, LEADER, OFFICER, Staff

COVERED_POSITIONS = (OFFICER, CHIEF, LEADER)


@dataclass
class PositionCoverage:
    position: str
    total: int = 0
    covered: int = 0
    without: list = field(default_factory=list)

    @property
    def share(self) -> Decimal | None:
        """covered / total, exact; None (never 0) when nobody of the position is on the team."""
        if self.total == 0:
            return None
        return Decimal(self.covered) / Decimal(self.total)


@dataclass
class Coverage:
    day: date
    positions: dict

    @property
    def headline(self) -> PositionCoverage:
        return self.positions[OFFICER]


def coverage(people: Iterable[Staff], day: date, on_team: Callable[[str, date], bool],
             mentor_of: Callable[[str, date], str | None]) -> Coverage:
    """Coverage of ``people`` on ``day``: for officers (headline), chiefs and leaders, how many on
    the team have a counting mentor, and the ids of those without (sorted)."""
    out = {pos: PositionCoverage(pos) for pos in COVERED_POSITIONS}
    for person in people:
        slot = out.get(person.position)
        if slot is None or not on_team(person.id, day):
            continue
        slot.total += 1
        if mentor_of(person.id, day) is not None:
            slot.covered += 1
        else:
            slot.without.append(person.id)
    for slot in out.values():
        slot.without.sort()
    return Coverage(day=day, positions=out)


def coverage_by_agency(people: Iterable[Staff], agency_of: Mapping[str, str], day: date,
                       on_team: Callable[[str, date], bool],
                       mentor_of: Callable[[str, date], str | None]) -> dict[str, Coverage]:
    """The same figure for each agency (committee or agency owning the person's unit)."""
    groups: dict[str, list[Staff]] = {}
    for person in people:
        groups.setdefault(agency_of[person.unit], []).append(person)
    return {agency: coverage(members, day, on_team, mentor_of)
            for agency, members in sorted(groups.items())}
