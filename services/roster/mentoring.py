"""The roster's use cases about mentoring (每名干警有人带, M§四): pairs assigned, reassigned and cut,
a person's mentor and mentees on a day, and the coverage (also the metrics' figures).

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import delete, insert, select, update

from services.roster.conversions import coverage_dict, pair_dict, pair_from_row
from services.roster.domain import coverage as coverage_rules
from services.roster.domain import history as history_rules
from services.roster.domain import mentoring as mentoring_rules
from services.roster.domain import spells as spell_rules
from services.roster.domain.dates import iso
from services.roster.domain.model import EXIT_KINDS, Pair, SUSPENSION
from services.roster.domain.units import get_unit, owning_body, units_under
from services.roster.models import PairRow
from services.roster.repository import (chunks, ids_on, IN_CHUNK, load_person, load_posts, load_spells,
                                        load_staff, load_tree, load_units, mentor_map, new_id, pairs_of,
                                        staff_as_of, Statuses)
from shared.contracts import roster as contract
from shared.errors import LianbaoError, NotFound


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


def _assign(uow, data, reassign: bool) -> dict:
    session = uow.session
    load_person(session, data["mentor"], "mentor")
    load_person(session, data["mentee"], "mentee")
    start = data["start"]
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
        cuts, new = mentoring_rules.reassign(new, mentor, mentee, units, pairs, statuses.mentor_counts,
                                       statuses.on_team)
        unassigned = apply_cuts(uow, cuts, "reassigned")
    else:
        mentoring_rules.assign(new, mentor, mentee, units, pairs, statuses.mentor_counts,
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
    for chunk in chunks(mentees, IN_CHUNK):
        for row in session.scalars(select(PairRow).where(PairRow.mentee.in_(chunk))):
            existing[row.mentee].append(pair_from_row(row))
    created, errors, replayed = [], [], 0
    for i, it in enumerate(items):
        try:
            mentor = people.get(it["mentor"])
            if mentor is None:
                raise NotFound(f"unknown person {it['mentor']!r}", "mentor")
            mentee = people.get(it["mentee"])
            if mentee is None:
                raise NotFound(f"unknown person {it['mentee']!r}", "mentee")
            start = it["start"]
            mentor = history_rules.staff_on(mentor, posts.get(mentor.id, []), start)   # the chain then
            mentee = history_rules.staff_on(mentee, posts.get(mentee.id, []), start)
            pairs = existing[mentee.id]
            if any((p.mentor, p.start, p.end) == (mentor.id, start, None) for p in pairs):
                replayed += 1
                continue
            new = Pair(id=new_id(), mentor=mentor.id, mentee=mentee.id, start=start)
            mentoring_rules.assign(new, mentor, mentee, tree.view(start), pairs, statuses.mentor_counts,
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
        # one ``mentors_assigned`` event per EVENT_BATCH pairs, not one event a pair (#24 item 5)
        for chunk in chunks(created, contract.EVENT_BATCH):
            uow.publish(contract.MENTORS_ASSIGNED, {"pairs": [pair_dict(pair) for pair in chunk]})
    return {"assigned": len(created), "replayed": replayed, "errors": errors}


def reassign_mentor(uow, data) -> dict:
    return _assign(uow, data, reassign=True)


def unassign_mentor(uow, data) -> dict:
    session = uow.session
    mentee = load_person(session, data["mentee"], "mentee")
    day = data["date"]
    pairs = pairs_of(session, mentee.id, as_mentor=False, as_mentee=True)
    cuts = mentoring_rules.pairs_to_cut(pairs, mentee.id, day, None, as_mentor=False, as_mentee=True)
    if not cuts:
        raise NotFound(f"{mentee.id} has no mentor on or after {day}", "mentee")
    return {"unassigned": apply_cuts(uow, cuts, "unassigned")}


def mentor_of(uow, data) -> dict:
    session = uow.session
    person = load_person(session, data["person"])
    day = data["date"]
    statuses = Statuses(session, {person.id: person})
    mentor = mentoring_rules.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, day, statuses.mentor_counts)
    return {"person": person.id, "date": day.isoformat(), "mentor": mentor}


def mentees_of(uow, data) -> dict:
    session = uow.session
    person = load_person(session, data["person"])
    day = data["date"]
    statuses = Statuses(session, {person.id: person})
    mentees = mentoring_rules.mentees_on(pairs_of(session, person.id, as_mentee=False), person.id, day)\
        if statuses.mentor_counts(person.id, day) else []
    return {"person": person.id, "date": day.isoformat(), "mentees": mentees}


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
    day = data["date"]
    units = load_units(session, day)                # the tree of that day (SPEC §9)
    staff, statuses, mentors = _coverage_scope(session, units, data["unit"], day)
    total = coverage_rules.coverage(staff, day, statuses.on_team, lambda p, d: mentors.get(p))
    agency_of = {u: owning_body(units, units[u]).id for u in units}
    by_agency = coverage_rules.coverage_by_agency(staff, agency_of, day, statuses.on_team,
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
    by_agency = coverage_rules.coverage_by_agency(staff, agency_of, day, statuses.on_team,
                                       lambda p, d: mentors.get(p))
    all_spells = load_spells(session, [s.id for s in staff])
    status = Counter(spell_rules.status_on(s, all_spells.get(s.id, []), day) for s in staff)
    return {"coverage": {a: c.headline.share for a, c in by_agency.items()},
            "status": dict(status)}
