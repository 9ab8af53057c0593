"""Team-discipline facts (M§一2, 4-7): the facts behind five of the eight targets of the Method.

* ``incompetent_leader`` — a member of a leadership team (head or leader, 班子成员) rated
  incompetent (不称职) in the annual review of ``year`` (target 2);
* ``cadre_selection_violation`` — a violation of discipline or rules in selecting and appointing
  cadres (选拔任用违纪违规), against a unit or a person (target 4);
* ``dereliction_case`` — a case of dereliction of duty or perverting the law (渎职枉法案件), against
  a person or a unit (target 5);
* ``officer_crime`` — a member of the team committing an offence or a crime (违法犯罪) (target 6);
* ``violation`` — any other reported violation of law, discipline or rules (违法违纪违规).

Every fact but ``incompetent_leader`` is a reported violation: target 7 (查处率 100%) is the share
of them investigated (``investigated_on`` set). A fact belongs to the agency owning the person's unit
(or the unit) and to its ``year`` (default: the year it occurred; for an annual review, the year
reviewed). Readings: the Method counts people for targets 2 and 6 (a leader rated twice or an
officer with two offences is one person) and cases for targets 4 and 5.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Iterable

from shared import targets as method_targets
from shared.errors import Conflict, ValidationFailed

from .model import HEAD, LEADER, Staff

INCOMPETENT_LEADER = "incompetent_leader"
CADRE_SELECTION_VIOLATION = "cadre_selection_violation"
DERELICTION_CASE = "dereliction_case"
OFFICER_CRIME = "officer_crime"
VIOLATION = "violation"
KINDS = (INCOMPETENT_LEADER, CADRE_SELECTION_VIOLATION, DERELICTION_CASE, OFFICER_CRIME, VIOLATION)
#: kinds that need a person (the others take a person or a unit)
PERSON_KINDS = (INCOMPETENT_LEADER, OFFICER_CRIME)
#: kinds that are violations to investigate (target 7)
VIOLATION_KINDS = (CADRE_SELECTION_VIOLATION, DERELICTION_CASE, OFFICER_CRIME, VIOLATION)


@dataclass(frozen=True)
class DisciplineFact:
    id: str
    kind: str
    agency: str                 # the committee or agency owning the person's unit or the unit
    unit: str                   # the person's unit, or the unit the fact is against
    person: str | None
    year: int
    occurred_on: date
    reported_on: date
    investigated_on: date | None = None
    note: str | None = None


def check_fact(kind: str, person: Staff | None, unit_given: bool, year: int | None,
               occurred_on: date, reported_on: date) -> int:
    """A fact is well formed: a known kind; a person for the person kinds (a head or leader for an
    annual review); reported on or after it occurred. Returns its year."""
    if kind not in KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(KINDS)}", "kind")
    if kind in PERSON_KINDS and person is None:
        raise ValidationFailed(f"a {kind} fact names a person", "person")
    if person is None and not unit_given:
        raise ValidationFailed("name a person or a unit", "unit")
    if kind == INCOMPETENT_LEADER and person.position not in (HEAD, LEADER):
        raise ValidationFailed(f"{person.id} is a {person.position}, not a member of a leadership "
                               "team (班子成员)", "person")
    if reported_on < occurred_on:
        raise ValidationFailed("reported before it occurred", "reported_on")
    if person is not None and occurred_on < person.joined and kind != INCOMPETENT_LEADER:
        raise ValidationFailed(f"occurred before the person joined the team ({person.joined})",
                               "occurred_on")
    year = occurred_on.year if year is None else year
    if not 1949 <= year <= occurred_on.year:
        raise ValidationFailed("the year of the fact is not after it occurred", "year")
    return year


def same_fact(a: DisciplineFact, kind: str, person: str | None, unit: str, occurred_on: date) -> bool:
    """The natural key: the same kind, about the same person or unit, on the same day."""
    return (a.kind, a.person, a.unit if a.person is None else None, a.occurred_on) == (
        kind, person, unit if person is None else None, occurred_on)


def investigate(fact: DisciplineFact, on: date) -> DisciplineFact:
    """M§一7: a reported violation investigated (查处) on ``on``. The same date again changes nothing;
    another date is a Conflict; an annual-review rating is not a violation."""
    if fact.kind not in VIOLATION_KINDS:
        raise ValidationFailed(f"a {fact.kind} fact is not a violation to investigate", "fact_id")
    if on < fact.reported_on:
        raise ValidationFailed("investigated before it was reported", "investigated_on")
    if fact.investigated_on is not None:
        if fact.investigated_on != on:
            raise Conflict(f"already investigated on {fact.investigated_on.isoformat()}",
                           "investigated_on")
        return fact
    return replace(fact, investigated_on=on)


def ban_violation_fact(violation_id: str, person: Staff, agency: str, occurred_on: date,
                       confirmed_on: date, ban: int) -> DisciplineFact:
    """A confirmed violation of one of the ten bans (M§三(三)) is a violation reported and
    investigated (查处) for target 7 (M§一7): confirmed is investigated, on the confirmation day."""
    return DisciplineFact(id=f"ban:{violation_id}", kind=VIOLATION, agency=agency, unit=person.unit,
                          person=person.id, year=occurred_on.year, occurred_on=occurred_on,
                          reported_on=confirmed_on, investigated_on=confirmed_on,
                          note=f"ban {ban} (禁令) confirmed")


def _figures(facts: list[DisciplineFact], as_of: date | None) -> dict:
    def people(kind):
        return len({f.person for f in facts if f.kind == kind})

    reported = [f for f in facts if f.kind in VIOLATION_KINDS and (as_of is None or f.reported_on <= as_of)]
    investigated = [f for f in reported if f.investigated_on is not None
                    and (as_of is None or f.investigated_on <= as_of)]
    return {"incompetent": people(INCOMPETENT_LEADER),
            "cadre": sum(1 for f in facts if f.kind == CADRE_SELECTION_VIOLATION),
            "dereliction": sum(1 for f in facts if f.kind == DERELICTION_CASE),
            "crimes": people(OFFICER_CRIME),
            "investigated": len(investigated), "reported": len(reported)}


def _results(agency: str, f: dict) -> list[method_targets.TargetResult]:
    return [method_targets.incompetent_leaders(agency, f["incompetent"]),
            method_targets.cadre_selection_violations(agency, f["cadre"]),
            method_targets.dereliction_cases(agency, f["dereliction"]),
            method_targets.officer_crimes(agency, f["crimes"]),
            method_targets.violations_investigated(agency, f["investigated"], f["reported"])]


def targets(facts: Iterable[DisciplineFact], agencies: Iterable[str], year: int,
            as_of: date | None = None, agency: str | None = None) -> list[method_targets.TargetResult]:
    """Targets 2, 4, 5, 6 and 7 of ``year`` for each agency (every agency listed, facts or not:
    no fact recorded is no case) and city-wide (label ``city``), or for one ``agency`` only.
    ``as_of``: reports and investigations after that day are not counted yet. The label ``city``
    is the city-wide figure, also when a unit's id is ``city`` (its facts count city-wide)."""
    mine = [f for f in facts if f.year == year]
    if agency is not None and agency != method_targets.CITY:
        return _results(agency, _figures([f for f in mine if f.agency == agency], as_of))
    out = []
    if agency == method_targets.CITY:
        return _results(method_targets.CITY, _figures(mine, as_of))
    for a in sorted((set(agencies) | {f.agency for f in mine}) - {method_targets.CITY}):
        out += _results(a, _figures([f for f in mine if f.agency == a], as_of))
    return out + _results(method_targets.CITY, _figures(mine, as_of))
