"""Evaluator resolution (考评主体, M§五(二)3) for any person or section on any date (SPEC §2).

The result names the leading group (领导小组) by the unit that owns it, the rule that decided, and
for daily logs (干警日志) the mentor.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .dates import add_months
from .model import (CITY, COMMITTEE, COMMITTEE_SECRETARY, COUNTY, CHIEF_PROCURATOR,
                    COURT_PRESIDENT, DEPUTY_DIVISION, DIVISION, HEAD, LEADER, POLITICAL_COMMISSAR,
                    PUBLIC_SECURITY_CHIEF, SECTION, Spell, Staff, Unit)
from .spells import secondment_on
from .staff import titles_of
from .units import city_committee, committee_of, level_of, owning_body

# county posts evaluated by the city committee (区县政法委书记及公安局长、政委, 检察长, 法院院长)
COUNTY_POSTS_FOR_CITY = frozenset({COMMITTEE_SECRETARY, PUBLIC_SECURITY_CHIEF, POLITICAL_COMMISSAR,
                                   CHIEF_PROCURATOR, COURT_PRESIDENT})


@dataclass(frozen=True)
class Evaluation:
    group: str            # id of the unit whose leading group evaluates
    rule: str             # a code naming the rule that decided
    mark: str = "M§五(二)3"
    daily_logs: str | None = None   # mentor id: 干警日志由联带责任人考评
    secondment: str | None = None   # id of the secondment spell that was considered
    six_month_mark: date | None = None


def six_month_mark(spell: Spell) -> date:
    """借调时间已满半年: the mark is six calendar months after the first day of the secondment, a
    missing day becoming the month's last (2026-01-31 → 2026-07-31, 2026-08-31 → 2027-02-28)."""
    return add_months(spell.start, 6)


def evaluator_of_section(section: Unit, units: Mapping[str, Unit]) -> Evaluation:
    """科(股、庭、所、队、室)由所在局院领导小组考评: a section → its agency's leading group."""
    return Evaluation(group=owning_body(units, section).id, rule="section_by_agency")


def home_evaluator(person: Staff, units: Mapping[str, Unit]) -> Evaluation:
    """The evaluator without any secondment (M§五(二)3, first sentences):

    - a committee's own staff: that committee's group, except a county committee's secretary
      (city committee);
    - leaders (head included) of a city-level division-rank unit, the head of a city-level
      deputy-division unit: the city committee;
    - other leaders of a city-level deputy-division unit: the supervising (归口) unit;
    - county public-security chief and political commissar, chief procurator, court president: the
      city committee; other county leaders (the justice-bureau head included): the county committee;
    - everyone else (sections, chiefs, officers, leaders of unranked units): their agency.
    """
    unit = units[person.unit]
    body = owning_body(units, unit)
    city = city_committee(units)
    titles = titles_of(person, units)
    leadership = person.position in (HEAD, LEADER) and unit.kind != SECTION
    level = level_of(units, body)
    if body.kind == COMMITTEE:
        if level == COUNTY and leadership and COMMITTEE_SECRETARY in titles:
            return Evaluation(group=city.id, rule="county_secretary_by_city")
        return Evaluation(group=body.id, rule="committee_staff_by_committee")
    if leadership and level == CITY:
        if body.rank == DIVISION:
            return Evaluation(group=city.id, rule="division_leader_by_city")
        if body.rank == DEPUTY_DIVISION:
            if person.position == HEAD:
                return Evaluation(group=city.id, rule="deputy_division_head_by_city")
            return Evaluation(group=body.supervising_unit, rule="deputy_division_leader_by_guikou")
    if leadership and level == COUNTY:
        if titles & COUNTY_POSTS_FOR_CITY:
            return Evaluation(group=city.id, rule="county_post_by_city")
        return Evaluation(group=committee_of(units, body).id, rule="county_leader_by_committee")
    return Evaluation(group=body.id, rule="staff_by_agency")


def evaluator_of(person: Staff, units: Mapping[str, Unit], spells: Iterable[Spell], day: date,
                 mentor: str | None = None) -> Evaluation:
    """The evaluator of ``person`` on ``day``.

    借调人员借调时间未满半年的,由原单位领导小组为主考评,已满半年的,由借调单位领导小组为主考评:
    during a secondment, before the six-month mark the home evaluator; from the mark on, the host
    unit's leading group (a host section → its agency's). Each spell counts on its own.
    Daily logs go to the mentor (干警日志由联带责任人考评).
    """
    home = home_evaluator(person, units)
    spell = secondment_on(spells, day)
    if spell is None:
        return Evaluation(group=home.group, rule=home.rule, daily_logs=mentor)
    mark = six_month_mark(spell)
    if day >= mark:
        host = owning_body(units, units[spell.host_unit])
        return Evaluation(group=host.id, rule="seconded_six_months_by_host", daily_logs=mentor,
                          secondment=spell.id, six_month_mark=mark)
    return Evaluation(group=home.group, rule="seconded_under_six_months_by_home",
                      daily_logs=mentor, secondment=spell.id, six_month_mark=mark)


__all__ = ["Evaluation", "evaluator_of", "evaluator_of_section", "home_evaluator",
           "six_month_mark"]
