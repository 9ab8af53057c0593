"""The roster's use cases about the ten bans (cases against the person and the mentor) and the team's
discipline facts, with targets 2, 4, 5, 6 and 7 (M§一2, 4-7).

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

from datetime import date
from dataclasses import replace

from sqlalchemy import insert, select

from services.roster.conversions import case_dict, fact_dict, fact_from_row, spell_dict, spell_from_row
from services.roster.domain import bans as ban_rules
from services.roster.domain import discipline as discipline_rules
from services.roster.domain import history as history_rules
from services.roster.domain import mentoring as mentoring_rules
from services.roster.domain import spells as spell_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.model import AGENCY, COMMITTEE, SUSPENSION
from services.roster.domain.units import owning_body
from services.roster.models import BanViolationRow, CaseRow, DisciplineFactRow, SpellRow
from services.roster.repository import (load_facts, load_person, load_posts, load_staff, load_tree, new_id,
                                        pairs_of, staff_as_of, Statuses)
from services.roster.spells import save_spell
from shared.contracts import roster as contract
from shared.errors import NotFound, ValidationFailed


def record_ban_violation(uow, data) -> dict:
    session = uow.session
    units = load_tree(session)
    person = load_person(session, data["person"])
    occurred = data["occurred_on"]
    confirmed = data["confirmed_on"]
    same = session.scalars(select(BanViolationRow).where(
        BanViolationRow.person == person.id, BanViolationRow.ban == data["ban"],
        BanViolationRow.occurred_on == occurred)).first()
    if same is not None:  # the same violation reported again: the first record, no new effect
        return _ban_answer(session, same)
    statuses = Statuses(session, {person.id: person})
    statuses.preload([person.id])
    mine = statuses.spells[person.id]
    mentor = mentoring_rules.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, occurred, statuses.mentor_counts)
    outcome = ban_rules.ban_violated(
        violation_id=new_id(), person=person.id, ban=data["ban"], occurred_on=occurred,
        confirmed_on=confirmed, joined=person.joined, mentor=mentor, suspension_id=new_id(),
        case_ids=(new_id(), new_id()),
        already_suspended=spell_rules.status_on(person, mine, confirmed) == "suspended",
        left_team=not spell_rules.on_team(person, mine, confirmed), note=data["note"])
    v = outcome.violation
    session.execute(insert(BanViolationRow), [{
        "id": v.id, "person": v.person, "ban": v.ban, "occurred_on": v.occurred_on,
        "confirmed_on": v.confirmed_on, "mentor": v.mentor, "note": v.note}])
    session.execute(insert(CaseRow), [{"id": c.id, "violation": c.violation, "person": c.person,
                                       "role": c.role} for c in outcome.cases])
    recorded = {"spell": None, "unassigned": []}
    if outcome.suspension is not None:
        recorded = save_spell(uow, units, person, outcome.suspension)
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
            "suspension": spell_dict(spell_from_row(spell)) if spell is not None else None,
            "cases": [case_dict(c) for c in cases], "unassigned": [], "replayed": True}


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


def record_discipline_fact(uow, data) -> dict:
    """Record a fact once: the same kind, person or unit and day again answers the first record."""
    session = uow.session
    person = load_person(session, data["person"]) if data.get("person") else None
    occurred = data["occurred_on"]
    tree = load_tree(session)
    units = tree.view(occurred)     # the tree on the day of the fact (SPEC §9)
    if person is not None:      # the person's unit on the day of the fact (SPEC §9)
        person = staff_as_of(session, [person.id], occurred)[person.id]
    if person is not None and data.get("unit") not in (None, person.unit):
        raise ValidationFailed(f"{person.id} belonged to {person.unit} on {occurred}, not "
                               f"{data['unit']}", "unit")
    unit = units[person.unit] if person is not None else (
        tree_rules.get_on(tree, data["unit"], occurred, "unit") if data.get("unit") else None)
    reported = data.get("reported_on") or occurred
    year = discipline_rules.check_fact(data["kind"], person, unit is not None, data.get("year"), occurred,
                                 reported)
    for row in session.scalars(select(DisciplineFactRow).where(
            DisciplineFactRow.kind == data["kind"], DisciplineFactRow.occurred_on == occurred)):
        if discipline_rules.same_fact(fact_from_row(row), data["kind"], person.id if person else None, unit.id,
                                occurred):
            return {"fact": fact_dict(fact_from_row(row)), "replayed": True}
    fact = discipline_rules.DisciplineFact(
        id=new_id(), kind=data["kind"], agency=owning_body(units, unit).id, unit=unit.id,
        person=person.id if person else None, year=year, occurred_on=occurred, reported_on=reported,
        note=data.get("note"))
    on = data.get("investigated_on")
    if on is not None:
        fact = discipline_rules.investigate(fact, on)
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
    before = fact_from_row(row)
    after = discipline_rules.investigate(before, data["investigated_on"])
    if after == before:
        return {"fact": fact_dict(after), "replayed": True}
    row.investigated_on = after.investigated_on
    uow.publish(contract.DISCIPLINE_FACT_INVESTIGATED, fact_dict(after))
    return {"fact": fact_dict(after)}


def discipline_facts(uow, data) -> dict:
    return {"facts": [fact_dict(f) for f in load_facts(uow.session, data.get("year"), data.get("agency"),
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
    facts = load_facts(uow.session, year) + _ban_facts(uow.session, tree, year)
    if as_of is not None:
        facts = [f if f.investigated_on is None or f.investigated_on <= as_of
                 else replace(f, investigated_on=None) for f in facts if f.reported_on <= as_of]
    return discipline_rules.targets(facts, bodies, year, agency=agency)


def _ban_facts(session, tree, year: int) -> list:
    """Confirmed ban violations of ``year``, as investigated violations (target 7), each counted
    for the agency of the person's post on the day it occurred (SPEC §9)."""
    rows = session.scalars(select(BanViolationRow).where(
        BanViolationRow.occurred_on >= date(year, 1, 1), BanViolationRow.occurred_on <= date(year, 12, 31))).all()
    current = load_staff(session, {r.person for r in rows})
    posts = load_posts(session, current)
    people = {r.id: history_rules.staff_on(current[r.person], posts.get(r.person, []), r.occurred_on)
              for r in rows if r.person in current}

    def agency(r):
        units = tree.view(r.occurred_on)
        return owning_body(units, units[people[r.id].unit]).id

    return [discipline_rules.ban_violation_fact(r.id, people[r.id], agency(r),
                                          r.occurred_on, r.confirmed_on, r.ban)
            for r in rows if r.id in people]


def targets(uow, data, today: date) -> dict:
    today = data.get("as_of") or today
    year = data.get("year") or today.year
    results = target_results(uow, year, data.get("agency"), today)
    return {"year": year, "as_of": today.isoformat(), "targets": [r.as_dict() for r in results]}
