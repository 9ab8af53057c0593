"""The rating snapshot as plain dataclasses (RATING.md §1).

The snapshot arrives validated (see :mod:`shared.contracts.rating`): dates are ``datetime.date``,
numbers are ``int`` or ``decimal.Decimal`` (never binary float), defaults are filled in.
:func:`snapshot_from_validated` turns that normalised dict into these dataclasses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import Decimal
from fractions import Fraction

from shared.contracts.rating import period_months
from services.scoring.domain.defaults import CITY, CityDefaults


@dataclass(frozen=True, slots=True)
class Honour:
    title: str
    level: str


@dataclass(frozen=True, slots=True)
class Leave:
    kind: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Satisfaction:
    satisfied: int
    basic: int
    dissatisfied: int


@dataclass(frozen=True, slots=True)
class Award:
    kind: str
    level: str | None = None


@dataclass(slots=True)
class Officer:
    id: str
    agency: str
    joined: date
    monthly: dict                      # "YYYY-MM" -> int | Decimal
    section: str | None = None
    mentor: str | None = None
    honours: tuple = ()
    leave: tuple = ()
    unexcused_absence_days: int = 0
    satisfaction: Satisfaction | None = None
    facts: tuple = ()
    disqualified_last_year: bool = False


@dataclass(slots=True)
class Section:
    id: str
    agency: str
    headcount: int
    score: Decimal
    honours: tuple = ()
    satisfaction: Satisfaction | None = None
    facts: tuple = ()


@dataclass(slots=True)
class Agency:
    id: str
    group: str
    score: Decimal
    awards: tuple = ()
    criticisms: int = 0
    previous_class: int | None = None


@dataclass(frozen=True)
class Period:
    """``YYYY`` (annual final rating) or ``YYYYH1`` (half-year initial rating), M§四6(5)."""

    year: int
    half_year: bool

    @classmethod
    def parse(cls, text: str) -> "Period":
        if len(text) == 4 and text.isdigit() and text.isascii():
            return cls(int(text), False)
        if len(text) == 6 and text.endswith("H1") and text[:4].isdigit() and text[:4].isascii():
            return cls(int(text[:4]), True)
        raise ValueError(f"period must be YYYY or YYYYH1, not {text!r}")

    @property
    def label(self) -> str:
        return f"{self.year:04d}H1" if self.half_year else f"{self.year:04d}"

    @property
    def annual(self) -> bool:
        return not self.half_year

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 6, 30) if self.half_year else date(self.year, 12, 31)

    @property
    def months(self) -> tuple:
        return period_months(self.label)


@dataclass(frozen=True)
class Rules:
    """The effective rules of one snapshot: the city's defaults plus what RATING.md §4 adapts."""

    cutoffs: dict = field(default_factory=lambda: dict(CITY.cutoffs))   # stars -> Decimal
    cutoffs_adapted: bool = False
    five_star_quota: Decimal | None = None
    amounts: dict = field(default_factory=lambda: dict(CITY.amounts))
    city: CityDefaults = CITY

    @cached_property
    def cutoff_fractions(self) -> tuple:
        """(stars, Fraction) pairs from ★5 down to ★2, for exact comparison."""
        return tuple((s, Fraction(self.cutoffs[s])) for s in (5, 4, 3, 2))

    @cached_property
    def cutoff_ratios(self) -> tuple:
        """(stars, numerator, denominator) of :attr:`cutoff_fractions`, for integer comparison."""
        return tuple((s, *cut.as_integer_ratio()) for s, cut in self.cutoff_fractions)

    @cached_property
    def stars_entries(self) -> dict:
        """stars -> the explanation line "N stars by the cut-offs" (an Entry is immutable: one
        object per rule and stars, shared by every subject given those stars)."""
        from services.scoring.domain.rating import Entry

        return {s: Entry(self.cutoffs_rule, None, f"{s} stars by the cut-offs")
                for s in (5, 4, 3, 2, 1)}

    @property
    def cutoffs_rule(self) -> str:
        return "rules.cutoffs" if self.cutoffs_adapted else "SPEC §3.2 default cut-offs"


@dataclass
class Snapshot:
    period: Period
    rating_date: date
    rules: Rules = field(default_factory=Rules)
    officers: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    agencies: list = field(default_factory=list)


def _sat(d):
    if d is None:
        return None
    return Satisfaction(d["satisfied"], d["basic"], d["dissatisfied"])


def rules_from_validated(d: dict | None, city: CityDefaults = CITY) -> Rules:
    d = d or {}
    cut = dict(city.cutoffs)
    given = d.get("cutoffs") or {}
    for key, val in given.items():
        cut[int(key)] = val
    amounts = dict(city.amounts)
    amounts.update(d.get("amounts") or {})
    return Rules(cutoffs=cut, cutoffs_adapted=bool(given), five_star_quota=d.get("five_star_quota"),
                 amounts=amounts, city=city)


def snapshot_from_validated(d: dict, city: CityDefaults = CITY) -> Snapshot:
    """Build a :class:`Snapshot` from the dict returned by the contract's validators."""
    officers = [
        Officer(
            id=o["id"], agency=o["agency"], joined=o["joined"], monthly=o["monthly"],
            section=o.get("section"), mentor=o.get("mentor"),
            honours=tuple(Honour(h["title"], h["level"]) for h in o.get("honours", ())),
            leave=tuple(Leave(x["kind"], x["from"], x["to"]) for x in o.get("leave", ())),
            unexcused_absence_days=o.get("unexcused_absence_days", 0),
            satisfaction=_sat(o.get("satisfaction")), facts=tuple(o.get("facts", ())),
            disqualified_last_year=o.get("disqualified_last_year", False))
        for o in d.get("officers") or ()]
    sections = [
        Section(id=s["id"], agency=s["agency"], headcount=s["headcount"], score=s["score"],
                honours=tuple(Honour(h["title"], h["level"]) for h in s.get("honours", ())),
                satisfaction=_sat(s.get("satisfaction")), facts=tuple(s.get("facts", ())))
        for s in d.get("sections") or ()]
    agencies = [
        Agency(id=a["id"], group=a["group"], score=a["score"],
               awards=tuple(Award(w["kind"], w.get("level")) for w in a.get("awards", ())),
               criticisms=a.get("criticisms", 0), previous_class=a.get("previous_class"))
        for a in d.get("agencies") or ()]
    period = d["period"] if isinstance(d["period"], Period) else Period.parse(d["period"])
    return Snapshot(period=period, rating_date=d["rating_date"],
                    rules=rules_from_validated(d.get("rules"), city),
                    officers=officers, sections=sections, agencies=agencies)
