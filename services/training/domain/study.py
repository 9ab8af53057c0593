"""Political-theory study (M§三(四)1(1)).

干警政治理论学习时间每月不少于2天,中心组成员集中学习每季度不少于1次,每次不少于3天。
Readings (SPEC §5): study days are distinct calendar days in the month; the central study group
needs one session of 3 or more days starting in the quarter (two 2-day sessions do not add up).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from .calendar import Month, Quarter
from .model import Person

MIN_STUDY_DAYS_PER_MONTH = 2     # 每月不少于2天 (不少于: 2 itself meets it)
MIN_SESSION_DAYS = 3             # 每次不少于3天
MIN_SESSIONS_PER_QUARTER = 1     # 每季度不少于1次
CENTRAL_GROUP_POSITIONS = ("head", "leader")  # 中心组成员: the leadership of a committee or agency


def study_days_in_month(days: Iterable[date], month: Month) -> int:
    """M§三(四)1(1): the number of distinct calendar days of ``month`` with study."""
    return len({d for d in days if d in month})


def meets_monthly_study(days_studied: int) -> bool:
    """M§三(四)1(1): at least 2 study days in the month."""
    return days_studied >= MIN_STUDY_DAYS_PER_MONTH


def study_required(person: Person, month: Month) -> bool:
    """Who owes the month's study days: a member of the team for the whole month (a newcomer's
    first, partial month and a leaver's last are not counted)."""
    return person.on_team_whole_month(month.first, month.last)


@dataclass(frozen=True)
class StudyShortfall:
    person_id: str
    unit_id: str
    position: str
    days: int
    missing: int


def study_shortfalls(people: Iterable[Person], days_by_person: dict, month: Month
                     ) -> list[StudyShortfall]:
    """M§三(四)1(1): everyone owing study in ``month`` with fewer than 2 distinct days, in
    (unit, person) order."""
    out = []
    for person in people:
        if not study_required(person, month):
            continue
        days = study_days_in_month(days_by_person.get(person.id, ()), month)
        if not meets_monthly_study(days):
            out.append(StudyShortfall(person.id, person.unit_id, person.position, days,
                                      MIN_STUDY_DAYS_PER_MONTH - days))
    return sorted(out, key=lambda s: (s.unit_id, s.person_id))


@dataclass(frozen=True)
class Session:
    """A central study group session: first day and length in days (consecutive)."""

    unit_id: str
    start: date
    days: int

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)


def qualifying_session(session: Session, quarter: Quarter) -> bool:
    """M§三(四)1(1): a session counts for the quarter it starts in if it lasts 3 days or more."""
    return session.start in quarter and session.days >= MIN_SESSION_DAYS


def central_group_met(sessions: Iterable[Session], quarter: Quarter) -> bool:
    """M§三(四)1(1): at least one qualifying session in the quarter; shorter sessions never add
    up (two 2-day sessions do not make one of 4)."""
    return sum(1 for s in sessions if qualifying_session(s, quarter)) >= MIN_SESSIONS_PER_QUARTER


def central_group_units(people: Iterable[Person]) -> list[str]:
    """The units that hold a central study group: those with a head (一把手)."""
    return sorted({p.unit_id for p in people if p.position == "head"})


@dataclass(frozen=True)
class StudyLine:
    person_id: str
    unit_id: str
    position: str
    days: int
    met: bool
    missing: int


def study_lines(people: Iterable[Person], days_by_person: dict, month: Month) -> list[StudyLine]:
    """M§三(四)1(1): everyone owing study in ``month`` with their distinct days, those who meet the
    two days as well as those short of them, in (unit, person) order."""
    out = []
    for person in people:
        if not study_required(person, month):
            continue
        days = study_days_in_month(days_by_person.get(person.id, ()), month)
        out.append(StudyLine(person.id, person.unit_id, person.position, days,
                             meets_monthly_study(days), max(0, MIN_STUDY_DAYS_PER_MONTH - days)))
    return sorted(out, key=lambda s: (s.unit_id, s.person_id))


#: Rotation statuses that meet the rule (passed this year, or an officer within the cycle).
ROTATION_MET = ("passed", "not_due")
