"""The all-round officer's allowance (M§三(四)1(5)): the unit pays 50 yuan a month while certified."""
from __future__ import annotations

import calendar
import re

from shared.errors import RuleViolation, ValidationFailed
from services.rewards.domain.lines import Line
from services.rewards.domain.revision import REVOKED, reversal

MONTHLY_ALLOWANCE = 50          # M§三(四)1(5): 每月发给其50元技能津贴
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def grant_entry(grant: int) -> int | None:
    """The entry number of a grant's line among the lines of its month: the first grant has none
    (its key is the identity), grant ``g`` ≥ 2 is entry ``2g − 1`` (after the withdrawal of the
    grant before it, entry ``2(g − 1)``)."""
    return None if grant == 1 else 2 * grant - 1


def allowance_line(officer: str, paying_unit: str, month: str, amount: int, grant: int = 1) -> Line:
    """One line per officer per month and grant (key = identity ``allowance:<month>|<officer>|allowance``
    for the first grant, ``<identity>|<2g-1>`` for grant g), so a second event for the same grant changes
    nothing.  The amount is the Method's 50 yuan."""
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
                paying_unit=paying_unit, basis="city_default", entry=grant_entry(grant))


def allowance_withdrawal(granted: Line, grant: int) -> Line:
    """The reversal of a grant's line (training withdrew it: the month is not earned): its amount
    negated, ``reverses`` = the grant's key, entry ``2g`` (key ``<identity>|<2g>``: one per grant)."""
    return reversal(granted.to_dict(), granted.source, granted.effective, 2 * grant, REVOKED)
