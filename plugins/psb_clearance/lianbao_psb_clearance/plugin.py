"""Case clearance rate (破案率) as an extra criterion of the work-performance dimension.

Reads the monthly figure ``clearance_rate`` (``{"2026-01": 0.92, ...}``, a share 0..1 of the cases
filed that month that were cleared) of an officer or a section; the months of the rating period
count.  Mean rate (exact) ≥ 0.90: +2 points; ≥ 0.80: +1; below 0.60: −1; otherwise nothing.
A subject without the figure for any month of the period gets nothing.
"""
from decimal import Decimal
from fractions import Fraction

import pluggy

hookimpl = pluggy.HookimplMarker("lianbao")

FIGURE = "clearance_rate"
CRITERION = "case_clearance_rate"
DIMENSION = {"officer": "performance", "section": "enforcement"}
# (lowest mean rate, points), best first; below LOW: PENALTY
BANDS = ((Fraction(9, 10), 2), (Fraction(8, 10), 1))
LOW, PENALTY = Fraction(6, 10), -1


def months_of(period: str) -> set:
    year, last = period[:4], (6 if period.endswith("H1") else 12)
    return {f"{year}-{m:02d}" for m in range(1, last + 1)}


def mean_rate(monthly, period: str):
    """The exact mean of the period's monthly rates, or None without any."""
    months = months_of(period)
    values = [Fraction(Decimal(str(v))) for k, v in monthly.items() if k in months]
    if not values:
        return None
    return sum(values, Fraction(0)) / len(values)


def points_for(rate) -> int:
    for floor, pts in BANDS:
        if rate >= floor:
            return pts
    return PENALTY if rate < LOW else 0


@hookimpl
def lianbao_propose(kind, subject, period):
    if kind not in DIMENSION:
        return None
    monthly = subject["figures"].get(FIGURE)
    if not hasattr(monthly, "items"):
        return None
    rate = mean_rate(monthly, period)
    if rate is None:
        return None
    pts = points_for(rate)
    if pts == 0:
        return None
    return {"points": [{"criterion": CRITERION, "dimension": DIMENSION[kind], "points": pts,
                        "text": f"破案率 case clearance rate {float(rate):.1%} over the period"}]}
