"""The rating snapshot and its result: the contract of RATING.md (§1 input, §4 rules, §5 output).

Two validators accept exactly the same snapshots and name the same JSON path for a bad one:

* :class:`SnapshotSchema` (marshmallow): the published contract (OpenAPI, RPC docs);
* :func:`validate_snapshot`: a hand-written validator of the same contract, about 20× faster on a
  100,000-officer snapshot; the rating entry points use it.  Tests hold the two in agreement.

Both return the same *normalised* dict: defaults filled in, dates as ``datetime.date``, numbers as
``int`` or ``decimal.Decimal`` (a JSON float ``94.2`` becomes ``Decimal('94.2')``, never a binary
float), ``rules`` holding only the keys given.  Both raise :class:`shared.errors.ValidationFailed`
whose ``field`` is the JSON path (``officers[3].monthly.2026-13``, ``rules.cutoffs.4``).

:func:`loads_snapshot` parses JSON text strictly (no NaN/Infinity, no key given twice) and names
the path of the offending value or key.
"""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.errors import ValidationFailed
from shared.gc_pause import gc_paused
from shared.schemas import BaseSchema, IsoDate, StrictInteger, load
from shared.schemas import parse_iso_date as _parse_date

# --------------------------------------------------------------------------------------------
# vocabulary (RATING.md §1, §3, §4) — kept equal to services.scoring.domain.defaults by a test

LEVELS = ("city", "provincial", "central")
LEAVE_KINDS = ("sick", "personal", "annual", "maternity", "other")
AGENCY_GROUPS = ("county", "city_unit")
OFFICER_FACTS = ("mass_incident", "illegal_organisation", "protective_umbrella", "secret_leak",
                 "disciplinary_sanction", "other_mechanism")
SECTION_FACTS = ("officer_criminal", "mass_incident", "last_in_ranking", "failed_inspection",
                 "other_mechanism")
AWARD_KINDS_LEVELLED = ("unit_commended", "individual_commended", "experience_promoted")
AWARD_KINDS_FLAT = ("article_adopted", "inspection_hosted")
AWARD_KINDS = AWARD_KINDS_LEVELLED + AWARD_KINDS_FLAT
DEFAULT_CUTOFFS = {"5": Decimal(95), "4": Decimal(90), "3": Decimal(80), "2": Decimal(70)}
CUTOFF_RANGE = (Decimal(0), Decimal(105))
DEFAULT_AMOUNTS = {"officer_five_star": Decimal(1000), "section_five_star_per_head": Decimal(300)}
AMOUNT_MAX_FACTOR = 2
STATUSES = ("rated", "disqualified", "not_rated")
SETTLEMENT_KINDS = ("bonus", "certificate", "eligibility", "warning_talk", "dismissal", "plaque",
                    "rectification", "admonishment_talk", "commendation", "eligibility_revoked",
                    "removal")

# messages (shared by both validators)
UNKNOWN = "Unknown field."
MISSING = "Missing data for required field."
NULL = "Field may not be null."
NOT_OBJECT = "Invalid input type."
NOT_LIST = "Not a valid list."
NOT_STRING = "Not a valid string."
EMPTY = "Must not be empty."
NOT_TEXT = "Not valid Unicode text."
NOT_NUMBER = "Not a valid number."
NOT_FINITE = "Special numeric values (nan or infinity) are not permitted."
NOT_INTEGER = "Not a valid integer."
NOT_BOOLEAN = "Not a valid boolean."
NOT_MONTH = "Not a valid month (YYYY-MM)."
NOT_PERIOD = "Period must be YYYY or YYYYH1."
OUTSIDE = "Month outside the period."

_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])\Z", re.ASCII)
_PERIOD_RE = re.compile(r"\d{4}(H1)?\Z", re.ASCII)


def period_months(period: str) -> tuple:
    """The months ``YYYY-MM`` of a rating period in calendar order (``YYYY``: 01..12, ``YYYYH1``:
    01..06); the one place that spells them (scoring's snapshot and monitoring, rewards'
    reconciliation)."""
    year, last = period[:4], (6 if period.endswith("H1") else 12)
    return tuple(f"{year}-{m:02d}" for m in range(1, last + 1))


def one_of(choices) -> str:
    return "Must be one of: " + ", ".join(str(c) for c in choices) + "."


def range_message(lo, hi, lo_open=False) -> str:
    return f"Must be {'greater than' if lo_open else 'at least'} {lo} and at most {hi}."


def _text_ok(s: str) -> bool:
    if s.isascii():
        return True
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _number(v):
    """int stays int; float/Decimal become a finite Decimal; bool and the rest are refused."""
    t = type(v)
    if t is int:
        return v
    if t is float:
        if not math.isfinite(v):
            raise ValueError(NOT_FINITE)
        return Decimal(repr(v))
    if t is Decimal:
        if not v.is_finite():
            raise ValueError(NOT_FINITE)
        return v
    raise ValueError(NOT_NUMBER)


# --------------------------------------------------------------------------------------------
# marshmallow: the published contract


class Text(fields.String):
    """A non-empty string of valid Unicode text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not str:
            raise ValidationError(NOT_STRING)
        if not value:
            raise ValidationError(EMPTY)
        if not _text_ok(value):
            raise ValidationError(NOT_TEXT)
        return value


class ExactNumber(fields.Field):
    """A JSON number (int or float, not bool), finite, loaded as int or Decimal, in a range."""

    def __init__(self, lo=None, hi=None, lo_open=False, **kwargs):
        super().__init__(**kwargs)
        self.lo, self.hi, self.lo_open = lo, hi, lo_open

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            out = _number(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if self.lo is not None and (out < self.lo or (self.lo_open and out == self.lo)
                                    or out > self.hi):
            raise ValidationError(range_message(self.lo, self.hi, self.lo_open))
        return out

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Count(StrictInteger):
    """A whole number ≥ 0."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0))
        super().__init__(**kwargs)


class StrictBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:
            raise ValidationError(NOT_BOOLEAN)
        return value


class MonthKey(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not str or not _MONTH_RE.match(value):
            raise ValidationError(NOT_MONTH)
        return value


def _list(inner, **kwargs):
    return fields.List(inner, load_default=list, **kwargs)


class HonourSchema(BaseSchema):
    title = Text(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS, error=one_of(LEVELS)))


class LeaveSchema(BaseSchema):
    kind = fields.String(required=True,
                         validate=validate.OneOf(LEAVE_KINDS, error=one_of(LEAVE_KINDS)))
    from_ = IsoDate(required=True, data_key="from", attribute="from")
    to = IsoDate(required=True)

    @validates_schema
    def _order(self, data, **kwargs):
        if data["to"] < data["from"]:
            raise ValidationError("Leave ends before it starts (to before from).")


class SatisfactionSchema(BaseSchema):
    satisfied = Count(required=True)
    basic = Count(required=True)
    dissatisfied = Count(required=True)


class OfficerSchema(BaseSchema):
    id = Text(required=True)
    agency = Text(required=True)
    section = Text(load_default=None, allow_none=True)
    mentor = Text(load_default=None, allow_none=True)
    joined = IsoDate(required=True)
    monthly = fields.Dict(keys=MonthKey(), values=ExactNumber(Decimal(0), Decimal(100)),
                          required=True)
    honours = _list(fields.Nested(HonourSchema))
    leave = _list(fields.Nested(LeaveSchema))
    unexcused_absence_days = Count(load_default=0)
    satisfaction = fields.Nested(SatisfactionSchema, load_default=None, allow_none=True)
    facts = _list(fields.String(validate=validate.OneOf(OFFICER_FACTS,
                                                        error=one_of(OFFICER_FACTS))))
    disqualified_last_year = StrictBoolean(load_default=False)

    @validates_schema
    def _no_overlap(self, data, **kwargs):
        problem = leave_overlap(data["leave"])
        if problem is not None:
            raise ValidationError({"leave": {problem[0]: [problem[1]]}})


class SectionSchema(BaseSchema):
    id = Text(required=True)
    agency = Text(required=True)
    headcount = Count(required=True)
    score = ExactNumber(Decimal(0), Decimal(100), required=True)
    honours = _list(fields.Nested(HonourSchema))
    satisfaction = fields.Nested(SatisfactionSchema, load_default=None, allow_none=True)
    facts = _list(fields.String(validate=validate.OneOf(SECTION_FACTS,
                                                        error=one_of(SECTION_FACTS))))


class AwardSchema(BaseSchema):
    kind = fields.String(required=True,
                         validate=validate.OneOf(AWARD_KINDS, error=one_of(AWARD_KINDS)))
    level = fields.String(load_default=None, allow_none=True,
                          validate=validate.OneOf(LEVELS, error=one_of(LEVELS)))

    @validates_schema
    def _level(self, data, **kwargs):
        if data["kind"] in AWARD_KINDS_LEVELLED and data.get("level") is None:
            raise ValidationError("A level is required for this kind of award.", "level")


class AgencySchema(BaseSchema):
    id = Text(required=True)
    group = fields.String(required=True,
                          validate=validate.OneOf(AGENCY_GROUPS, error=one_of(AGENCY_GROUPS)))
    score = ExactNumber(Decimal(0), Decimal(100), required=True)
    awards = _list(fields.Nested(AwardSchema))
    criticisms = Count(load_default=0)
    previous_class = StrictInteger(load_default=None, allow_none=True,
                                   validate=validate.OneOf((1, 2, 3), error=one_of((1, 2, 3))))


class CutoffKey(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        if value not in DEFAULT_CUTOFFS:
            raise ValidationError(one_of(tuple(DEFAULT_CUTOFFS)))
        return value


class AmountsSchema(BaseSchema):
    officer_five_star = ExactNumber(Decimal(0), DEFAULT_AMOUNTS["officer_five_star"]
                                    * AMOUNT_MAX_FACTOR)
    section_five_star_per_head = ExactNumber(
        Decimal(0), DEFAULT_AMOUNTS["section_five_star_per_head"] * AMOUNT_MAX_FACTOR)


class RulesSchema(BaseSchema):
    cutoffs = fields.Dict(keys=CutoffKey(), values=ExactNumber(*CUTOFF_RANGE))
    five_star_quota = ExactNumber(Decimal(0), Decimal(1), lo_open=True, allow_none=True)
    amounts = fields.Nested(AmountsSchema)

    @validates_schema
    def _decreasing(self, data, **kwargs):
        problem = cutoffs_problem(data.get("cutoffs") or {})
        if problem is not None:
            raise ValidationError({"cutoffs": {problem[0]: [problem[1]]}})


class SnapshotSchema(BaseSchema):
    """The whole snapshot (docs/rating.md, input).  Cross-references are checked once the fields are
    valid: ids unique across the snapshot, a ``mentor`` an officer of it, a ``section`` a section of
    the officer's own agency."""

    period = fields.String(required=True, validate=validate.Regexp(_PERIOD_RE, error=NOT_PERIOD))
    rating_date = IsoDate(required=True)
    rules = fields.Nested(RulesSchema, load_default=dict)
    officers = _list(fields.Nested(OfficerSchema))
    sections = _list(fields.Nested(SectionSchema))
    agencies = _list(fields.Nested(AgencySchema))

    @validates_schema
    def _references(self, data, **kwargs):
        problem = cross_reference_problem(data)
        if problem is not None:
            raise ValidationError(_nest(problem[0], problem[1]))


def _nest(path: tuple, message: str) -> dict:
    """('officers', 3, 'monthly', '2026-13') -> {'officers': {3: {'monthly': {'2026-13': [msg]}}}}"""
    out: dict | list = [message]
    for key in reversed(path):
        out = {key: out}
    return out


# --------------------------------------------------------------------------------------------
# checks shared by both validators


def leave_overlap(leave) -> tuple | None:
    """(index of the later spell, message) if two spells of one person overlap."""
    if len(leave) < 2:
        return None
    for j in range(1, len(leave)):
        b = leave[j]
        for i in range(j):
            a = leave[i]
            if a["from"] <= b["to"] and b["from"] <= a["to"]:
                return j, f"Leave overlaps leave[{i}]."
    return None


def cutoffs_problem(given: dict) -> tuple | None:
    """(key, message) if the merged cut-offs are not strictly decreasing from ★5 to ★2."""
    if not given:
        return None
    merged = {**DEFAULT_CUTOFFS, **given}
    keys = ("5", "4", "3", "2")
    for hi, lo in zip(keys, keys[1:]):
        if merged[lo] >= merged[hi]:
            key = lo if lo in given else hi
            return key, (f"Cut-offs must decrease strictly from 5 to 2 stars "
                         f"(★{hi} {merged[hi]}, ★{lo} {merged[lo]}).")
    return None


def cross_reference_problem(data) -> tuple | None:
    """(path tuple, message): duplicate ids (at the later one), mentor and section references,
    monthly scores outside the period."""
    seen: set = set()
    for coll in ("officers", "sections", "agencies"):
        for i, item in enumerate(data.get(coll) or ()):
            if item["id"] in seen:
                return (coll, i, "id"), f"Id {item['id']!r} given twice."
            seen.add(item["id"])
    officers = data.get("officers") or ()
    if not officers:
        return None
    officer_ids = {o["id"] for o in officers}
    section_agency = {s["id"]: s["agency"] for s in data.get("sections") or ()}
    months = frozenset(period_months(data["period"]))
    for i, o in enumerate(officers):
        if not o["monthly"].keys() <= months:
            for key in o["monthly"]:
                if key not in months:
                    return ("officers", i, "monthly", key), OUTSIDE
        if o.get("mentor") is not None and o["mentor"] not in officer_ids:
            return ("officers", i, "mentor"), f"No officer {o['mentor']!r} in the snapshot."
        sec = o.get("section")
        if sec is not None:
            if sec not in section_agency:
                return ("officers", i, "section"), f"No section {sec!r} in the snapshot."
            if section_agency[sec] != o["agency"]:
                return ("officers", i, "section"), (f"Section {sec!r} belongs to agency "
                                                    f"{section_agency[sec]!r}, not {o['agency']!r}.")
    return None


def path_text(path) -> str:
    out = ""
    for key in path:
        out = f"{out}[{key}]" if isinstance(key, int) else (f"{out}.{key}" if out else str(key))
    return out


def load_snapshot_marshmallow(payload) -> dict:
    """Validate with the published marshmallow contract (slow on big snapshots)."""
    return load(SnapshotSchema(), payload)


# --------------------------------------------------------------------------------------------
# the fast validator


class _Invalid(Exception):
    pass


class _Check:
    """Collects (path, message) problems; paths are built only when something is wrong."""

    __slots__ = ("problems",)

    def __init__(self):
        self.problems: list = []

    def add(self, path: str, message: str):
        self.problems.append((path, message))

    def raise_if_any(self):
        if self.problems:
            path, message = self.problems[0]
            raise ValidationFailed(message, path,
                                   [{"field": p, "message": m} for p, m in self.problems])


def _p(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _obj(check, v, path, allowed) -> bool:
    if type(v) is not dict:
        check.add(path, NOT_OBJECT)
        return False
    for k in v:
        if k not in allowed:
            check.add(f"{path}.{k}", UNKNOWN)
    return True


def _given(check, d, key, path, required=True):
    """``d[key]``; None when it is absent (MISSING) or null (NULL), reported only when ``required``."""
    if key not in d:
        if required:
            check.add(_p(path, key), MISSING)
        return None
    v = d[key]
    if v is None and required:
        check.add(_p(path, key), NULL)
    return v


def _text(check, d, key, path, required=True):
    v = _given(check, d, key, path, required)
    if v is None:
        return None
    if type(v) is not str:
        check.add(_p(path, key), NOT_STRING)
    elif not v:
        check.add(_p(path, key), EMPTY)
    elif not _text_ok(v):
        check.add(_p(path, key), NOT_TEXT)
    return v


def _choice(check, d, key, path, choices, required=True):
    v = _given(check, d, key, path, required)
    if v is None:
        return None
    if type(v) is not str:
        check.add(_p(path, key), NOT_STRING)
    elif v not in choices:
        check.add(_p(path, key), one_of(choices))
    return v


def _date(check, d, key, path):
    v = _given(check, d, key, path)
    if v is None:
        return None
    try:
        return _parse_date(v)
    except ValueError as exc:
        check.add(_p(path, key), str(exc))
        return None


def _count(check, d, key, path, default=None, required=False):
    if key not in d:
        if required:
            check.add(_p(path, key), MISSING)
        return default
    v = d[key]
    if type(v) is not int:
        check.add(_p(path, key), NULL if v is None else NOT_INTEGER)
        return default
    if v < 0:
        check.add(_p(path, key), "Must be greater than or equal to 0.")
    return v


def _num_at(check, v, path, lo, hi, lo_open=False):
    try:
        out = _number(v)
    except ValueError as exc:
        check.add(path, NULL if v is None else str(exc))
        return None
    if out < lo or (lo_open and out == lo) or out > hi:
        check.add(path, range_message(lo, hi, lo_open))
    return out


def _list_at(check, d, key, path):
    if key not in d:
        return ()
    v = d[key]
    if type(v) is not list:
        check.add(_p(path, key), NULL if v is None else NOT_LIST)
        return ()
    return v


_HONOUR = frozenset(("title", "level"))
_LEAVE = frozenset(("kind", "from", "to"))
_SAT = frozenset(("satisfied", "basic", "dissatisfied"))
_OFFICER = frozenset(("id", "agency", "section", "mentor", "joined", "monthly", "honours", "leave",
                      "unexcused_absence_days", "satisfaction", "facts", "disqualified_last_year"))
_SECTION = frozenset(("id", "agency", "headcount", "score", "honours", "satisfaction", "facts"))
_AGENCY = frozenset(("id", "group", "score", "awards", "criticisms", "previous_class"))
_AWARD = frozenset(("kind", "level"))
_RULES = frozenset(("cutoffs", "five_star_quota", "amounts"))
_TOP = frozenset(("period", "rating_date", "rules", "officers", "sections", "agencies"))
_ZERO, _HUNDRED = Decimal(0), Decimal(100)
_MONTH_OK = {f"{y:04d}-{m:02d}" for y in range(1900, 2200) for m in range(1, 13)}


def _honours(check, d, path):
    out = []
    for j, h in enumerate(_list_at(check, d, "honours", path)):
        p = f"{path}.honours[{j}]"
        if _obj(check, h, p, _HONOUR):
            out.append({"title": _text(check, h, "title", p),
                        "level": _choice(check, h, "level", p, LEVELS)})
    return out


def _satisfaction(check, d, path):
    v = d.get("satisfaction")
    if v is None:
        return None
    p = f"{path}.satisfaction"
    if not _obj(check, v, p, _SAT):
        return None
    return {k: _count(check, v, k, p, required=True) for k in ("satisfied", "basic",
                                                                  "dissatisfied")}


def _facts(check, d, path, vocabulary):
    facts = _list_at(check, d, "facts", path)
    for k, f in enumerate(facts):
        if type(f) is not str:
            check.add(f"{path}.facts[{k}]", NULL if f is None else NOT_STRING)
        elif f not in vocabulary:
            check.add(f"{path}.facts[{k}]", one_of(vocabulary))
    return list(facts)


def _officer(check, o, path):
    if not _obj(check, o, path, _OFFICER):
        return None
    before = len(check.problems)
    out = {"id": _text(check, o, "id", path), "agency": _text(check, o, "agency", path),
           "section": _text(check, o, "section", path, required=False),
           "mentor": _text(check, o, "mentor", path, required=False),
           "joined": _date(check, o, "joined", path)}
    monthly = o.get("monthly", _Invalid)
    if monthly is _Invalid:
        check.add(f"{path}.monthly", MISSING)
        monthly = {}
    elif type(monthly) is not dict:
        check.add(f"{path}.monthly", NULL if monthly is None else NOT_OBJECT)
        monthly = {}
    else:
        clean = {}
        for key, v in monthly.items():
            if key not in _MONTH_OK and (type(key) is not str or not _MONTH_RE.match(key)):
                check.add(f"{path}.monthly.{key}", NOT_MONTH)
                continue
            t = type(v)
            if t is int and 0 <= v <= 100:
                clean[key] = v
            else:
                clean[key] = _num_at(check, v, f"{path}.monthly.{key}", _ZERO, _HUNDRED)
        monthly = clean
    out["monthly"] = monthly
    out["honours"] = _honours(check, o, path) if "honours" in o else []
    leave = []
    if "leave" in o:
        for j, x in enumerate(_list_at(check, o, "leave", path)):
            p = f"{path}.leave[{j}]"
            if not _obj(check, x, p, _LEAVE):
                continue
            n = len(check.problems)
            spell = {"kind": _choice(check, x, "kind", p, LEAVE_KINDS),
                     "from": _date(check, x, "from", p), "to": _date(check, x, "to", p)}
            if len(check.problems) == n and spell["to"] < spell["from"]:
                check.add(p, "Leave ends before it starts (to before from).")
            leave.append(spell)
    out["leave"] = leave
    out["unexcused_absence_days"] = _count(check, o, "unexcused_absence_days", path, 0)
    out["satisfaction"] = _satisfaction(check, o, path)
    out["facts"] = _facts(check, o, path, OFFICER_FACTS) if "facts" in o else []
    dly = o.get("disqualified_last_year", False)
    if type(dly) is not bool:
        check.add(f"{path}.disqualified_last_year", NULL if dly is None else NOT_BOOLEAN)
    out["disqualified_last_year"] = dly
    if len(check.problems) == before:
        problem = leave_overlap(leave)
        if problem is not None:
            check.add(f"{path}.leave[{problem[0]}]", problem[1])
    return out


_DEC_CACHE: dict = {}      # float -> Decimal(repr(float)); a city's scores have few distinct values
_DATE_CACHE: dict = {}     # "YYYY-MM-DD" -> date, for strings the strict rule accepted
_CACHE_MAX = 200_000


def _good_text(v) -> bool:
    return type(v) is str and v != "" and (v.isascii() or _text_ok(v))


def _date_fast(v):
    """The date of a well-formed ``YYYY-MM-DD`` string, else None (the slow path then says why)."""
    d = _DATE_CACHE.get(v) if type(v) is str else None
    if d is None:
        try:
            d = _parse_date(v)
        except ValueError:
            return None
        if len(_DATE_CACHE) < _CACHE_MAX:
            _DATE_CACHE[v] = d
    return d


def exact_float(v: float) -> Decimal:
    """``Decimal(repr(v))``, what a JSON float becomes (:func:`_number`), one object per distinct
    value (Decimals are immutable: sharing them changes nothing)."""
    d = _DEC_CACHE.get(v) if v else None          # 0.0 and -0.0 compare equal: never cached
    if d is None:
        d = Decimal(repr(v))
        if v and len(_DEC_CACHE) < _CACHE_MAX:
            _DEC_CACHE[v] = d
    return d


def _officer_fast(o):
    """The normalised officer when it is valid in every field, else None: the caller then runs
    :func:`_officer`, which finds and names every problem.  Returns exactly what :func:`_officer`
    returns for a valid officer (a test holds the two equal); it never accepts what that refuses."""
    if type(o) is not dict or not o.keys() <= _OFFICER:
        return None
    oid, agency = o.get("id"), o.get("agency")
    if not (_good_text(oid) and _good_text(agency)):
        return None
    section, mentor = o.get("section"), o.get("mentor")
    if (section is not None and not _good_text(section)) or \
            (mentor is not None and not _good_text(mentor)):
        return None
    joined = _date_fast(o.get("joined"))
    monthly = o.get("monthly")
    if joined is None or type(monthly) is not dict:
        return None
    if not monthly.keys() <= _MONTH_OK:
        return None
    clean = {}
    cached = _DEC_CACHE.get
    for key, v in monthly.items():
        t = type(v)
        if t is float:
            if not 0.0 <= v <= 100.0:
                return None
            x = cached(v)
            if x is None:
                x = exact_float(v)
        elif t is int and 0 <= v <= 100:
            x = v
        else:
            return None
        clean[key] = x
    honours = []
    if "honours" in o:
        given = o["honours"]
        if type(given) is not list:
            return None
        for h in given:
            if type(h) is not dict or not h.keys() <= _HONOUR:
                return None
            title, level = h.get("title"), h.get("level")
            if not _good_text(title) or type(level) is not str or level not in LEVELS:
                return None
            honours.append({"title": title, "level": level})
    leave = []
    if "leave" in o:
        given = o["leave"]
        if type(given) is not list:
            return None
        for x in given:
            if type(x) is not dict or not x.keys() <= _LEAVE:
                return None
            kind = x.get("kind")
            start, end = _date_fast(x.get("from")), _date_fast(x.get("to"))
            if type(kind) is not str or kind not in LEAVE_KINDS or start is None or end is None \
                    or end < start:
                return None
            leave.append({"kind": kind, "from": start, "to": end})
        if leave_overlap(leave) is not None:
            return None
    absent = o.get("unexcused_absence_days", 0)
    if type(absent) is not int or absent < 0:
        return None
    sat = o.get("satisfaction")
    if sat is not None:
        if type(sat) is not dict or not sat.keys() <= _SAT:
            return None
        a, b, c = sat.get("satisfied"), sat.get("basic"), sat.get("dissatisfied")
        if type(a) is not int or type(b) is not int or type(c) is not int or a < 0 or b < 0 or c < 0:
            return None
        sat = {"satisfied": a, "basic": b, "dissatisfied": c}
    facts = []
    if "facts" in o:
        given = o["facts"]
        if type(given) is not list:
            return None
        for f in given:
            if type(f) is not str or f not in OFFICER_FACTS:
                return None
        facts = list(given)
    dly = o.get("disqualified_last_year", False)
    if type(dly) is not bool:
        return None
    return {"id": oid, "agency": agency, "section": section, "mentor": mentor, "joined": joined,
            "monthly": clean, "honours": honours, "leave": leave,
            "unexcused_absence_days": absent, "satisfaction": sat, "facts": facts,
            "disqualified_last_year": dly}


def _officers(check, items):
    out = []
    for i, item in enumerate(items):
        valid = _officer_fast(item)
        out.append(valid if valid is not None else _officer(check, item, f"officers[{i}]"))
    return out


def _section(check, s, path):
    if not _obj(check, s, path, _SECTION):
        return None
    out = {"id": _text(check, s, "id", path), "agency": _text(check, s, "agency", path),
           "headcount": _count(check, s, "headcount", path, required=True)}
    if "score" not in s:
        check.add(f"{path}.score", MISSING)
        out["score"] = None
    else:
        out["score"] = _num_at(check, s["score"], f"{path}.score", _ZERO, _HUNDRED)
    out["honours"] = _honours(check, s, path)
    out["satisfaction"] = _satisfaction(check, s, path)
    out["facts"] = _facts(check, s, path, SECTION_FACTS)
    return out


def _agency(check, a, path):
    if not _obj(check, a, path, _AGENCY):
        return None
    out = {"id": _text(check, a, "id", path),
           "group": _choice(check, a, "group", path, AGENCY_GROUPS)}
    if "score" not in a:
        check.add(f"{path}.score", MISSING)
        out["score"] = None
    else:
        out["score"] = _num_at(check, a["score"], f"{path}.score", _ZERO, _HUNDRED)
    awards = []
    for j, w in enumerate(_list_at(check, a, "awards", path)):
        p = f"{path}.awards[{j}]"
        if not _obj(check, w, p, _AWARD):
            continue
        n = len(check.problems)
        award = {"kind": _choice(check, w, "kind", p, AWARD_KINDS),
                 "level": _choice(check, w, "level", p, LEVELS, required=False)}
        if len(check.problems) == n and award["kind"] in AWARD_KINDS_LEVELLED \
                and award["level"] is None:
            check.add(f"{p}.level", "A level is required for this kind of award.")
        awards.append(award)
    out["awards"] = awards
    out["criticisms"] = _count(check, a, "criticisms", path, 0)
    prev = a.get("previous_class")
    if prev is not None and (type(prev) is not int or prev not in (1, 2, 3)):
        check.add(f"{path}.previous_class",
                  NOT_INTEGER if type(prev) is not int else one_of((1, 2, 3)))
    out["previous_class"] = prev
    return out


def _rules(check, r):
    if r is _Invalid:
        return {}
    if r is None:
        check.add("rules", NULL)
        return {}
    if not _obj(check, r, "rules", _RULES):
        return {}
    out = {}
    if "cutoffs" in r:
        cut = r["cutoffs"]
        if type(cut) is not dict:
            check.add("rules.cutoffs", NULL if cut is None else NOT_OBJECT)
        else:
            n = len(check.problems)
            clean = {}
            for key, v in cut.items():
                if key not in DEFAULT_CUTOFFS:
                    check.add(f"rules.cutoffs.{key}", one_of(tuple(DEFAULT_CUTOFFS)))
                    continue
                clean[key] = _num_at(check, v, f"rules.cutoffs.{key}", *CUTOFF_RANGE)
            if len(check.problems) == n:
                problem = cutoffs_problem(clean)
                if problem is not None:
                    check.add(f"rules.cutoffs.{problem[0]}", problem[1])
            out["cutoffs"] = clean
    if "five_star_quota" in r:
        q = r["five_star_quota"]
        out["five_star_quota"] = None if q is None else _num_at(
            check, q, "rules.five_star_quota", _ZERO, Decimal(1), lo_open=True)
    if "amounts" in r:
        am = r["amounts"]
        if am is None:
            check.add("rules.amounts", NULL)
        elif _obj(check, am, "rules.amounts", DEFAULT_AMOUNTS):
            out["amounts"] = {k: _num_at(check, am[k], f"rules.amounts.{k}", _ZERO,
                                         DEFAULT_AMOUNTS[k] * AMOUNT_MAX_FACTOR)
                              for k in DEFAULT_AMOUNTS if k in am}
    return out


def validate_snapshot(payload) -> dict:
    """Validate a snapshot (a dict, as from JSON) against RATING.md §1 and §4, fast.

    Returns the normalised dict; raises :class:`ValidationFailed` naming the first bad path and
    listing every problem found in ``details``."""
    check = _Check()
    if type(payload) is not dict:
        check.add("_schema", NOT_OBJECT)
        check.raise_if_any()
    for k in payload:
        if k not in _TOP:
            check.add(k, UNKNOWN)
    out = {}
    period = payload.get("period", _Invalid)
    if period is _Invalid:
        check.add("period", MISSING)
    elif period is None:
        check.add("period", NULL)
    elif type(period) is not str:
        check.add("period", NOT_STRING)
    elif not _PERIOD_RE.match(period):
        check.add("period", NOT_PERIOD)
    out["period"] = period
    out["rating_date"] = _date(check, payload, "rating_date", "")
    out["rules"] = _rules(check, payload.get("rules", _Invalid))
    out["officers"] = _officers(check, _list_at(check, payload, "officers", ""))
    for coll, fn in (("sections", _section), ("agencies", _agency)):
        items = _list_at(check, payload, coll, "")
        out[coll] = [fn(check, item, f"{coll}[{i}]") for i, item in enumerate(items)]
    check.raise_if_any()
    problem = cross_reference_problem(out)
    if problem is not None:
        check.add(path_text(problem[0]), problem[1])
        check.raise_if_any()
    return out


# --------------------------------------------------------------------------------------------
# strict JSON text


class _Bad:
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


def _find_bad(node, path=()):
    if isinstance(node, _Bad):
        return path, node.message
    if isinstance(node, dict):
        for k, v in node.items():
            found = _find_bad(v, path + (k,))
            if found:
                return found
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found = _find_bad(v, path + (i,))
            if found:
                return found
    return None


def loads_snapshot(text) -> object:
    """Parse JSON text strictly: NaN/Infinity and keys given twice are refused, naming the path of
    the value (``officers[0].monthly.2026-01``) or of the key given twice (``officers[2].id``)."""
    flagged = []

    def constant(name):
        flagged.append(name)
        return _Bad(f"{name} is not allowed (numbers must be finite).")

    def pairs(items):
        out = dict(items)
        if len(out) != len(items):
            seen = set()
            for k, _v in items:
                if k in seen:
                    flagged.append(k)
                    out[k] = _Bad(f"Key {k!r} given twice.")
                seen.add(k)
        return out

    try:
        with gc_paused():     # millions of small objects that all survive: nothing to collect
            data = json.loads(text, parse_constant=constant, object_pairs_hook=pairs)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else "input"
        raise ValidationFailed(f"Not valid JSON: {getattr(exc, 'msg', exc)} ({where}).",
                               "$") from None
    except RecursionError:
        raise ValidationFailed("JSON nested too deeply.", "$") from None
    if flagged:
        path, message = _find_bad(data)
        raise ValidationFailed(message, path_text(path) or "$")
    return data


# --------------------------------------------------------------------------------------------
# the result (RATING.md §5), for documentation and for checking what the engine returns


class ExplanationSchema(BaseSchema):
    rule = fields.String(required=True)
    points = fields.Float(required=True, allow_none=True, allow_nan=False)
    text = fields.String(required=True)


class OfficerResultSchema(BaseSchema):
    id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    score = fields.Float(required=True, allow_none=True, allow_nan=False)
    stars = StrictInteger(required=True, allow_none=True, validate=validate.Range(1, 5))
    reasons = fields.List(fields.String(), required=True)
    explanation = fields.List(fields.Nested(ExplanationSchema), required=True)


class SectionResultSchema(OfficerResultSchema):
    pass


class AgencyResultSchema(BaseSchema):
    id = fields.String(required=True)
    score = fields.Float(required=True, allow_nan=False)
    class_ = StrictInteger(required=True, data_key="class", attribute="class", validate=validate.OneOf((1, 2, 3)))
    rank = StrictInteger(required=True, validate=validate.Range(min=1))
    advanced = fields.Boolean(required=True)
    veto_warning = fields.Boolean(required=True)
    veto = fields.Boolean(required=True)
    explanation = fields.List(fields.Nested(ExplanationSchema), required=True)


class SettlementLineSchema(BaseSchema):
    subject = fields.String(required=True)
    kind = fields.String(required=True)
    amount = fields.Float(allow_nan=False)
    reason = fields.String(required=True)


class ResultSchema(BaseSchema):
    officers = fields.List(fields.Nested(OfficerResultSchema), required=True)
    sections = fields.List(fields.Nested(SectionResultSchema), required=True)
    agencies = fields.List(fields.Nested(AgencyResultSchema), required=True)
    settlement = fields.List(fields.Nested(SettlementLineSchema), required=True)
