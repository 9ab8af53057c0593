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


__all__ = ["Post", "person_on", "post_on"]
