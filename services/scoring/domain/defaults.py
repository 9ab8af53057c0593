"""The city's defaults for the rating engine, in one place, as data.

Every number the rating rules use comes from here (SPEC.md §3, §6 and RATING.md §2–§5); the
Method's marks are beside each value.  A snapshot's ``rules`` may adapt only what RATING.md §4
lists (star cut-offs, the five-star quota, the two amounts); everything else is the city's.

The Method's own convention (M§五(一)2): "以上含本数,以下不含本数,下同" — "N or more" includes N,
"below N" excludes N.  Hence ``>=`` for 以上 and ``<`` for 低于/以下 throughout.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

LEVELS = ("city", "provincial", "central")
LEAVE_KINDS = ("sick", "personal", "annual", "maternity", "other")
AGENCY_GROUPS = ("county", "city_unit")

# RATING.md §3: the fixed vocabulary of facts, in the Method's order.
OFFICER_FACTS = ("mass_incident", "illegal_organisation", "protective_umbrella", "secret_leak",
                 "disciplinary_sanction", "other_mechanism")          # M§五(二)1(2)③
SECTION_FACTS = ("officer_criminal", "mass_incident", "last_in_ranking", "failed_inspection",
                 "other_mechanism")                                  # M§五(二)1(1)③

# M§五(一)1①②③: agency award kinds → (group, points by level or flat points)
AWARD_KINDS = MappingProxyType({
    "unit_commended": ("A", MappingProxyType({"central": Decimal(1), "provincial": Decimal("0.5"),
                                              "city": Decimal(0)})),
    "individual_commended": ("A", MappingProxyType({"central": Decimal("0.5"),
                                                    "provincial": Decimal("0.3"),
                                                    "city": Decimal(0)})),
    "experience_promoted": ("B", MappingProxyType({"central": Decimal(5), "provincial": Decimal(3),
                                                   "city": Decimal(2)})),
    "article_adopted": ("C", Decimal("0.3")),
    "inspection_hosted": ("C", Decimal(2)),
})
AWARD_GROUP_MARKS = MappingProxyType({"A": "M§五(一)1①", "B": "M§五(一)1②", "C": "M§五(一)1③"})


def _ro(d):
    return MappingProxyType(dict(d))


@dataclass(frozen=True)
class CityDefaults:
    """The city's numbers.  Frozen: adaptations build a new :class:`Rules`, never mutate these."""

    # M§五(二)1(1)①, 1(2)①: honours bonus per level, same title once at its highest level, cap 5
    honour_points: MappingProxyType = field(default_factory=lambda: _ro(
        {"city": Decimal(0), "provincial": Decimal(1), "central": Decimal("1.5")}))
    honour_cap: Decimal = Decimal(5)
    # M§五(二)1(1)③, 1(2)③: (satisfied + basic) / answered below 60% disqualifies
    satisfaction_floor: Fraction = Fraction(3, 5)
    # M§五(二)1(2)③: 三个月月考评低于60分 (three or more months below 60)
    low_month_score: int = 60
    low_months: int = 3
    # M§五(二)1(2)③: 无故旷工5天以上 (5 or more days, 以上含本数)
    absence_days: int = 5
    # M§五(二)1(2)⑤: 因病因事请假超过三个月 — default: more than 90 calendar days in the period
    long_leave_days: int = 90
    long_leave_kinds: tuple = ("sick", "personal")
    # M§五(二)1(2)⑤: 新进政法机关工作不满一年 — years of service needed to be rated
    service_years: int = 1
    # SPEC §3.2: the Method gives no cut-offs (按相关星级考评标准); stars -> minimum score
    cutoffs: MappingProxyType = field(default_factory=lambda: _ro(
        {5: Decimal(95), 4: Decimal(90), 3: Decimal(80), 2: Decimal(70)}))
    cutoff_range: tuple = (Decimal(0), Decimal(105))
    # M§五(一)1①②③ caps per award group; ④ −1 per criticism; ⑤ never below zero
    award_group_caps: MappingProxyType = field(default_factory=lambda: _ro(
        {"A": Decimal(3), "B": Decimal(5), "C": Decimal(3)}))
    criticism_points: Decimal = Decimal(1)
    agency_floor: Decimal = Decimal(0)
    # M§五(一)2: 90分以上为一类, 80分—90分为二类, 80分以下为三类
    class_cutoffs: tuple = ((1, Decimal(90)), (2, Decimal(80)))
    # M§五(一)3(2): 80分以下或列末位 → 一票否决预告
    veto_warning_below: Decimal = Decimal(80)
    # M§五(一)2: advanced units: 区县(市)的前4名, 市直副处级以上政法单位的前3名
    advanced_top: MappingProxyType = field(default_factory=lambda: _ro(
        {"county": 4, "city_unit": 3}))
    # M§五(二)5(1)①, (2)①: 300 yuan per head for a five-star section, 1000 yuan per five-star officer
    amounts: MappingProxyType = field(default_factory=lambda: _ro(
        {"officer_five_star": Decimal(1000), "section_five_star_per_head": Decimal(300)}))
    # guardrail (SPEC §6, RATING §4): an adapted amount is within 0 .. twice the city's default
    amount_max_factor: int = 2
    # M§五(二)5(1)②, (2)②: 二星级以下 → warning talk.  RATING.md/SPEC read it as ★1 and ★2.
    # (Under the Method's own convention 以下不含本数 it would be ★1 only: see the README.)
    warning_talk_max_stars: int = 2


CITY = CityDefaults()
