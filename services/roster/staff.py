"""The roster's use cases about staff: joining, a change of post (dated), a person's record, the
members of a unit and the people of an agency on a day.

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

from datetime import date
from dataclasses import replace

from sqlalchemy import delete, insert, select, update

from services.roster.conversions import post_values, staff_dict, staff_in, staff_values
from services.roster.domain import history as history_rules
from services.roster.domain import mentoring as mentoring_rules
from services.roster.domain import spells as spell_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.dates import iso
from services.roster.domain.model import EXIT_KINDS, SECTION, Staff, SUSPENSION
from services.roster.domain.staff import check_new_person, check_staff
from services.roster.domain.units import units_under
from services.roster.evaluators import publish_evaluators
from services.roster.mentoring import apply_cuts
from services.roster.models import PostRow, SpellRow, StaffRow
from services.roster.repository import (chunks, ids_on, load_person, load_posts, load_spells, load_staff,
                                        load_tree, mentor_map, pairs_of, person_record, save_posts,
                                        staff_as_of, Statuses, tree_under)
from shared import keyset
from shared.contracts import roster as contract
from shared.errors import Conflict, LianbaoError, ValidationFailed


def publish_staff(uow, event: str, staff: list[Staff], tree: tree_rules.Tree, since=None,
                   **extra) -> None:
    """``since``: the first day of the post each record shows (default: the join date); its agency
    is the one of the tree on that day (SPEC §9)."""
    for chunk in chunks(staff, contract.EVENT_BATCH):
        uow.publish(event, dict({"staff": [staff_dict(s, tree.view(since or s.joined),
                                                      since or s.joined)
                                           for s in chunk]}, **extra))


def check_post(staff: Staff, tree: tree_rules.Tree, start: date, field: str = "") -> None:
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
        staff = staff_in(d, field)
        check_post(staff, tree, staff.joined, f"{field}.")
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
        session.execute(insert(StaffRow), [staff_values(s) for s in new])
        session.execute(insert(PostRow), [post_values(history_rules.post_of(s, s.joined)) for s in new])
        publish_staff(uow, contract.STAFF_JOINED, new, tree)
        publish_evaluators(uow, tree, [s.id for s in new])
    return {"created": len(new), "unchanged": len(batch) - len(new),
            "staff": [staff_dict(s, tree.view(s.joined)) for s in batch]}


def get_staff(uow, data) -> dict:
    """The current record (the latest post), its agency as the tree has it today (or, for a
    post starting later, on its first day)."""
    person, since, stamp = person_record(uow, data["person"])
    return staff_dict(person, tree_under(uow, stamp).view(max(since or person.joined, date.today())))


def change_staff(uow, data) -> dict:
    session = uow.session
    tree = load_tree(session)
    old = load_person(session, data["person"])
    effective = data["effective"]
    units = tree.view(effective)
    changes = {}
    for key in ("name", "unit", "position"):
        if key in data:
            changes[key] = data[key]
    if "joined" in data:
        changes["joined"] = data["joined"]
    if "titles" in data:
        changes["titles"] = frozenset(data["titles"])
    if "supervises" in data:
        changes["supervises"] = tuple(sorted(set(data["supervises"])))
    new = replace(old, **changes)
    if new == old:
        return {"staff": staff_dict(new, units), "unassigned": [], "changed": False}
    check_post(new, tree, effective)
    units = tree.on(effective)
    posts = load_posts(session, [new.id]).get(new.id, [])
    if new.joined != old.joined:
        first = session.scalars(select(SpellRow.start).where(SpellRow.person == new.id)
                                .order_by(SpellRow.start).limit(1)).first()
        if first is not None and first < new.joined:
            raise Conflict(f"the person has a spell from {first}, before {new.joined}", "joined")
        posts = _move_first_post(session, posts, new.joined)
    closed, opened = history_rules.change_posts(posts, new, effective)
    save_posts(session, closed, opened)
    # the change is never dated before the latest post: the staff row (the latest post) is ``new``
    session.execute(update(StaffRow).where(StaffRow.id == new.id).values(**staff_values(new)))
    pairs = pairs_of(session, new.id)
    others = {p.mentor for p in pairs} | {p.mentee for p in pairs}
    people = load_staff(session, others)
    people[new.id] = new
    cuts = mentoring_rules.pairs_broken_by_change(pairs, new, people, units, effective)
    unassigned = apply_cuts(uow, cuts, "chain_broken")
    publish_staff(uow, contract.STAFF_CHANGED, [new], tree, since=effective,
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
    session.execute(insert(PostRow), [post_values(moved)])
    return [moved] + posts[1:]


def members_of(uow, data) -> dict:
    session = uow.session
    day = data["date"]
    tree = load_tree(session)
    unit = tree_rules.get_on(tree, data["unit"], day, "unit")     # the tree of that day (SPEC §9)
    units = tree.view(day)
    ids = units_under(tree.on(day), unit.id) if data["include_subunits"] else {unit.id}
    limit = data.get("limit")
    if limit is None:
        return {"unit": unit.id, "date": day.isoformat(), "members": _members(session, ids_on(session, ids, day),
                                                                              day, units)}
    # a page (issue 21 item 3): the ids after ``after`` read by key, a read at a time until the page
    # and one more member are found (those not on the team that day are skipped, as in the whole list)
    members, after = [], data.get("after")
    while len(members) <= limit:
        batch = ids_on(session, ids, day, after=after, limit=limit + 1 - len(members))
        if not batch:
            break
        members.extend(_members(session, batch, day, units))
        after = batch[-1]
    page, following = keyset.split(members, limit, lambda m: m["id"])
    return {"unit": unit.id, "date": day.isoformat(), "members": page, "next": following}


def _members(session, ids: list, day, units) -> list:
    """The members among ``ids`` on ``day``, in id order (those not on the team that day left out)."""
    staff = list(staff_as_of(session, ids, day).values())
    spells = load_spells(session, [s.id for s in staff])
    members = []
    for s in sorted(staff, key=lambda s: s.id):
        status = spell_rules.status_on(s, spells.get(s.id, []), day)
        if status in ("not_joined", "transferred_out", "dismissed"):
            continue
        members.append(dict(staff_dict(s, units), status=status))
    return members


def people_of_agency(uow, data) -> dict:
    """Everything a scoring read needs for a whole agency at once."""
    session = uow.session
    day = data["date"]
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
            staff_dict(s, units), status=spell_rules.status_on(s, mine, day), mentor=mentors.get(s.id),
            leave=[{"kind": x.leave_kind, "from": iso(x.start), "to": iso(x.end)}
                   for x in mine if x.kind == "leave"],
            secondments=[{"host_unit": x.host_unit, "from": iso(x.start), "to": iso(x.end)}
                         for x in mine if x.kind == "secondment"],
            suspensions=[{"from": iso(x.start), "to": iso(x.end)}
                         for x in mine if x.kind == SUSPENSION],
            exit=next(({"kind": x.kind, "date": iso(x.start)} for x in mine
                       if x.kind in EXIT_KINDS), None)))
    return {"agency": agency.id, "date": day.isoformat(), "people": people}
