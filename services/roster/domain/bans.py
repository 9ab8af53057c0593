"""Bans (政法干警禁令, M§三(三)): "违反上述禁令之一者,当事人一律先停职,并……对当事人、联带责任人等
进行查究". A confirmed violation of any of the ten bans suspends the person at once (from the day it
is confirmed) and opens a case against the person and, when there is one, against their mentor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.errors import Conflict, ValidationFailed

from .model import BANS, MENTOR_ROLE, SUSPENSION, VIOLATOR, BanViolation, Case, Spell


@dataclass(frozen=True)
class BanOutcome:
    violation: BanViolation
    suspension: Spell | None       # None when the person is already suspended on that day
    cases: tuple                   # Case of the violator, then of the mentor (if any)


def check_ban(ban: int, occurred_on: date, confirmed_on: date, joined: date) -> None:
    """One of the ten bans; confirmed on or after it occurred; not before the person joined."""
    if isinstance(ban, bool) or ban not in BANS:
        raise ValidationFailed("ban must be a number from 1 to 10 (M§三(三))", "ban")
    if confirmed_on < occurred_on:
        raise ValidationFailed("confirmed before it occurred", "confirmed_on")
    if occurred_on < joined:
        raise ValidationFailed(f"occurred before the person joined the team ({joined})",
                               "occurred_on")


def ban_violated(*, violation_id: str, person: str, ban: int, occurred_on: date,
                 confirmed_on: date, joined: date, mentor: str | None, suspension_id: str,
                 case_ids: tuple[str, str], already_suspended: bool, left_team: bool,
                 note: str | None = None) -> BanOutcome:
    """The ban flow: 当事人一律先停职 — an open suspension from ``confirmed_on`` (unless already
    suspended that day); a case against the violator and one against the mentor on the day of the
    violation (联带责任人), each with its own id."""
    check_ban(ban, occurred_on, confirmed_on, joined)
    if left_team:
        raise Conflict(f"{person} is not on the team on {confirmed_on}", "person")
    violation = BanViolation(id=violation_id, person=person, ban=ban, occurred_on=occurred_on,
                             confirmed_on=confirmed_on, mentor=mentor, note=note)
    suspension = None
    if not already_suspended:
        suspension = Spell(id=suspension_id, person=person, kind=SUSPENSION, start=confirmed_on,
                           note=f"ban {ban} violated (M§三(三))")
    cases = [Case(id=case_ids[0], violation=violation_id, person=person, role=VIOLATOR)]
    if mentor is not None:
        cases.append(Case(id=case_ids[1], violation=violation_id, person=mentor, role=MENTOR_ROLE))
    return BanOutcome(violation=violation, suspension=suspension, cases=tuple(cases))
