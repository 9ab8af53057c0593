"""The roster through time (SPEC §9): a person's posts (unit, section, position, titles, supervised
sections) kept as dated history, never overwritten, and every "as of" answer read from it.

- A post holds from ``start`` to the day before the next post's start (the last one is open).
  The first post starts on the join date; a change from ``effective`` closes the post it falls in
  and opens a new one. A change dated before the latest post's start is refused (history is not
  rewritten); one dated on that start replaces that post's content (a correction of the same day).
- A person whose post changes during a month is evaluated for the month by the evaluator of the
  post held on the month's last day (the six-month secondment rule included), and the month counts
  for that evaluator's agency. A person off the team on the month's last day (left during the
  month) is not evaluated for it.
- A return after a transfer out is a new spell of service: the exit spell ends the day before the
  return and a new post starts on it; ``joined`` (the one-year rule) stays the first join date.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from shared.errors import Conflict, ValidationFailed

from .dates import ONE_DAY, add_months, covers
from .evaluator import evaluator_of
from .model import EXIT_KINDS, SECONDMENT, Spell, Staff


@dataclass(frozen=True)
class Post:
    """A person's post from ``start`` (inclusive) to ``end`` (inclusive; None = open)."""
    person: str
    start: date
    unit: str
    position: str
    titles: frozenset = field(default_factory=frozenset)
    supervises: tuple = ()
    end: date | None = None


def post_of(staff: Staff, start: date) -> Post:
    return Post(person=staff.id, start=start, unit=staff.unit, position=staff.position,
                titles=frozenset(staff.titles), supervises=tuple(sorted(staff.supervises)))


def same_content(a: Post, b: Post) -> bool:
    return (a.unit, a.position, a.titles, tuple(sorted(a.supervises))) == \
        (b.unit, b.position, b.titles, tuple(sorted(b.supervises)))


def post_on(posts: Iterable[Post], day: date) -> Post | None:
    """The post covering ``day``; None before the first post."""
    for post in posts:
        if covers(post.start, post.end, day):
            return post
    return None


def staff_on(staff: Staff, posts: list[Post], day: date) -> Staff:
    """The person as they were on ``day``: unit, position, titles and supervised sections of the
    post held then. Before the first post (not yet joined) and without any post (data from before
    history was kept), the current record."""
    post = post_on(posts, day)
    if post is None:
        return staff
    return replace(staff, unit=post.unit, position=post.position, titles=frozenset(post.titles),
                   supervises=tuple(sorted(post.supervises)))


def change_posts(posts: list[Post], new: Staff, effective: date) -> tuple[list[Post], list[Post]]:
    """The posts after ``new``'s unit, position, titles or supervised sections change from
    ``effective``. Returns ``(closed or replaced posts, new posts)`` to save: the post covering
    ``effective`` ends the day before (or is replaced when it starts that day). Refused: a change
    dated before the person joined or before the latest post's start (Conflict ``effective``)."""
    ordered = sorted(posts, key=lambda p: p.start)
    if effective < new.joined:
        raise ValidationFailed(f"the change is dated before the person joined ({new.joined})",
                               "effective")
    fresh = post_of(new, effective)
    if not ordered:
        return [], [fresh]
    last = ordered[-1]
    if effective < last.start:
        raise Conflict(f"a later change exists from {last.start}; history is not rewritten",
                       "effective")
    if same_content(last, fresh):
        return [], []
    if effective == last.start:
        return [last], [replace(fresh, end=last.end)]
    return [replace(last, end=effective - ONE_DAY)], [replace(fresh, end=None)]


def month_last_day(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, calendar.monthrange(year, mon)[1])


def breakpoints(posts: Iterable[Post], spells: Iterable[Spell]) -> list[date]:
    """The days on which a person's evaluator may change: each post's start, each secondment's
    first day, six-month mark and the day after its end, each exit and each return."""
    days = set()
    for post in posts:
        days.add(post.start)
    for spell in spells:
        if spell.kind == SECONDMENT:
            days.add(spell.start)
            mark = add_months(spell.start, 6)
            if spell.end is None or mark <= spell.end:
                days.add(mark)
            if spell.end is not None:
                days.add(spell.end + ONE_DAY)
        elif spell.kind in EXIT_KINDS:
            days.add(spell.start)
            if spell.end is not None:
                days.add(spell.end + ONE_DAY)
    return sorted(days)


@dataclass(frozen=True)
class EvaluatorSpan:
    """Who evaluates a person from ``start`` to ``end`` (inclusive; None = open)."""
    start: date
    end: date | None
    group: str
    rule: str

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(),
                "end": None if self.end is None else self.end.isoformat(),
                "group": self.group, "rule": self.rule}


def off_team(spells: Iterable[Spell], day: date) -> bool:
    return any(s.kind in EXIT_KINDS and covers(s.start, s.end, day) for s in spells)


def evaluator_timeline(staff: Staff, posts: list[Post], units, spells: list[Spell]
                       ) -> list[EvaluatorSpan]:
    """The person's evaluators through time (M§五(二)3 on every day on the team), as spans that
    change only at a breakpoint; days off the team (after an exit, before a return) have none.
    ``units``: the unit tree through time (a :class:`~.tree.Tree`: a unit moved, renamed, re-ranked
    or dissolved changes the evaluator from that day) or one fixed ``id -> Unit`` mapping."""
    tree_days: list[date] = []
    if isinstance(units, Mapping):
        fixed = units
        units_on = lambda day: fixed  # noqa: E731
    else:
        units_on, tree_days = units.on, units.change_days()
    days = sorted({d for d in breakpoints(posts, spells) if d >= staff.joined}
                  | {d for d in tree_days if d > staff.joined}) or [staff.joined]
    if days[0] > staff.joined:
        days.insert(0, staff.joined)
    spans: list[EvaluatorSpan] = []
    for i, day in enumerate(days):
        end = days[i + 1] - ONE_DAY if i + 1 < len(days) else None
        if off_team(spells, day):
            continue
        who = staff_on(staff, posts, day)
        tree = units_on(day)
        if who.unit not in tree:
            continue
        result = evaluator_of(who, tree, spells, day)
        if spans and spans[-1].group == result.group and spans[-1].rule == result.rule \
                and spans[-1].end is not None and spans[-1].end + ONE_DAY == day:
            spans[-1] = replace(spans[-1], end=end)
        else:
            spans.append(EvaluatorSpan(day, end, result.group, result.rule))
    return spans


def month_evaluator(spans: Iterable[EvaluatorSpan], month: str) -> EvaluatorSpan | None:
    """SPEC §9: the month is evaluated by the evaluator on its last day; None when the person is
    not on the team that day (left during the month, or not yet joined): not evaluated."""
    last = month_last_day(month)
    for span in spans:
        if covers(span.start, span.end, last):
            return span
    return None


def return_to_team(spells: Iterable[Spell], day: date) -> Spell:
    """A return after a transfer out (a new spell of service): the open exit ends the day before
    ``day``. Refused when the person has not left (Conflict ``person``), when the exit is a
    dismissal (Conflict ``person``: a dismissal is final), or ``day`` is not after the exit."""
    exits = [s for s in spells if s.kind in EXIT_KINDS and s.end is None]
    if not exits:
        raise Conflict("the person is on the team: nothing to return from", "person")
    exit_ = exits[0]
    if exit_.kind != "transferred_out":
        raise Conflict(f"the person was {exit_.kind} on {exit_.start}; only a transfer out "
                       "can be followed by a return", "person")
    if day <= exit_.start:
        raise ValidationFailed(f"the return must come after the exit on {exit_.start}", "date")
    return replace(exit_, end=day - ONE_DAY)


__all__ = ["EvaluatorSpan", "Post", "breakpoints", "change_posts", "evaluator_timeline",
           "month_evaluator", "month_last_day", "off_team", "post_of", "post_on",
           "return_to_team", "same_content", "staff_on"]
