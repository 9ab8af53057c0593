"""The roster's application layer: plain functions ``(uow, data) -> dict``.

Each loads what it needs, calls the domain, saves, and records the events to publish through the
outbox (``uow.publish``) in the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, insert, or_, select, update

from services.roster.domain import bans, coverage as cov, discipline, evaluator as ev, importing, \
    mentoring
from services.roster.domain import spells as sp
from services.roster.domain import staff as staff_rules
from services.roster.domain.dates import iso, parse_date, parse_optional_date
from services.roster.domain.model import (AGENCY, COMMITTEE, EXIT_KINDS, SECTION, SUSPENSION, Pair,
                                          Spell, Staff, Unit)
from services.roster.domain.staff import check_new_person, check_staff
from services.roster.domain.units import check_units_batch, get_unit, level_of, owning_body, \
    units_under
from services.roster.models import (BanViolationRow, CaseRow, DisciplineFactRow, PairRow, SpellRow,
                                    StaffRow, UnitRow)
from shared.contracts import roster as contract
from shared.errors import Conflict, LianbaoError, NotFound, ValidationFailed

IN_CHUNK = 5000


def new_id() -> str:
    return uuid.uuid4().hex


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- conversions ----------------------------------------------------------------------------------
def _unit(row: UnitRow) -> Unit:
    return Unit(id=row.id, name=row.name, kind=row.kind, parent=row.parent,
                agency_type=row.agency_type, rank=row.rank, supervising_unit=row.supervising_unit)


def _split(text: str) -> tuple:
    return tuple(t for t in (text or "").split(";") if t)


def _staff(row) -> Staff:
    return Staff(id=row.id, name=row.name, unit=row.unit, position=row.position, joined=row.joined,
                 titles=frozenset(_split(row.titles)), supervises=tuple(sorted(_split(row.supervises))))


def _staff_values(s: Staff) -> dict:
    return {"id": s.id, "name": s.name, "unit": s.unit, "position": s.position,
            "joined": s.joined, "titles": ";".join(sorted(s.titles)),
            "supervises": ";".join(sorted(s.supervises))}


def _spell(row: SpellRow) -> Spell:
    return Spell(id=row.id, person=row.person, kind=row.kind, start=row.start, end=row.end,
                 leave_kind=row.leave_kind, host_unit=row.host_unit, note=row.note)


def _pair(row: PairRow) -> Pair:
    return Pair(id=row.id, mentor=row.mentor, mentee=row.mentee, start=row.start, end=row.end)


def unit_dict(u: Unit, units: dict) -> dict:
    return {"id": u.id, "name": u.name, "kind": u.kind, "parent": u.parent,
            "agency_type": u.agency_type, "rank": u.rank, "supervising_unit": u.supervising_unit,
            "agency": owning_body(units, u).id, "level": level_of(units, u)}


def staff_dict(s: Staff, units: dict) -> dict:
    unit = units[s.unit]
    return {"id": s.id, "name": s.name, "unit": s.unit, "agency": owning_body(units, unit).id,
            "section": unit.id if unit.kind == SECTION else None, "position": s.position,
            "joined": s.joined.isoformat(), "titles": sorted(s.titles),
            "supervises": sorted(s.supervises)}


def spell_dict(s: Spell) -> dict:
    return {"id": s.id, "person": s.person, "kind": s.kind, "start": iso(s.start),
            "end": iso(s.end), "leave_kind": s.leave_kind, "host_unit": s.host_unit,
            "note": s.note}


def pair_dict(p: Pair) -> dict:
    return {"pair_id": p.id, "mentor": p.mentor, "mentee": p.mentee, "start": iso(p.start),
            "end": iso(p.end)}


# -- loading ------------------------------------------------------------------------------------
def load_units(session) -> dict[str, Unit]:
    return {r.id: _unit(r) for r in session.scalars(select(UnitRow))}


def load_person(session, person_id: str, field: str = "person") -> Staff:
    row = session.get(StaffRow, person_id)
    if row is None:
        raise NotFound(f"unknown person {person_id!r}", field)
    return _staff(row)


def load_spells(session, person_ids: Iterable[str] | None = None, kinds=None) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    base = select(SpellRow)
    if kinds is not None:
        base = base.where(SpellRow.kind.in_(kinds))
    if person_ids is None:
        batches = [base]
    else:
        ids = sorted(set(person_ids))
        batches = [base.where(SpellRow.person.in_(chunk)) for chunk in _chunks(ids, IN_CHUNK)]
    for stmt in batches:
        for row in session.scalars(stmt.order_by(SpellRow.start)):
            out[row.person].append(_spell(row))
    return out


def load_staff(session, ids: Iterable[str]) -> dict[str, Staff]:
    out = {}
    for chunk in _chunks(sorted(set(ids)), IN_CHUNK):
        for row in session.scalars(select(StaffRow).where(StaffRow.id.in_(chunk))):
            out[row.id] = _staff(row)
    return out


def pairs_of(session, person: str, as_mentor=True, as_mentee=True) -> list[Pair]:
    conds = []
    if as_mentor:
        conds.append(PairRow.mentor == person)
    if as_mentee:
        conds.append(PairRow.mentee == person)
    return [_pair(r) for r in session.scalars(select(PairRow).where(or_(*conds))
                                               .order_by(PairRow.start))]


class Statuses:
    """Staff and spells loaded on demand, answering the domain's per-person questions."""

    def __init__(self, session, people: dict | None = None, spells: dict | None = None):
        self.session = session
        self.people = dict(people or {})
        self.spells = dict(spells or {})

    def _ensure(self, ids: Iterable[str]) -> None:
        missing = [i for i in ids if i not in self.people]
        if missing:
            self.people.update(load_staff(self.session, missing))
        need = [i for i in ids if i not in self.spells]
        if need:
            loaded = load_spells(self.session, need)
            for i in need:
                self.spells[i] = loaded.get(i, [])

    def mentor_counts(self, pid: str, day: date) -> bool:
        self._ensure([pid])
        person = self.people.get(pid)
        return person is not None and sp.can_mentor_on(person, self.spells[pid], day)

    def on_team(self, pid: str, day: date) -> bool:
        self._ensure([pid])
        person = self.people.get(pid)
        return person is not None and sp.on_team(person, self.spells[pid], day)

    def preload(self, ids: Iterable[str]) -> None:
        self._ensure(list(set(ids)))


def mentor_map(session, mentee_ids: list[str], day: date, statuses: Statuses) -> dict[str, str]:
    """mentee → effective mentor on ``day``, for many mentees at once."""
    pairs = []
    for chunk in _chunks(sorted(set(mentee_ids)), IN_CHUNK):
        stmt = select(PairRow).where(PairRow.mentee.in_(chunk), PairRow.start <= day,
                                     or_(PairRow.end.is_(None), PairRow.end >= day))
        pairs.extend(_pair(r) for r in session.scalars(stmt))
    statuses.preload(p.mentor for p in pairs)
    return {p.mentee: p.mentor for p in pairs if statuses.mentor_counts(p.mentor, day)}


# -- pair changes -----------------------------------------------------------------------------
def apply_cuts(uow, cuts, reason: str) -> list[dict]:
    """Save cut pairs and publish ``mentor_unassigned`` for each (never a silent change)."""
    out = []
    for old, new in cuts:
        if new is None:
            uow.session.execute(delete(PairRow).where(PairRow.id == old.id))
        else:
            uow.session.execute(update(PairRow).where(PairRow.id == old.id).values(end=new.end))
        payload = dict(pair_dict(old), end=iso(new.end) if new else None, reason=reason)
        uow.publish(contract.MENTOR_UNASSIGNED, payload)
        out.append(payload)
    return out


# -- units --------------------------------------------------------------------------------------
def save_units(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    batch = [Unit(id=u["id"], name=u["name"], kind=u["kind"], parent=u["parent"],
                  agency_type=u["agency_type"], rank=u["rank"],
                  supervising_unit=u["supervising_unit"]) for u in data["units"]]
    merged = check_units_batch(batch, units)
    created, changed, unchanged, out = 0, 0, 0, []
    for unit in batch:
        old = units.get(unit.id)
        values = {k: getattr(unit, k) for k in ("id", "name", "kind", "parent", "agency_type",
                                                 "rank", "supervising_unit")}
        if old is None:
            session.execute(insert(UnitRow), [values])
            created += 1
        elif old == unit:
            unchanged += 1
            continue
        else:
            session.execute(update(UnitRow).where(UnitRow.id == unit.id).values(**values))
            changed += 1
        out.append(unit_dict(unit, merged))
    if out:
        uow.publish(contract.UNITS_SAVED, {"units": out})
    return {"created": created, "changed": changed, "unchanged": unchanged,
            "units": [unit_dict(u, merged) for u in batch]}


def get_units(uow, data) -> dict:
    units = load_units(uow.session)
    ids = units_under(units, get_unit(units, data["under"], "under").id) if data["under"] \
        else set(units)
    return {"units": [unit_dict(units[i], units) for i in sorted(ids)]}


# -- staff --------------------------------------------------------------------------------------
def _staff_in(d: dict, field: str) -> Staff:
    return Staff(id=d["id"], name=d["name"], unit=d["unit"], position=d["position"],
                 joined=parse_date(d["joined"], f"{field}.joined"),
                 titles=frozenset(d.get("titles") or ()),
                 supervises=tuple(sorted(set(d.get("supervises") or ()))))


def _publish_staff(uow, event: str, staff: list[Staff], units: dict, **extra) -> None:
    for chunk in _chunks(staff, contract.EVENT_BATCH):
        uow.publish(event, dict({"staff": [staff_dict(s, units) for s in chunk]}, **extra))


def create_staff(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    batch = []
    seen: dict[str, int] = {}
    for i, d in enumerate(data["staff"]):
        field = f"staff[{i}]"
        staff = _staff_in(d, field)
        try:
            check_staff(staff, units)
        except LianbaoError as err:
            raise type(err)(err.message, f"{field}.{err.field}") from None
        if staff.id in seen:
            raise Conflict(f"person {staff.id!r} is already at staff[{seen[staff.id]}]",
                           f"{field}.id")
        seen[staff.id] = i
        batch.append(staff)
    existing = load_staff(session, seen)
    new = []
    for i, staff in enumerate(batch):
        try:
            check_new_person(staff, existing.get(staff.id))
        except Conflict as err:
            raise Conflict(err.message, f"staff[{i}].{err.field}") from None
        if staff.id not in existing:
            new.append(staff)
    if new:
        session.execute(insert(StaffRow), [_staff_values(s) for s in new])
        _publish_staff(uow, contract.STAFF_JOINED, new, units)
    return {"created": len(new), "unchanged": len(batch) - len(new),
            "staff": [staff_dict(s, units) for s in batch]}


def get_staff(uow, data) -> dict:
    units = load_units(uow.session)
    return staff_dict(load_person(uow.session, data["person"]), units)


def change_staff(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    old = load_person(session, data["person"])
    effective = parse_date(data["effective"], "effective")
    changes = {}
    for key in ("name", "unit", "position"):
        if key in data:
            changes[key] = data[key]
    if "joined" in data:
        changes["joined"] = parse_date(data["joined"], "joined")
    if "titles" in data:
        changes["titles"] = frozenset(data["titles"])
    if "supervises" in data:
        changes["supervises"] = tuple(sorted(set(data["supervises"])))
    new = replace(old, **changes)
    if new == old:
        return {"staff": staff_dict(new, units), "unassigned": [], "changed": False}
    check_staff(new, units)
    if new.joined != old.joined:
        first = session.scalars(select(SpellRow.start).where(SpellRow.person == new.id)
                                .order_by(SpellRow.start).limit(1)).first()
        if first is not None and first < new.joined:
            raise Conflict(f"the person has a spell from {first}, before {new.joined}", "joined")
    session.execute(update(StaffRow).where(StaffRow.id == new.id).values(**_staff_values(new)))
    pairs = pairs_of(session, new.id)
    others = {p.mentor for p in pairs} | {p.mentee for p in pairs}
    people = load_staff(session, others)
    people[new.id] = new
    cuts = mentoring.pairs_broken_by_change(pairs, new, people, units, effective)
    unassigned = apply_cuts(uow, cuts, "chain_broken")
    _publish_staff(uow, contract.STAFF_CHANGED, [new], units, effective=effective.isoformat())
    return {"staff": staff_dict(new, units), "unassigned": unassigned, "changed": True}


def _members(session, unit_ids: set[str]) -> list[Staff]:
    out = []
    for chunk in _chunks(sorted(unit_ids), IN_CHUNK):
        out.extend(_staff(r) for r in session.scalars(
            select(StaffRow).where(StaffRow.unit.in_(chunk)).order_by(StaffRow.id)))
    return out


def members_of(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    unit = get_unit(units, data["unit"], "unit")
    day = parse_date(data["date"], "date")
    ids = units_under(units, unit.id) if data["include_subunits"] else {unit.id}
    staff = _members(session, ids)
    spells = load_spells(session, [s.id for s in staff])
    members = []
    for s in sorted(staff, key=lambda s: s.id):
        status = sp.status_on(s, spells.get(s.id, []), day)
        if status in ("not_joined", "transferred_out", "dismissed"):
            continue
        members.append(dict(staff_dict(s, units), status=status))
    return {"unit": unit.id, "date": day.isoformat(), "members": members}


def people_of_agency(uow, data) -> dict:
    """Everything a scoring read needs for a whole agency at once."""
    session = uow.session
    units = load_units(session)
    agency = get_unit(units, data["agency"], "agency")
    if agency.kind == SECTION:
        raise ValidationFailed(f"{agency.id} is a section, not an agency or committee", "agency")
    day = parse_date(data["date"], "date")
    ids = {agency.id} | {u.id for u in units.values()
                         if u.kind == SECTION and u.parent == agency.id}
    staff = [s for s in _members(session, ids) if s.joined <= day]
    spells = load_spells(session, [s.id for s in staff])
    statuses = Statuses(session, {s.id: s for s in staff},
                        {s.id: spells.get(s.id, []) for s in staff})
    mentors = mentor_map(session, [s.id for s in staff], day, statuses)
    people = []
    for s in staff:
        mine = spells.get(s.id, [])
        people.append(dict(
            staff_dict(s, units), status=sp.status_on(s, mine, day), mentor=mentors.get(s.id),
            leave=[{"kind": x.leave_kind, "from": iso(x.start), "to": iso(x.end)}
                   for x in mine if x.kind == "leave"],
            secondments=[{"host_unit": x.host_unit, "from": iso(x.start), "to": iso(x.end)}
                         for x in mine if x.kind == "secondment"],
            suspensions=[{"from": iso(x.start), "to": iso(x.end)}
                         for x in mine if x.kind == SUSPENSION],
            exit=next(({"kind": x.kind, "date": iso(x.start)} for x in mine
                       if x.kind in EXIT_KINDS), None)))
    return {"agency": agency.id, "date": day.isoformat(), "people": people}


# -- spells -------------------------------------------------------------------------------------
def record_spell(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    person = load_person(session, data["person"])
    spell = Spell(id=new_id(), person=person.id, kind=data["kind"],
                  start=parse_date(data["start"], "start"),
                  end=parse_optional_date(data["end"], "end"), leave_kind=data["leave_kind"],
                  host_unit=data["host_unit"], note=data["note"])
    return _record_spell(uow, units, person, spell)


def _same_spell(a: Spell, b: Spell) -> bool:
    return (a.kind, a.start, a.end, a.leave_kind, a.host_unit) == \
        (b.kind, b.start, b.end, b.leave_kind, b.host_unit)


def _record_spell(uow, units, person: Staff, spell: Spell) -> dict:
    session = uow.session
    existing = load_spells(session, [person.id]).get(person.id, [])
    for other in existing:
        if _same_spell(other, spell):  # the same command again: the first answer, no new effect
            return {"spell": spell_dict(other), "unassigned": [], "replayed": True}
    sp.check_spell(spell, person, units, existing)
    session.execute(insert(SpellRow), [{
        "id": spell.id, "person": spell.person, "kind": spell.kind, "start": spell.start,
        "end": spell.end, "leave_kind": spell.leave_kind, "host_unit": spell.host_unit,
        "note": spell.note}])
    uow.publish(contract.STATUS_SPELL_RECORDED, {"spell": spell_dict(spell)})
    unassigned = []
    if spell.kind == SUSPENSION or spell.kind in EXIT_KINDS:
        leaving = spell.kind in EXIT_KINDS
        pairs = pairs_of(session, person.id, as_mentor=True, as_mentee=leaving)
        as_mentor = mentoring.pairs_to_cut(pairs, person.id, spell.start, spell.end)
        unassigned += apply_cuts(uow, as_mentor,
                                 "mentor_left" if leaving else "mentor_suspended")
        if leaving:
            as_mentee = mentoring.pairs_to_cut(pairs, person.id, spell.start, None,
                                               as_mentor=False, as_mentee=True)
            unassigned += apply_cuts(uow, as_mentee, "mentee_left")
            uow.publish(contract.STAFF_LEFT, {"person": person.id, "kind": spell.kind,
                                              "date": spell.start.isoformat(),
                                              "spell_id": spell.id})
    return {"spell": spell_dict(spell), "unassigned": unassigned}


def end_spell(uow, data) -> dict:
    session = uow.session
    row = session.get(SpellRow, data["spell_id"])
    if row is None:
        raise NotFound(f"unknown spell {data['spell_id']!r}", "spell_id")
    spell = _spell(row)
    if spell.kind in EXIT_KINDS:
        raise Conflict(f"{spell.kind} has no end", "spell_id")
    units = load_units(session)
    person = load_person(session, spell.person)
    changed = replace(spell, end=parse_date(data["end"], "end"))
    others = load_spells(session, [person.id]).get(person.id, [])
    sp.check_spell(changed, person, units, others)
    session.execute(update(SpellRow).where(SpellRow.id == spell.id).values(end=changed.end))
    uow.publish(contract.STATUS_SPELL_CHANGED, {"spell": spell_dict(changed)})
    return {"spell": spell_dict(changed)}


def spells_of(uow, data) -> dict:
    person = load_person(uow.session, data["person"])
    return {"person": person.id,
            "spells": [spell_dict(s) for s in load_spells(uow.session, [person.id])
                       .get(person.id, [])]}


# -- mentoring ----------------------------------------------------------------------------------
def _assign(uow, data, reassign: bool) -> dict:
    session = uow.session
    units = load_units(session)
    mentor = load_person(session, data["mentor"], "mentor")
    mentee = load_person(session, data["mentee"], "mentee")
    start = parse_date(data["start"], "start")
    statuses = Statuses(session, {mentor.id: mentor, mentee.id: mentee})
    pairs = pairs_of(session, mentee.id, as_mentor=False, as_mentee=True)
    new = Pair(id=new_id(), mentor=mentor.id, mentee=mentee.id, start=start)
    for pair in pairs:
        if (pair.mentor, pair.start, pair.end) == (mentor.id, start, None):
            out = {"pair": pair_dict(pair), "replayed": True}  # the same command again
            return dict(out, unassigned=[]) if reassign else out
    unassigned = []
    if reassign:
        cuts, new = mentoring.reassign(new, mentor, mentee, units, pairs, statuses.mentor_counts,
                                       statuses.on_team)
        unassigned = apply_cuts(uow, cuts, "reassigned")
    else:
        mentoring.assign(new, mentor, mentee, units, pairs, statuses.mentor_counts,
                         statuses.on_team)
    session.execute(insert(PairRow), [{"id": new.id, "mentor": new.mentor, "mentee": new.mentee,
                                       "start": new.start, "end": new.end}])
    uow.publish(contract.MENTOR_ASSIGNED, pair_dict(new))
    out = {"pair": pair_dict(new)}
    if reassign:
        out["unassigned"] = unassigned
    return out


def assign_mentor(uow, data) -> dict:
    return _assign(uow, data, reassign=False)


def assign_mentors(uow, data) -> dict:
    """``assign_mentor`` for many pairs at once: units, people, spells and the mentees' pairs are
    loaded once; each pair is checked by the same domain rule; bad pairs are reported by index and
    nothing of them is written."""
    session = uow.session
    items = data["pairs"]
    units = load_units(session)
    ids = {x["mentor"] for x in items} | {x["mentee"] for x in items}
    people = load_staff(session, ids)
    statuses = Statuses(session, people)
    statuses.preload(ids)
    existing = defaultdict(list)
    mentees = sorted({x["mentee"] for x in items})
    for chunk in _chunks(mentees, IN_CHUNK):
        for row in session.scalars(select(PairRow).where(PairRow.mentee.in_(chunk))):
            existing[row.mentee].append(_pair(row))
    created, errors, replayed = [], [], 0
    for i, it in enumerate(items):
        try:
            mentor = people.get(it["mentor"])
            if mentor is None:
                raise NotFound(f"unknown person {it['mentor']!r}", "mentor")
            mentee = people.get(it["mentee"])
            if mentee is None:
                raise NotFound(f"unknown person {it['mentee']!r}", "mentee")
            start = parse_date(it["start"], "start")
            pairs = existing[mentee.id]
            if any((p.mentor, p.start, p.end) == (mentor.id, start, None) for p in pairs):
                replayed += 1
                continue
            new = Pair(id=new_id(), mentor=mentor.id, mentee=mentee.id, start=start)
            mentoring.assign(new, mentor, mentee, units, pairs, statuses.mentor_counts, statuses.on_team)
        except LianbaoError as err:
            errors.append({"index": i, "field": f"pairs[{i}].{err.field}" if err.field else f"pairs[{i}]",
                           "error": err.code, "message": err.message})
            continue
        pairs.append(new)
        created.append(new)
    if created:
        session.execute(insert(PairRow), [{"id": p.id, "mentor": p.mentor, "mentee": p.mentee,
                                           "start": p.start, "end": p.end} for p in created])
        for pair in created:
            uow.publish(contract.MENTOR_ASSIGNED, pair_dict(pair))
    return {"assigned": len(created), "replayed": replayed, "errors": errors}


def reassign_mentor(uow, data) -> dict:
    return _assign(uow, data, reassign=True)


def unassign_mentor(uow, data) -> dict:
    session = uow.session
    mentee = load_person(session, data["mentee"], "mentee")
    day = parse_date(data["date"], "date")
    pairs = pairs_of(session, mentee.id, as_mentor=False, as_mentee=True)
    cuts = mentoring.pairs_to_cut(pairs, mentee.id, day, None, as_mentor=False, as_mentee=True)
    if not cuts:
        raise NotFound(f"{mentee.id} has no mentor on or after {day}", "mentee")
    return {"unassigned": apply_cuts(uow, cuts, "unassigned")}


def mentor_of(uow, data) -> dict:
    session = uow.session
    person = load_person(session, data["person"])
    day = parse_date(data["date"], "date")
    statuses = Statuses(session, {person.id: person})
    mentor = mentoring.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, day, statuses.mentor_counts)
    return {"person": person.id, "date": day.isoformat(), "mentor": mentor}


def mentees_of(uow, data) -> dict:
    session = uow.session
    person = load_person(session, data["person"])
    day = parse_date(data["date"], "date")
    statuses = Statuses(session, {person.id: person})
    mentees = mentoring.mentees_on(pairs_of(session, person.id, as_mentee=False), person.id, day) \
        if statuses.mentor_counts(person.id, day) else []
    return {"person": person.id, "date": day.isoformat(), "mentees": mentees}


def _share(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return str(value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def coverage_dict(c: cov.Coverage) -> dict:
    return {pos: {"total": pc.total, "covered": pc.covered, "share": _share(pc.share),
                  "without": pc.without} for pos, pc in c.positions.items()}


def _coverage_scope(session, units, unit_id, day):
    ids = units_under(units, get_unit(units, unit_id, "unit").id) if unit_id else set(units)
    staff = [s for s in _members(session, ids) if s.joined <= day]
    spells = load_spells(session, [s.id for s in staff], kinds=(SUSPENSION,) + EXIT_KINDS)
    statuses = Statuses(session, {s.id: s for s in staff},
                        {s.id: spells.get(s.id, []) for s in staff})
    mentors = mentor_map(session, [s.id for s in staff], day, statuses)
    return staff, statuses, mentors


def mentoring_coverage(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    day = parse_date(data["date"], "date")
    staff, statuses, mentors = _coverage_scope(session, units, data["unit"], day)
    total = cov.coverage(staff, day, statuses.on_team, lambda p, d: mentors.get(p))
    agency_of = {u: owning_body(units, units[u]).id for u in units}
    by_agency = cov.coverage_by_agency(staff, agency_of, day, statuses.on_team,
                                       lambda p, d: mentors.get(p))
    return dict(coverage_dict(total), date=day.isoformat(), unit=data["unit"],
                by_agency={a: coverage_dict(c) for a, c in by_agency.items()})


def gauges(uow, day: date) -> dict:
    """Figures for the metrics: officer coverage per agency and staff by status on ``day``."""
    session = uow.session
    units = load_units(session)
    if not units:
        return {"coverage": {}, "status": {}}
    staff, statuses, mentors = _coverage_scope(session, units, None, day)
    agency_of = {u: owning_body(units, units[u]).id for u in units}
    by_agency = cov.coverage_by_agency(staff, agency_of, day, statuses.on_team,
                                       lambda p, d: mentors.get(p))
    all_spells = load_spells(session, [s.id for s in staff])
    status = Counter(sp.status_on(s, all_spells.get(s.id, []), day) for s in staff)
    return {"coverage": {a: c.headline.share for a, c in by_agency.items()},
            "status": dict(status)}


# -- evaluators ---------------------------------------------------------------------------------
def evaluator_of(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    person = load_person(session, data["person"])
    day = parse_date(data["date"], "date")
    statuses = Statuses(session, {person.id: person})
    statuses.preload([person.id])
    mentor = mentoring.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, day, statuses.mentor_counts)
    result = ev.evaluator_of(person, units, statuses.spells[person.id], day, mentor)
    return {"person": person.id, "date": day.isoformat(), "group": result.group,
            "rule": result.rule, "mark": result.mark, "daily_logs": result.daily_logs,
            "secondment": result.secondment, "six_month_mark": iso(result.six_month_mark)}


def evaluator_of_section(uow, data) -> dict:
    units = load_units(uow.session)
    unit = get_unit(units, data["unit"], "unit")
    if unit.kind != SECTION:
        raise ValidationFailed(f"{unit.id} is not a section", "unit")
    result = ev.evaluator_of_section(unit, units)
    return {"unit": unit.id, "group": result.group, "rule": result.rule, "mark": result.mark}


# -- bans ---------------------------------------------------------------------------------------
def record_ban_violation(uow, data) -> dict:
    session = uow.session
    units = load_units(session)
    person = load_person(session, data["person"])
    occurred = parse_date(data["occurred_on"], "occurred_on")
    confirmed = parse_date(data["confirmed_on"], "confirmed_on")
    same = session.scalars(select(BanViolationRow).where(
        BanViolationRow.person == person.id, BanViolationRow.ban == data["ban"],
        BanViolationRow.occurred_on == occurred)).first()
    if same is not None:  # the same violation reported again: the first record, no new effect
        return _ban_answer(session, same)
    statuses = Statuses(session, {person.id: person})
    statuses.preload([person.id])
    mine = statuses.spells[person.id]
    mentor = mentoring.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, occurred, statuses.mentor_counts)
    outcome = bans.ban_violated(
        violation_id=new_id(), person=person.id, ban=data["ban"], occurred_on=occurred,
        confirmed_on=confirmed, joined=person.joined, mentor=mentor, suspension_id=new_id(),
        case_ids=(new_id(), new_id()),
        already_suspended=sp.status_on(person, mine, confirmed) == "suspended",
        left_team=not sp.on_team(person, mine, confirmed), note=data["note"])
    v = outcome.violation
    session.execute(insert(BanViolationRow), [{
        "id": v.id, "person": v.person, "ban": v.ban, "occurred_on": v.occurred_on,
        "confirmed_on": v.confirmed_on, "mentor": v.mentor, "note": v.note}])
    session.execute(insert(CaseRow), [{"id": c.id, "violation": c.violation, "person": c.person,
                                       "role": c.role} for c in outcome.cases])
    recorded = {"spell": None, "unassigned": []}
    if outcome.suspension is not None:
        recorded = _record_spell(uow, units, person, outcome.suspension)
    cases = [case_dict(c) for c in outcome.cases]
    uow.publish(contract.BAN_VIOLATED, {
        "violation_id": v.id, "person": v.person, "mentor": v.mentor, "ban": v.ban,
        "occurred_on": v.occurred_on.isoformat(), "confirmed_on": v.confirmed_on.isoformat(),
        "suspension_spell_id": outcome.suspension.id if outcome.suspension else None,
        "person_case_id": outcome.cases[0].id,
        "mentor_case_id": outcome.cases[1].id if len(outcome.cases) > 1 else None})
    return {"violation": {"id": v.id, "person": v.person, "ban": v.ban, "mentor": v.mentor,
                          "occurred_on": v.occurred_on.isoformat(),
                          "confirmed_on": v.confirmed_on.isoformat(), "note": v.note},
            "suspension": recorded["spell"], "cases": cases,
            "unassigned": recorded["unassigned"]}


def _ban_answer(session, v: BanViolationRow) -> dict:
    cases = session.scalars(select(CaseRow).where(CaseRow.violation == v.id)).all()
    cases = sorted(cases, key=lambda c: c.role != "violator")
    spell = session.scalars(select(SpellRow).where(
        SpellRow.person == v.person, SpellRow.kind == SUSPENSION,
        SpellRow.start == v.confirmed_on)).first()
    return {"violation": {"id": v.id, "person": v.person, "ban": v.ban, "mentor": v.mentor,
                          "occurred_on": v.occurred_on.isoformat(),
                          "confirmed_on": v.confirmed_on.isoformat(), "note": v.note},
            "suspension": spell_dict(_spell(spell)) if spell is not None else None,
            "cases": [case_dict(c) for c in cases], "unassigned": [], "replayed": True}


def case_dict(c) -> dict:
    return {"id": c.id, "violation": c.violation, "person": c.person, "role": c.role}


def cases_of(uow, data) -> dict:
    person = load_person(uow.session, data["person"])
    rows = uow.session.scalars(select(CaseRow).where(CaseRow.person == person.id)
                               .order_by(CaseRow.id))
    out = []
    for r in rows:
        v = uow.session.get(BanViolationRow, r.violation)
        out.append(dict(case_dict(r), ban=v.ban, occurred_on=v.occurred_on.isoformat(),
                        confirmed_on=v.confirmed_on.isoformat(), violator=v.person))
    return {"person": person.id, "cases": out}


# -- team discipline (M§一2, 4-7) -------------------------------------------------------------
def _fact(row: DisciplineFactRow) -> discipline.DisciplineFact:
    return discipline.DisciplineFact(
        id=row.id, kind=row.kind, agency=row.agency, unit=row.unit, person=row.person, year=row.year,
        occurred_on=row.occurred_on, reported_on=row.reported_on, investigated_on=row.investigated_on,
        note=row.note)


def fact_dict(f: discipline.DisciplineFact) -> dict:
    return {"id": f.id, "kind": f.kind, "agency": f.agency, "unit": f.unit, "person": f.person,
            "year": f.year, "occurred_on": f.occurred_on.isoformat(),
            "reported_on": f.reported_on.isoformat(), "investigated_on": iso(f.investigated_on),
            "note": f.note}


def record_discipline_fact(uow, data) -> dict:
    """Record a fact once: the same kind, person or unit and day again answers the first record."""
    session = uow.session
    units = load_units(session)
    person = load_person(session, data["person"]) if data.get("person") else None
    if person is not None and data.get("unit") not in (None, person.unit):
        raise ValidationFailed(f"{person.id} belongs to {person.unit}, not {data['unit']}", "unit")
    unit = units[person.unit] if person is not None else (
        get_unit(units, data["unit"], "unit") if data.get("unit") else None)
    occurred = parse_date(data["occurred_on"], "occurred_on")
    reported = parse_optional_date(data.get("reported_on"), "reported_on") or occurred
    year = discipline.check_fact(data["kind"], person, unit is not None, data.get("year"), occurred,
                                 reported)
    for row in session.scalars(select(DisciplineFactRow).where(
            DisciplineFactRow.kind == data["kind"], DisciplineFactRow.occurred_on == occurred)):
        if discipline.same_fact(_fact(row), data["kind"], person.id if person else None, unit.id,
                                occurred):
            return {"fact": fact_dict(_fact(row)), "replayed": True}
    fact = discipline.DisciplineFact(
        id=new_id(), kind=data["kind"], agency=owning_body(units, unit).id, unit=unit.id,
        person=person.id if person else None, year=year, occurred_on=occurred, reported_on=reported,
        note=data.get("note"))
    on = parse_optional_date(data.get("investigated_on"), "investigated_on")
    if on is not None:
        fact = discipline.investigate(fact, on)
    session.add(DisciplineFactRow(**{k: getattr(fact, k) for k in (
        "id", "kind", "agency", "unit", "person", "year", "occurred_on", "reported_on",
        "investigated_on", "note")}))
    uow.publish(contract.DISCIPLINE_FACT_RECORDED, fact_dict(fact))
    return {"fact": fact_dict(fact)}


def investigate(uow, data) -> dict:
    """M§一7: a reported violation investigated; the same date again changes nothing."""
    row = uow.session.get(DisciplineFactRow, data["fact_id"])
    if row is None:
        raise NotFound(f"unknown discipline fact {data['fact_id']!r}", "fact_id")
    before = _fact(row)
    after = discipline.investigate(before, parse_date(data["investigated_on"], "investigated_on"))
    if after == before:
        return {"fact": fact_dict(after), "replayed": True}
    row.investigated_on = after.investigated_on
    uow.publish(contract.DISCIPLINE_FACT_INVESTIGATED, fact_dict(after))
    return {"fact": fact_dict(after)}


def _facts(session, year=None, agency=None, kind=None) -> list:
    q = select(DisciplineFactRow).order_by(DisciplineFactRow.occurred_on, DisciplineFactRow.id)
    if year is not None:
        q = q.where(DisciplineFactRow.year == year)
    if agency is not None:
        q = q.where(DisciplineFactRow.agency == agency)
    if kind is not None:
        q = q.where(DisciplineFactRow.kind == kind)
    return [_fact(r) for r in session.scalars(q)]


def discipline_facts(uow, data) -> dict:
    return {"facts": [fact_dict(f) for f in _facts(uow.session, data.get("year"), data.get("agency"),
                                                   data.get("kind"))]}


def target_results(uow, year: int, agency: str | None = None) -> list:
    """Targets 2, 4, 5, 6 and 7 of ``year`` for every agency and city-wide (or one agency), from
    every fact recorded so far (an investigation after the year's end still counts)."""
    units = load_units(uow.session)
    bodies = [u.id for u in units.values() if u.kind in (COMMITTEE, AGENCY)]
    if agency is not None and agency != "city" and agency not in units:
        raise NotFound(f"unknown agency {agency!r}", "agency")
    return discipline.targets(_facts(uow.session, year) + _ban_facts(uow.session, units, year), bodies, year,
                              agency=agency)


def _ban_facts(session, units, year: int) -> list:
    """Confirmed ban violations of ``year``, as investigated violations (target 7)."""
    rows = session.scalars(select(BanViolationRow).where(
        BanViolationRow.occurred_on >= date(year, 1, 1), BanViolationRow.occurred_on <= date(year, 12, 31))).all()
    people = load_staff(session, {r.person for r in rows})
    return [discipline.ban_violation_fact(r.id, people[r.person], owning_body(units, units[people[r.person].unit]).id,
                                          r.occurred_on, r.confirmed_on, r.ban)
            for r in rows if r.person in people]


def targets(uow, data, today: date) -> dict:
    year = data.get("year") or today.year
    results = target_results(uow, year, data.get("agency"))
    return {"year": year, "as_of": today.isoformat(), "targets": [r.as_dict() for r in results]}


# -- events consumed ------------------------------------------------------------------------------
def retraining_failed(uow, event: dict) -> dict:
    """training ``retraining_failed`` (M§三(四)1(3)): a chief is removed from the post, an officer
    transferred out, from ``effective_date``. Unknown people and people already off the team are
    left alone (nothing to do); anything else that refuses goes to the dead-letter queue."""
    session = uow.session
    row = session.get(StaffRow, event["person_id"])
    if row is None:
        return {"ignored": "unknown person"}
    person = _staff(row)
    day = parse_date(event["effective_date"], "effective_date")
    mine = load_spells(session, [person.id]).get(person.id, [])
    if sp.exit_of(mine) is not None:
        return {"ignored": "already off the team"}
    outcome = staff_rules.retraining_failure(person, event["effect"])
    if outcome is None:
        return {"ignored": "no longer a chief"}
    if outcome == "transferred_out":
        spell = Spell(id=new_id(), person=person.id, kind="transferred_out", start=day,
                      note="retraining failed (M§三(四)1(3))")
        return _record_spell(uow, load_units(session), person, spell)
    return change_staff(uow, {"person": person.id, "effective": day.isoformat(),
                              "position": outcome.position, "supervises": []})


# -- import -------------------------------------------------------------------------------------
def import_roster(uow, data, today: date | None = None) -> dict:
    """All or nothing: every row is checked first; any bad row → nothing written. A dry run
    never writes. Re-importing the same rows changes nothing."""
    session = uow.session
    rows = data["rows"]
    numbers = data.get("row_numbers") or list(range(data["first_row"],
                                                     data["first_row"] + len(rows)))
    if len(numbers) != len(rows):
        raise ValidationFailed("row_numbers must match rows one to one", "row_numbers")
    effective = parse_optional_date(data.get("effective"), "effective") or today or date.today()
    header_errors = []
    keys: list[str] = []
    for row in rows[:1]:
        keys = importing.normalise_header(row.keys())
        header_errors = importing.check_header(keys)
    units = load_units(session)
    existing = {r.id: _staff(r) for r in session.execute(
        select(StaffRow.id, StaffRow.name, StaffRow.unit, StaffRow.position, StaffRow.joined,
               StaffRow.titles, StaffRow.supervises))}
    if header_errors:
        plan = importing.ImportPlan(errors=header_errors)
    else:
        raw_keys = list(rows[0].keys()) if rows else []
        mapping = dict(zip(raw_keys, keys))
        normalised = ((n, {mapping.get(k, k): v for k, v in row.items()})
                      for n, row in zip(numbers, rows))
        plan = importing.plan_import(normalised, units, existing)
    report = {"dry_run": data["dry_run"], "committed": False, "rows": len(rows),
              "created": len(plan.new), "changed": len(plan.changed),
              "unchanged": plan.unchanged, "errors": [e.as_dict() for e in plan.errors]}
    if not plan.ok or data["dry_run"]:
        return report
    if plan.new:
        for chunk in _chunks(plan.new, 10000):
            session.execute(insert(StaffRow), [_staff_values(s) for s in chunk])
        _publish_staff(uow, contract.STAFF_JOINED, plan.new, units)
    if plan.changed:
        changed = [new for _old, new in plan.changed]
        session.execute(update(StaffRow), [_staff_values(s) for s in changed])
        people = dict(existing)
        people.update({s.id: s for s in changed})
        ids = [s.id for s in changed]
        pairs = []
        for chunk in _chunks(ids, IN_CHUNK):
            pairs.extend(_pair(r) for r in session.scalars(select(PairRow).where(
                or_(PairRow.mentor.in_(chunk), PairRow.mentee.in_(chunk)))))
        cuts, done = [], set()
        for s in changed:
            for old, new in mentoring.pairs_broken_by_change(pairs, s, people, units, effective):
                if old.id not in done:
                    done.add(old.id)
                    cuts.append((old, new))
        apply_cuts(uow, cuts, "chain_broken")
        _publish_staff(uow, contract.STAFF_CHANGED, changed, units,
                       effective=effective.isoformat())
    report["committed"] = True
    return report
