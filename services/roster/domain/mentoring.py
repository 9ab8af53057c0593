"""The mentoring chain (联带, M§四1-3) and its pairs.

- 各级班长带成员: the head of an agency (or committee) mentors each of its leaders;
- 班子成员带骨干: a leader mentors the chiefs of the sections that leader supervises (分管);
- 中层骨干带干警: a chief mentors the officers of the chief's own section.
Every officer has exactly one mentor at any time ("做到每名干警有人带"): a mentee's pairs never
overlap. A mentor who is suspended, transferred out or dismissed stops counting from that day and
the pairs are cut, never silently reassigned.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import date

from shared.errors import Conflict, Forbidden

from .dates import ONE_DAY, covers, overlaps
from .model import CHIEF, HEAD, LEADER, OFFICER, Pair, Staff, Unit


def check_chain(mentor: Staff, mentee: Staff, units: Mapping[str, Unit]) -> None:
    """The pair follows the chain head→leader, leader→chief of a supervised section,
    chief→officer of the same section (M§四1-3); otherwise Forbidden naming ``mentor``."""
    if mentor.id == mentee.id:
        raise Forbidden("a person cannot mentor themselves", "mentor")
    if mentee.position == LEADER:
        if mentor.position == HEAD and mentor.unit == mentee.unit:
            return
        raise Forbidden(f"a leader is mentored by the head of {mentee.unit} "
                        f"(各级班长带成员); {mentor.id} is a {mentor.position} of {mentor.unit}",
                        "mentor")
    if mentee.position == CHIEF:
        if mentor.position == LEADER and mentee.unit in mentor.supervises:
            return
        raise Forbidden(f"a chief is mentored by a leader who supervises section {mentee.unit} "
                        f"(班子成员带骨干); {mentor.id} is a {mentor.position} of {mentor.unit}"
                        + ("" if mentor.position != LEADER else
                           f" supervising {', '.join(mentor.supervises) or 'no section'}"),
                        "mentor")
    if mentee.position == OFFICER:
        if mentor.position == CHIEF and mentor.unit == mentee.unit:
            return
        raise Forbidden(f"an officer is mentored by a chief of section {mentee.unit} "
                        f"(中层骨干带干警); {mentor.id} is a {mentor.position} of {mentor.unit}",
                        "mentor")
    raise Forbidden(f"a {mentee.position} has no mentor in the chain (M§四1)", "mentee")


def pair_on(pairs: Iterable[Pair], mentee: str, day: date) -> Pair | None:
    """The mentee's pair covering ``day`` (at most one: pairs of a mentee never overlap)."""
    for pair in pairs:
        if pair.mentee == mentee and covers(pair.start, pair.end, day):
            return pair
    return None


def effective_mentor(pairs: Iterable[Pair], mentee: str, day: date,
                     mentor_counts: Callable[[str, date], bool]) -> str | None:
    """``mentor_of(person, date)``: the mentor of a pair covering ``day`` who still counts on that
    day (not suspended, transferred out or dismissed); else None."""
    pair = pair_on(pairs, mentee, day)
    if pair is None or not mentor_counts(pair.mentor, day):
        return None
    return pair.mentor


def mentees_on(pairs: Iterable[Pair], mentor: str, day: date) -> list[str]:
    return sorted(p.mentee for p in pairs if p.mentor == mentor and covers(p.start, p.end, day))


def cut_pair(pair: Pair, day: date) -> Pair | None:
    """The pair with no day from ``day`` on: ends the day before, or vanishes if it starts on or
    after ``day``."""
    if pair.start >= day:
        return None
    if pair.end is not None and pair.end < day:
        return pair
    return replace(pair, end=day - ONE_DAY)


def assign(new: Pair, mentor: Staff, mentee: Staff, units: Mapping[str, Unit],
           mentee_pairs: Iterable[Pair], mentor_counts: Callable[[str, date], bool],
           mentee_on_team: Callable[[str, date], bool]) -> Pair:
    """Assign a mentor from ``new.start`` (M§四1-3): the pair follows the chain, both are on the
    team, the mentor counts on that day, and the mentee has no other pair from then on (exactly
    one mentor at a time: use reassign)."""
    check_chain(mentor, mentee, units)
    if not mentee_on_team(mentee.id, new.start):
        raise Conflict(f"{mentee.id} is not on the team on {new.start}", "mentee")
    if not mentor_counts(mentor.id, new.start):
        raise Forbidden(f"{mentor.id} cannot mentor on {new.start} (not on the team or "
                        "suspended)", "mentor")
    for pair in mentee_pairs:
        if pair.mentee == mentee.id and overlaps(pair.start, pair.end, new.start, new.end):
            raise Conflict(f"{mentee.id} already has mentor {pair.mentor} from {pair.start}; "
                           "reassign instead", "mentee")
    return new


def reassign(new: Pair, mentor: Staff, mentee: Staff, units: Mapping[str, Unit],
             mentee_pairs: list[Pair], mentor_counts: Callable[[str, date], bool],
             mentee_on_team: Callable[[str, date], bool]) -> tuple[list[tuple[Pair, Pair | None]],
                                                                   Pair]:
    """Reassign: cut the mentee's pairs from ``new.start`` on, then assign. Returns the cut pairs
    as ``(old, new-or-None)`` and the new pair. The chain is checked before anything is cut."""
    check_chain(mentor, mentee, units)
    cuts = []
    remaining = []
    for pair in mentee_pairs:
        if pair.mentee != mentee.id:
            continue
        if pair.end is None or pair.end >= new.start:
            after = cut_pair(pair, new.start)
            cuts.append((pair, after))
            if after is not None:
                remaining.append(after)
        else:
            remaining.append(pair)
    assign(new, mentor, mentee, units, remaining, mentor_counts, mentee_on_team)
    return cuts, new


def pairs_to_cut(pairs: Iterable[Pair], person: str, start: date, end: date | None,
                 as_mentor: bool = True, as_mentee: bool = False) -> list[tuple[Pair, Pair | None]]:
    """When ``person`` is suspended (as mentor) or leaves the team (as mentor and mentee) on
    ``start``, the pairs touching [start, end] are cut from ``start`` on: the mentees lose their
    mentor at once and appear in the coverage report; nothing is reassigned (SPEC §2)."""
    out = []
    for pair in pairs:
        mine = (as_mentor and pair.mentor == person) or (as_mentee and pair.mentee == person)
        if mine and overlaps(pair.start, pair.end, start, end):
            out.append((pair, cut_pair(pair, start)))
    return out


def pairs_broken_by_change(pairs: Iterable[Pair], changed: Staff, people: Mapping[str, Staff],
                           units: Mapping[str, Unit], day: date) -> list[tuple[Pair, Pair | None]]:
    """After a person changes unit, position or supervised sections on ``day``, every pair of
    theirs still open on that day that no longer follows the chain is cut from ``day`` on."""
    out = []
    for pair in pairs:
        if changed.id not in (pair.mentor, pair.mentee):
            continue
        if pair.end is not None and pair.end < day:
            continue
        mentor = changed if pair.mentor == changed.id else people[pair.mentor]
        mentee = changed if pair.mentee == changed.id else people[pair.mentee]
        try:
            check_chain(mentor, mentee, units)
        except Forbidden:
            out.append((pair, cut_pair(pair, day)))
    return out
