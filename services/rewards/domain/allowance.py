"""The all-round officer's allowance (M§三(四)1(5)): the unit pays 50 yuan a month while certified."""
from __future__ import annotations

import calendar
import re

from shared.errors import RuleViolation, ValidationFailed
from services.rewards.domain.lines import Line

MONTHLY_ALLOWANCE = 50          # M§三(四)1(5): 每月发给其50元技能津贴
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def allowance_line(officer: str, paying_unit: str, month: str, amount: int) -> Line:
    """One line per officer per month (key = identity ``allowance:<month>|<officer>|allowance``), so a second
    event for the same month changes nothing.  The amount is the Method's 50 yuan."""
    match = MONTH_RE.match(month or "")
    if not match:
        raise ValidationFailed("not a month YYYY-MM", "month")
    if amount != MONTHLY_ALLOWANCE:
        raise RuleViolation(f"the all-round allowance is {MONTHLY_ALLOWANCE} yuan a month",
                            "amount")
    year, mon = int(match.group(1)), int(match.group(2))
    last = calendar.monthrange(year, mon)[1]
    return Line(source=f"allowance:{month}", period=str(year), subject=officer,
                subject_type="officer", kind="allowance", reason="all_round_officer",
                rule="M§三(四)1(5)", effective=f"{month}-{last:02d}", amount=amount,
                paying_unit=paying_unit, basis="city_default", entry=None)
