"""From a published rating to ledger lines (SPEC §6, RATING.md §5, M§五(一)3, M§五(二)5).

:func:`settle` is pure: the same rating and schedules always give the same lines, in the order
officers, sections, agencies and, within one subject, RATING.md §5's order.  It is used both to
settle a rating and, by reconciliation, to recompute what a stored rating implies.

Settlement is made on annual ratings only: the half-year rating is an initial rating
(M§五(二)2: 半年初评, 年终总评) and RATING.md §5 gives it ``settlement: []``.
"""
from __future__ import annotations

from services.rewards.domain.lines import Line
from services.rewards.domain.schedule import Schedule, officer_bonus, section_bonus

#: ★ at or below which a rated subject gets a warning talk: SPEC §6 and RATING.md §5 read the
#: Method's "二星级以下" as "two stars or fewer".  The Method itself defines "以下不含本数" (M§五(一)2,
#: "下同"), which read literally would mean one star only; the suite keeps SPEC's reading so that
#: this ledger and the rating engine's own settlement agree (a change must be made in both).
TALK_AT_OR_BELOW = 2

STAR_REASONS = {5: "five_stars", 4: "four_stars", 3: "three_stars"}


def officer_reward_lines(o, info, ctx) -> list[Line]:
    """M§五(二)5(2)①: a five-star officer is named, gets a certificate, the unit's bonus and the
    basic eligibility for post awards, commendations, merits and promotion.  An adapted schedule
    or the rating's rule pack that pays three or four stars (within the guardrail) adds their
    bonus here too."""
    stars = o["stars"] if o["status"] == "rated" else None
    amount, basis = officer_bonus(ctx.schedule_for(info["paying_unit"]), stars,
                                  ctx.announced(o["id"], "bonus"))
    lines = []
    if amount is not None:
        lines.append(ctx.line(o["id"], "officer", "bonus", STAR_REASONS[stars], "M§五(二)5(2)①",
                              amount=amount, paying_unit=info["paying_unit"], basis=basis))
    if stars == 5:
        for kind in ("certificate", "eligibility"):
            lines.append(ctx.line(o["id"], "officer", kind, "five_stars", "M§五(二)5(2)①",
                                  paying_unit=info["paying_unit"]))
    return lines


def officer_warning_talk(o, info, ctx) -> list[Line]:
    """M§五(二)5(2)②: an officer rated two stars or fewer gets a warning talk."""
    if o["status"] == "rated" and o["stars"] <= TALK_AT_OR_BELOW:
        return [ctx.line(o["id"], "officer", "warning_talk", "two_stars_or_fewer", "M§五(二)5(2)②",
                         paying_unit=info["paying_unit"])]
    return []


def officer_dismissal(o, info, ctx) -> list[Line]:
    """M§五(二)5(2)③: disqualified two years running → dismissal (公务员法第83条).  Only on the
    second consecutive year: this annual rating disqualifies and so did last year's."""
    if o["status"] == "disqualified" and o["id"] in ctx.disqualified_last_year:
        return [ctx.line(o["id"], "officer", "dismissal", "disqualified_two_years",
                         "M§五(二)5(2)③ 公务员法第83条", paying_unit=info["paying_unit"])]
    return []


def section_reward_lines(s, info, ctx) -> list[Line]:
    """M§五(二)5(1)①: a five-star section gets a plaque from its agency and 300 yuan per head; its
    head gains the basic eligibility for awards and promotion."""
    stars = s["stars"] if s["status"] == "rated" else None
    amount, basis = section_bonus(ctx.schedule_for(info["paying_unit"]), stars, info["headcount"],
                                  ctx.announced(s["id"], "bonus"))
    lines = []
    if stars == 5:
        lines.append(ctx.line(s["id"], "section", "plaque", "five_stars", "M§五(二)5(1)①",
                              paying_unit=info["paying_unit"]))
    if amount is not None:
        lines.append(ctx.line(s["id"], "section", "bonus", STAR_REASONS[stars], "M§五(二)5(1)①",
                              amount=amount, paying_unit=info["paying_unit"], basis=basis))
    if stars == 5:
        lines.append(ctx.line(s["id"], "section", "eligibility", "five_stars", "M§五(二)5(1)①",
                              paying_unit=info["paying_unit"]))
    return lines


def section_low_stars(s, info, ctx) -> list[Line]:
    """M§五(二)5(1)②: a section of two stars or fewer: warning talk with its head, and the section
    is listed for rectification (挂牌整改)."""
    if s["status"] == "rated" and s["stars"] <= TALK_AT_OR_BELOW:
        return [ctx.line(s["id"], "section", kind, "two_stars_or_fewer", "M§五(二)5(1)②",
                         paying_unit=info["paying_unit"])
                for kind in ("warning_talk", "rectification")]
    return []


def section_disqualified(s, info, ctx) -> list[Line]:
    """M§五(二)5(1)③: a disqualified section: admonishment talk (诫勉谈话) with its head."""
    if s["status"] == "disqualified":
        return [ctx.line(s["id"], "section", "admonishment_talk", "disqualified", "M§五(二)5(1)③",
                         paying_unit=info["paying_unit"])]
    return []


def agency_advanced(a, info, ctx) -> list[Line]:
    """M§五(一)3(1): an advanced unit is commended and publicly given a plaque."""
    if a["advanced"]:
        return [ctx.line(a["id"], "agency", kind, "advanced", "M§五(一)3(1)",
                         paying_unit=info["paying_unit"]) for kind in ("commendation", "plaque")]
    return []


def agency_veto_warning(a, info, ctx) -> list[Line]:
    """M§五(一)3(2): under 80 or last place → veto warning: the head loses this year's awards,
    five-star and promotion eligibility."""
    if a["veto_warning"]:
        return [ctx.line(a["id"], "agency", "eligibility_revoked", "veto_warning", "M§五(一)3(2)",
                         paying_unit=info["paying_unit"])]
    return []


def agency_veto(a, info, ctx) -> list[Line]:
    """M§五(一)3(2): class 3 two years running → veto: the head and the responsible leader removed."""
    if a["veto"]:
        return [ctx.line(a["id"], "agency", "removal", "veto", "M§五(一)3(2)",
                         paying_unit=info["paying_unit"])]
    return []


OFFICER_RULES = (officer_reward_lines, officer_warning_talk, officer_dismissal)
SECTION_RULES = (section_reward_lines, section_low_stars, section_disqualified)
AGENCY_RULES = (agency_advanced, agency_veto_warning, agency_veto)


class _Context:
    def __init__(self, rating: dict, schedules: dict):
        self.rating = rating
        self.schedules = schedules
        self.disqualified_last_year = set(rating.get("disqualified_last_year") or ())
        self._announced = {(line["subject"], line["kind"]): line.get("amount")
                           for line in rating["result"].get("settlement") or ()}
        self.effective = str(rating["rating_date"])

    def schedule_for(self, agency: str) -> Schedule | None:
        return self.schedules.get(agency)

    def announced(self, subject: str, kind: str):
        return self._announced.get((subject, kind))

    def line(self, subject, subject_type, kind, reason, rule, **extra) -> Line:
        return Line(source=self.rating["rating_id"], period=self.rating["period"], subject=subject,
                    subject_type=subject_type, kind=kind, reason=reason, rule=rule,
                    effective=self.effective, **extra)


def settle(rating: dict, schedules: dict | None = None) -> list[Line]:
    """All ledger lines a validated rating implies.  ``schedules`` maps an agency id to its adapted
    :class:`Schedule` for the rating's period (agencies without one use the city's defaults)."""
    if rating["kind"] != "annual":
        return []
    ctx = _Context(rating, schedules or {})
    subjects = rating.get("subjects") or {}
    result = rating["result"]
    lines: list[Line] = []
    for group, rules in (("officers", OFFICER_RULES), ("sections", SECTION_RULES),
                         ("agencies", AGENCY_RULES)):
        for item in result[group]:
            info = subjects.get(item["id"]) or {"paying_unit": item["id"], "headcount": None}
            for rule in rules:
                lines.extend(rule(item, info, ctx))
    return lines


def disagreements(lines: list[Line], rating: dict) -> list[dict]:
    """(subject, kind) pairs on which the rating's own ``settlement`` and these lines disagree —
    a check of the two services' readings, reported, never silently resolved.  Bonus lines that
    an agency's adapted schedule (registered with rewards) adds at three or four stars are not
    disagreements; those a rule pack announced in the rating agree with it."""
    ours = {(line.subject, line.kind) for line in lines
            if not (line.kind == "bonus" and line.reason in ("three_stars", "four_stars")
                    and line.basis != "rating_rules")}
    theirs = {(line["subject"], line["kind"]) for line in rating["result"].get("settlement") or ()}
    if rating["kind"] != "annual":
        theirs = set()
    out = [{"subject": s, "kind": k, "in": "rewards only"} for s, k in sorted(ours - theirs)]
    out += [{"subject": s, "kind": k, "in": "rating only"} for s, k in sorted(theirs - ours)]
    return out
