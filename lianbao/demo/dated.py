"""Who acts for whom on a date, as the demo changed the tree (the roster and scoring read the same
dates, SPEC §9): mentors, evaluating bodies, supervising leaders, reviewers and approvers."""
from __future__ import annotations

from datetime import date, timedelta

from lianbao.demo.state import DemoState


def new_mentor(state: DemoState, mentee, mentor, first_day):
    state.mentor_changes.setdefault(mentee, []).append((first_day, mentor, state.mentor_of.get(mentee)))
    state.mentor_of[mentee] = mentor


def mentor_on(state: DemoState, mentee, day: str):
    """The mentor on ``day`` (scoring checks the mentor of the act's date): the latest change
    from on or before it, else the first mentor."""
    if day < state.pair_start.get(mentee, ""):
        return None
    changes = sorted(state.mentor_changes.get(mentee, ()), key=lambda c: c[0])
    if not changes:
        return state.mentor_of.get(mentee)
    started = [c for c in changes if c[0] <= day]
    return started[-1][1] if started else changes[0][2]


def last_day(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).isoformat()


def section_agency(state: DemoState, sid, day: str):
    move = state.section_moves.get(sid)
    return move[1] if move is not None and day < move[0] else state.sections[sid]


def evaluator_on(state: DemoState, person, day: str):
    change = state.evaluator_changes.get(person)
    return change[1] if change is not None and day < change[0] else state.evaluator[person]


def leader_of_section(state: DemoState, sid, day: str):
    change = state.leader_changes.get(sid)
    return change[1] if change is not None and day < change[0] else state.leader_of_section[sid]


def body(state: DemoState, subject, kind, month: str):
    """The leading group evaluating ``subject`` for ``month``: the one of the month's last day
    (SPEC §9, a section moved on the 15th counts for its new agency that month)."""
    last = last_day(month)
    return section_agency(state, subject, last) if kind == "section" else evaluator_on(state, subject, last)


def reviewer(state: DemoState, subject, kind, day, month):
    """The section's supervising leader (分管领导) or the person's mentor on the review's day;
    a person without one is reviewed by another member of the month's evaluating body."""
    if kind == "section":
        return leader_of_section(state, subject, day)
    mentor = mentor_on(state, subject, day)
    if mentor:
        return mentor
    group = body(state, subject, kind, month)
    return next(m for m in state.body_members[group] if m != subject)


def approver(state: DemoState, subject, kind, day, month):
    """A member of the month's evaluating body who is neither the subject nor its reviewer (the
    mentor reviews, someone else approves)."""
    group = body(state, subject, kind, month)
    by = reviewer(state, subject, kind, day, month)
    members = [m for m in state.body_members[group] if m not in (subject, by)]
    return members[0] if members else next(m for m in state.body_members[group] if m != subject)
