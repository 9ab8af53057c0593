"""Dated status spells: leave, secondment, suspension, transferred out, dismissed (SPEC §2).

Readings: dates are inclusive; a leave or suspension may be open-ended; an exit (transferred out,
dismissed) has no end and nothing starts on or after it, until a return after a transfer out ends
it the day before the return (SPEC §9: a new spell of service). Leave and secondment are one layer (a
person is on leave or seconded, not both); suspensions are another (a suspension may fall during
a leave or a secondment, and then takes precedence for the status).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from shared.errors import Conflict, ValidationFailed

from .dates import covers, overlaps
from .model import (ACTIVE, DISMISSED, EXIT_KINDS, LEAVE, LEAVE_KINDS, NOT_JOINED, ON_LEAVE,
                    SECONDED, SECONDMENT, SPELL_KINDS, SUSPENDED, SUSPENSION, TRANSFERRED_OUT,
                    Spell, Staff, Unit)
from .units import get_unit, owning_body

_LAYER = {LEAVE: "whereabouts", SECONDMENT: "whereabouts", SUSPENSION: "suspension"}


def check_spell(spell: Spell, person: Staff, units: Mapping[str, Unit],
                others: Iterable[Spell]) -> None:
    """A new or changed spell is well formed and does not overlap another of its layer.

    - ``end`` is not before ``start``; nothing starts before the person joined the team;
    - a leave names its kind (sick, personal, annual, maternity, other); a secondment names a host
      unit that exists and is outside the person's own agency; exits have no end;
    - two spells of one layer never overlap; at most one exit, and no spell starts on or after it.
    """
    if spell.kind not in SPELL_KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(SPELL_KINDS)}", "kind")
    if spell.start < person.joined:
        raise ValidationFailed(f"starts before the person joined the team ({person.joined})",
                               "start")
    if spell.end is not None and spell.end < spell.start:
        raise ValidationFailed("end is before start", "end")
    if spell.kind == LEAVE:
        if spell.leave_kind not in LEAVE_KINDS:
            raise ValidationFailed(f"leave_kind must be one of {', '.join(LEAVE_KINDS)}",
                                   "leave_kind")
    elif spell.leave_kind is not None:
        raise ValidationFailed("only a leave has a leave_kind", "leave_kind")
    if spell.kind == SECONDMENT:
        if not spell.host_unit:
            raise ValidationFailed("a secondment names its host unit", "host_unit")
        host = get_unit(units, spell.host_unit, "host_unit")
        home = owning_body(units, units[person.unit])
        if owning_body(units, host).id == home.id:
            raise ValidationFailed("a secondment goes outside the person's own agency", "host_unit")
    elif spell.host_unit is not None:
        raise ValidationFailed("only a secondment has a host unit", "host_unit")
    if spell.kind in EXIT_KINDS and spell.end is not None:
        raise ValidationFailed(f"{spell.kind} has no end", "end")
    for other in others:
        if other.id == spell.id:
            continue
        if other.kind in EXIT_KINDS and other.end is not None:   # left, then returned
            if overlaps(spell.start, spell.end, other.start, other.end):
                raise Conflict(f"the person was off the team from {other.start} to {other.end} "
                               f"({other.kind})", "start")
            continue
        if other.kind in EXIT_KINDS:
            if spell.kind in EXIT_KINDS:
                raise Conflict(f"the person already left on {other.start} ({other.kind})", "kind")
            if spell.start >= other.start:
                raise Conflict(f"the person left the team on {other.start} ({other.kind})",
                               "start")
            continue
        if spell.kind in EXIT_KINDS:
            if other.start >= spell.start:
                raise Conflict(f"spell {other.id} ({other.kind}) starts on or after this exit",
                               "start")
            continue
        if _LAYER[other.kind] == _LAYER[spell.kind] and overlaps(
                spell.start, spell.end, other.start, other.end):
            raise Conflict(f"overlaps {other.kind} spell {other.id} "
                           f"({other.start}..{other.end or 'open'})", "start")


def exit_of(spells: Iterable[Spell]) -> Spell | None:
    """The open exit (a transfer out followed by a return has an end and no longer counts)."""
    for spell in spells:
        if spell.kind in EXIT_KINDS and spell.end is None:
            return spell
    return None


def status_on(person: Staff, spells: Iterable[Spell], day: date) -> str:
    """Status on ``day``, by precedence: not yet joined, dismissed / transferred out (from the exit
    date on), suspended, seconded, on leave, else active."""
    if day < person.joined:
        return NOT_JOINED
    found = set()
    for spell in spells:
        if covers(spell.start, spell.end, day):
            found.add(spell.kind)
    for kind, status in ((DISMISSED, DISMISSED), (TRANSFERRED_OUT, TRANSFERRED_OUT),
                         (SUSPENSION, SUSPENDED), (SECONDMENT, SECONDED), (LEAVE, ON_LEAVE)):
        if kind in found:
            return status
    return ACTIVE


def on_team(person: Staff, spells: Iterable[Spell], day: date) -> bool:
    """On the team on ``day``: joined, and not transferred out or dismissed (leave, suspension and
    secondment still count, SPEC §2 coverage reading)."""
    return status_on(person, spells, day) not in (NOT_JOINED, TRANSFERRED_OUT, DISMISSED)


def can_mentor_on(person: Staff, spells: Iterable[Spell], day: date) -> bool:
    """A mentor counts on ``day`` unless suspended, transferred out or dismissed from that day on
    (SPEC §2): leave and secondment do not stop a mentor."""
    return status_on(person, spells, day) not in (NOT_JOINED, SUSPENDED, TRANSFERRED_OUT, DISMISSED)


def secondment_on(spells: Iterable[Spell], day: date) -> Spell | None:
    for spell in spells:
        if spell.kind == SECONDMENT and covers(spell.start, spell.end, day):
            return spell
    return None
