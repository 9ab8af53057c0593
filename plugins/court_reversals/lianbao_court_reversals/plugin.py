"""Judgments reversed on appeal (改判发回) cost points; liability for a wrongful judgment
(错案责任追究) disqualifies.

* Figure ``reversed_judgments``: the number of the subject's judgments reversed or remanded on
  appeal in the period (a number, or a monthly mapping whose months of the period are added).
  Each costs 0.5 points of the fair-enforcement dimension (officers: ``fairness``; sections:
  ``enforcement``), at most 5 points.
* Fact ``wrongful_judgment_liability``: the officer was held liable for a wrongful judgment under
  the court's accountability rules; it disqualifies the officer from the star rating (an "other
  mechanism's rule" of M§五(二)1(2)③).
"""
from decimal import Decimal

import pluggy

hookimpl = pluggy.HookimplMarker("lianbao")

FIGURE = "reversed_judgments"
FACT = "wrongful_judgment_liability"
PER_JUDGMENT = Decimal("-0.5")
CAP = Decimal(5)
DIMENSION = {"officer": "fairness", "section": "enforcement"}


@hookimpl
def lianbao_facts():
    return [{"id": FACT, "applies_to": ["officer"],
             "meaning": "错案责任追究: held liable for a wrongful judgment"}]


def reversed_count(value, period: str):
    if value is None:
        return 0
    if hasattr(value, "items"):
        year = period[:4]
        last = 6 if period.endswith("H1") else 12
        months = {f"{year}-{m:02d}" for m in range(1, last + 1)}
        return sum((Decimal(str(v)) for k, v in value.items() if k in months), Decimal(0))
    return Decimal(str(value))


def deduction(count) -> Decimal:
    return max(PER_JUDGMENT * count, -CAP)


@hookimpl
def lianbao_propose(kind, subject, period):
    if kind not in DIMENSION:
        return None
    out = {}
    count = reversed_count(subject["figures"].get(FIGURE), period)
    if count > 0:
        pts = deduction(count)
        out["points"] = [{"criterion": "reversed_on_appeal", "dimension": DIMENSION[kind],
                          "points": pts,
                          "text": f"{count} judgment(s) reversed on appeal (改判发回), -0.5 each, "
                                  f"at most -{CAP}"}]
    if kind == "officer" and FACT in subject["extra_facts"]:
        out["disqualify"] = [{"fact": FACT, "text": "disqualified: 错案责任追究 (held liable for a "
                                                    "wrongful judgment)"}]
    return out or None
