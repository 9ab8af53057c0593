"""Rule packs and plug-ins as rating extensions: an agency's adaptation (对接, 000 §二2; DESIGN §3).

Pure Python (no nameko, no SQLAlchemy).

* The pack language: :class:`shared.contracts.packs.PackSchema` (structure) + :func:`violations`
  (the guardrails of SPEC §6 and RATING.md §4, every violation by field).  :func:`parse_pack`
  accepts a pack or raises listing them all.
* History and effective periods: :func:`period_key`, :func:`effective_pack`, :func:`check_new_version`.
* A pack becomes the snapshot's ``rules`` (:func:`snapshot_rules`) and a rating extension
  (:class:`PackExtension`: extra criteria points, stricter thresholds, extra disqualifications);
  each allowed plug-in becomes a :class:`PluginExtension`.  :class:`Adaptation` bundles both for one
  agency and period; :meth:`Adaptation.finish` names the pack in the explanation and adds the
  schedule's lines below five stars.  :func:`rate_adapted` = rules + extensions + rate + finish.
* Dry run: :func:`preview` rates a snapshot with and without a pack and lists who changes, and why.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from shared.contracts.packs import (CUTOFF_KEYS, DIMENSION_POINTS, DIMENSIONS, METHOD_FACTS,
                                    PackSchema, SubjectData)
from shared.errors import Conflict, RuleViolation, ValidationFailed
from shared.plugins import PluginFailure, PluginRefused, PluginTimedOut, freeze
from shared.schemas import load
from services.scoring.domain.defaults import CITY, CityDefaults
from services.scoring.domain.rating import Proposal, satisfaction_rate

SEED_000 = "000 §二2"
M_OFFICER_DQ = "M§五(二)1(2)③"
M_SECTION_DQ = "M§五(二)1(1)③"
M_BANS = "M§三(三)"
STAR_REASON = {4: "four_stars", 3: "three_stars"}


# ------------------------------------------------------------------------------------------------
# the pack


def period_key(period: str) -> tuple:
    """Order of rating periods: ``2026H1`` < ``2026`` < ``2027H1`` (a half-year before its year)."""
    return (int(period[:4]), 0 if period.endswith("H1") else 1)


@dataclass(frozen=True)
class Pack:
    agency: str
    version: int
    effective_from: str
    doc: dict                     # normalised (PackSchema.load) document

    @property
    def label(self) -> str:
        return f"pack:{self.agency}/v{self.version}"


def _city_schedule(city: CityDefaults) -> dict:
    return {"officer": {5: city.amounts["officer_five_star"]},
            "section_per_head": {5: city.amounts["section_five_star_per_head"]}}


def schedule(doc: dict, city: CityDefaults = CITY) -> dict:
    """The reward schedule of a pack: ``{"officer": {stars: yuan}, "section_per_head": {...}}``
    for stars 1..5; what the pack does not give is the city's (★5 default, nothing below)."""
    out = {}
    for who, default in _city_schedule(city).items():
        given = {int(k): v for k, v in ((doc.get("rewards") or {}).get(who) or {}).items()}
        out[who] = {s: given.get(s, default.get(s, Decimal(0))) for s in (1, 2, 3, 4, 5)}
    return out


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _vocabulary(doc: dict, kind: str) -> set:
    """Facts a condition of the pack may name for a kind: the Method's and the pack's own."""
    return set(METHOD_FACTS[kind]) | {f["id"] for f in doc["facts"] if kind in f["applies_to"]}


def violations(doc: dict, city: CityDefaults = CITY) -> list:
    """Every guardrail the (structurally valid) pack breaks, as ``(field, message)``, in document
    order.  SPEC §6 / RATING.md §4 / 000 §二2: cut-offs strictly decreasing within 0..105; quota in
    (0, 1]; amounts in whole yuan, not negative and not above twice the city's default (★5); a
    schedule that grows with the stars and pays nothing at two stars or fewer; nothing may lift a
    disqualification or a ban the Method imposes; criteria inside a dimension and its 20 points;
    facts and figures named from the vocabulary."""
    out = []
    rules = doc.get("rules") or {}
    # -- cut-offs
    cut = {str(k): v for k, v in city.cutoffs.items()}
    cut.update(rules.get("cutoffs") or {})
    lo, hi = city.cutoff_range
    for key in CUTOFF_KEYS:
        if key in (rules.get("cutoffs") or {}) and not lo <= cut[key] <= hi:
            out.append((f"rules.cutoffs.{key}", f"must be within {lo}..{hi}"))
    for upper, lower in zip(CUTOFF_KEYS, CUTOFF_KEYS[1:]):
        if not cut[upper] > cut[lower] and (upper in (rules.get("cutoffs") or {})
                                            or lower in (rules.get("cutoffs") or {})):
            field_key = lower if lower in (rules.get("cutoffs") or {}) else upper
            out.append((f"rules.cutoffs.{field_key}",
                        f"cut-offs must decrease strictly: ★{upper} {cut[upper]} is not above "
                        f"★{lower} {cut[lower]}"))
    quota = rules.get("five_star_quota")
    if quota is not None and not Decimal(0) < quota <= Decimal(1):
        out.append(("rules.five_star_quota", "must be greater than 0 and at most 1"))
    # -- reward schedule (SPEC §6, 000 §二2)
    sched = schedule(doc, city)
    for who, default in _city_schedule(city).items():
        limit = default[5] * city.amount_max_factor
        given = (doc.get("rewards") or {}).get(who) or {}
        amounts = sched[who]
        for s in (5, 4, 3, 2, 1):
            where = f"rewards.{who}.{s}"
            amt = amounts[s]
            if amt < 0:
                out.append((where, "an amount is not negative"))
            elif amt != int(amt):
                out.append((where, f"{amt} is not whole yuan (the ledger pays whole yuan, SPEC §6)"))
            elif amt > limit:
                out.append((where, f"{amt} is above the city's limit {limit} (twice the default "
                                   f"{default[5]})"))
            if s <= city.warning_talk_max_stars and amt > 0:
                out.append((where, f"pays nothing at two stars or fewer ({SEED_000}: a bonus is "
                                   "not a welfare payment)"))
            if s in (3, 4) and str(s) in given and amt > 0 and not amt < amounts[s + 1]:
                out.append((where, f"the schedule must grow with the stars: ★{s} {amt} is not "
                                   f"below ★{s + 1} {amounts[s + 1]} (flat bonuses become "
                                   f"welfare, {SEED_000})"))
    # -- thresholds: stricter only, never lifting a disqualification of the Method
    th = doc.get("thresholds") or {}
    if th.get("absence_days") is not None and not 1 <= th["absence_days"] <= city.absence_days:
        out.append(("thresholds.absence_days",
                    f"must be 1..{city.absence_days}: the Method disqualifies at "
                    f"{city.absence_days} days ({M_OFFICER_DQ}); a pack may not lift it"))
    if th.get("months_below_60") is not None and not 1 <= th["months_below_60"] <= city.low_months:
        out.append(("thresholds.months_below_60",
                    f"must be 1..{city.low_months}: the Method disqualifies at {city.low_months} "
                    f"months below 60 ({M_OFFICER_DQ}); a pack may not lift it"))
    floor = th.get("satisfaction_floor")
    if floor is not None and not Fraction(city.satisfaction_floor) <= Fraction(floor) <= 1:
        out.append(("thresholds.satisfaction_floor",
                    f"must be {float(city.satisfaction_floor)}..1: the Method disqualifies below "
                    f"{float(city.satisfaction_floor)} ({M_OFFICER_DQ}); a pack may not lift it"))
    for n, _w in enumerate(doc.get("waive") or ()):
        out.append((f"waive[{n}]", f"no rule pack may lift a disqualification or a ban the Method "
                                   f"imposes ({M_OFFICER_DQ}, {M_SECTION_DQ}, {M_BANS})"))
    # -- facts and figures: new names only
    seen: dict = {}
    for part in ("facts", "figures"):
        for n, f in enumerate(doc.get(part) or ()):
            if any(f["id"] in METHOD_FACTS[k] for k in METHOD_FACTS):
                out.append((f"{part}[{n}].id", f"{f['id']} is a fact of the Method: its meaning and "
                                               f"its disqualification cannot be changed "
                                               f"({M_OFFICER_DQ}, {M_SECTION_DQ})"))
            elif f["id"] in seen:
                out.append((f"{part}[{n}].id", f"{f['id']} is already defined at {seen[f['id']]}"))
            else:
                seen[f["id"]] = f"{part}[{n}]"
    figures = {kind: {f["id"] for f in doc.get("figures") or () if kind in f["applies_to"]}
               for kind in METHOD_FACTS}

    def check_condition(where, kind, cond):
        if cond["fact"] is not None and cond["fact"] not in _vocabulary(doc, kind):
            out.append((f"{where}.fact", f"{cond['fact']} is not a fact of the Method nor one this "
                                         f"pack defines for {_a(kind)}"))
        if cond["figure"] is not None and cond["figure"] not in figures[kind]:
            out.append((f"{where}.figure", f"{cond['figure']} is not a figure this pack defines "
                                           f"for {_a(kind)}"))

    # -- criteria: inside a dimension, within its points
    ids, sums = set(), {}
    for n, c in enumerate(doc.get("criteria") or ()):
        where, kind = f"criteria[{n}]", c["applies_to"]
        if c["id"] in ids:
            out.append((f"{where}.id", f"criterion {c['id']} is defined twice"))
        ids.add(c["id"])
        if c["dimension"] not in DIMENSIONS[kind]:
            out.append((f"{where}.dimension", f"{c['dimension']} is not a dimension of {_a(kind)} "
                                              f"({', '.join(DIMENSIONS[kind])})"))
        if c["points"] == 0:
            out.append((f"{where}.points", "a criterion moves points (not 0)"))
        sign = 1 if c["points"] > 0 else -1
        key = (kind, c["dimension"], sign)
        sums[key] = sums.get(key, 0) + c["points"]
        if abs(sums[key]) > DIMENSION_POINTS:
            out.append((f"{where}.points", f"the pack's criteria would move {abs(sums[key])} points "
                                           f"in {kind} dimension {c['dimension']}, more than its "
                                           f"{DIMENSION_POINTS}"))
        check_condition(f"{where}.when", kind, c["when"])
    for n, d in enumerate(doc.get("disqualify") or ()):
        check_condition(f"disqualify[{n}].when", d["applies_to"], d["when"])
    return out


def notes(doc: dict, city: CityDefaults = CITY) -> list:
    """Advice that does not refuse a pack: the seed's stricter reading of 000 §二2."""
    out = []
    sched = schedule(doc, city)
    for who in sched:
        for s in (3, 4):
            if sched[who][s] > 0:
                out.append((f"rewards.{who}.{s}",
                            f"{SEED_000} forbids graded star bonuses (差额设置星级奖金) and the Method "
                            f"pays money at five stars only: ★{s} pays {sched[who][s]}"))
    return out


def parse_pack(doc, agency: str | None = None, city: CityDefaults = CITY) -> Pack:
    """Validate a pack document; ``agency`` is the registering agency (the document's own
    ``agency``, if given, must be the same).  Structure errors: ValidationFailed; guardrails:
    RuleViolation.  Either lists every problem in ``details`` (``[{"field", "message"}]``)."""
    if not isinstance(doc, dict):
        raise ValidationFailed("a rule pack is a mapping (YAML or JSON object)", "pack")
    data = load(PackSchema(), doc, prefix="pack")
    problems = []
    if agency is not None and data["agency"] is not None and data["agency"] != agency:
        problems.append(("pack.agency", f"the pack is for {data['agency']}, not {agency}"))
    agency = agency or data["agency"]
    if agency is None:
        raise ValidationFailed("which agency's pack? give agency", "agency")
    problems += [(f"pack.{f}", m) for f, m in violations(data, city)]
    if problems:
        raise RuleViolation(f"the rule pack breaks {len(problems)} guardrail(s); first: "
                            f"{problems[0][0]}: {problems[0][1]}", problems[0][0],
                            [{"field": f, "message": m} for f, m in problems])
    data["agency"] = agency
    return Pack(agency, data["version"], data["effective_from"], data)


# ------------------------------------------------------------------------------------------------
# history and effective periods


def effective_pack(history, period: str):
    """The pack in force for a period: among the versions effective on or before it, the one with
    the latest ``effective_from`` (then the highest version).  None: the city's defaults."""
    key = period_key(period)
    best = None
    for p in history:
        if period_key(p.effective_from) <= key:
            if best is None or (period_key(p.effective_from), p.version) > \
                    (period_key(best.effective_from), best.version):
                best = p
    return best


def check_new_version(history, pack: Pack) -> bool:
    """May ``pack`` join the agency's history?  True: new.  False: this exact version was already
    registered with the same document (a retry).  Conflict: a version number reused with another
    document, a version not above the latest, or an effective period before the latest one's."""
    for p in history:
        if p.version == pack.version:
            if p.doc == pack.doc:
                return False
            raise Conflict(f"version {pack.version} of {pack.agency}'s pack already exists with "
                           "another content; register a new version", "pack.version")
    if history:
        latest = max(history, key=lambda p: p.version)
        if pack.version < latest.version:
            raise Conflict(f"version {pack.version} is below the latest version {latest.version}",
                           "pack.version")
        if period_key(pack.effective_from) < period_key(latest.effective_from):
            raise Conflict(f"version {pack.version} would take effect from {pack.effective_from}, "
                           f"before version {latest.version} ({latest.effective_from}): the "
                           "history is never rewritten", "pack.effective_from")
    return True


def snapshot_rules(pack: Pack | None, city: CityDefaults = CITY) -> dict:
    """The snapshot's ``rules`` (RATING.md §4) of a pack: cut-offs, quota, the two ★5 amounts."""
    if pack is None:
        return {}
    rules = pack.doc.get("rules") or {}
    out = {}
    if rules.get("cutoffs"):
        out["cutoffs"] = dict(rules["cutoffs"])
    if rules.get("five_star_quota") is not None:
        out["five_star_quota"] = rules["five_star_quota"]
    rewards = pack.doc.get("rewards") or {}
    amounts = {}
    if "5" in (rewards.get("officer") or {}):
        amounts["officer_five_star"] = rewards["officer"]["5"]
    if "5" in (rewards.get("section_per_head") or {}):
        amounts["section_five_star_per_head"] = rewards["section_per_head"]["5"]
    if amounts:
        out["amounts"] = amounts
    return out


# ------------------------------------------------------------------------------------------------
# subject data (facts and figures beside the snapshot)


def parse_subject_data(subjects, prefix: str = "subjects") -> dict:
    """``[{"id", "facts", "figures"}]`` -> ``{id: {"facts": (...), "figures": {...}}}``."""
    out = {}
    for n, s in enumerate(subjects or ()):
        d = load(SubjectData(), s, prefix=f"{prefix}[{n}]")
        if d["id"] in out:
            raise ValidationFailed(f"subject {d['id']} is given twice", f"{prefix}[{n}].id")
        out[d["id"]] = {"facts": tuple(d["facts"]), "figures": d["figures"]}
    return out


def check_vocabulary(data: dict, allowed: set, prefix: str = "subjects") -> None:
    """Every extra fact must be defined by the effective pack or an allowed plug-in (RATING.md §3:
    a new kind of fact comes with the pack or plug-in that defines it)."""
    problems = []
    for n, (sid, d) in enumerate(data.items()):
        for m, f in enumerate(d["facts"]):
            if f not in allowed:
                problems.append((f"{prefix}[{n}].facts[{m}]",
                                 f"{f} is not defined by the agency's pack or plug-ins"))
    if problems:
        raise ValidationFailed(problems[0][1], problems[0][0],
                               [{"field": f, "message": m} for f, m in problems])


def figure_value(value):
    """A figure as one exact number: itself, or the mean of a monthly figure."""
    if isinstance(value, dict):
        if not value:
            return None
        return sum((Fraction(v) for v in value.values()), Fraction(0)) / len(value)
    return Fraction(value)


def condition_met(cond: dict, facts, figures) -> bool:
    if cond["fact"] is not None:
        return cond["fact"] in facts
    value = figures.get(cond["figure"])
    if value is None:
        return False
    v = figure_value(value)
    if v is None:
        return False
    if cond["at_least"] is not None:
        return v >= Fraction(cond["at_least"])
    return v < Fraction(cond["below"])


# ------------------------------------------------------------------------------------------------
# extensions of the rating engine


def _subject_agency(kind: str, subject) -> str:
    return subject.id if kind == "agency" else subject.agency


class PackExtension:
    """A pack as a rating extension: extra criteria points, stricter thresholds, extra
    disqualifications, for the pack's agency only.  Every entry names the pack and version."""

    def __init__(self, pack: Pack, data: dict | None = None, city: CityDefaults = CITY):
        self.pack, self.data, self.city = pack, data or {}, city
        self.name = pack.label

    def _rule(self, key: str) -> str:
        return f"{self.pack.label}:{key}"

    def propose(self, kind, subject, snapshot):
        if kind == "agency" or _subject_agency(kind, subject) != self.pack.agency:
            return None
        doc, extra = self.pack.doc, self.data.get(subject.id) or {}
        facts = set(subject.facts) | set(extra.get("facts", ()))
        figures = extra.get("figures") or {}
        points, dq = [], []
        for c in doc["criteria"]:
            if c["applies_to"] == kind and condition_met(c["when"], facts, figures):
                label = c["label"] or c["id"]
                points.append((self._rule(f"criteria.{c['id']}"), c["points"],
                               f"{label} ({c['dimension']}) {c['points']:+}"))
        th = doc.get("thresholds") or {}
        if kind == "officer":
            if th.get("absence_days") is not None and \
                    subject.unexcused_absence_days >= th["absence_days"]:
                dq.append(("absence", self._rule("thresholds.absence_days"),
                           f"disqualified: {subject.unexcused_absence_days} days of unexcused "
                           f"absence, {th['absence_days']} or more"))
            low = th.get("months_below_60")
            if low is not None and sum(1 for v in subject.monthly.values()
                                       if v < self.city.low_month_score) >= low:
                dq.append(("months_below_60", self._rule("thresholds.months_below_60"),
                           f"disqualified: {low} or more months below 60"))
        floor = th.get("satisfaction_floor")
        if floor is not None and kind in ("officer", "section"):
            rate = satisfaction_rate(subject.satisfaction)
            if rate is not None and rate < Fraction(floor):
                dq.append(("low_satisfaction", self._rule("thresholds.satisfaction_floor"),
                           f"disqualified: satisfaction {float(rate):.2%} below {floor}"))
        for n, d in enumerate(doc["disqualify"]):
            if d["applies_to"] == kind and condition_met(d["when"], facts, figures):
                code = d["code"] or d["when"]["fact"] or d["when"]["figure"]
                dq.append((code, self._rule(f"disqualify[{n}]"),
                           d["text"] or f"disqualified: {code}"))
        if not points and not dq:
            return None
        return Proposal(points=tuple(points), disqualify=tuple(dq))


def subject_view(kind: str, subject, extra: dict | None):
    """The read-only view a plug-in receives (see :mod:`shared.hookspecs`)."""
    extra = extra or {}
    if kind == "officer":
        d = {"id": subject.id, "agency": subject.agency, "section": subject.section,
             "mentor": subject.mentor, "joined": subject.joined.isoformat(),
             "monthly": dict(subject.monthly),
             "honours": [{"title": h.title, "level": h.level} for h in subject.honours],
             "leave": [{"kind": x.kind, "from": x.start.isoformat(), "to": x.end.isoformat()}
                       for x in subject.leave],
             "unexcused_absence_days": subject.unexcused_absence_days,
             "facts": list(subject.facts), "disqualified_last_year": subject.disqualified_last_year}
    elif kind == "section":
        d = {"id": subject.id, "agency": subject.agency, "headcount": subject.headcount,
             "score": subject.score, "facts": list(subject.facts),
             "honours": [{"title": h.title, "level": h.level} for h in subject.honours]}
    else:
        d = {"id": subject.id, "group": subject.group, "score": subject.score,
             "criticisms": subject.criticisms, "previous_class": subject.previous_class,
             "awards": [{"kind": a.kind, "level": a.level} for a in subject.awards]}
    sat = getattr(subject, "satisfaction", None)
    if kind != "agency":
        d["satisfaction"] = None if sat is None else {
            "satisfied": sat.satisfied, "basic": sat.basic, "dissatisfied": sat.dissatisfied}
    d["extra_facts"] = list(extra.get("facts", ()))
    d["figures"] = extra.get("figures") or {}
    return freeze(d)


@dataclass
class Incident:
    plugin: str
    subject: str
    what: str
    message: str

    def to_dict(self) -> dict:
        return {"plugin": self.plugin, "subject": self.subject, "what": self.what,
                "message": self.message}


class PluginExtension:
    """One allowed plug-in as a rating extension.  It is asked only about subjects of the agencies
    it is bound to, on a read-only view; a failure is recorded (``incidents``) and raised so that
    the engine skips the plug-in for that subject and says so in the explanation."""

    def __init__(self, host, plugin, period: str, data: dict | None = None, views=None,
                 incidents=None):
        self.host, self.plugin, self.period = host, plugin, period
        self.data = data or {}
        self.views = views if views is not None else {}
        self.incidents = incidents if incidents is not None else []
        self.name = plugin.label
        self.timed_out = False

    def _owner(self, snapshot, subject_id):
        for o in snapshot.officers:
            if o.id == subject_id:
                return o.agency
        for s in snapshot.sections:
            if s.id == subject_id:
                return s.agency
        return subject_id if any(a.id == subject_id for a in snapshot.agencies) else None

    def propose(self, kind, subject, snapshot):
        agency = _subject_agency(kind, subject)
        if agency not in self.plugin.agencies:
            return None                                  # never sees another agency's subject
        try:
            if self.timed_out:
                raise PluginTimedOut("timed out earlier in this rating; not asked again")
            key = (kind, subject.id)
            view = self.views.get(key)
            if view is None:
                view = self.views[key] = subject_view(kind, subject, self.data.get(subject.id))
            answers = self.host.propose(self.plugin, kind, view, agency, self.period)
        except PluginRefused as exc:
            msg = str(exc)
            target = msg.split("'")[1] if msg.count("'") >= 2 else None
            owner = self._owner(snapshot, target) if target else None
            if owner is not None and owner not in self.plugin.agencies:
                msg = f"{msg}; it belongs to agency {owner}, not bound to this plug-in"
            self.incidents.append(Incident(self.plugin.label, subject.id, exc.what, msg))
            raise PluginRefused(msg) from None
        except PluginFailure as exc:
            if isinstance(exc, PluginTimedOut):
                self.timed_out = True
            self.incidents.append(Incident(self.plugin.label, subject.id, exc.what, str(exc)))
            raise
        if not answers:
            return None
        label = self.plugin.label
        points = tuple((f"{label}:{c}", pts, f"{dim}: {text or c} {pts:+}")
                       for a in answers for c, dim, pts, text in a["points"])
        dq = tuple((fact, f"{label}:{fact}", text or f"disqualified: {fact}")
                   for a in answers for fact, text in a["disqualify"])
        lines = tuple((k, reason, None) for a in answers for k, reason in a["settlement"])
        return Proposal(points=points, disqualify=dq, settlement=lines)


@dataclass
class Adaptation:
    """Everything that adapts the rating of one agency for one period."""

    agency: str
    period: str
    pack: Pack | None = None
    host: object = None                  # shared.plugins.PluginHost or None
    data: dict = field(default_factory=dict)
    city: CityDefaults = CITY
    incidents: list = field(default_factory=list)

    @property
    def rules(self) -> dict:
        return snapshot_rules(self.pack, self.city)

    @property
    def plugins(self) -> list:
        return self.host.for_agency(self.agency) if self.host is not None else []

    @property
    def extensions(self) -> list:
        exts = [PackExtension(self.pack, self.data, self.city)] if self.pack else []
        views: dict = {}
        exts += [PluginExtension(self.host, p, self.period, self.data, views, self.incidents)
                 for p in self.plugins]
        return exts

    def vocabulary(self) -> set:
        """Extra facts subject data may carry: the pack's and the plug-ins'."""
        out = set()
        if self.pack:
            out |= {f["id"] for f in self.pack.doc["facts"]}
        for kind in METHOD_FACTS:
            out |= set(self.host.facts(kind, self.agency)) if self.host is not None else set()
        return out

    @property
    def used(self) -> dict:
        """What a rating records: the pack version and the plug-ins (with versions) it used."""
        return {"agency": self.agency, "period": self.period,
                "pack": None if self.pack is None else {
                    "agency": self.pack.agency, "version": self.pack.version,
                    "effective_from": self.pack.effective_from, "label": self.pack.label},
                "plugins": [{"name": p.name, "version": p.version, "label": p.label}
                            for p in self.plugins],
                "incidents": [i.to_dict() for i in self.incidents]}

    def finish(self, result: dict, snapshot: dict) -> dict:
        """Name the pack in the entries of the rules it adapted, and add the schedule's bonus lines
        below five stars (annual ratings only; ★5 amounts are in the rules)."""
        if self.pack is None:
            return result
        label = self.pack.label
        mine = {o["id"] for o in snapshot.get("officers") or () if o.get("agency") == self.agency}
        mine |= {s["id"] for s in snapshot.get("sections") or () if s.get("agency") == self.agency}
        for part in ("officers", "sections"):
            for r in result[part]:
                if r["id"] in mine:
                    for e in r["explanation"]:
                        if e["rule"] in ("rules.cutoffs", "rules.five_star_quota"):
                            e["rule"] = f"{label}:{e['rule']}"
        if str(snapshot.get("period", "")).endswith("H1"):
            return result
        sched = schedule(self.pack.doc, self.city)
        extra: dict = {}
        heads = {s["id"]: s["headcount"] for s in snapshot.get("sections") or ()}
        for part, who in (("officers", "officer"), ("sections", "section_per_head")):
            for r in result[part]:
                if r["id"] in mine and r["status"] == "rated" and r["stars"] in STAR_REASON:
                    amt = sched[who][r["stars"]]
                    if amt > 0:
                        total = amt * heads[r["id"]] if part == "sections" else amt
                        x = Fraction(total)
                        extra[r["id"]] = {"subject": r["id"], "kind": "bonus",
                                          "amount": int(x) if x.denominator == 1 else
                                          round(float(x), 2),
                                          "reason": STAR_REASON[r["stars"]]}
        if extra:
            order = [r["id"] for part in ("officers", "sections", "agencies") for r in result[part]]
            by_subject: dict = {}
            for line in result["settlement"]:
                by_subject.setdefault(line["subject"], []).append(line)
            lines = []
            for sid in order:
                lines += by_subject.pop(sid, [])
                if sid in extra:
                    lines.append(extra[sid])
            for rest in by_subject.values():
                lines += rest
            result["settlement"] = lines
        return result


def own_subjects_only(snapshot: dict, agency: str) -> None:
    """An agency's rules (RATING.md §4) apply to the whole snapshot: it must hold that agency's
    officers and sections only."""
    for part in ("officers", "sections"):
        for n, s in enumerate(snapshot.get(part) or ()):
            if isinstance(s, dict) and s.get("agency") != agency:
                raise ValidationFailed(f"the snapshot holds a subject of agency {s.get('agency')}; "
                                       f"{agency}'s rules apply to its own subjects only",
                                       f"{part}[{n}].agency")


def rate_adapted(snapshot: dict, adaptation: Adaptation, *, trusted: bool = False,
                 extra=()) -> dict:
    """Rate a snapshot under an adaptation: the pack's rules, the pack and plug-in extensions, the
    finishing touches.  The same path for real ratings and for the preview.  ``trusted``: the
    snapshot was built by the scoring service from its own tables (only its head and rules are
    validated, see :func:`services.scoring.domain.payload.rate_trusted`).  ``extra``: the city's
    own extensions after the agency's (the ban cases of M§三(三))."""
    from services.scoring.domain.payload import rate_payload, rate_trusted

    payload = dict(snapshot)
    if adaptation.rules:
        own_subjects_only(payload, adaptation.agency)
        payload["rules"] = {**(payload.get("rules") or {}), **adaptation.rules}
    rate_fn = rate_trusted if trusted else rate_payload
    result = rate_fn(payload, extensions=adaptation.extensions + list(extra))
    return adaptation.finish(result, payload)


# ------------------------------------------------------------------------------------------------
# preview (dry run)


def agency_part(snapshot: dict, agency: str) -> dict:
    """The agency's officers and sections of a snapshot (mentors outside it dropped), all agencies
    kept for their ranking."""
    out = dict(snapshot)
    officers = [dict(o) for o in snapshot.get("officers") or () if o.get("agency") == agency]
    ids = {o["id"] for o in officers}
    for o in officers:
        if o.get("mentor") is not None and o["mentor"] not in ids:
            o["mentor"] = None
    out["officers"] = officers
    out["sections"] = [s for s in snapshot.get("sections") or () if s.get("agency") == agency]
    return out


def _brief(r: dict) -> dict:
    return {"status": r["status"], "stars": r["stars"], "score": r["score"],
            "reasons": r["reasons"]}


def preview(snapshot: dict, base: Adaptation, candidate: Adaptation) -> dict:
    """Rate the agency's part of a snapshot with the rules in force (``base``: the current pack or
    the city's defaults) and with the candidate pack; list every officer and section whose status,
    stars or score change, with the explanation entries that appear or disappear (why)."""
    part = agency_part(snapshot, candidate.agency)
    before = rate_adapted(part, base)
    after = rate_adapted(part, candidate)
    changes = []
    for kind, key in (("officer", "officers"), ("section", "sections")):
        for b, a in zip(before[key], after[key]):
            if _brief(b) == _brief(a):
                continue
            gained = [e for e in a["explanation"] if e not in b["explanation"]]
            lost = [e for e in b["explanation"] if e not in a["explanation"]]
            what = []
            if b["status"] != a["status"]:
                what.append("status")
            if b["stars"] != a["stars"]:
                what.append("stars")
            if b["score"] != a["score"]:
                what.append("score")
            changes.append({"kind": kind, "id": a["id"], "changes": what, "before": _brief(b),
                            "after": _brief(a), "why": gained, "no_longer": lost})

    def key(line):
        return (line["subject"], line["kind"], line.get("amount"), line["reason"])

    b_lines, a_lines = [key(x) for x in before["settlement"]], [key(x) for x in after["settlement"]]
    money = {"before": _total(before["settlement"]), "after": _total(after["settlement"])}
    return {"agency": candidate.agency, "period": candidate.period,
            "base": base.pack.label if base.pack else "city defaults",
            "candidate": candidate.pack.label if candidate.pack else "city defaults",
            "rated": {"officers": len(after["officers"]), "sections": len(after["sections"])},
            "changes": changes,
            "settlement": {"added": [dict(zip(("subject", "kind", "amount", "reason"), k))
                                     for k in a_lines if k not in b_lines],
                           "removed": [dict(zip(("subject", "kind", "amount", "reason"), k))
                                       for k in b_lines if k not in a_lines],
                           "money": money},
            "notes": [{"field": f"pack.{f}", "message": m} for f, m in notes(candidate.pack.doc)]
            if candidate.pack else [],
            "incidents": [i.to_dict() for i in candidate.incidents]}


def _total(lines) -> float:
    total = sum((Fraction(str(x["amount"])) for x in lines if x.get("amount") is not None),
                Fraction(0))
    return int(total) if total.denominator == 1 else round(float(total), 2)
