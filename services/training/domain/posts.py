"""A person's post through time in training's read model (issue 20 item 1, SPEC §9).

Pure rules: a post (unit, agency, position) holds from its ``start`` until the next post's start;
a question about a day reads the person as he was that day (the unit of a result on its date,
the agency of a month on its last day).  Before the first known post the earliest one is used
(a bulk load knows only one post, from the join date)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from services.training.domain.model import Person
from shared.dated import latest_on


@dataclass(frozen=True)
class Post:
    start: date
    unit_id: str
    agency_id: str | None
    position: str


def post_on(posts: Iterable[Post], day: date) -> Post | None:
    """The post held on ``day``: the latest starting on or before it; before the first post, the
    first (the read model knows nothing older); None without any post."""
    posts = list(posts)
    held = latest_on(posts, day)
    if held is not None or not posts:
        return held
    return min(posts, key=lambda p: p.start)


def person_on(person: Person, posts: Iterable[Post], day: date) -> Person:
    """``person`` with the unit, agency and position of ``day``."""
    post = post_on(posts, day)
    if post is None:
        return person
    return replace(person, unit_id=post.unit_id, agency_id=post.agency_id, position=post.position)


def away_spells(departures: Iterable[date], post_starts: Iterable[date]) -> list[tuple]:
    """SPEC §9 (a return after a transfer out is a new spell of service): the person's spells off
    the team, ``[(first day away, first day back or None)]`` in date order — from each dated
    departure (the roster's ``staff_left``) until the first post of his beginning after it (a return,
    ``return_to_team``), open if none.  Departures with no post between them make one spell (from
    the first); a post beginning on the day of a departure is not a return."""
    starts = sorted(set(post_starts))
    out: list[tuple] = []
    for left in sorted(set(departures)):
        if out and (out[-1][1] is None or out[-1][1] > left):
            continue            # still away from an earlier departure
        back = next((s for s in starts if s > left), None)
        out.append((left, back))
    return out


def away_on_a_day(away: Iterable[tuple], first: date, last: date) -> bool:
    """Whether the person is off the team on some day from ``first`` to ``last`` (``away_spells``)."""
    return any(left <= last and (back is None or back > first) for left, back in away)


def away_throughout(away: Iterable[tuple], first: date, last: date) -> bool:
    """Whether the person is off the team on every day from ``first`` to ``last`` (``away_spells``)."""
    return any(left <= first and (back is None or back > last) for left, back in away)


__all__ = ["Post", "away_on_a_day", "away_spells", "away_throughout", "person_on", "post_on"]
