"""Rotation training and retraining (M§三(四)1(3)).

每年对中层骨干轮训一次,每三年对干警轮训一次。将社会主义法治理念作为必训内容。轮训不合格的当年予以补训,
补训仍不合格的,中层骨干免职,干警调离政法队伍。

Readings (SPEC §5): chiefs are due every calendar year; officers in the year of their last pass + 3,
overdue after it. Retraining is due by 31 December of the year of the failure; removal or transfer
takes effect on the date of the failed retraining.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from shared.errors import Conflict

from .calendar import year_end
from .model import ROTATION, Person, Result

CHIEF_INTERVAL_YEARS = 1     # 每年对中层骨干轮训一次
OFFICER_INTERVAL_YEARS = 3   # 每三年对干警轮训一次
ROTATION_POSITIONS = ("chief", "officer")

REMOVED_FROM_POST = "removed_from_post"   # 中层骨干免职
TRANSFERRED_OUT = "transferred_out"       # 干警调离政法队伍


def _rotation(results: Iterable[Result]) -> list[Result]:
    return sorted((r for r in results if r.kind == ROTATION), key=lambda r: r.on)


def officer_due_year(last_pass: date | None, joined: date | None, current_year: int) -> int:
    """M§三(四)1(3): an officer is due in the year of the last pass + 3. Without any pass the
    cycle runs from the year of joining the team; without either, the officer is due now."""
    if last_pass is not None:
        return last_pass.year + OFFICER_INTERVAL_YEARS
    if joined is not None:
        return joined.year + OFFICER_INTERVAL_YEARS
    return current_year


def due_in_year(position: str, last_pass_before: date | None, joined: date | None,
                year: int) -> bool:
    """M§三(四)1(3): chiefs owe rotation training every calendar year; officers once their due year
    (last pass + 3) has come, and every year after it until they pass."""
    if position == "chief":
        return True
    if position == "officer":
        return officer_due_year(last_pass_before, joined, year) <= year
    return False


def retraining_due_by(failed_on: date) -> date:
    """M§三(四)1(3): 当年予以补训 — retraining by 31 December of the year of the failure."""
    return year_end(failed_on.year)


def retraining_effect(position: str) -> str | None:
    """M§三(四)1(3): a failed retraining removes a chief from the post (免职) and transfers an
    officer out of the team (调离政法队伍); other positions are not in the rotation rule."""
    return {"chief": REMOVED_FROM_POST, "officer": TRANSFERRED_OUT}.get(position)


def classify_rotation_attempt(history: Iterable[Result], new: Result) -> str:
    """M§三(四)1(3): the first rotation result of a calendar year is the training, the next one
    after a failure the same year is the retraining; nothing follows a pass or a failed
    retraining in that year, and attempts come in date order."""
    same_year = [r for r in _rotation(history) if r.on.year == new.on.year]
    if not same_year:
        return "first"
    last = same_year[-1]
    if any(r.passed for r in same_year):
        raise Conflict(f"{new.person_id} already passed rotation training in {new.on.year} "
                       f"(on {last.on.isoformat()}): a pass is recorded once", "date")
    if len(same_year) >= 2:
        raise Conflict(f"{new.person_id} already failed the retraining on {last.on.isoformat()}; "
                       "the roster acts on it", "date")
    if new.on <= last.on:
        raise Conflict(f"a retraining must come after the failed training of "
                       f"{last.on.isoformat()}", "date")
    return "retraining"


@dataclass(frozen=True)
class RetrainingFailed:
    """Domain event: the retraining was failed; the roster removes or transfers the person."""

    person_id: str
    position: str
    effect: str
    effective_date: date
    first_failed_on: date
    course_id: str


def retraining_failure(history: Iterable[Result], new: Result, person: Person
                       ) -> RetrainingFailed | None:
    """M§三(四)1(3): 补训仍不合格 — a failed retraining takes effect on its own date."""
    if new.kind != ROTATION or new.passed:
        return None
    if classify_rotation_attempt(history, new) != "retraining":
        return None
    effect = retraining_effect(person.position)
    if effect is None:
        return None
    first = [r for r in _rotation(history) if r.on.year == new.on.year][0]
    return RetrainingFailed(person.id, person.position, effect, new.on, first.on, new.course_id)


@dataclass(frozen=True)
class RotationStatus:
    person_id: str
    unit_id: str
    position: str
    year: int
    status: str  # passed | due | overdue | failed | retraining_overdue | retraining_failed | not_due
    due_year: int | None
    last_pass: date | None
    retraining_due_by: date | None = None
    effect: str | None = None


def rotation_status(person: Person, results: Iterable[Result], year: int, as_of: date
                    ) -> RotationStatus:
    """M§三(四)1(3): where the person stands with the rotation duty of ``year``, as of ``as_of``:
    passed that year (first attempt or retraining); failed and owing the retraining by 31 December
    (overdue after); failed the retraining; due; overdue (a chief's year ended without a pass, an
    officer past the due year); or not due (an officer within the cycle)."""
    rot = [r for r in _rotation(results) if r.on <= as_of]
    before = [r for r in rot if r.on.year < year and r.passed]
    last_pass_before = before[-1].on if before else None
    in_year = [r for r in rot if r.on.year == year]
    passes = [r for r in rot if r.passed and r.on.year <= year]
    last_pass = passes[-1].on if passes else None
    if person.position == "chief":
        due_year = year
    elif person.position == "officer":
        due_year = officer_due_year(last_pass_before, person.joined, year)
    else:
        due_year = None

    def status(name, **kw):
        return RotationStatus(person.id, person.unit_id, person.position, year, name, due_year,
                              last_pass, **kw)

    if any(r.passed for r in in_year):
        return status("passed")
    if len(in_year) >= 2:
        return status("retraining_failed", effect=retraining_effect(person.position))
    if len(in_year) == 1:
        by = retraining_due_by(in_year[0].on)
        return status("failed" if as_of <= by else "retraining_overdue", retraining_due_by=by)
    if not due_in_year(person.position, last_pass_before, person.joined, year):
        return status("not_due")
    overdue = as_of > year_end(year) or (due_year is not None and due_year < year)
    return status("overdue" if overdue else "due")
