"""Assembling the rating snapshot (RATING.md §1) from the scoring service's own facts.

Pure: plain rows in, the snapshot dict out (numbers as ``int``/``Decimal``, dates as ISO strings),
ready for the engine's ``rate_payload``.  No rating rule lives here: only which facts of which
period go into the snapshot (M§四6(5) 半年初评 / 年终总评 from the monthly scores, M§五(二)2).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from shared.contracts.rating import period_months
from shared.errors import ValidationFailed

RATED_POSITIONS = ("head", "leader", "chief", "officer")
LEAVE_KINDS = ("sick", "personal", "annual", "maternity", "other")


def period_bounds(period: str) -> tuple[date, date, tuple]:
    """``YYYY`` → 1 January..31 December, months 01..12; ``YYYYH1`` → 1 January..30 June, 01..06."""
    if len(period) not in (4, 6) or not period[:4].isdigit() or (len(period) == 6 and period[4:] != "H1"):
        raise ValidationFailed(f"not a period (YYYY or YYYYH1): {period!r}", "period")
    year = int(period[:4])
    end = date(year, 6, 30) if period.endswith("H1") else date(year, 12, 31)
    return date(year, 1, 1), end, period_months(f"{year:04d}{period[4:]}")


def survey_periods(period: str) -> tuple:
    """The satisfaction campaigns of a rating period (001 §一2 半年调查一次): ``YYYYH1`` for the
    half-year rating; both halves of the year, pooled, for the annual rating."""
    return (period,) if period.endswith("H1") else (f"{period}H1", f"{period}H2")


def units_under(scope: str, parents: dict) -> set:
    """The unit ``scope`` and every unit below it in the tree (``parents``: unit → parent)."""
    children: dict = {}
    for unit, parent in parents.items():
        children.setdefault(parent, []).append(unit)
    out, todo = set(), [scope]
    while todo:
        u = todo.pop()
        if u in out:
            continue
        out.add(u)
        todo.extend(children.get(u, ()))
    return out


def on_team_in_period(joined: date, left_on: date | None, start: date, end: date) -> bool:
    """A person is in the rating when they joined by the period's end and had not left before its
    start."""
    return joined <= end and (left_on is None or left_on >= start)


def exact_number(value):
    """A number as the snapshot's JSON text gives it back to the contract's validator: an int when
    whole, else the Decimal of the float's shortest repr (``Decimal('88.30')`` → ``Decimal('88.3')``).
    Exact for the 2-decimal scores of the tables."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else Decimal(repr(float(value)))
    return value


def section_period_score(monthly) -> Decimal | int | None:
    """A section's period score before bonuses: the mean of its monthly scores (M§四6(5)),
    rounded half-up to 2 decimals (the snapshot carries a number, not a fraction)."""
    values = list(monthly)
    if not values:
        return None
    return exact_number((sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"),
                                                                          ROUND_HALF_UP))


def clip_leave(start: date, end: date | None, p_start: date, p_end: date):
    """A leave spell as the snapshot needs it: inside the period (an open spell runs to its end)."""
    s, e = max(start, p_start), min(end or p_end, p_end)
    return None if e < s else (s, e)


def merge_spells(spells) -> list:
    """Overlapping spells of one kind merged (the snapshot refuses overlaps of one person)."""
    out: list = []
    for kind, s, e in sorted(spells, key=lambda x: (x[1], x[2])):
        if out and s <= out[-1][2]:
            k0, s0, e0 = out[-1]
            out[-1] = (k0, s0, max(e0, e))
        else:
            out.append((kind, s, e))
    return out


@dataclass
class PersonRow:
    id: str
    agency: str
    section: str | None
    position: str
    joined: date
    mentor: str | None = None
    left_on: date | None = None
    name: str | None = None


@dataclass
class Facts:
    """Everything recorded for the period, keyed by subject id."""
    monthly: dict = field(default_factory=dict)          # officer -> {month: Decimal}
    section_monthly: dict = field(default_factory=dict)  # section -> {month: Decimal}
    honours: dict = field(default_factory=dict)          # subject -> [(title, level)]
    leave: dict = field(default_factory=dict)            # person -> [(kind, start, end|None)]
    absence: dict = field(default_factory=dict)          # person -> days
    satisfaction: dict = field(default_factory=dict)     # subject -> (s, b, d)
    facts: dict = field(default_factory=dict)            # subject -> [kind]
    disqualified_last_year: set = field(default_factory=set)


def officer_entry(p: PersonRow, facts: Facts, start: date, end: date, months, officer_ids,
                  section_ids, month_set=None) -> dict:
    scores = facts.monthly.get(p.id, {})
    if scores.keys() <= (month_set or frozenset(months)) and list(scores) == sorted(scores):
        monthly = scores            # already months of the period in calendar order: as it is
    else:
        monthly = {m: scores[m] for m in months if m in scores}      # in calendar order
    o = {"id": p.id, "agency": p.agency, "joined": p.joined.isoformat(), "monthly": monthly}
    if p.section and p.section in section_ids and section_ids[p.section] == p.agency:
        o["section"] = p.section
    if p.mentor and p.mentor in officer_ids and p.mentor != p.id:
        o["mentor"] = p.mentor
    honours = facts.honours.get(p.id)
    if honours:
        o["honours"] = [{"title": t, "level": lv} for t, lv in honours]
    spells = [(k, *c) for k, s, e in facts.leave.get(p.id, ())
              if (c := clip_leave(s, e, start, end)) is not None]
    if spells:
        o["leave"] = [{"kind": k, "from": s.isoformat(), "to": e.isoformat()}
                      for k, s, e in merge_spells(spells)]
    if facts.absence.get(p.id):
        o["unexcused_absence_days"] = int(facts.absence[p.id])
    sat = facts.satisfaction.get(p.id)
    if sat is not None:
        o["satisfaction"] = {"satisfied": sat[0], "basic": sat[1], "dissatisfied": sat[2]}
    if facts.facts.get(p.id):
        o["facts"] = list(dict.fromkeys(facts.facts[p.id]))
    if p.id in facts.disqualified_last_year:
        o["disqualified_last_year"] = True
    return o


def assemble_snapshot(period: str, rating_date: date, people, sections, facts: Facts,
                      agencies=(), rules=None) -> tuple[dict, list]:
    """The snapshot of ``period`` for the given people and sections (already limited to the
    scope).  Returns ``(snapshot, skipped)``: sections without any monthly score cannot be rated
    (their snapshot ``score`` is required) and are listed in ``skipped`` with the reason."""
    start, end, months = period_bounds(period)
    people = [p for p in people if p.position in RATED_POSITIONS
              and on_team_in_period(p.joined, p.left_on, start, end)]
    skipped, section_list, section_ids = [], [], {}
    headcount: dict = {}
    for p in people:
        if p.section and (p.left_on is None or p.left_on > rating_date):
            headcount[p.section] = headcount.get(p.section, 0) + 1
    for sid, agency in sections:
        monthly = [v for m, v in facts.section_monthly.get(sid, {}).items() if m in months]
        score = section_period_score(monthly)
        if score is None:
            skipped.append({"id": sid, "reason": "no_monthly_scores"})
            continue
        s = {"id": sid, "agency": agency, "headcount": headcount.get(sid, 0), "score": score}
        if facts.honours.get(sid):
            s["honours"] = [{"title": t, "level": lv} for t, lv in facts.honours[sid]]
        sat = facts.satisfaction.get(sid)
        if sat is not None:
            s["satisfaction"] = {"satisfied": sat[0], "basic": sat[1], "dissatisfied": sat[2]}
        if facts.facts.get(sid):
            s["facts"] = list(dict.fromkeys(facts.facts[sid]))
        section_list.append(s)
        section_ids[sid] = agency
    officer_ids = {p.id for p in people}
    month_set = frozenset(months)       # in calendar order, which is their sorted order
    officers = [officer_entry(p, facts, start, end, months, officer_ids, section_ids, month_set)
                for p in people]
    snapshot = {"period": period, "rating_date": rating_date.isoformat(),
                "officers": officers, "sections": section_list, "agencies": list(agencies)}
    if rules:
        snapshot["rules"] = rules
    return snapshot, skipped


def json_number(value):
    """``json.dumps(..., default=json_number)``: a Decimal as int when whole, else float (exact
    for 2-decimal scores, which ``repr`` gives back unchanged)."""
    if isinstance(value, Decimal):
        f = float(value)
        if not f.is_integer() and value.is_finite():    # a whole Decimal gives an integral float
            return f
        return int(value) if value == value.to_integral_value() else f
    raise TypeError(f"not JSON: {type(value).__name__}")


def to_json(value):
    """The snapshot as plain JSON (Decimal → int when whole, else float: exact for 2-decimal
    scores, which ``repr`` gives back unchanged)."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
