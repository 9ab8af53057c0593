"""The roster's conversions: database rows to the domain's types and back, and the domain's types to
the dicts its RPCs answer and its events carry (``shared.contracts.roster``).
"""
from __future__ import annotations

from decimal import Decimal, ROUND_HALF_UP
from datetime import date
from functools import lru_cache

from services.roster.domain import coverage as coverage_rules
from services.roster.domain import discipline as discipline_rules
from services.roster.domain import history as history_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.dates import iso
from services.roster.domain.model import Pair, SECTION, Spell, Staff, Unit
from services.roster.domain.units import level_of, owning_body
from services.roster.models import DisciplineFactRow, PairRow, PostRow, SpellRow, UnitVersionRow


def unit_from_row(row: UnitVersionRow) -> Unit:
    return Unit(id=row.id, name=row.name, kind=row.kind, parent=row.parent,
                agency_type=row.agency_type, rank=row.rank, supervising_unit=row.supervising_unit)


def split_list(text: str) -> tuple:
    return tuple(t for t in (text or "").split(";") if t)


# A stored list (titles, supervised sections) as the domain holds it: the same few texts on thousands
# of rows (mostly empty), and the answers immutable, so each text is split once (a city's coverage read
# ten thousand staff rows and their posts, splitting each list anew: issue 24 item 5)
@lru_cache(maxsize=4096)
def titles_of(text: str | None) -> frozenset:
    return frozenset(split_list(text))


@lru_cache(maxsize=4096)
def supervised_of(text: str | None) -> tuple:
    return tuple(sorted(split_list(text)))


def staff_from_row(row) -> Staff:
    return Staff(id=row.id, name=row.name, unit=row.unit, position=row.position, joined=row.joined,
                 titles=titles_of(row.titles), supervises=supervised_of(row.supervises))


def staff_values(s: Staff) -> dict:
    return {"id": s.id, "name": s.name, "unit": s.unit, "position": s.position,
            "joined": s.joined, "titles": ";".join(sorted(s.titles)),
            "supervises": ";".join(sorted(s.supervises))}


def spell_from_row(row: SpellRow) -> Spell:
    return Spell(id=row.id, person=row.person, kind=row.kind, start=row.start, end=row.end,
                 leave_kind=row.leave_kind, host_unit=row.host_unit, note=row.note)


def pair_from_row(row: PairRow) -> Pair:
    return Pair(id=row.id, mentor=row.mentor, mentee=row.mentee, start=row.start, end=row.end)


def unit_dict(u: Unit, units: dict) -> dict:
    return {"id": u.id, "name": u.name, "kind": u.kind, "parent": u.parent,
            "agency_type": u.agency_type, "rank": u.rank, "supervising_unit": u.supervising_unit,
            "agency": owning_body(units, u).id, "level": level_of(units, u)}


def staff_dict(s: Staff, units: dict, since: date | None = None) -> dict:
    """A person as of a date; ``since``: the first day of the post shown (events carry it)."""
    unit = units[s.unit]
    out = {"id": s.id, "name": s.name, "unit": s.unit, "agency": owning_body(units, unit).id,
           "section": unit.id if unit.kind == SECTION else None, "position": s.position,
           "joined": s.joined.isoformat(), "titles": sorted(s.titles),
           "supervises": sorted(s.supervises)}
    if since is not None:
        out["since"] = since.isoformat()
    return out


def post_from_row(row: PostRow) -> history_rules.Post:
    return history_rules.Post(person=row.person, start=row.start, end=row.end, unit=row.unit,
                     position=row.position, titles=titles_of(row.titles),
                     supervises=supervised_of(row.supervises))


def post_values(p: history_rules.Post) -> dict:
    return {"person": p.person, "start": p.start, "end": p.end, "unit": p.unit,
            "position": p.position, "titles": ";".join(sorted(p.titles)),
            "supervises": ";".join(sorted(p.supervises))}


def spell_dict(s: Spell) -> dict:
    return {"id": s.id, "person": s.person, "kind": s.kind, "start": iso(s.start),
            "end": iso(s.end), "leave_kind": s.leave_kind, "host_unit": s.host_unit,
            "note": s.note}


def pair_dict(p: Pair) -> dict:
    return {"pair_id": p.id, "mentor": p.mentor, "mentee": p.mentee, "start": iso(p.start),
            "end": iso(p.end)}


def version_from_row(row: UnitVersionRow) -> tree_rules.UnitVersion:
    return tree_rules.UnitVersion(unit_from_row(row), row.start, row.end)


def version_values(v: tree_rules.UnitVersion) -> dict:
    return dict({k: getattr(v.unit, k) for k in ("id",) + tree_rules.CONTENT}, start=v.start,
                end=v.end)


def version_dict(v: tree_rules.UnitVersion, tree: tree_rules.Tree) -> dict:
    return dict(unit_dict(v.unit, tree.view(v.start)), since=v.start.isoformat(),
                until=iso(v.end))


def unit_in(u: dict) -> Unit:
    return Unit(id=u["id"], name=u["name"], kind=u["kind"], parent=u["parent"],
                agency_type=u["agency_type"], rank=u["rank"], supervising_unit=u["supervising_unit"])


def staff_in(d: dict, field: str) -> Staff:
    return Staff(id=d["id"], name=d["name"], unit=d["unit"], position=d["position"],
                 joined=d["joined"],
                 titles=frozenset(d.get("titles") or ()),
                 supervises=tuple(sorted(set(d.get("supervises") or ()))))


def share(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def coverage_dict(c: coverage_rules.Coverage) -> dict:
    return {pos: {"total": pc.total, "covered": pc.covered, "share": share(pc.share),
                  "without": pc.without} for pos, pc in c.positions.items()}


def case_dict(c) -> dict:
    return {"id": c.id, "violation": c.violation, "person": c.person, "role": c.role}


def fact_from_row(row: DisciplineFactRow) -> discipline_rules.DisciplineFact:
    return discipline_rules.DisciplineFact(
        id=row.id, kind=row.kind, agency=row.agency, unit=row.unit, person=row.person, year=row.year,
        occurred_on=row.occurred_on, reported_on=row.reported_on, investigated_on=row.investigated_on,
        note=row.note)


def fact_dict(f: discipline_rules.DisciplineFact) -> dict:
    return {"id": f.id, "kind": f.kind, "agency": f.agency, "unit": f.unit, "person": f.person,
            "year": f.year, "occurred_on": f.occurred_on.isoformat(),
            "reported_on": f.reported_on.isoformat(), "investigated_on": iso(f.investigated_on),
            "note": f.note}
