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
from shared.dated import away_spells, latest_on  # noqa: F401  (away_spells: the rule, read here)


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


def away_on_a_day(away: Iterable[tuple], first: date, last: date) -> bool:
    """Whether the person is off the team on some day from ``first`` to ``last`` (``away_spells``)."""
    return any(left <= last and (back is None or back > first) for left, back in away)


def away_throughout(away: Iterable[tuple], first: date, last: date) -> bool:
    """Whether the person is off the team on every day from ``first`` to ``last`` (``away_spells``)."""
    return any(left <= first and (back is None or back > last) for left, back in away)


__all__ = ["Post", "away_on_a_day", "away_spells", "away_throughout", "person_on", "post_on"]
