"""The roster's application layer: plain functions ``(uow, data) -> dict``.

Each loads what it needs, calls the domain, saves, and records the events to publish through the
outbox (``uow.publish``) in the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

import uuid
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, insert, or_, select, update

from services.roster.domain import bans, coverage as cov, discipline, evaluator as ev, importing, \
    mentoring
from services.roster.domain import history as hist
from services.roster.domain import tree as tree_rules
from services.roster.domain import spells as sp
from services.roster.domain import staff as staff_rules
from services.roster.domain.dates import ONE_DAY, covers, iso, parse_date, parse_optional_date
from services.roster.domain.model import (AGENCY, COMMITTEE, EXIT_KINDS, SECTION, SUSPENSION, Pair,
                                          Spell, Staff, Unit)
from services.roster.domain.staff import check_new_person, check_staff
from services.roster.domain.units import get_unit, level_of, owning_body, \
    units_under
from services.roster.models import (BanViolationRow, CaseRow, DisciplineFactRow, PairRow, PostRow,
                                    SpellRow, StaffRow, TreeStampRow, UnitVersionRow)
from shared.contracts import roster as contract
from shared.errors import Conflict, LianbaoError, NotFound, ValidationFailed

IN_CHUNK = 5000


def new_id() -> str:
    return uuid.uuid4().hex


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- conversions ----------------------------------------------------------------------------------
def _unit(row: UnitVersionRow) -> Unit:
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


def _post(row: PostRow) -> hist.Post:
    return hist.Post(person=row.person, start=row.start, end=row.end, unit=row.unit,
                     position=row.position, titles=frozenset(_split(row.titles)),
                     supervises=tuple(sorted(_split(row.supervises))))


def _post_values(p: hist.Post) -> dict:
    return {"person": p.person, "start": p.start, "end": p.end, "unit": p.unit,
            "position": p.position, "titles": ";".join(sorted(p.titles)),
            "supervises": ";".join(sorted(p.supervises))}


def load_posts(session, person_ids: Iterable[str]) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for chunk in _chunks(sorted(set(person_ids)), IN_CHUNK):
        for row in session.scalars(select(PostRow).where(PostRow.person.in_(chunk))
                                   .order_by(PostRow.person, PostRow.start)):
            out[row.person].append(_post(row))
    return out


def save_posts(session, closed: list, new: list) -> None:
    """Closed or replaced posts are updated (their ``end``, or their content when replaced on
    the same start); new ones inserted."""
    for post in closed:
        session.execute(delete(PostRow).where(PostRow.person == post.person,
                                              PostRow.start == post.start))
    rows = [_post_values(p) for p in closed if all(p.start != n.start for n in new)] + \
        [_post_values(p) for p in new]
    if rows:
        session.execute(insert(PostRow), rows)


def ids_on(session, unit_ids: Iterable[str], day: date) -> list[str]:
    """People whose post on ``day`` is in one of ``unit_ids`` (SPEC §9: as the roster was)."""
    out = set()
    for chunk in _chunks(sorted(set(unit_ids)), IN_CHUNK):
        out.update(session.scalars(select(PostRow.person).where(
            PostRow.unit.in_(chunk), PostRow.start <= day,
            or_(PostRow.end.is_(None), PostRow.end >= day))))
    return sorted(out)


def staff_as_of(session, ids: Iterable[str], day: date) -> dict[str, Staff]:
    """The people as they were on ``day`` (their post then)."""
    people = load_staff(session, ids)
    posts = load_posts(session, people)
    return {pid: hist.staff_on(s, posts.get(pid, []), day) for pid, s in people.items()}


def since_of(session, ids: Iterable[str]) -> dict[str, date]:
    """The first day of each person's latest post."""
    return {pid: max(p.start for p in posts) for pid, posts in load_posts(session, ids).items()
            if posts}


def publish_evaluators(uow, units, person_ids: Iterable[str]) -> None:
    """``evaluators_resolved``: each person's evaluators through time (M§五(二)3 on every day on
    the team, SPEC §9), the whole timeline, so that a consumer never computes it itself."""
    session = uow.session
    ids = sorted(set(person_ids))
    if not ids:
        return
    people = load_staff(session, ids)
    posts = load_posts(session, ids)
    spells = load_spells(session, ids)
    stamp = uuid.uuid1().hex
    out = []
    for pid in ids:
        person = people.get(pid)
        if person is None:
            continue
        spans = hist.evaluator_timeline(person, posts.get(pid, []), units, spells.get(pid, []))
        out.append({"person": pid, "spans": [x.as_dict() for x in spans]})
    for chunk in _chunks(out, contract.EVENT_BATCH):
        uow.publish(contract.EVALUATORS_RESOLVED, {"people": chunk, "resolved_at": _now_stamp(),
                                                   "stamp": stamp})


def _now_stamp() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def spell_dict(s: Spell) -> dict:
    return {"id": s.id, "person": s.person, "kind": s.kind, "start": iso(s.start),
            "end": iso(s.end), "leave_kind": s.leave_kind, "host_unit": s.host_unit,
            "note": s.note}


def pair_dict(p: Pair) -> dict:
    return {"pair_id": p.id, "mentor": p.mentor, "mentee": p.mentee, "start": iso(p.start),
            "end": iso(p.end)}


# -- loading ------------------------------------------------------------------------------------
def load_units(session, day: date | None = None) -> dict[str, Unit]:
    """The unit tree as it was on ``day`` (default today; SPEC §9)."""
    return load_tree(session).on(day or date.today())


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
def _version(row: UnitVersionRow) -> tree_rules.UnitVersion:
    return tree_rules.UnitVersion(_unit(row), row.start, row.end)


def _version_values(v: tree_rules.UnitVersion) -> dict:
    return dict({k: getattr(v.unit, k) for k in ("id",) + tree_rules.CONTENT}, start=v.start,
                end=v.end)


#: per database (engine): (stamp, tree) of the tree this process read last
_TREES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
TREE_WRITTEN = "roster.tree_written"


def load_tree(session) -> tree_rules.Tree:
    """The unit tree through time (SPEC §9): every version of every unit.

    The stamp is read first, then the versions: a tree kept under a stamp is never older than the
    stamp says.  A transaction that has changed the tree itself reads it whole and keeps nothing (its
    change may yet be rolled back)."""
    if session.info.get(TREE_WRITTEN):
        return _read_tree(session)
    engine = session.get_bind()
    stamp = session.scalar(select(TreeStampRow.stamp).where(TreeStampRow.id == 1))
    kept = _TREES.get(engine)
    if stamp is not None and kept is not None and kept[0] == stamp:
        return kept[1]
    tree = _read_tree(session)
    if stamp is not None:
        _TREES[engine] = (stamp, tree)
    return tree


def _read_tree(session) -> tree_rules.Tree:
    return tree_rules.Tree(_version(r) for r in session.scalars(select(UnitVersionRow)))


def version_dict(v: tree_rules.UnitVersion, tree: tree_rules.Tree) -> dict:
    return dict(unit_dict(v.unit, tree.view(v.start)), since=v.start.isoformat(),
                until=iso(v.end))


def save_versions(session, closed: list, opened: list) -> None:
    """Closed or replaced versions are rewritten (their ``end``, or their content when replaced on
    the same start); opened ones inserted."""
    for v in closed:
        session.execute(delete(UnitVersionRow).where(UnitVersionRow.id == v.id,
                                                     UnitVersionRow.start == v.start))
    rows = [_version_values(v) for v in closed
            if all((v.id, v.start) != (n.id, n.start) for n in opened)] + \
        [_version_values(v) for v in opened]
    if rows:
        session.execute(insert(UnitVersionRow), rows)
    if rows or closed:
        session.info[TREE_WRITTEN] = True
        session.execute(update(TreeStampRow).where(TreeStampRow.id == 1).values(stamp=new_id()))


def _tree_changed(uow, before: tree_rules.Tree, after: tree_rules.Tree, closed: list,
                  opened: list, effective: date | None) -> None:
    """Publish a change of the tree: ``units_saved`` (the versions closed and opened), then for the
    people under a unit whose place in the tree changed, ``staff_changed`` where their agency
    changes with it (their post from the change) and their evaluator timelines."""
    session = uow.session
    versions = list(closed) + [v for v in opened]
    if not versions:
        return
    for chunk in _chunks(versions, contract.EVENT_BATCH):
        uow.publish(contract.UNITS_SAVED, {"units": [version_dict(v, after) for v in chunk],
                                           "effective": iso(effective)})
    moved = {v.id for v in closed}      # an existing unit changed: who is under it may change
    if not moved:
        return
    days = sorted({v.start for v in opened if v.id in moved} |
                  {v.end + ONE_DAY for v in closed if v.end is not None})
    first = days[0]
    touched = set()
    for day in days:
        for uid in moved:
            if uid in after.on(day):
                touched |= units_under(after.on(day), uid)
            if uid in before.on(day):
                touched |= units_under(before.on(day), uid)
    posts: dict[str, list] = defaultdict(list)
    for chunk in _chunks(sorted(touched), IN_CHUNK):
        for row in session.scalars(select(PostRow).where(
                PostRow.unit.in_(chunk), or_(PostRow.end.is_(None), PostRow.end >= first))):
            posts[row.person].append(_post(row))
    people = load_staff(session, posts)
    changed_staff: list[tuple[Staff, date]] = []
    for pid, mine in sorted(posts.items()):
        for post in mine:
            sinces = {d for d in days if covers(post.start, post.end, d)}
            if post.start > first:
                sinces.add(post.start)
            for since in sorted(sinces):
                was = tree_rules.agency_on(before, post.unit, since)
                now = tree_rules.agency_on(after, post.unit, since)
                if now is not None and was != now:
                    changed_staff.append((hist.staff_on(people[pid], [post], since), since))
    for who, since in changed_staff:
        uow.publish(contract.STAFF_CHANGED, {
            "staff": [staff_dict(who, after.view(since), since)],
            "effective": since.isoformat()})
    publish_evaluators(uow, after, posts)


def _check_supervisors(session, after: tree_rules.Tree, opened: list, field: str) -> None:
    """A section that moves to another agency leaves its supervising leader (分管, M§四2: a leader
    supervises sections of his own agency only): refused while a leader whose agency is not the
    section's new one still supervises it on or after the move (change his post first)."""
    for v in opened:
        if v.unit.kind != SECTION:
            continue
        rows = session.scalars(select(PostRow).where(
            PostRow.supervises.like(f"%{v.id}%"), or_(PostRow.end.is_(None), PostRow.end >= v.start)))
        for row in rows:
            post = _post(row)
            day = max(post.start, v.start)
            if v.id in post.supervises and \
                    tree_rules.agency_on(after, post.unit, day) != tree_rules.agency_on(after, v.id, day):
                raise Conflict(f"{post.person} supervises {v.id} on {day} from another agency: "
                               "change that leader's supervised sections first", field)


def _unit_in(u: dict) -> Unit:
    return Unit(id=u["id"], name=u["name"], kind=u["kind"], parent=u["parent"],
                agency_type=u["agency_type"], rank=u["rank"], supervising_unit=u["supervising_unit"])


def _check_tree(after: tree_rules.Tree, day: date, fields_of: dict[str, str]) -> None:
    """The tree rules from ``day`` on; an error about a changed unit names its field in the
    caller's payload (``fields_of``: unit id -> field prefix)."""
    try:
        tree_rules.check_tree_from(after, day, changed=fields_of)
    except LianbaoError as err:
        uid, _, rest = (err.field or "").partition(".")
        if rest and uid in fields_of:
            raise type(err)(err.message, f"{fields_of[uid]}{rest}") from None
        if rest and uid in after.versions:     # a unit left under a moved or dissolved one
            raise type(err)(err.message, next(iter(fields_of.values()), "") + "parent") from None
        first = next(iter(fields_of.values()), "")
        raise type(err)(err.message, f"{first}{err.field}") from None


def save_units(uow, data, today: date | None = None) -> dict:
    """Create or change units from ``effective`` (a new unit without it: as far back as the roster
    goes; a change without it: from today). Unchanged units are left alone."""
    session = uow.session
    before = load_tree(session)
    effective = parse_optional_date(data.get("effective"), "effective")
    today = today or date.today()
    batch = [_unit_in(u) for u in data["units"]]
    seen: dict[str, int] = {}
    closed_all, opened_all = [], []
    created = changed = unchanged = 0
    for i, unit in enumerate(batch):
        if unit.id in seen:
            raise Conflict(f"unit {unit.id!r} given twice", f"units[{i}].id")
        seen[unit.id] = i
        history = before.history(unit.id)
        when = effective if effective is not None or not history else today
        try:
            closed, opened = tree_rules.change_unit(history, unit, when)
        except LianbaoError as err:
            raise type(err)(err.message, f"units[{i}].{err.field}") from None
        if not opened:
            unchanged += 1
            continue
        created, changed = created + (not history), changed + bool(history)
        closed_all += closed
        opened_all += opened
    after = before.with_changes(closed_all, opened_all)
    if opened_all:
        _check_tree(after, min(v.start for v in opened_all),
                    {v.id: f"units[{seen[v.id]}]." for v in opened_all})
        _check_supervisors(session, after, [v for v in opened_all if before.history(v.id)],
                           "units")
        save_versions(session, closed_all, opened_all)
        _tree_changed(uow, before, after, closed_all, opened_all, effective)
    day = effective or today
    shown = after.view(day)
    return {"created": created, "changed": changed, "unchanged": unchanged,
            "effective": iso(effective),
            "units": [unit_dict(shown[u.id], shown) for u in batch]}


def _change_one(uow, unit_id: str, effective: date, change) -> dict:
    session = uow.session
    before = load_tree(session)
    history = before.history(unit_id)
    if not history:
        raise NotFound(f"unknown unit {unit_id!r}", "unit")
    if before.dissolved(unit_id) is not None:
        raise Conflict(f"unit {unit_id!r} was dissolved on {before.dissolved(unit_id)}", "unit")
    new = change(history[-1].unit)
    closed, opened = tree_rules.change_unit(history, new, effective)
    after = before.with_changes(closed, opened)
    if opened:
        _check_tree(after, effective, {unit_id: ""})
        _check_supervisors(session, after, opened, "unit")
        save_versions(session, closed, opened)
        _tree_changed(uow, before, after, closed, opened, effective)
    return {"unit": unit_dict(new, after.view(effective)), "changed": bool(opened),
            "versions": [version_dict(v, after) for v in after.history(unit_id)]}


def move_unit(uow, data) -> dict:
    """A unit under another parent from ``effective`` (SPEC §9: the tree is dated)."""
    effective = parse_date(data["effective"], "effective")
    return _change_one(uow, data["unit"], effective, lambda u: replace(u, parent=data["parent"]))


def rename_unit(uow, data) -> dict:
    effective = parse_date(data["effective"], "effective")
    return _change_one(uow, data["unit"], effective, lambda u: replace(u, name=data["name"]))


def dissolve_unit(uow, data) -> dict:
    """The unit exists until the day before ``effective``. Refused while a unit sits under it, a
    person holds a post in it or a secondment is hosted by it on or after that day."""
    session = uow.session
    before = load_tree(session)
    unit_id = data["unit"]
    day = parse_date(data["effective"], "effective")
    closed = tree_rules.dissolve(before.history(unit_id), day)
    if closed is None:
        return {"unit": unit_id, "dissolved": day.isoformat(), "changed": False,
                "versions": [version_dict(v, before) for v in before.history(unit_id)]}
    children = tree_rules.children_on(before, unit_id, day)
    if children:
        raise Conflict(f"{', '.join(children[:5])} sit under {unit_id} on or after {day}: move or "
                       "dissolve them first", "unit")
    holders = sorted(set(session.scalars(select(PostRow.person).where(
        PostRow.unit == unit_id, or_(PostRow.end.is_(None), PostRow.end >= day)))))
    if holders:
        raise Conflict(f"{', '.join(holders[:5])} hold a post in {unit_id} on or after {day}: "
                       "change their posts first", "unit")
    hosted = sorted(set(session.scalars(select(SpellRow.person).where(
        SpellRow.host_unit == unit_id, or_(SpellRow.end.is_(None), SpellRow.end >= day)))))
    if hosted:
        raise Conflict(f"{', '.join(hosted[:5])} are seconded to {unit_id} on or after {day}",
                       "unit")
    after = before.with_changes([closed], [])
    _check_tree(after, day, {unit_id: ""})
    save_versions(session, [closed], [])
    _tree_changed(uow, before, after, [closed], [], day)
    return {"unit": unit_id, "dissolved": day.isoformat(), "changed": True,
            "versions": [version_dict(v, after) for v in after.history(unit_id)]}


def unit_history(uow, data) -> dict:
    tree = load_tree(uow.session)
    versions = tree.history(data["unit"])
    if not versions:
        raise NotFound(f"unknown unit {data['unit']!r}", "unit")
    return {"unit": data["unit"], "versions": [version_dict(v, tree) for v in versions],
            "dissolved": iso(tree.dissolved(data["unit"]))}


def get_units(uow, data, today: date | None = None) -> dict:
    day = parse_optional_date(data.get("date"), "date") or today or date.today()
    units = load_units(uow.session, day)
    ids = units_under(units, get_unit(units, data["under"], "under").id) if data["under"] \
        else set(units)
    return {"date": day.isoformat(), "units": [unit_dict(units[i], units) for i in sorted(ids)]}


# -- staff --------------------------------------------------------------------------------------
def _staff_in(d: dict, field: str) -> Staff:
    return Staff(id=d["id"], name=d["name"], unit=d["unit"], position=d["position"],
                 joined=parse_date(d["joined"], f"{field}.joined"),
                 titles=frozenset(d.get("titles") or ()),
                 supervises=tuple(sorted(set(d.get("supervises") or ()))))


def _publish_staff(uow, event: str, staff: list[Staff], tree: tree_rules.Tree, since=None,
                   **extra) -> None:
    """``since``: the first day of the post each record shows (default: the join date); its agency
    is the one of the tree on that day (SPEC §9)."""
    for chunk in _chunks(staff, contract.EVENT_BATCH):
        uow.publish(event, dict({"staff": [staff_dict(s, tree.view(since or s.joined),
                                                      since or s.joined)
                                           for s in chunk]}, **extra))


def _check_post(staff: Staff, tree: tree_rules.Tree, start: date, field: str = "") -> None:
    """A post from ``start`` fits the tree of that day, and its unit is not dissolved later (a
    post in a unit that stops existing would be left without a unit)."""
    try:
        tree_rules.get_on(tree, staff.unit, start, "unit")
        check_staff(staff, tree.on(start))
    except LianbaoError as err:
        raise type(err)(err.message, f"{field}{err.field}") from None
    gone = tree.dissolved(staff.unit)
    if gone is not None and gone > start:
        raise Conflict(f"unit {staff.unit!r} is dissolved from {gone}", f"{field}unit")


def create_staff(uow, data) -> dict:
    session = uow.session
    tree = load_tree(session)
    batch = []
    seen: dict[str, int] = {}
    for i, d in enumerate(data["staff"]):
        field = f"staff[{i}]"
        staff = _staff_in(d, field)
        _check_post(staff, tree, staff.joined, f"{field}.")
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
        session.execute(insert(PostRow), [_post_values(hist.post_of(s, s.joined)) for s in new])
        _publish_staff(uow, contract.STAFF_JOINED, new, tree)
        publish_evaluators(uow, tree, [s.id for s in new])
    return {"created": len(new), "unchanged": len(batch) - len(new),
            "staff": [staff_dict(s, tree.view(s.joined)) for s in batch]}


def get_staff(uow, data) -> dict:
    """The current record (the latest post), its agency as the tree has it today (or, for a
    post starting later, on its first day)."""
    session = uow.session
    person = load_person(session, data["person"])
    since = since_of(session, [person.id]).get(person.id, person.joined)
    return staff_dict(person, load_tree(session).view(max(since, date.today())))


def change_staff(uow, data) -> dict:
    session = uow.session
    tree = load_tree(session)
    old = load_person(session, data["person"])
    effective = parse_date(data["effective"], "effective")
    units = tree.view(effective)
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
    _check_post(new, tree, effective)
    units = tree.on(effective)
    posts = load_posts(session, [new.id]).get(new.id, [])
    if new.joined != old.joined:
        first = session.scalars(select(SpellRow.start).where(SpellRow.person == new.id)
                                .order_by(SpellRow.start).limit(1)).first()
        if first is not None and first < new.joined:
            raise Conflict(f"the person has a spell from {first}, before {new.joined}", "joined")
        posts = _move_first_post(session, posts, new.joined)
    closed, opened = hist.change_posts(posts, new, effective)
    save_posts(session, closed, opened)
    # the change is never dated before the latest post: the staff row (the latest post) is ``new``
    session.execute(update(StaffRow).where(StaffRow.id == new.id).values(**_staff_values(new)))
    pairs = pairs_of(session, new.id)
    others = {p.mentor for p in pairs} | {p.mentee for p in pairs}
    people = load_staff(session, others)
    people[new.id] = new
    cuts = mentoring.pairs_broken_by_change(pairs, new, people, units, effective)
    unassigned = apply_cuts(uow, cuts, "chain_broken")
    _publish_staff(uow, contract.STAFF_CHANGED, [new], tree, since=effective,
                   effective=effective.isoformat())
    publish_evaluators(uow, tree, [new.id])
    return {"staff": staff_dict(new, units), "unassigned": unassigned, "changed": True}


def _move_first_post(session, posts: list, joined: date) -> list:
    """A corrected join date moves the first post's start (never past the second post's)."""
    if not posts:
        return posts
    first = posts[0]
    if len(posts) > 1 and joined >= posts[1].start:
        raise Conflict(f"the person changed post on {posts[1].start}, before {joined}", "joined")
    moved = replace(first, start=joined)
    session.execute(delete(PostRow).where(PostRow.person == first.person,
                                          PostRow.start == first.start))
    session.execute(insert(PostRow), [_post_values(moved)])
    return [moved] + posts[1:]


def _members(session, unit_ids: set[str]) -> list[Staff]:
    out = []
    for chunk in _chunks(sorted(unit_ids), IN_CHUNK):
        out.extend(_staff(r) for r in session.scalars(
            select(StaffRow).where(StaffRow.unit.in_(chunk)).order_by(StaffRow.id)))
    return out


def members_of(uow, data) -> dict:
    session = uow.session
    day = parse_date(data["date"], "date")
    tree = load_tree(session)
    unit = tree_rules.get_on(tree, data["unit"], day, "unit")     # the tree of that day (SPEC §9)
    units = tree.view(day)
    ids = units_under(tree.on(day), unit.id) if data["include_subunits"] else {unit.id}
    staff = list(staff_as_of(session, ids_on(session, ids, day), day).values())
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
    day = parse_date(data["date"], "date")
    tree = load_tree(session)
    agency = tree_rules.get_on(tree, data["agency"], day, "agency")   # the tree of that day
    if agency.kind == SECTION:
        raise ValidationFailed(f"{agency.id} is a section, not an agency or committee", "agency")
    units = tree.view(day)
    ids = {agency.id} | {u.id for u in tree.on(day).values()
                         if u.kind == SECTION and u.parent == agency.id}
    staff = sorted((s for s in staff_as_of(session, ids_on(session, ids, day), day).values()
                    if s.joined <= day), key=lambda s: s.id)
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
    units = load_tree(session)
    person = load_person(session, data["person"])
    spell = Spell(id=new_id(), person=person.id, kind=data["kind"],
                  start=parse_date(data["start"], "start"),
                  end=parse_optional_date(data["end"], "end"), leave_kind=data["leave_kind"],
                  host_unit=data["host_unit"], note=data["note"])
    return _record_spell(uow, units, person, spell)


def _same_spell(a: Spell, b: Spell) -> bool:
    return (a.kind, a.start, a.end, a.leave_kind, a.host_unit) == \
        (b.kind, b.start, b.end, b.leave_kind, b.host_unit)


def _check_host(spell: Spell, tree: tree_rules.Tree) -> None:
    """A secondment's host unit exists on its first day and is not dissolved during it."""
    if spell.kind != "secondment" or not spell.host_unit:
        return
    tree_rules.get_on(tree, spell.host_unit, spell.start, "host_unit")
    gone = tree.dissolved(spell.host_unit)
    if gone is not None and (spell.end is None or spell.end >= gone):
        raise Conflict(f"unit {spell.host_unit!r} is dissolved from {gone}", "host_unit")


def _record_spell(uow, units: tree_rules.Tree, person: Staff, spell: Spell) -> dict:
    """``units``: the tree through time (the spell is checked against the tree of its first
    day, the person's post then)."""
    session = uow.session
    existing = load_spells(session, [person.id]).get(person.id, [])
    for other in existing:
        if _same_spell(other, spell):  # the same command again: the first answer, no new effect
            return {"spell": spell_dict(other), "unassigned": [], "replayed": True}
    _check_host(spell, units)
    then = staff_as_of(session, [person.id], spell.start)[person.id]
    sp.check_spell(spell, then, units.view(spell.start), existing)
    session.execute(insert(SpellRow), [{
        "id": spell.id, "person": spell.person, "kind": spell.kind, "start": spell.start,
        "end": spell.end, "leave_kind": spell.leave_kind, "host_unit": spell.host_unit,
        "note": spell.note}])
    uow.publish(contract.STATUS_SPELL_RECORDED, {"spell": spell_dict(spell)})
    if spell.kind == "secondment" or spell.kind in EXIT_KINDS:
        publish_evaluators(uow, units, [person.id])
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
    units = load_tree(session)
    person = staff_as_of(session, [spell.person], spell.start)[spell.person]
    changed = replace(spell, end=parse_date(data["end"], "end"))
    others = load_spells(session, [person.id]).get(person.id, [])
    _check_host(changed, units)
    sp.check_spell(changed, person, units.view(spell.start), others)
    session.execute(update(SpellRow).where(SpellRow.id == spell.id).values(end=changed.end))
    uow.publish(contract.STATUS_SPELL_CHANGED, {"spell": spell_dict(changed)})
    if changed.kind == "secondment":
        publish_evaluators(uow, units, [person.id])
    return {"spell": spell_dict(changed)}


def return_to_team(uow, data) -> dict:
    """A return after a transfer out (SPEC §9): a new spell of service from ``date`` in a post
    (unit, position, titles, supervised sections); the exit ends the day before; ``joined`` stays
    the first join date."""
    session = uow.session
    tree = load_tree(session)
    old = load_person(session, data["person"])
    day = parse_date(data["date"], "date")
    units = tree.view(day)
    mine = load_spells(session, [old.id]).get(old.id, [])
    ended = hist.return_to_team(mine, day)
    new = replace(old, unit=data["unit"], position=data["position"],
                  titles=frozenset(data.get("titles") or ()),
                  supervises=tuple(sorted(set(data.get("supervises") or ()))))
    _check_post(new, tree, day)
    posts = load_posts(session, [old.id]).get(old.id, [])
    closed, opened = hist.change_posts(posts, new, day)
    if not opened:          # the same post as before the exit: a new row all the same
        last = max(posts, key=lambda p: p.start)
        closed, opened = [replace(last, end=day - ONE_DAY)], [hist.post_of(new, day)]
    save_posts(session, closed, opened)
    session.execute(update(SpellRow).where(SpellRow.id == ended.id).values(end=ended.end))
    session.execute(update(StaffRow).where(StaffRow.id == new.id).values(**_staff_values(new)))
    uow.publish(contract.STATUS_SPELL_CHANGED, {"spell": spell_dict(ended)})
    _publish_staff(uow, contract.STAFF_CHANGED, [new], tree, since=day,
                   effective=day.isoformat())
    publish_evaluators(uow, tree, [new.id])
    return {"staff": staff_dict(new, units, day), "exit": spell_dict(ended)}


def spells_of(uow, data) -> dict:
    person = load_person(uow.session, data["person"])
    return {"person": person.id,
            "spells": [spell_dict(s) for s in load_spells(uow.session, [person.id])
                       .get(person.id, [])]}


# -- mentoring ----------------------------------------------------------------------------------
def _assign(uow, data, reassign: bool) -> dict:
    session = uow.session
    load_person(session, data["mentor"], "mentor")
    load_person(session, data["mentee"], "mentee")
    start = parse_date(data["start"], "start")
    units = load_tree(session).view(start)          # the tree then
    as_then = staff_as_of(session, [data["mentor"], data["mentee"]], start)   # the chain then
    mentor, mentee = as_then[data["mentor"]], as_then[data["mentee"]]
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
    tree = load_tree(session)
    ids = {x["mentor"] for x in items} | {x["mentee"] for x in items}
    people = load_staff(session, ids)
    posts = load_posts(session, ids)
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
            mentor = hist.staff_on(mentor, posts.get(mentor.id, []), start)   # the chain then
            mentee = hist.staff_on(mentee, posts.get(mentee.id, []), start)
            pairs = existing[mentee.id]
            if any((p.mentor, p.start, p.end) == (mentor.id, start, None) for p in pairs):
                replayed += 1
                continue
            new = Pair(id=new_id(), mentor=mentor.id, mentee=mentee.id, start=start)
            mentoring.assign(new, mentor, mentee, tree.view(start), pairs, statuses.mentor_counts,
                             statuses.on_team)
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
    staff = sorted((s for s in staff_as_of(session, ids_on(session, ids, day), day).values()
                    if s.joined <= day), key=lambda s: s.id)
    spells = load_spells(session, [s.id for s in staff], kinds=(SUSPENSION,) + EXIT_KINDS)
    statuses = Statuses(session, {s.id: s for s in staff},
                        {s.id: spells.get(s.id, []) for s in staff})
    mentors = mentor_map(session, [s.id for s in staff], day, statuses)
    return staff, statuses, mentors


def mentoring_coverage(uow, data) -> dict:
    session = uow.session
    day = parse_date(data["date"], "date")
    units = load_units(session, day)                # the tree of that day (SPEC §9)
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
    units = load_units(session, day)
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
    load_person(session, data["person"])
    day = parse_date(data["date"], "date")
    units = load_tree(session).view(day)            # the tree of that day (SPEC §9)
    person = staff_as_of(session, [data["person"]], day)[data["person"]]
    statuses = Statuses(session, {person.id: person})
    statuses.preload([person.id])
    mine = statuses.spells[person.id]
    mentor = mentoring.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, day, statuses.mentor_counts)
    result = ev.evaluator_of(person, units, mine, day, mentor)
    return {"person": person.id, "date": day.isoformat(), "group": result.group,
            "rule": result.rule, "mark": result.mark, "daily_logs": result.daily_logs,
            "secondment": result.secondment, "six_month_mark": iso(result.six_month_mark),
            "unit": person.unit, "position": person.position,
            "status": sp.status_on(person, mine, day)}


def evaluator_of_section(uow, data) -> dict:
    """The section's evaluator (its agency's leading group) and its supervising leaders (分管领导,
    M§四2: its reviewers) on ``date`` (default today); ``supervisors`` empty: the section has none
    then (said so, never guessed)."""
    session = uow.session
    day = parse_optional_date(data.get("date"), "date") or date.today()
    tree = load_tree(session)
    unit = tree_rules.get_on(tree, data["unit"], day, "unit")    # the tree of that day (SPEC §9)
    units = tree.on(day)
    if unit.kind != SECTION:
        raise ValidationFailed(f"{unit.id} is not a section on {day}", "unit")
    result = ev.evaluator_of_section(unit, units)
    leaders = staff_as_of(session, ids_on(session, [unit.parent], day), day)
    spells = load_spells(session, list(leaders))
    supervisors = sorted(pid for pid, s in leaders.items()
                         if s.position == "leader" and unit.id in s.supervises
                         and sp.on_team(s, spells.get(pid, []), day))
    return {"unit": unit.id, "date": day.isoformat(), "group": result.group, "rule": result.rule,
            "mark": result.mark, "supervisors": supervisors}


# -- bans ---------------------------------------------------------------------------------------
def record_ban_violation(uow, data) -> dict:
    session = uow.session
    units = load_tree(session)
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
    person = load_person(session, data["person"]) if data.get("person") else None
    occurred = parse_date(data["occurred_on"], "occurred_on")
    tree = load_tree(session)
    units = tree.view(occurred)     # the tree on the day of the fact (SPEC §9)
    if person is not None:      # the person's unit on the day of the fact (SPEC §9)
        person = staff_as_of(session, [person.id], occurred)[person.id]
    if person is not None and data.get("unit") not in (None, person.unit):
        raise ValidationFailed(f"{person.id} belonged to {person.unit} on {occurred}, not "
                               f"{data['unit']}", "unit")
    unit = units[person.unit] if person is not None else (
        tree_rules.get_on(tree, data["unit"], occurred, "unit") if data.get("unit") else None)
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


def target_results(uow, year: int, agency: str | None = None, as_of: date | None = None) -> list:
    """Targets 2, 4, 5, 6 and 7 of ``year`` for every agency and city-wide (or one agency), from
    every fact reported by ``as_of`` (default: all recorded so far; an investigation after the
    year's end still counts, one after ``as_of`` not yet)."""
    tree = load_tree(uow.session)
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = [first] + [d for d in tree.change_days() if first < d <= last]
    bodies = sorted({u.id for d in days for u in tree.on(d).values()      # any day of the year
                     if u.kind in (COMMITTEE, AGENCY)})
    if agency is not None and agency != "city" and agency not in tree.versions:
        raise NotFound(f"unknown agency {agency!r}", "agency")
    facts = _facts(uow.session, year) + _ban_facts(uow.session, tree, year)
    if as_of is not None:
        facts = [f if f.investigated_on is None or f.investigated_on <= as_of
                 else replace(f, investigated_on=None) for f in facts if f.reported_on <= as_of]
    return discipline.targets(facts, bodies, year, agency=agency)


def _ban_facts(session, tree, year: int) -> list:
    """Confirmed ban violations of ``year``, as investigated violations (target 7), each counted
    for the agency of the person's post on the day it occurred (SPEC §9)."""
    rows = session.scalars(select(BanViolationRow).where(
        BanViolationRow.occurred_on >= date(year, 1, 1), BanViolationRow.occurred_on <= date(year, 12, 31))).all()
    current = load_staff(session, {r.person for r in rows})
    posts = load_posts(session, current)
    people = {r.id: hist.staff_on(current[r.person], posts.get(r.person, []), r.occurred_on)
              for r in rows if r.person in current}

    def agency(r):
        units = tree.view(r.occurred_on)
        return owning_body(units, units[people[r.id].unit]).id

    return [discipline.ban_violation_fact(r.id, people[r.id], agency(r),
                                          r.occurred_on, r.confirmed_on, r.ban)
            for r in rows if r.id in people]


def targets(uow, data, today: date) -> dict:
    today = parse_date(data["as_of"], "as_of") if data.get("as_of") else today
    year = data.get("year") or today.year
    results = target_results(uow, year, data.get("agency"), today)
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
        return _record_spell(uow, load_tree(session), person, spell)
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
    tree = load_tree(session)
    units = tree.view(effective)
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
            session.execute(insert(PostRow), [_post_values(hist.post_of(s, s.joined))
                                              for s in chunk])
        _publish_staff(uow, contract.STAFF_JOINED, plan.new, tree)
        publish_evaluators(uow, tree, [s.id for s in plan.new])
    if plan.changed:
        changed = [new for _old, new in plan.changed]
        all_posts = load_posts(session, [s.id for s in changed])
        for i, s in enumerate(changed):
            try:
                closed, opened = hist.change_posts(all_posts.get(s.id, []), s, effective)
            except LianbaoError as err:
                report["errors"].append({"row": None, "column": err.field,
                                         "message": f"{s.id}: {err.message}"})
                continue
            save_posts(session, closed, opened)
        if report["errors"]:
            raise Conflict("; ".join(e["message"] for e in report["errors"][:5]), "effective")
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
        _publish_staff(uow, contract.STAFF_CHANGED, changed, tree, since=effective,
                       effective=effective.isoformat())
        publish_evaluators(uow, tree, [s.id for s in changed])
    report["committed"] = True
    return report
