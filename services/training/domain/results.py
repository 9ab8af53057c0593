"""Recording a result: what is refused, and what follows from one (pure).

Bad input (issue 8): results for unknown people or courses, a pass recorded twice, an assessment
dated in the future are clear errors, and nothing is written twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from shared.errors import Conflict, NotFound, ValidationFailed

from .allround import FAILED, check_all_round_result, recheck_date, title_spells
from .model import (ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK, PRE_SERVICE, ROTATION, Course,
                    Person, Result)
from .rotation import classify_rotation_attempt, retraining_failure


def not_in_future(day: date, today: date, field: str = "date") -> date:
    """An assessment cannot be dated after today."""
    if day > today:
        raise ValidationFailed(f"{day.isoformat()} is in the future (today is {today.isoformat()})",
                               field)
    return day


def known_person(people: dict, person_id: str) -> Person:
    """Results are for people the roster told training about."""
    person = people.get(person_id)
    if person is None:
        raise NotFound(f"unknown person {person_id!r}", "person")
    return person


def known_course(courses: dict, course_id: str) -> Course:
    course = courses.get(course_id)
    if course is None:
        raise NotFound(f"unknown course {course_id!r}", "course_id")
    return course


def same_as_recorded(history: Iterable[Result], new: Result) -> bool:
    """The very result is on record already (same person, course, day and outcome)."""
    return any(r == new for r in history)


def check_new_result(history: Iterable[Result], new: Result, today: date) -> None:
    """Refuse what the rules refuse: a date in the future; a second result of the same course on
    the same day; a pass recorded twice (pre-service is passed once; a course once a year); the
    rotation and all-round sequences of M§三(四)1(3) and (5)."""
    history = list(history)
    not_in_future(new.on, today)
    clash = [r for r in history if r.key == new.key]
    if clash:
        raise Conflict(f"{new.person_id} already has a result of {new.course_id} on "
                       f"{new.on.isoformat()} ({'pass' if clash[0].passed else 'fail'})", "date")
    if new.kind == PRE_SERVICE:
        passes = [r for r in history if r.kind == PRE_SERVICE and r.passed]
        if passes:
            raise Conflict(f"{new.person_id} passed pre-service training on "
                           f"{passes[0].on.isoformat()} already", "course_id")
    elif new.kind == ROTATION:
        classify_rotation_attempt(history, new)
    elif new.kind in (ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK):
        check_all_round_result(history, new)
    elif new.passed and any(r.course_id == new.course_id and r.passed and r.on.year == new.on.year
                            for r in history):
        raise Conflict(f"{new.person_id} already passed {new.course_id} in {new.on.year}",
                       "course_id")


@dataclass(frozen=True)
class Certified:
    person_id: str
    certified_on: date
    recheck_due: date


@dataclass(frozen=True)
class RecheckPassed:
    person_id: str
    certified_on: date
    passed_on: date
    next_recheck_due: date


@dataclass(frozen=True)
class TitleRevoked:
    person_id: str
    certified_on: date
    revoked_on: date
    reason: str


def consequences(history: Iterable[Result], new: Result, person: Person) -> list:
    """The domain events that follow from accepting ``new`` (checked already)."""
    history = list(history)
    failed = retraining_failure(history, new, person)
    if failed is not None:
        return [failed]
    if new.kind not in (ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK):
        return []
    spells = title_spells([*history, new], new.on)
    spell = next((s for s in reversed(spells) if s.certified_on <= new.on), None)
    if new.kind == ALL_ROUND_ASSESSMENT:
        return [Certified(person.id, new.on, recheck_date(new.on))] if new.passed else []
    if new.passed:
        return [RecheckPassed(person.id, spell.certified_on, new.on, spell.next_recheck)]
    return [TitleRevoked(person.id, spell.certified_on, new.on, FAILED)]
