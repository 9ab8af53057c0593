"""Agency-level evaluation facts (M§五(一)1): county committees and city-level units.

100 points over six standards (操作主体组建, 联带规范运行, 线内联动联创, 严格守规守禁,
完成年度中心工作, 确保工作效能).  The Method gives no points per standard, so each standard is a
number ≥ 0 and their sum is at most 100 (百分制).  Bonuses, criticisms, classes, ranks and vetoes are
the rating engine's (RATING.md §2.3): this module only turns the recorded facts into the snapshot's
agency entry.
"""
from __future__ import annotations

from decimal import Decimal

from shared.errors import ValidationFailed

STANDARDS = ("structures", "mentoring", "joint_work", "rules_and_bans", "central_tasks",
             "effectiveness")
STANDARD_LABELS = dict(zip(STANDARDS, ("操作主体组建", "联带规范运行", "线内联动联创", "严格守规守禁",
                                       "完成年度中心工作", "确保工作效能")))
GROUPS = ("county", "city_unit")


def standards_score(standards: dict) -> Decimal:
    """M§五(一)2 百分制考核: the sum of the six standards, each ≥ 0, all six given, at most 100."""
    missing = [s for s in STANDARDS if s not in standards]
    if missing:
        raise ValidationFailed("all six standards are scored", f"standards.{missing[0]}")
    for key in standards:
        if key not in STANDARDS:
            raise ValidationFailed("not one of the six standards", f"standards.{key}")
        if Decimal(str(standards[key])) < 0:
            raise ValidationFailed("a standard's score is not negative", f"standards.{key}")
    total = sum((Decimal(str(standards[s])) for s in STANDARDS), Decimal(0))
    if total > 100:
        raise ValidationFailed(f"the six standards total {total}, more than 100", "standards")
    return total


def previous_class_of(recorded: int | None, last_rating_class: int | None) -> int | None:
    """Last year's class (M§五(一)3(2) 连续两年被评为三类): as recorded with the evaluation, else
    the class of the agency in last year's stored annual rating."""
    return recorded if recorded is not None else last_rating_class


def agency_entry(agency: str, group: str, standards: dict, awards=(), criticisms: int = 0,
                 previous_class: int | None = None) -> dict:
    entry = {"id": agency, "group": group, "score": standards_score(standards),
             "awards": [dict(a) for a in awards], "criticisms": int(criticisms)}
    if previous_class is not None:
        entry["previous_class"] = previous_class
    return entry
