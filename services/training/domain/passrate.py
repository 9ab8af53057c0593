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

from shared import targets as method_targets

from .model import PRE_SERVICE, ROTATION, SKILLS, Result

PASS_RATE_TARGET = method_targets.SKILLS_PASS_TARGET
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
    """M§一3: 合格率达95%以上 — 0.95 itself meets the target (the rule of :mod:`shared.targets`)."""
    return method_targets.skills_pass_rate_met(rate)


def pass_rate(results: Iterable[Result], start: date, end: date) -> PassRate:
    """M§一3: passed / taken over the final results of the skills tests of the period."""
    finals = final_results(results, start, end).values()
    return PassRate(sum(1 for r in finals if r.passed), len(finals))


def pass_rates_by_unit(results: Iterable[Result], unit_of, start: date, end: date) -> dict:
    """M§一3 per unit: each final result counted in the unit its person held on the result's date
    (``unit_of(person_id, day)``, the dated read model; a dict gives the same unit on every date).
    A rotation retrained after a transfer counts once, in the unit of the retraining."""
    lookup = unit_of if callable(unit_of) else (lambda pid, _day: unit_of.get(pid))
    by_unit: dict = {}
    for r in final_results(results, start, end).values():
        unit = lookup(r.person_id, r.on)
        if unit is not None:
            by_unit.setdefault(unit, []).append(r)
    return {unit: PassRate(sum(1 for r in rs if r.passed), len(rs))
            for unit, rs in sorted(by_unit.items())}


def target_results(results: Iterable[Result], agency_of, year: int, agency: str | None = None
                   ) -> list:
    """Target 3 (M§一3) of ``year`` for each agency of the tested people and city-wide (label
    ``city``), or for one ``agency`` (``city``: the city-wide figure only); ``agency_of`` as the
    ``unit_of`` of :func:`pass_rates_by_unit` (the agency on the result's date)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    results = list(results)
    if agency == method_targets.CITY or agency is None:
        city = pass_rate(results, start, end)
        city_result = method_targets.skills_pass_rate(method_targets.CITY, city.passed, city.taken)
        if agency is not None:
            return [city_result]
    by_agency = pass_rates_by_unit(results, agency_of, start, end)
    if agency is not None:
        r = by_agency.get(agency, PassRate(0, 0))
        return [method_targets.skills_pass_rate(agency, r.passed, r.taken)]
    return [method_targets.skills_pass_rate(a, r.passed, r.taken) for a, r in by_agency.items()
            if a != method_targets.CITY] + [city_result]
