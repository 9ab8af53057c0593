"""The roster's use cases about status spells (leave, secondment, suspension, exits), a return to the
team, and training's ``retraining_failed`` (M§三(四)1(3)).

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import insert, update

from services.roster.conversions import spell_dict, spell_from_row, staff_dict, staff_from_row, staff_values
from services.roster.domain import history as history_rules
from services.roster.domain import mentoring as mentoring_rules
from services.roster.domain import spells as spell_rules
from services.roster.domain import staff as staff_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.dates import ONE_DAY
from services.roster.domain.model import EXIT_KINDS, Spell, Staff, SUSPENSION
from services.roster.evaluators import publish_evaluators
from services.roster.mentoring import apply_cuts
from services.roster.models import SpellRow, StaffRow
from services.roster.repository import (load_person, load_posts, load_spells, load_tree, new_id, pairs_of,
                                        save_posts, staff_as_of)
from services.roster.staff import change_staff, check_post, publish_staff
from shared.contracts import roster as contract
from shared.errors import Conflict, NotFound


def record_spell(uow, data) -> dict:
    session = uow.session
    units = load_tree(session)
    person = load_person(session, data["person"])
    spell = Spell(id=new_id(), person=person.id, kind=data["kind"],
                  start=data["start"],
                  end=data["end"], leave_kind=data["leave_kind"],
                  host_unit=data["host_unit"], note=data["note"])
    return save_spell(uow, units, person, spell)


def _same_spell(a: Spell, b: Spell) -> bool:
    return (a.kind, a.start, a.end, a.leave_kind, a.host_unit) ==\
        (b.kind, b.start, b.end, b.leave_kind, b.host_unit)


def _check_host(spell: Spell, tree: tree_rules.Tree) -> None:
    """A secondment's host unit exists on its first day and is not dissolved during it."""
    if spell.kind != "secondment" or not spell.host_unit:
        return
    tree_rules.get_on(tree, spell.host_unit, spell.start, "host_unit")
    gone = tree.dissolved(spell.host_unit)
    if gone is not None and (spell.end is None or spell.end >= gone):
        raise Conflict(f"unit {spell.host_unit!r} is dissolved from {gone}", "host_unit")


def save_spell(uow, units: tree_rules.Tree, person: Staff, spell: Spell) -> dict:
    """``units``: the tree through time (the spell is checked against the tree of its first
    day, the person's post then)."""
    session = uow.session
    existing = load_spells(session, [person.id]).get(person.id, [])
    for other in existing:
        if _same_spell(other, spell):  # the same command again: the first answer, no new effect
            return {"spell": spell_dict(other), "unassigned": [], "replayed": True}
    _check_host(spell, units)
    then = staff_as_of(session, [person.id], spell.start)[person.id]
    spell_rules.check_spell(spell, then, units.view(spell.start), existing)
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
        as_mentor = mentoring_rules.pairs_to_cut(pairs, person.id, spell.start, spell.end)
        unassigned += apply_cuts(uow, as_mentor,
                                 "mentor_left" if leaving else "mentor_suspended")
        if leaving:
            as_mentee = mentoring_rules.pairs_to_cut(pairs, person.id, spell.start, None,
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
    spell = spell_from_row(row)
    if spell.kind in EXIT_KINDS:
        raise Conflict(f"{spell.kind} has no end", "spell_id")
    units = load_tree(session)
    person = staff_as_of(session, [spell.person], spell.start)[spell.person]
    changed = replace(spell, end=data["end"])
    others = load_spells(session, [person.id]).get(person.id, [])
    _check_host(changed, units)
    spell_rules.check_spell(changed, person, units.view(spell.start), others)
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
    day = data["date"]
    units = tree.view(day)
    mine = load_spells(session, [old.id]).get(old.id, [])
    ended = history_rules.return_to_team(mine, day)
    new = replace(old, unit=data["unit"], position=data["position"],
                  titles=frozenset(data.get("titles") or ()),
                  supervises=tuple(sorted(set(data.get("supervises") or ()))))
    check_post(new, tree, day)
    posts = load_posts(session, [old.id]).get(old.id, [])
    closed, opened = history_rules.change_posts(posts, new, day)
    if not opened:          # the same post as before the exit: a new row all the same
        last = max(posts, key=lambda p: p.start)
        closed, opened = [replace(last, end=day - ONE_DAY)], [history_rules.post_of(new, day)]
    save_posts(session, closed, opened)
    session.execute(update(SpellRow).where(SpellRow.id == ended.id).values(end=ended.end))
    session.execute(update(StaffRow).where(StaffRow.id == new.id).values(**staff_values(new)))
    uow.publish(contract.STATUS_SPELL_CHANGED, {"spell": spell_dict(ended)})
    publish_staff(uow, contract.STAFF_CHANGED, [new], tree, since=day,
                   effective=day.isoformat())
    publish_evaluators(uow, tree, [new.id])
    return {"staff": staff_dict(new, units, day), "exit": spell_dict(ended)}


def spells_of(uow, data) -> dict:
    person = load_person(uow.session, data["person"])
    return {"person": person.id,
            "spells": [spell_dict(s) for s in load_spells(uow.session, [person.id])
                       .get(person.id, [])]}


def retraining_failed(uow, event: dict) -> dict:
    """training ``retraining_failed`` (M§三(四)1(3)): a chief is removed from the post, an officer
    transferred out, from ``effective_date``. Unknown people and people already off the team are
    left alone (nothing to do); anything else that refuses goes to the dead-letter queue."""
    session = uow.session
    row = session.get(StaffRow, event["person"])
    if row is None:
        return {"ignored": "unknown person"}
    person = staff_from_row(row)
    day = event["effective_date"]
    mine = load_spells(session, [person.id]).get(person.id, [])
    if spell_rules.exit_of(mine) is not None:
        return {"ignored": "already off the team"}
    outcome = staff_rules.retraining_failure(person, event["effect"])
    if outcome is None:
        return {"ignored": "no longer a chief"}
    if outcome == "transferred_out":
        spell = Spell(id=new_id(), person=person.id, kind="transferred_out", start=day,
                      note="retraining failed (M§三(四)1(3))")
        return save_spell(uow, load_tree(session), person, spell)
    return change_staff(uow, {"person": person.id, "effective": day,
                              "position": outcome.position, "supervises": []})
