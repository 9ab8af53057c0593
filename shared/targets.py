"""The eight targets of the Method (M§一, SPEC §7): pure rules, shared by the services that own them.

Each target has a name (the ``target`` label of ``lianbao_target_value`` / ``lianbao_target_met``),
a value and a met/missed rule, one small function per target:

====  ==================================  =========  =====================================
mark  name                                owner      rule
====  ==================================  =========  =====================================
1     ``1_management_rate``               scoring    filed on time / due = 100%
2     ``2_no_incompetent_leaders``        roster     no leader rated 不称职 in the annual review
3     ``3_skills_pass_rate``              training   passed / taken ≥ 95%
4     ``4_no_cadre_selection_violations`` roster     no violation in selecting cadres
5     ``5_no_dereliction_cases``          roster     no dereliction-of-duty case
6     ``6_no_officer_crimes``             roster     no officer committing a crime
7     ``7_violations_investigated``       roster     investigated / reported = 100%
8     ``8_public_satisfaction``           survey     (satisfied + basically satisfied) / answered ≥ 90%
====  ==================================  =========  =====================================

The Method says 以上 includes the number itself ("以上含本数"), so 95% and 90% meet their targets.
Rates are compared exactly: a float is read as the decimal it prints (0.95 → 95/100), never as its
binary approximation. A rate that cannot be computed (nothing due, nobody tested, nothing
answered) is ``None`` and so is its verdict: "no data", never a made-up 0 or 100%.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Rational

MANAGEMENT_RATE = "1_management_rate"
NO_INCOMPETENT_LEADERS = "2_no_incompetent_leaders"
SKILLS_PASS_RATE = "3_skills_pass_rate"
NO_CADRE_SELECTION_VIOLATIONS = "4_no_cadre_selection_violations"
NO_DERELICTION_CASES = "5_no_dereliction_cases"
NO_OFFICER_CRIMES = "6_no_officer_crimes"
VIOLATIONS_INVESTIGATED = "7_violations_investigated"
PUBLIC_SATISFACTION = "8_public_satisfaction"

TARGETS = (MANAGEMENT_RATE, NO_INCOMPETENT_LEADERS, SKILLS_PASS_RATE, NO_CADRE_SELECTION_VIOLATIONS,
           NO_DERELICTION_CASES, NO_OFFICER_CRIMES, VIOLATIONS_INVESTIGATED, PUBLIC_SATISFACTION)

#: which service computes which target (``lianbao targets`` asks each owner's ``targets`` RPC)
OWNERS = {MANAGEMENT_RATE: "scoring", NO_INCOMPETENT_LEADERS: "roster", SKILLS_PASS_RATE: "training",
          NO_CADRE_SELECTION_VIOLATIONS: "roster", NO_DERELICTION_CASES: "roster",
          NO_OFFICER_CRIMES: "roster", VIOLATIONS_INVESTIGATED: "roster",
          PUBLIC_SATISFACTION: "survey"}

#: Chinese labels for tables and the dashboard
LABELS = {MANAGEMENT_RATE: "管理落实率100%", NO_INCOMPETENT_LEADERS: "班子成员无年度考核不称职",
          SKILLS_PASS_RATE: "考技考能合格率≥95%", NO_CADRE_SELECTION_VIOLATIONS: "选拔任用无违纪违规",
          NO_DERELICTION_CASES: "无渎职枉法案件", NO_OFFICER_CRIMES: "无干警违法犯罪",
          VIOLATIONS_INVESTIGATED: "违法违纪违规查处率100%", PUBLIC_SATISFACTION: "群众满意率≥90%"}

#: the kind of value: a share (0..1) or a count
UNITS = {MANAGEMENT_RATE: "rate", NO_INCOMPETENT_LEADERS: "count", SKILLS_PASS_RATE: "rate",
         NO_CADRE_SELECTION_VIOLATIONS: "count", NO_DERELICTION_CASES: "count",
         NO_OFFICER_CRIMES: "count", VIOLATIONS_INVESTIGATED: "rate", PUBLIC_SATISFACTION: "rate"}

CITY = "city"   # the agency label of a city-wide figure

FULL = Fraction(1)
SKILLS_PASS_TARGET = Fraction(95, 100)
SATISFACTION_TARGET = Fraction(90, 100)


def exact(rate) -> Fraction | None:
    """A rate as an exact fraction: Fraction and int as they are, Decimal exactly, a float or a
    string as the decimal it is written as (``0.95`` → 95/100)."""
    if rate is None:
        return None
    if isinstance(rate, bool):
        raise TypeError("a rate, not a bool")
    if isinstance(rate, (Rational, Decimal)):
        return Fraction(rate)
    if isinstance(rate, float):
        return Fraction(repr(rate))
    if isinstance(rate, str):
        return Fraction(rate)
    raise TypeError(f"not a rate: {rate!r}")


def share(part: int, whole: int) -> Fraction | None:
    """part / whole, or None when the whole is 0 (nothing to divide)."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"not a share: {part}/{whole}")
    return Fraction(part, whole) if whole else None


def _count(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"not a count: {n!r}")
    return n


# -- the eight rules ----------------------------------------------------------------------------
def management_rate_met(rate) -> bool | None:
    """M§一1: the management implementation rate (evaluations filed on time / due) reaches 100%."""
    r = exact(rate)
    return None if r is None else r >= FULL


def no_incompetent_leaders_met(rated_incompetent: int) -> bool:
    """M§一2: no member of a leadership team rated incompetent (不称职) in the annual review."""
    return _count(rated_incompetent) == 0


def skills_pass_rate_met(rate) -> bool | None:
    """M§一3: the skills pass rate (考技考能合格率) is 95% or more (以上含本数: 95% meets it)."""
    r = exact(rate)
    return None if r is None else r >= SKILLS_PASS_TARGET


def no_cadre_selection_violations_met(violations: int) -> bool:
    """M§一4: no violation of discipline or rules in selecting and appointing cadres (选拔任用)."""
    return _count(violations) == 0


def no_dereliction_cases_met(cases: int) -> bool:
    """M§一5: no case of dereliction of duty or perverting the law (渎职枉法案件)."""
    return _count(cases) == 0


def no_officer_crimes_met(officers: int) -> bool:
    """M§一6: no officer committing an offence or a crime (干警违法犯罪)."""
    return _count(officers) == 0


def violations_investigated_met(investigated: int, reported: int) -> bool:
    """M§一7: every reported violation (违法违纪违规) investigated and dealt with: 100%.
    Nothing reported leaves nothing uninvestigated: met."""
    _count(investigated), _count(reported)
    if investigated > reported:
        raise ValueError("more investigated than reported")
    return investigated == reported


def public_satisfaction_met(rate) -> bool | None:
    """M§一8: public satisfaction (满意 + 基本满意) / answered is 90% or more (90% meets it)."""
    r = exact(rate)
    return None if r is None else r >= SATISFACTION_TARGET


# -- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TargetResult:
    """One target for one agency (or ``city``) and year: the value and the verdict.

    ``value``: a share in [0, 1] for rates, a count for counts; None = no data. ``met`` None = no
    data. ``detail``: the figures behind the value (e.g. ``{"investigated": 3, "reported": 4}``)."""
    target: str
    agency: str
    value: Fraction | int | None
    met: bool | None
    detail: dict

    def as_dict(self) -> dict:
        value = self.value
        if isinstance(value, Fraction):
            value = round(float(value), 4)
        return {"target": self.target, "agency": self.agency, "value": value, "met": self.met,
                "label": LABELS[self.target], "unit": UNITS[self.target], "detail": dict(self.detail)}


def management_rate(agency: str, filed_on_time: int, due: int) -> TargetResult:
    """M§一1 for an agency: filed on time / due (no data when nothing was due)."""
    rate = share(filed_on_time, due)
    return TargetResult(MANAGEMENT_RATE, agency, rate, management_rate_met(rate),
                        {"filed_on_time": filed_on_time, "due": due})


def incompetent_leaders(agency: str, count: int) -> TargetResult:
    """M§一2 for an agency: leaders rated incompetent in the year's annual review."""
    return TargetResult(NO_INCOMPETENT_LEADERS, agency, count, no_incompetent_leaders_met(count),
                        {"count": count})


def skills_pass_rate(agency: str, passed: int, taken: int) -> TargetResult:
    """M§一3 for an agency: skills tests passed / taken (no data when nobody sat one)."""
    rate = share(passed, taken)
    return TargetResult(SKILLS_PASS_RATE, agency, rate, skills_pass_rate_met(rate),
                        {"passed": passed, "taken": taken})


def cadre_selection_violations(agency: str, count: int) -> TargetResult:
    """M§一4 for an agency: violations in selecting cadres."""
    return TargetResult(NO_CADRE_SELECTION_VIOLATIONS, agency, count,
                        no_cadre_selection_violations_met(count), {"count": count})


def dereliction_cases(agency: str, count: int) -> TargetResult:
    """M§一5 for an agency: dereliction cases."""
    return TargetResult(NO_DERELICTION_CASES, agency, count, no_dereliction_cases_met(count),
                        {"count": count})


def officer_crimes(agency: str, count: int) -> TargetResult:
    """M§一6 for an agency: officers who committed an offence or a crime."""
    return TargetResult(NO_OFFICER_CRIMES, agency, count, no_officer_crimes_met(count),
                        {"count": count})


def violations_investigated(agency: str, investigated: int, reported: int) -> TargetResult:
    """M§一7 for an agency: investigated / reported; the value is None when nothing was reported
    (no share to show) while the target is met (nothing left uninvestigated)."""
    return TargetResult(VIOLATIONS_INVESTIGATED, agency, share(investigated, reported),
                        violations_investigated_met(investigated, reported),
                        {"investigated": investigated, "reported": reported})


def public_satisfaction(agency: str, satisfied: int, answered: int) -> TargetResult:
    """M§一8 for an agency: (satisfied + basically satisfied) / answered (no data when nothing
    was answered)."""
    rate = share(satisfied, answered)
    return TargetResult(PUBLIC_SATISFACTION, agency, rate, public_satisfaction_met(rate),
                        {"satisfied": satisfied, "answered": answered})


def gauge_values(result: TargetResult) -> tuple[float | None, float | None]:
    """What ``lianbao_target_value`` and ``lianbao_target_met`` show for a result: floats, or None
    where there is no data (the gauge is then not set)."""
    value = None if result.value is None else float(result.value)
    met = None if result.met is None else (1.0 if result.met else 0.0)
    return value, met


TARGET_VALUE_GAUGE = ("lianbao_target_value",
                      "Value of a target of the Method (M§一): a share 0..1 or a count (NaN: no data)",
                      ["target", "agency", "year"])
TARGET_MET_GAUGE = ("lianbao_target_met", "Target of the Method met (1) or missed (0) (NaN: no data)",
                    ["target", "agency", "year"])

#: the annual rating of a year is held in early January of the next (SPEC §3.2): an owner that
#: cannot see whether it is filed shows the previous year through this month
RATING_MONTH = 1


def years_shown(today, previous_filed: bool | None) -> list[int]:
    """The years whose targets an owner's gauges show on ``today``: this year, and the previous one
    until its annual ratings are filed.  ``previous_filed`` is what the owner knows (scoring stores
    the ratings); ``None`` (the owner cannot see them) falls back to the rating calendar: the
    previous year is shown through January, the month its annual rating is held."""
    previous = today.year - 1
    if previous_filed is None:
        show_previous = today.month <= RATING_MONTH
    else:
        show_previous = not previous_filed
    return [today.year, previous] if show_previous else [today.year]
