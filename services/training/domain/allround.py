"""The all-round officer title (全能政法干警, M§三(四)1(5)).

市委政法委每年进行一次考核评选。全能政法干警由所在单位每月发给其50元技能津贴,并实行动态管理,每三年复查一次,
不合格的,取消称号。

Readings (SPEC §5): the allowance is paid for every month in which the title is held on at least one
day (certified 2026-03-15: 10 months, 500 yuan in 2026). The recheck falls on the third anniversary
of certification (29 February → 28 February) and a passed recheck keeps the original cycle; a
recheck not passed by its date revokes the title.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from shared.dates import add_years
from shared.errors import Conflict, RuleViolation

from .calendar import Month, day_after
from .posts import away_spells  # noqa: F401  (the spells away, read here)
from .model import ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK, Result

ALLOWANCE_YUAN = 50            # 每月发给其50元技能津贴
RECHECK_INTERVAL_YEARS = 3     # 每三年复查一次
RECHECK_WINDOW_YEARS = 1       # a recheck counts in the year before its date (a reading)
DEFAULT_REMINDER_DAYS = 30     # reminder lead time before a recheck date (configurable)

EXPIRED = "recheck_expired"
FAILED = "recheck_failed"


def recheck_date(certified_on: date, cycle: int = 1) -> date:
    """M§三(四)1(5): the ``cycle``-th recheck falls on the 3×cycle-th anniversary of the
    certification — always counted from the original date (29 February → 28 February)."""
    return add_years(certified_on, RECHECK_INTERVAL_YEARS * cycle)


def recheck_window_opens(certified_on: date, cycle: int) -> date:
    """A recheck counts for the recheck date it precedes by at most a year (a reading: one
    recheck per three-year cycle, never two counted in advance)."""
    return add_years(certified_on, RECHECK_INTERVAL_YEARS * cycle - RECHECK_WINDOW_YEARS)


@dataclass
class TitleSpell:
    """One spell of holding the title: from ``certified_on`` to the day before ``revoked_on``."""

    person_id: str
    certified_on: date
    rechecks: list = field(default_factory=list)   # dates of passed rechecks
    revoked_on: date | None = None                 # first day without the title
    reason: str | None = None                      # recheck_failed | recheck_expired

    @property
    def next_recheck(self) -> date:
        return recheck_date(self.certified_on, len(self.rechecks) + 1)

    @property
    def last_day(self) -> date | None:
        return None if self.revoked_on is None else self.revoked_on - timedelta(days=1)

    def holds_on(self, day: date) -> bool:
        return self.certified_on <= day and (self.revoked_on is None or day < self.revoked_on)


def _expire(spell: TitleSpell, before: date) -> None:
    """M§三(四)1(5): a recheck not passed by its date revokes the title the day after it."""
    if spell.revoked_on is None and before > spell.next_recheck:
        spell.revoked_on, spell.reason = day_after(spell.next_recheck), EXPIRED


def title_spells(results: Iterable[Result], as_of: date) -> list[TitleSpell]:
    """M§三(四)1(5): replay the person's all-round assessments and rechecks (in date order) into
    spells of the title, as they stand on ``as_of``. Raises on a sequence the rules refuse."""
    spells: list[TitleSpell] = []
    for r in sorted((r for r in results if r.kind in (ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK)
                     and r.on <= as_of), key=lambda r: r.on):
        current = spells[-1] if spells and spells[-1].revoked_on is None else None
        if current is not None:
            _expire(current, r.on)
            if current.revoked_on is not None:
                current = None
        if r.kind == ALL_ROUND_ASSESSMENT:
            if current is not None:
                raise RuleViolation(f"{r.person_id} already holds the all-round title (since "
                                    f"{current.certified_on.isoformat()}); the next recheck is due "
                                    f"{current.next_recheck.isoformat()}", "course_id")
            if r.passed:
                spells.append(TitleSpell(r.person_id, r.on))
            continue
        if current is None:
            raise RuleViolation(f"{r.person_id} does not hold the all-round title on "
                                f"{r.on.isoformat()}: nothing to recheck", "course_id")
        cycle = len(current.rechecks) + 1
        opens = recheck_window_opens(current.certified_on, cycle)
        if r.on < opens:
            raise RuleViolation(f"the recheck of {current.next_recheck.isoformat()} can be taken "
                                f"from {opens.isoformat()} on", "date")
        if r.passed:
            current.rechecks.append(r.on)
        else:
            current.revoked_on, current.reason = r.on, FAILED
    if spells:
        _expire(spells[-1], as_of)
    return spells


def check_all_round_result(history: Iterable[Result], new: Result) -> None:
    """M§三(四)1(5): the city committee assesses once a year (one assessment per person and year);
    a recheck needs a holder of the title within the recheck window; a holder is not assessed
    again; results come in date order."""
    history = [r for r in history if r.kind in (ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK)]
    if new.kind == ALL_ROUND_ASSESSMENT and any(
            r.kind == ALL_ROUND_ASSESSMENT and r.on.year == new.on.year for r in history):
        raise Conflict(f"{new.person_id} was already assessed for the all-round title in "
                       f"{new.on.year} (每年进行一次考核评选)", "date")
    later = [r for r in history if r.on >= new.on]
    if later:
        raise Conflict(f"{new.person_id} has an all-round result dated "
                       f"{later[0].on.isoformat()}; results are recorded in date order", "date")
    title_spells([*history, new], new.on)


def holds_title_in_month(spells: Iterable[TitleSpell], month: Month) -> bool:
    """M§三(四)1(5): the title is held on at least one day of the month."""
    return any(s.certified_on <= month.last and (s.revoked_on is None or s.revoked_on > month.first)
               for s in spells)


def _on_team_days(month: Month, away: Iterable[tuple]) -> list[tuple]:
    """The month's stretches on the team, ``[(first, last)]`` (inclusive), outside the spells away."""
    stretches = [(month.first, month.last)]
    for left, back in away:
        cut = []
        for first, last in stretches:
            if back is not None and back <= first or left > last:
                cut.append((first, last))
                continue
            if first < left:
                cut.append((first, left - timedelta(days=1)))
            if back is not None and back <= last:
                cut.append((back, last))
        stretches = cut
    return stretches


def earns_allowance(spells: Iterable[TitleSpell], month: Month, left_on: date | None = None,
                    away: Iterable[tuple] = ()) -> bool:
    """M§三(四)1(5): 由所在单位每月发给 — the month earns the allowance when the title is held on at
    least one day of it while the person is on the team: not on or after ``left_on`` (first day off
    it, no return known) nor within a spell ``away`` (``away_spells``: from the departure, back on the
    first day of the return).  The return counts as a new holder's first day (certified 2026-03-15
    earns March): the month of the return is due when the title is held on a day from the return on;
    the month of a departure when it is held on a day before it."""
    away = list(away)
    if left_on is not None:
        away.append((left_on, None))
    spells = list(spells)
    return any(s.certified_on <= last and (s.revoked_on is None or s.revoked_on > first)
               for first, last in _on_team_days(month, away) for s in spells)


GRANT, WITHDRAW = "grant", "withdraw"


def allowance_correction(grant: int, withdrawn: bool, earned: bool) -> tuple[str, int] | None:
    """What an announced month needs now (M§三(四)1(5), corrections are reversals): ``grant`` is the
    latest grant announced (0: none), ``withdrawn`` whether it was withdrawn, ``earned`` whether the
    month earns the allowance on what is known today.  → ``(GRANT, g)``: announce grant ``g`` (the
    first, or a month withdrawn and earned again: the next one, so one grant is in force at a time
    and the month pays once net); ``(WITHDRAW, g)``: withdraw grant ``g`` in force, the month is not
    earned; None: nothing to announce."""
    in_force = grant > 0 and not withdrawn
    if earned and not in_force:
        return GRANT, grant + 1
    if in_force and not earned:
        return WITHDRAW, grant
    return None


def allowance_months(spells: Iterable[TitleSpell], year: int) -> list[Month]:
    """M§三(四)1(5): the months of ``year`` that earn the 50 yuan allowance."""
    spells = list(spells)
    return [Month(year, m) for m in range(1, 13) if holds_title_in_month(spells, Month(year, m))]


def allowance_total(spells: Iterable[TitleSpell], year: int) -> int:
    """M§三(四)1(5): 50 yuan × months held in the year."""
    return ALLOWANCE_YUAN * len(allowance_months(spells, year))


def reminder_due(spell: TitleSpell, today: date, lead_days: int = DEFAULT_REMINDER_DAYS
                 ) -> date | None:
    """The recheck date to remind of, if ``today`` is within ``lead_days`` before it (both ends
    included) and the title is still held."""
    if spell.revoked_on is not None and spell.revoked_on <= today:
        return None
    due = spell.next_recheck
    if due - timedelta(days=lead_days) <= today <= due:
        return due
    return None


def allowance_statement(spells: Iterable[TitleSpell], year: int, as_of: date,
                        left_on: date | None = None, away: Iterable[tuple] = ()) -> list:
    """M§三(四)1(5), read only: ``[(month, amount)]`` of ``year`` up to ``as_of`` — every month
    begun by ``as_of`` in which the title is held on at least one day (as known on ``as_of``, and
    within the month: ``min(month end, as_of)``) while the person is on the team (``left_on``,
    ``away``: as ``earns_allowance``).  Nothing is paid."""
    spells, away = list(spells), list(away)
    out = []
    for n in range(1, 13):
        month = Month(year, n)
        if month.first > as_of:
            break
        if earns_allowance(spells, month, left_on, away):
            out.append((month, ALLOWANCE_YUAN))
    return out
