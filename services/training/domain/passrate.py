"""The skills pass rate (考技考能合格率, M§一3): target 95% or more (达95%以上; 以上 includes the
number itself, so 19 of 20 meets it).

Counted: every skills test a person sat in the period (pre-service, rotation and skills courses;
the all-round title is a selection, not a skills test), once, at its final result: a rotation
retraining is the same test as the failed training of that year.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Iterable

from .model import PRE_SERVICE, ROTATION, SKILLS, Result

PASS_RATE_TARGET = Fraction(95, 100)
SKILLS_TEST_KINDS = (PRE_SERVICE, ROTATION, SKILLS)


def _test_key(r: Result) -> tuple:
    if r.kind == ROTATION:
        return (r.person_id, ROTATION, r.on.year)
    return (r.person_id, r.course_id)


def final_results(results: Iterable[Result], start: date, end: date) -> dict:
    """Each skills test sat between ``start`` and ``end`` (inclusive) → its final result."""
    out: dict = {}
    for r in sorted(results, key=lambda r: r.on):
        if r.kind in SKILLS_TEST_KINDS and start <= r.on <= end:
            out[_test_key(r)] = r
    return out


@dataclass(frozen=True)
class PassRate:
    passed: int
    taken: int

    @property
    def rate(self) -> Fraction | None:
        """None (never 0) when nobody sat a test."""
        return Fraction(self.passed, self.taken) if self.taken else None

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else meets_pass_rate_target(self.rate)


def meets_pass_rate_target(rate: Fraction) -> bool:
    """M§一3: 合格率达95%以上 — 0.95 itself meets the target."""
    return rate >= PASS_RATE_TARGET


def pass_rate(results: Iterable[Result], start: date, end: date) -> PassRate:
    """M§一3: passed / taken over the final results of the skills tests of the period."""
    finals = final_results(results, start, end).values()
    return PassRate(sum(1 for r in finals if r.passed), len(finals))


def pass_rates_by_unit(results: Iterable[Result], unit_of: dict, start: date, end: date
                       ) -> dict:
    """M§一3 per unit: the tests of each unit's people (by the read model's unit)."""
    by_unit: dict = {}
    for r in results:
        unit = unit_of.get(r.person_id)
        if unit is not None:
            by_unit.setdefault(unit, []).append(r)
    return {unit: pass_rate(rs, start, end) for unit, rs in sorted(by_unit.items())}
