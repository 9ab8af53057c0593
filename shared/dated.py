"""The roster's dated records as every service reads them (SPEC §9): a post holds from its start
until the next post's start, so the post of a day is the latest one starting on or before it."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from operator import attrgetter
from typing import Literal, TypeVar

from shared.errors import Conflict, ValidationFailed

T = TypeVar("T")

EARLIEST = date(1900, 1, 1)    # "as far back as the roster goes": a unit saved without a date
Step = Literal["create", "recreate", "same", "replace", "end"]


def latest_on(items: Iterable[T], day: date, start: Callable[[T], date] = attrgetter("start")) -> T | None:
    """The item starting latest on or before ``day``; None when none has started by then."""
    best, best_start = None, None
    for item in items:
        begins = start(item)
        if begins <= day and (best_start is None or begins > best_start):
            best, best_start = item, begins
    return best


def change_from(unit: str, last_start: date | None, last_end: date | None, effective: date | None,
                unchanged: bool) -> tuple[Step, date | None]:
    """How a unit's dated history takes its content saved from ``effective`` (SPEC §9), given its
    latest version (``last_start`` to ``last_end``, inclusive, None = open; ``last_start`` None:
    no version yet) and whether the content is ``unchanged``: ``(step, start of the new version)``.

    - ``create``: a new unit exists from ``effective``, or from :data:`EARLIEST` without one;
    - ``recreate``: a dissolved unit saved again exists again from ``effective`` (required, after
      its end); its closed versions stay;
    - ``same``: the content is the same (start None: nothing changes);
    - ``replace``: a change dated on the latest version's start replaces it;
    - ``end``: the latest version ends the day before ``effective``, the new one starts then.

    Refused: a re-creation or a change without a date (ValidationFailed ``effective``), a
    re-creation dated on or before the end, a change dated before the latest start (Conflict
    ``effective``: history is not rewritten). The roster's ``save_units`` and scoring's read model
    loading them apply this one rule."""
    if last_start is None:
        return "create", effective or EARLIEST
    if last_end is not None:        # dissolved: saved again is a re-creation
        if effective is None:
            raise ValidationFailed(f"unit {unit!r} was dissolved on {last_end + timedelta(days=1)}; "
                                   "its re-creation needs the date it takes effect", "effective")
        if effective <= last_end:
            raise Conflict(f"unit {unit!r} existed until {last_end}; history is not rewritten",
                           "effective")
        return "recreate", effective
    if unchanged:
        return "same", None
    if effective is None:
        raise ValidationFailed(f"unit {unit!r} exists: a change needs the date it takes effect",
                               "effective")
    if effective < last_start:
        raise Conflict(f"unit {unit!r} has a later change from {last_start}; history is not "
                       "rewritten", "effective")
    return ("replace" if effective == last_start else "end"), effective


def away_spells(departures: Iterable[date], post_starts: Iterable[date]) -> list[tuple[date, date | None]]:
    """SPEC §9 (a return after a transfer out is a new spell of service): a person's spells off the
    team, ``[(first day away, first day back or None)]`` in date order, from the days of his
    departures (the roster's ``staff_left``) and the start days of his posts, in whatever order the
    events arrived.  He is off the team from each departure until the first post of his beginning
    after it (a return, ``return_to_team``), open if none; departures with no post between them make
    one spell (from the first); a post beginning on the day of a departure is not a return."""
    starts = sorted(set(post_starts))
    out: list[tuple[date, date | None]] = []
    for left in sorted(set(departures)):
        if out and (out[-1][1] is None or out[-1][1] > left):
            continue            # still away from an earlier departure
        back = next((s for s in starts if s > left), None)
        out.append((left, back))
    return out


def away_on(departures: Iterable[date], post_starts: Iterable[date], day: date) -> bool:
    """Whether the person is off the team on ``day`` (within one of his :func:`away_spells`).  Only
    the latest departure on or before ``day`` and the latest post starting on or before it decide
    it, so a caller may pass just those two (or none)."""
    return any(left <= day and (back is None or back > day) for left, back in away_spells(departures, post_starts))


def still_away(departures: Iterable[date], post_starts: Iterable[date]) -> bool:
    """Whether the person is off the team after all that is known of him: his last
    :func:`away_spells` has no return (only his latest departure and latest post start decide it)."""
    spells = away_spells(departures, post_starts)
    return bool(spells) and spells[-1][1] is None


__all__ = ["EARLIEST", "away_on", "away_spells", "change_from", "latest_on", "still_away"]
