"""The roster's use cases about the unit tree (SPEC §9: the tree is dated): save, move, rename,
dissolve, and read it as it was on a day.

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

from datetime import date
from collections import defaultdict
from dataclasses import replace

from sqlalchemy import or_, select

from services.roster.conversions import post_from_row, staff_dict, unit_dict, unit_in, version_dict
from services.roster.domain import history as history_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.dates import covers, iso, ONE_DAY
from services.roster.domain.model import SECTION, Staff
from services.roster.domain.units import get_unit, units_under
from services.roster.evaluators import publish_evaluators
from services.roster.models import PostRow, SpellRow
from services.roster.repository import chunks, IN_CHUNK, load_staff, load_tree, load_units, save_versions
from shared.contracts import roster as contract
from shared.errors import Conflict, LianbaoError, NotFound


def _tree_changed(uow, before: tree_rules.Tree, after: tree_rules.Tree, closed: list,
                  opened: list, effective: date | None) -> None:
    """Publish a change of the tree: ``units_saved`` (the versions closed and opened), then for the
    people under a unit whose place in the tree changed, ``staff_changed`` where their agency
    changes with it (their post from the change) and their evaluator timelines."""
    session = uow.session
    versions = list(closed) + [v for v in opened]
    if not versions:
        return
    for chunk in chunks(versions, contract.EVENT_BATCH):
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
    for chunk in chunks(sorted(touched), IN_CHUNK):
        for row in session.scalars(select(PostRow).where(
                PostRow.unit.in_(chunk), or_(PostRow.end.is_(None), PostRow.end >= first))):
            posts[row.person].append(post_from_row(row))
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
                    changed_staff.append((history_rules.staff_on(people[pid], [post], since), since))
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
            post = post_from_row(row)
            day = max(post.start, v.start)
            if v.id in post.supervises and\
                    tree_rules.agency_on(after, post.unit, day) != tree_rules.agency_on(after, v.id, day):
                raise Conflict(f"{post.person} supervises {v.id} on {day} from another agency: "
                               "change that leader's supervised sections first", field)


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
    effective = data.get("effective")
    today = today or date.today()
    batch = [unit_in(u) for u in data["units"]]
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
    effective = data["effective"]
    return _change_one(uow, data["unit"], effective, lambda u: replace(u, parent=data["parent"]))


def rename_unit(uow, data) -> dict:
    effective = data["effective"]
    return _change_one(uow, data["unit"], effective, lambda u: replace(u, name=data["name"]))


def dissolve_unit(uow, data) -> dict:
    """The unit exists until the day before ``effective``. Refused while a unit sits under it, a
    person holds a post in it or a secondment is hosted by it on or after that day."""
    session = uow.session
    before = load_tree(session)
    unit_id = data["unit"]
    day = data["effective"]
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
    day = data.get("date") or today or date.today()
    units = load_units(uow.session, day)
    ids = units_under(units, get_unit(units, data["under"], "under").id) if data["under"]\
        else set(units)
    return {"date": day.isoformat(), "units": [unit_dict(units[i], units) for i in sorted(ids)]}
