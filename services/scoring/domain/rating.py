"""The rating engine: ``rate(snapshot) -> RatingResult`` (RATING.md §2–§5).

Pure Python: no nameko, no database.  Each rule is a small named function whose docstring carries
the Method's mark.  Arithmetic is exact (``Fraction`` for scores, inputs are ``int``/``Decimal``);
rounding happens only when the result is turned into JSON (:meth:`RatingResult.to_dict`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from numbers import Rational

from shared.dates import add_years
from services.scoring.domain.defaults import (AWARD_GROUP_MARKS, AWARD_KINDS, CITY, OFFICER_FACTS,
                                              SECTION_FACTS, CityDefaults)
from services.scoring.domain.snapshot import (Agency, Officer, Period, Rules, Section,
                                              Satisfaction, Snapshot)

# marks of the Method
M_OFFICER_HONOURS = "M§五(二)1(2)①"
M_OFFICER_DISQUALIFIED = "M§五(二)1(2)③"
M_MENTOR_LINK = "M§五(二)1(2)④"
M_NOT_RATED = "M§五(二)1(2)⑤"
M_MONTHLY = "M§五(二)2"
M_SECTION_HONOURS = "M§五(二)1(1)①"
M_SECTION_DISQUALIFIED = "M§五(二)1(1)③"
M_CRITICISM = "M§五(一)1④"
M_FLOOR = "M§五(一)1⑤"
M_CLASS = "M§五(一)2"
M_VETO = "M§五(一)3(2)"
R_QUOTA = "rules.five_star_quota"

RATED, DISQUALIFIED, NOT_RATED = "rated", "disqualified", "not_rated"
_ZERO = Fraction(0)


# ---------------------------------------------------------------------------------------------
# explanation and result types


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of an explanation: the rule (a Method mark or an adapting key), points moved."""

    rule: str
    points: Fraction | Decimal | int | None
    text: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "points": None if self.points is None else round2(self.points),
                "text": self.text}


@dataclass(slots=True)
class SubjectResult:
    id: str
    status: str
    score: Fraction | None
    stars: int | None
    reasons: list
    explanation: list

    def to_dict(self) -> dict:
        return {"id": self.id, "status": self.status,
                "score": None if self.score is None else round2(self.score),
                "stars": self.stars if self.status == RATED else None,
                "reasons": list(self.reasons),
                "explanation": [e.to_dict() for e in self.explanation]}


@dataclass(slots=True)
class AgencyResult:
    id: str
    group: str
    score: Fraction
    klass: int
    rank: int = 0
    advanced: bool = False
    veto_warning: bool = False
    veto: bool = False
    explanation: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "score": round2(self.score), "class": self.klass, "rank": self.rank,
                "advanced": self.advanced, "veto_warning": self.veto_warning, "veto": self.veto,
                "explanation": [e.to_dict() for e in self.explanation]}


@dataclass(frozen=True, slots=True)
class SettlementLine:
    subject: str
    kind: str
    reason: str
    amount: Decimal | int | None = None

    def to_dict(self) -> dict:
        out = {"subject": self.subject, "kind": self.kind}
        if self.amount is not None:
            out["amount"] = money(self.amount)
        out["reason"] = self.reason
        return out


@dataclass
class RatingResult:
    officers: list
    sections: list
    agencies: list
    settlement: list

    def to_dict(self) -> dict:
        return {"officers": [r.to_dict() for r in self.officers],
                "sections": [r.to_dict() for r in self.sections],
                "agencies": [r.to_dict() for r in self.agencies],
                "settlement": [s.to_dict() for s in self.settlement]}


def round2(value) -> float:
    """Round half-up (away from zero on .5) to 2 decimals, exactly, for output (RATING.md §2)."""
    try:
        num, d = value.as_integer_ratio()    # int, Fraction, Decimal, float: exact, d > 0
    except AttributeError:
        num, d = Fraction(value).as_integer_ratio()
    n = abs(num) * 100
    q = (2 * n + d) // (2 * d)
    return (q if num >= 0 else -q) / 100


def money(value):
    """Amounts as integers when whole (RATING.md §5 design note), else rounded to 2 decimals."""
    x = Fraction(value)
    return int(x) if x.denominator == 1 else round2(x)


# ---------------------------------------------------------------------------------------------
# shared rules


def honours_bonus(honours, mark: str, city: CityDefaults = CITY) -> tuple[Fraction, list]:
    """Honours bonus, M§五(二)1(2)① (officers) and M§五(二)1(1)① (sections).

    Provincial +1, central +1.5, city 0; several honours with the same title count once, at their
    highest level (同一荣誉称号只认定最高级别); the bonus is capped at 5 (累计奖分不超过5分).
    Returns the bonus and one explanation entry per counted title (plus one for the cap)."""
    if not honours:
        return _ZERO, []
    best: dict = {}
    for h in honours:
        pts = city.honour_points[h.level]
        if h.title not in best or pts > best[h.title][1]:
            best[h.title] = (h.level, pts)
    entries, total = [], Decimal(0)
    for title, (level, pts) in best.items():
        total += pts
        entries.append(Entry(mark, pts if pts else None, f"honour {title} ({level}) +{pts}"))
    if total > city.honour_cap:
        entries.append(Entry(mark, city.honour_cap - total,
                             f"honours bonus capped at {city.honour_cap}"))
        total = city.honour_cap
    return Fraction(total), entries


def period_mean(monthly: dict) -> Fraction | None:
    """Period score before bonuses: the mean of the monthly scores present, M§四6(5), SPEC §3.2.

    Exact (a Fraction): twelve months summing to 1140 average exactly 95.  None without scores."""
    if not monthly:
        return None
    num, den = sum(monthly.values()).as_integer_ratio()
    return Fraction(num, den * len(monthly))


def satisfaction_rate(sat: Satisfaction | None) -> Fraction | None:
    """(satisfied + basic) / answered, 001 §一 and SPEC §4; None when nothing was answered."""
    if sat is None:
        return None
    answered = sat.satisfied + sat.basic + sat.dissatisfied
    if answered == 0:
        return None
    return Fraction(sat.satisfied + sat.basic, answered)


def is_low_satisfaction(sat: Satisfaction | None, city: CityDefaults = CITY) -> bool:
    """满意率与基本满意率低于60%, M§五(二)1(2)③ and M§五(二)1(1)③: below 0.60, exactly 60% passes;
    only when at least one answer exists."""
    if sat is None:
        return False
    answered = sat.satisfied + sat.basic + sat.dissatisfied
    floor = city.satisfaction_floor
    # exact: (satisfied + basic) / answered < floor, in integers
    return answered > 0 and (sat.satisfied + sat.basic) * floor.denominator < \
        floor.numerator * answered


def stars_by_cutoffs(score: Fraction, rules: Rules) -> int:
    """Stars by the cut-offs, M§四6(5) (按相关星级考评标准), defaults SPEC §3.2: ≥95 ★5, ≥90 ★4,
    ≥80 ★3, ≥70 ★2, else ★1; compared on the exact, unrounded score (or ``rules.cutoffs``)."""
    num, den = score.as_integer_ratio()
    for stars, cut_num, cut_den in rules.cutoff_ratios:
        if num * cut_den >= cut_num * den:       # score >= cut, exactly
            return stars
    return 1


# ---------------------------------------------------------------------------------------------
# officers, M§五(二)1(2)


def has_three_months_below_60(monthly: dict, city: CityDefaults = CITY) -> bool:
    """年内累计三个月月考评低于60分, M§五(二)1(2)③: three or more monthly scores below 60."""
    low = city.low_month_score
    if city.low_months > 0 and (not monthly or min(monthly.values()) >= low):
        return False        # none below (the common case, found in C): fewer than low_months
    return sum(1 for v in monthly.values() if v < low) >= city.low_months


def has_absence(days: int, city: CityDefaults = CITY) -> bool:
    """年内累计无故旷工5天以上, M§五(二)1(2)③: 5 or more days (以上含本数)."""
    return days >= city.absence_days


def officer_fact_reasons(facts) -> list:
    """The officer facts of M§五(二)1(2)③ (mass incident, illegal organisation, protective umbrella,
    secret leak, disciplinary sanction, other mechanisms): each disqualifies, reason = its name,
    in input order, each once."""
    out = []
    if not facts:
        return out
    for f in facts:
        if f in OFFICER_FACTS and f not in out:
            out.append(f)
    return out


def officer_disqualification_reasons(o: Officer, city: CityDefaults = CITY) -> list:
    """取消评星资格, M§五(二)1(2)③: all codes that apply, in RATING.md §2.1 order."""
    reasons = []
    if is_low_satisfaction(o.satisfaction, city):
        reasons.append("low_satisfaction")
    if has_three_months_below_60(o.monthly, city):
        reasons.append("three_months_below_60")
    if has_absence(o.unexcused_absence_days, city):
        reasons.append("absence")
    reasons.extend(officer_fact_reasons(o.facts))
    return reasons


def joined_less_than_a_year(joined: date, rating_date: date, city: CityDefaults = CITY) -> bool:
    """新进政法机关工作不满一年, M§五(二)1(2)⑤: joined + one year is after the rating date
    (exactly one year is rated; 29 February + one year = 28 February)."""
    return add_years(joined, city.service_years) > rating_date


def leave_days_in_period(leave, period: Period, kinds) -> int:
    """Calendar days of leave of the given kinds, both ends included, only inside the period."""
    if not leave:
        return 0
    first, last = period.first_day, period.last_day
    total = 0
    for spell in leave:
        if spell.kind not in kinds:
            continue
        start, end = max(spell.start, first), min(spell.end, last)
        if end >= start:
            total += (end - start).days + 1
    return total


def has_long_leave(leave, period: Period, city: CityDefaults = CITY) -> bool:
    """因病因事请假超过三个月, M§五(二)1(2)⑤: sick and personal leave more than 90 days in total
    (default reading of 三个月, SPEC §3.2), clipped to the period."""
    return leave_days_in_period(leave, period, city.long_leave_kinds) > city.long_leave_days


def officer_not_rated_reasons(o: Officer, period: Period, rating_date: date,
                              city: CityDefaults = CITY) -> list:
    """不参加评星, M§五(二)1(2)⑤ (and no monthly score at all, M§五(二)2), in RATING.md order."""
    reasons = []
    if joined_less_than_a_year(o.joined, rating_date, city):
        reasons.append("joined_less_than_a_year")
    if has_long_leave(o.leave, period, city):
        reasons.append("long_leave")
    if not o.monthly:
        reasons.append("no_monthly_scores")
    return reasons


def mentors_of_disqualified(officers, results) -> set:
    """The mentors (联带人) of every disqualified officer, M§五(二)1(2)④."""
    return {o.mentor for o, r in zip(officers, results)
            if r.status == DISQUALIFIED and o.mentor is not None}


def apply_mentor_link(officers, results) -> None:
    """被取消评星资格的干警,其联带人不得评为五星级政法干警, M§五(二)1(2)④: a rated ★5 mentor of a
    disqualified officer becomes ★4 (``mentee_disqualified``); one level only."""
    mentors = mentors_of_disqualified(officers, results)
    if not mentors:
        return
    for r in results:
        if r.id in mentors and r.status == RATED and r.stars == 5:
            r.stars = 4
            r.reasons.append("mentee_disqualified")
            r.explanation.append(Entry(M_MENTOR_LINK, None,
                                       "a mentee is disqualified: ★5 becomes ★4"))


def quota_size(quota: Decimal, rated: int) -> int:
    """floor(quota × rated officers of the agency), SPEC §3.2 (an agency may cap five stars)."""
    return math.floor(Fraction(quota) * rated)


def quota_order_key(officer: Officer, result: SubjectResult):
    """Quota ranking: higher exact score, then higher satisfaction rate (none counts as 0), then
    id lowest first by code point, SPEC §3.2 (ranking ties break on the satisfaction rate)."""
    rate = satisfaction_rate(officer.satisfaction) or Fraction(0)
    return (-result.score, -rate, officer.id)


def apply_five_star_quota(officers, results, quota: Decimal | None) -> None:
    """Five-star quota (``rules.five_star_quota``, SPEC §3.2), after the mentor link: in each agency
    at most floor(quota × rated) keep ★5; the others become ★4 (reason ``quota``)."""
    if quota is None:
        return
    rated: dict = {}
    fives: dict = {}
    for o, r in zip(officers, results):
        if r.status == RATED:
            rated[o.agency] = rated.get(o.agency, 0) + 1
            if r.stars == 5:
                fives.setdefault(o.agency, []).append((o, r))
    for agency, group in fives.items():
        keep = quota_size(quota, rated[agency])
        group.sort(key=lambda pair: quota_order_key(*pair))
        for _, r in group[keep:]:
            r.stars = 4
            r.reasons.append("quota")
            r.explanation.append(Entry(R_QUOTA, None,
                                       f"five-star quota {quota}: {keep} of {rated[agency]} rated "
                                       f"in {agency} keep ★5; ★5 becomes ★4"))


# ---------------------------------------------------------------------------------------------
# sections, M§五(二)1(1)


def section_disqualification_reasons(s: Section, city: CityDefaults = CITY) -> list:
    """取消评星资格 of a section, M§五(二)1(1)③: satisfaction below 60% (``low_satisfaction``); an
    officer held criminally liable, a mass incident, last in the annual ranking, a failed
    inspection, other mechanisms (the fact's name)."""
    reasons = ["low_satisfaction"] if is_low_satisfaction(s.satisfaction, city) else []
    for f in s.facts:
        if f in SECTION_FACTS and f not in reasons:
            reasons.append(f)
    return reasons


# ---------------------------------------------------------------------------------------------
# agencies, M§五(一)


def award_group_points(awards, city: CityDefaults = CITY) -> dict:
    """Raw (uncapped) points per award group, M§五(一)1①②③: A unit commended central +1 provincial
    +0.5, individual commended +0.5/+0.3; B experience promoted central +5 provincial +3 city +2;
    C article adopted +0.3 each, inspection hosted +2."""
    raw = {"A": Decimal(0), "B": Decimal(0), "C": Decimal(0)}
    for a in awards:
        group, pts = AWARD_KINDS[a.kind]
        raw[group] += pts[a.level] if group in ("A", "B") else pts
    return raw


def capped_award_entries(raw: dict, city: CityDefaults = CITY) -> tuple[Decimal, list]:
    """Caps per group, M§五(一)1①②③: A 3 (此项累计奖分不超过3分), B 5, C 3.  One entry per group
    that scored, and one (negative) per cap applied."""
    total, entries = Decimal(0), []
    for group in ("A", "B", "C"):
        pts = raw[group]
        if pts <= 0:
            continue
        mark = AWARD_GROUP_MARKS[group]
        entries.append(Entry(mark, pts, f"group {group} awards +{pts}"))
        cap = city.award_group_caps[group]
        if pts > cap:
            entries.append(Entry(mark, cap - pts, f"group {group} capped at {cap}"))
            pts = cap
        total += pts
    return total, entries


def criticism_deduction(criticisms: int, city: CityDefaults = CITY) -> Decimal:
    """通报批评的,每起扣1分, M§五(一)1④."""
    return city.criticism_points * criticisms


def floor_at_zero(score: Fraction, city: CityDefaults = CITY) -> Fraction:
    """不扣负分, M§五(一)1⑤: an agency's score never goes below 0."""
    return max(score, Fraction(city.agency_floor))


def agency_class(score: Fraction, city: CityDefaults = CITY) -> int:
    """M§五(一)2: 90分以上为一类, 80分—90分为二类, 80分以下为三类 (a boundary is the higher class)."""
    for klass, cut in city.class_cutoffs:
        if score >= cut:
            return klass
    return 3


def competition_ranks(scores) -> list:
    """Rank by score, highest first; equal scores share a rank (1, 2, 2, 4), M§五(一)2 (排名)."""
    order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)
    ranks = [0] * len(scores)
    for pos, i in enumerate(order):
        if pos and scores[i] == scores[order[pos - 1]]:
            ranks[i] = ranks[order[pos - 1]]
        else:
            ranks[i] = pos + 1
    return ranks


def is_last_place(rank: int, group_ranks) -> bool:
    """列末位, M§五(一)3(2): the lowest rank of a group of two or more, unless the whole group
    shares it (then nobody is last); every agency sharing the last rank is last."""
    if len(group_ranks) < 2:
        return False
    lowest = max(group_ranks)
    if all(r == lowest for r in group_ranks):
        return False
    return rank == lowest


def is_veto_warning(score: Fraction, last_place: bool, city: CityDefaults = CITY) -> bool:
    """一票否决预告, M§五(一)3(2): 80分以下 (below 80) or 列末位 (last place)."""
    return score < city.veto_warning_below or last_place


def is_advanced(klass: int, rank: int, group: str, veto_warning: bool,
                city: CityDefaults = CITY) -> bool:
    """先进单位, M§五(一)2: from class 1 only, the top 4 counties / top 3 city units (ties at the cut
    rank all advance), and not under a veto warning (M§五(一)3(2))."""
    return klass == 1 and rank <= city.advanced_top[group] and not veto_warning


def is_veto(klass: int, previous_class: int | None) -> bool:
    """一票否决, M§五(一)3(2): 连续两年被评为三类 — class 3 this year and last year."""
    return klass == 3 and previous_class == 3


# ---------------------------------------------------------------------------------------------
# settlement, M§五(二)5 and M§五(一)3


def officer_settlement(r: SubjectResult, o: Officer, rules: Rules) -> list:
    """M§五(二)5(2): ★5: bonus 1000, certificate, eligibility (①); ★1–★2: warning talk (②);
    disqualified two years running: dismissal, Civil Servant Law art. 83 (③)."""
    lines = []
    if r.status == RATED and r.stars == 5:
        lines += [SettlementLine(r.id, "bonus", "five_stars", rules.amounts["officer_five_star"]),
                  SettlementLine(r.id, "certificate", "five_stars"),
                  SettlementLine(r.id, "eligibility", "five_stars")]
    elif r.status == RATED and r.stars <= rules.city.warning_talk_max_stars:
        lines.append(SettlementLine(r.id, "warning_talk", "two_stars_or_fewer"))
    elif r.status == DISQUALIFIED and o.disqualified_last_year:
        lines.append(SettlementLine(r.id, "dismissal", "disqualified_two_years"))
    return lines


def section_settlement(r: SubjectResult, s: Section, rules: Rules) -> list:
    """M§五(二)5(1): ★5: plaque, 300 yuan × headcount, eligibility of its head (①); ★1–★2: warning
    talk and rectification (②); disqualified: admonishment talk (诫勉谈话) with its head (③)."""
    if r.status == RATED and r.stars == 5:
        return [SettlementLine(r.id, "plaque", "five_stars"),
                SettlementLine(r.id, "bonus", "five_stars",
                               rules.amounts["section_five_star_per_head"] * s.headcount),
                SettlementLine(r.id, "eligibility", "five_stars")]
    if r.status == RATED and r.stars <= rules.city.warning_talk_max_stars:
        return [SettlementLine(r.id, "warning_talk", "two_stars_or_fewer"),
                SettlementLine(r.id, "rectification", "two_stars_or_fewer")]
    if r.status == DISQUALIFIED:
        return [SettlementLine(r.id, "admonishment_talk", "disqualified")]
    return []


def agency_settlement(r: AgencyResult) -> list:
    """M§五(一)3: advanced: commendation and plaque ((1)); veto warning: the head's eligibility
    revoked; veto: removal ((2))."""
    lines = []
    if r.advanced:
        lines += [SettlementLine(r.id, "commendation", "advanced"),
                  SettlementLine(r.id, "plaque", "advanced")]
    if r.veto_warning:
        lines.append(SettlementLine(r.id, "eligibility_revoked", "veto_warning"))
    if r.veto:
        lines.append(SettlementLine(r.id, "removal", "veto"))
    return lines


def settlement_applies(period: Period) -> bool:
    """Settlement on the annual final rating only (年终总评, M§四6(5)-(6)); H1 gives none."""
    return period.annual


# ---------------------------------------------------------------------------------------------
# extensions (the seam of the plug-in interface, DESIGN.md §3)


@dataclass(frozen=True)
class Proposal:
    """What an extension may contribute for one subject.

    ``points``: ``(rule, points, text)`` with ``points`` an int or Decimal (never float);
    ``disqualify``: ``(code, rule, text)`` (officers and sections only);
    ``settlement``: ``(kind, reason, amount-or-None)``."""

    points: tuple = ()
    disqualify: tuple = ()
    settlement: tuple = ()


def _exact(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, (int, Rational))


def check_proposal(p, kind: str) -> Proposal:
    """Reject junk from an extension (wrong types, floats, non-finite, agency disqualification)."""
    if p is None:
        return Proposal()
    if not isinstance(p, Proposal):
        raise TypeError(f"returned {type(p).__name__}, not a Proposal")
    for item in p.points:
        rule, pts, text = item
        if not (isinstance(rule, str) and rule and isinstance(text, str) and _exact(pts)):
            raise TypeError(f"bad points entry {item!r}")
    for item in p.disqualify:
        code, rule, text = item
        if kind == "agency":
            raise TypeError("agencies cannot be disqualified")
        if not all(isinstance(x, str) and x for x in (code, rule)) or not isinstance(text, str):
            raise TypeError(f"bad disqualification {item!r}")
    for item in p.settlement:
        skind, reason, amount = item
        if not (isinstance(skind, str) and skind and isinstance(reason, str) and reason):
            raise TypeError(f"bad settlement line {item!r}")
        if amount is not None and (not _exact(amount) or amount < 0):
            raise TypeError(f"bad settlement amount {amount!r}")
    return p


def gather_proposals(extensions, kind: str, subject, snapshot) -> tuple[list, list]:
    """Ask every extension about one subject; a failing one is reported and skipped for it."""
    proposals, failures = [], []
    for ext in extensions:
        name = getattr(ext, "name", type(ext).__name__)
        try:
            proposals.append((name, check_proposal(ext.propose(kind, subject, snapshot), kind)))
        except Exception as exc:  # noqa: BLE001 — a plug-in must never break the rating
            failures.append(Entry(f"extension:{name}", None,
                                  f"extension {name} failed ({type(exc).__name__}: {exc}); "
                                  f"skipped for this subject"))
    return proposals, failures


# ---------------------------------------------------------------------------------------------
# the engine


def _status_entries(mark: str, prefix: str, codes) -> list:
    return [Entry(mark, None, f"{prefix}: {c}") for c in codes]


def rate_officer(o: Officer, snap: Snapshot, proposals=(), failures=()) -> SubjectResult:
    """M§五(二)1(2): score, disqualification, not rated, stars (before mentor link and quota)."""
    rules, city = snap.rules, snap.rules.city
    explanation = list(failures)
    score = period_mean(o.monthly)
    if score is not None:
        if o.honours:
            bonus, entries = honours_bonus(o.honours, M_OFFICER_HONOURS, city)
            score += bonus
            explanation.extend(entries)
        score = _proposed_points(score, explanation, proposals)
    disqualified = _disqualified(o.id, score, explanation, officer_disqualification_reasons(o, city),
                                 M_OFFICER_DISQUALIFIED, proposals)
    if disqualified is not None:
        return disqualified
    nr = officer_not_rated_reasons(o, snap.period, snap.rating_date, city)
    if nr:
        entries = [Entry(M_MONTHLY if c == "no_monthly_scores" else M_NOT_RATED, None,
                         f"not rated: {c}") for c in nr]
        return SubjectResult(o.id, NOT_RATED, score, None, nr, explanation + entries)
    stars = stars_by_cutoffs(score, rules)
    explanation.append(rules.stars_entries[stars])
    return SubjectResult(o.id, RATED, score, stars, [], explanation)


def _proposed_points(score, explanation: list, proposals) -> Fraction:
    """``score`` plus the points the adaptations propose (plug-ins, packs), each explained."""
    for _name, p in proposals:
        for rule, pts, text in p.points:
            score += Fraction(pts)
            explanation.append(Entry(rule, pts, text))
    return score


def _disqualified(subject_id, score, explanation: list, dq: list, rule_ref, proposals):
    """The subject's result when it is disqualified (the city's reasons ``dq`` and those the
    adaptations propose, each once and explained); None when it is not."""
    if not dq and not proposals:
        return None
    dq_entries = _status_entries(rule_ref, "disqualified", dq)
    for _name, p in proposals:
        for code, rule, text in p.disqualify:
            if code not in dq:
                dq.append(code)
                dq_entries.append(Entry(rule, None, text or f"disqualified: {code}"))
    if not dq:
        return None
    return SubjectResult(subject_id, DISQUALIFIED, score, None, dq, explanation + dq_entries)


def rate_section(s: Section, snap: Snapshot, proposals=(), failures=()) -> SubjectResult:
    """M§五(二)1(1): score + honours, disqualification, stars by the same cut-offs."""
    rules, city = snap.rules, snap.rules.city
    bonus, entries = honours_bonus(s.honours, M_SECTION_HONOURS, city)
    score = Fraction(s.score) + bonus
    explanation = list(failures) + entries
    score = _proposed_points(score, explanation, proposals)
    disqualified = _disqualified(s.id, score, explanation, section_disqualification_reasons(s, city),
                                 M_SECTION_DISQUALIFIED, proposals)
    if disqualified is not None:
        return disqualified
    stars = stars_by_cutoffs(score, rules)
    explanation.append(Entry(rules.cutoffs_rule, None, f"{stars} stars by the cut-offs"))
    return SubjectResult(s.id, RATED, score, stars, [], explanation)


def score_agency(a: Agency, city: CityDefaults = CITY, proposals=(), failures=()) -> AgencyResult:
    """M§五(一)1-2: score = standards + capped award groups − criticisms, floor 0; class."""
    explanation = list(failures)
    awards, entries = capped_award_entries(award_group_points(a.awards, city), city)
    explanation.extend(entries)
    score = Fraction(a.score) + Fraction(awards)
    if a.criticisms:
        cut = criticism_deduction(a.criticisms, city)
        score -= Fraction(cut)
        explanation.append(Entry(M_CRITICISM, -cut, f"{a.criticisms} criticism(s), -1 each"))
    for _name, p in proposals:
        for rule, pts, text in p.points:
            score += Fraction(pts)
            explanation.append(Entry(rule, pts, text))
    floored = floor_at_zero(score, city)
    if floored != score:
        explanation.append(Entry(M_FLOOR, floored - score, "never below 0 (不扣负分)"))
    klass = agency_class(floored, city)
    explanation.append(Entry(M_CLASS, None, f"class {klass}"))
    return AgencyResult(a.id, a.group, floored, klass, explanation=explanation)


def rank_agencies(agencies, results, city: CityDefaults = CITY) -> None:
    """M§五(一)2-3: rank within the group, veto warning, advanced, veto — in place."""
    groups: dict = {}
    for i, r in enumerate(results):
        groups.setdefault(r.group, []).append(i)
    for group, idx in groups.items():
        ranks = competition_ranks([results[i].score for i in idx])
        for i, rank in zip(idx, ranks):
            results[i].rank = rank
        for i in idx:
            r, a = results[i], agencies[i]
            last = is_last_place(r.rank, ranks)
            below = r.score < city.veto_warning_below
            r.veto_warning = is_veto_warning(r.score, last, city)
            r.advanced = is_advanced(r.klass, r.rank, group, r.veto_warning, city)
            r.veto = is_veto(r.klass, a.previous_class)
            if r.advanced:
                r.explanation.append(Entry(M_CLASS, None,
                                           f"advanced: class 1, rank {r.rank} of {group}"))
            if r.veto_warning:
                why = " and ".join(w for w, on in (("below 80", below), ("last place", last)) if on)
                r.explanation.append(Entry(M_VETO, None, f"veto warning: {why}"))
            if r.veto:
                r.explanation.append(Entry(M_VETO, None, "veto: class 3 two years running"))


def rate(snapshot: Snapshot, *, extensions=None) -> RatingResult:
    """Rate a snapshot: RATING.md §2 (officers, sections, agencies) and §5 (settlement).

    ``extensions``: objects with ``name`` and ``propose(kind, subject, snapshot) -> Proposal``
    (kind ``officer`` | ``section`` | ``agency``); see :class:`Proposal`."""
    exts = list(extensions or ())
    city = snapshot.rules.city
    annual = settlement_applies(snapshot.period)
    extra: dict = {}

    def ask(kind, subject):
        if not exts:
            return (), ()
        proposals, failures = gather_proposals(exts, kind, subject, snapshot)
        if annual:
            extra[(kind, subject.id)] = [SettlementLine(subject.id, k, reason, amount)
                                         for _n, p in proposals for k, reason, amount in p.settlement]
        return proposals, failures

    officers = snapshot.officers
    o_results = [rate_officer(o, snapshot, *ask("officer", o)) for o in officers]
    apply_mentor_link(officers, o_results)
    apply_five_star_quota(officers, o_results, snapshot.rules.five_star_quota)

    s_results = [rate_section(s, snapshot, *ask("section", s)) for s in snapshot.sections]

    a_results = [score_agency(a, city, *ask("agency", a)) for a in snapshot.agencies]
    rank_agencies(snapshot.agencies, a_results, city)

    settlement: list = []
    if annual:
        for o, r in zip(officers, o_results):
            settlement += officer_settlement(r, o, snapshot.rules)
            settlement += extra.get(("officer", o.id), ())
        for s, r in zip(snapshot.sections, s_results):
            settlement += section_settlement(r, s, snapshot.rules)
            settlement += extra.get(("section", s.id), ())
        for a, r in zip(snapshot.agencies, a_results):
            settlement += agency_settlement(r)
            settlement += extra.get(("agency", a.id), ())
    return RatingResult(o_results, s_results, a_results, settlement)
