"""The roster's use cases about evaluators (M§五(二)3): who evaluates a person or a section on a day,
and the ``evaluators_resolved`` timelines every change publishes.

Each use case: ``(uow, data) -> dict``; it loads what it needs (:mod:`services.roster.repository`),
calls the domain, saves, and records the events to publish through the outbox (``uow.publish``) in
the same transaction. No rules here: they are in ``domain/``.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from services.roster.domain import evaluator as evaluator_rules
from services.roster.domain import history as history_rules
from services.roster.domain import mentoring as mentoring_rules
from services.roster.domain import spells as spell_rules
from services.roster.domain import tree as tree_rules
from services.roster.domain.dates import iso
from services.roster.domain.model import SECTION
from services.roster.repository import (chunks, ids_on, load_person, load_posts, load_spells, load_staff,
                                        load_tree, pairs_of, staff_as_of, Statuses)
from shared.contracts import roster as contract
from shared.errors import ValidationFailed


def publish_evaluators(uow, units, person_ids: Iterable[str], people: dict | None = None,
                       posts: dict | None = None) -> None:
    """``evaluators_resolved``: each person's evaluators through time (M§五(二)3 on every day on
    the team, SPEC §9), the whole timeline, so that a consumer never computes it itself. ``people``
    and ``posts``: the staff records and all the posts of these ids as this unit of work has just
    written them (else read)."""
    session = uow.session
    ids = sorted(set(person_ids))
    if not ids:
        return
    if people is None:
        people = load_staff(session, ids)
    if posts is None:
        posts = load_posts(session, ids)
    spells = load_spells(session, ids)
    stamp = uuid.uuid1().hex
    out = []
    for pid in ids:
        person = people.get(pid)
        if person is None:
            continue
        spans = history_rules.evaluator_timeline(person, posts.get(pid, []), units, spells.get(pid, []))
        out.append({"person": pid, "spans": [x.as_dict() for x in spans]})
    for chunk in chunks(out, contract.EVENT_BATCH):
        uow.publish(contract.EVALUATORS_RESOLVED, {"people": chunk, "resolved_at": _now_stamp(),
                                                   "stamp": stamp})


def _now_stamp() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def evaluator_of(uow, data) -> dict:
    session = uow.session
    load_person(session, data["person"])
    day = data["date"]
    units = load_tree(session).view(day)            # the tree of that day (SPEC §9)
    person = staff_as_of(session, [data["person"]], day)[data["person"]]
    statuses = Statuses(session, {person.id: person})
    statuses.preload([person.id])
    mine = statuses.spells[person.id]
    mentor = mentoring_rules.effective_mentor(pairs_of(session, person.id, as_mentor=False),
                                        person.id, day, statuses.mentor_counts)
    result = evaluator_rules.evaluator_of(person, units, mine, day, mentor)
    return {"person": person.id, "date": day.isoformat(), "group": result.group,
            "rule": result.rule, "mark": result.mark, "daily_logs": result.daily_logs,
            "secondment": result.secondment, "six_month_mark": iso(result.six_month_mark),
            "unit": person.unit, "position": person.position,
            "status": spell_rules.status_on(person, mine, day)}


def evaluator_of_section(uow, data) -> dict:
    """The section's evaluator (its agency's leading group) and its supervising leaders (分管领导,
    M§四2: its reviewers) on ``date`` (default today); ``supervisors`` empty: the section has none
    then (said so, never guessed)."""
    session = uow.session
    day = data.get("date") or date.today()
    tree = load_tree(session)
    unit = tree_rules.get_on(tree, data["unit"], day, "unit")    # the tree of that day (SPEC §9)
    units = tree.on(day)
    if unit.kind != SECTION:
        raise ValidationFailed(f"{unit.id} is not a section on {day}", "unit")
    result = evaluator_rules.evaluator_of_section(unit, units)
    leaders = staff_as_of(session, ids_on(session, [unit.parent], day), day)
    spells = load_spells(session, list(leaders))
    supervisors = sorted(pid for pid, s in leaders.items()
                         if s.position == "leader" and unit.id in s.supervises
                         and spell_rules.on_team(s, spells.get(pid, []), day))
    return {"unit": unit.id, "date": day.isoformat(), "group": result.group, "rule": result.rule,
            "mark": result.mark, "supervisors": supervisors}
