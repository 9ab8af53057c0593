"""Who is who on a date, in scoring's read model (SPEC §9, M§五(二)3-4, M§四1-3).

Pure rules over dated rows learnt from the roster's events:

- a post holds from its ``start`` until the next post's start;
- the month's evaluator is the roster's evaluator on the month's last day; a person off the team
  that day (left during the month, or not joined yet) is not evaluated for the month;
- who may review an act is the mentor (联带责任人) on the act's date, not the mentor of the day the
  act is entered; a section is reviewed by the leader who supervises it (分管领导) on that date, and a
  section without one is said so, never guessed.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from shared.dated import change_from, latest_on
from shared.errors import Conflict, Forbidden


@dataclass(frozen=True)
class Post:
    start: date
    agency: str
    section: str | None
    position: str
    supervises: tuple = ()


@dataclass(frozen=True)
class Span:
    """A dated value (a mentor, an evaluator) from ``start`` to ``end`` (inclusive; None = open)."""
    start: date
    end: date | None
    value: str
    rule: str | None = None


def covers(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or day <= end)


@dataclass(frozen=True)
class UnitVersion:
    """A unit of the roster's tree from ``since`` to ``until`` (inclusive; None = open), as the
    roster's ``units_saved`` events give it (SPEC §9: the tree is dated too)."""
    id: str
    since: date
    until: date | None
    kind: str
    parent: str | None
    agency: str
    name: str | None = None
    evaluator: str | None = None      # a loaded read model's own evaluator (else the agency's)

    @property
    def body(self) -> str:
        """The leading group evaluating the unit (a section: its agency's)."""
        return self.evaluator or self.agency


def unit_on(versions: Iterable[UnitVersion], day: date) -> UnitVersion | None:
    """The version of a unit on ``day``: the latest starting on or before it, unless it ended
    before (the unit was dissolved); None when the unit did not exist that day."""
    version = latest_on(versions, day, start=lambda v: v.since)
    if version is None or (version.until is not None and version.until < day):
        return None
    return version


CONTENT = ("kind", "parent", "agency", "name")


def load_version(versions: Iterable[UnitVersion], new: UnitVersion, effective: date | None
                 ) -> tuple[list[UnitVersion], list[UnitVersion]]:
    """A unit loaded into the read model by ``save_units`` (a bulk load), dated as the roster dates
    a change of its tree (its ``save_units``): ``(closed or replaced, opened)``, both empty when
    the content is the same. ``new`` carries the content (its ``since``/``until`` are ignored).
    A unit new to the read model exists from ``effective``, or from :data:`EARLIEST` without one;
    a changed unit takes the new content from ``effective`` (its version open that day ends the
    day before; the same day replaces it); a dissolved unit loaded again exists again from
    ``effective``: the roster's rule, :func:`shared.dated.change_from`. Refused: a change without a
    date (ValidationFailed ``effective``), a change dated on or before the end of a dissolved unit
    or before the unit's latest change (Conflict ``effective``: history is not rewritten), another
    kind (Conflict ``kind``)."""
    ordered = sorted(versions, key=lambda v: v.since)
    last = ordered[-1] if ordered else None
    if last is not None and last.kind != new.kind:
        raise Conflict(f"unit {new.id!r} is a {last.kind}; its kind cannot change (a unit of "
                       "another kind is a new unit)", "kind")
    step, start = change_from(new.id, last and last.since, last and last.until, effective,
                              last is not None and all(getattr(last, k) == getattr(new, k)
                                                       for k in CONTENT))
    if step == "same":
        return [], []
    opened = [replace(new, since=start, until=None)]
    if step == "replace":
        return [last], opened
    if step == "end":
        return [replace(last, until=start - timedelta(days=1))], opened
    return [], opened        # create, recreate


def name_on(versions: Iterable[UnitVersion], day: date) -> str | None:
    """The unit's name as on ``day`` (SPEC §9: a notice, a referral names the unit as it was named
    on the day its month or period is read, its last day); a unit that no longer existed that day
    keeps the name it had last, one not yet created the name it was created with."""
    ordered = sorted(versions, key=lambda v: v.since)
    if not ordered:
        return None
    version = latest_on(ordered, day, start=lambda v: v.since) or ordered[0]
    return version.name


def tree_on(versions: dict[str, list[UnitVersion]], day: date) -> dict[str, UnitVersion]:
    """Every unit as it was on ``day`` (SPEC §9): a section moved on the 15th belongs to its new
    agency from that day, so a month read on its last day counts it there; a unit dissolved
    during the month is absent on its last day (not evaluated for the month)."""
    out = {}
    for uid, mine in versions.items():
        version = unit_on(mine, day)
        if version is not None:
            out[uid] = version
    return out


def month_last_day(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, calendar.monthrange(year, mon)[1])


def post_on(posts: Iterable[Post], day: date) -> Post | None:
    """The post held on ``day``: the latest starting on or before it; None before the first."""
    return latest_on(posts, day)


def span_on(spans: Iterable[Span], day: date) -> Span | None:
    """The span covering ``day`` (the latest-starting one if the data ever overlaps)."""
    best = None
    for span in spans:
        if covers(span.start, span.end, day) and (best is None or span.start > best.start):
            best = span
    return best


def on_team(joined: date | None, exits: Iterable[tuple[date, date | None]], day: date) -> bool:
    """On the team on ``day``: joined by then and not within an exit (transferred out, dismissed;
    an exit followed by a return ends the day before the return)."""
    if joined is not None and day < joined:
        return False
    return not any(covers(start, end, day) for start, end in exits)


def month_evaluator(spans: Iterable[Span], month: str, joined: date | None,
                    exits: Iterable[tuple[date, date | None]], subject: str) -> Span:
    """SPEC §9: the evaluator of ``month`` is the one on its last day (the six-month secondment
    rule is in the roster's answer). Off the team on that day: not evaluated (Conflict ``month``).
    No answer from the roster for that day: Conflict ``subject`` (never a default)."""
    last = month_last_day(month)
    if not on_team(joined, exits, last):
        raise Conflict(f"{subject} is not on the team on {last}: not evaluated for {month} "
                       "(SPEC §9)", "month")
    span = span_on(spans, last)
    if span is None:
        raise Conflict(f"the roster has not resolved the evaluator of {subject} on {last}",
                       "subject")
    return span


def section_supervisors(leader_posts: dict[str, Post], section: str) -> list[str]:
    """The leaders (班子成员) whose post on the date supervises ``section`` (分管, M§四2)."""
    return sorted(pid for pid, post in leader_posts.items()
                  if post.position == "leader" and section in post.supervises)


def section_reviewers(supervisors: list[str], section: str, day: date) -> tuple[str, ...]:
    """The reviewers of a section's evaluation: its supervising leaders on ``day``. None: the
    section has no 分管领导 then, said so (Conflict ``subject``)."""
    if not supervisors:
        raise Conflict(f"section {section} has no supervising leader (分管领导) on {day}: "
                       "the roster must name one before its evaluation is reviewed", "subject")
    return tuple(supervisors)


def check_reviewer_of(actor: str, reviewers: tuple[str, ...], subject: str, day: date) -> None:
    """The actor is one of the subject's reviewers on the act's date."""
    if actor not in reviewers:
        raise Forbidden(f"{actor} is not the reviewer (联带责任人/分管领导) of {subject} on {day}; "
                        f"{', '.join(reviewers)} is", "actor")


__all__ = ["Post", "Span", "check_reviewer_of", "covers", "month_evaluator", "month_last_day",
           "on_team", "post_on", "section_reviewers", "section_supervisors", "span_on"]
