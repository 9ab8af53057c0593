"""Scoring's read model of the roster and the survey: people, units, spells, mentors, evaluators
and satisfaction rates, as RPCs (the seed) and as the events that keep it current (each applied
once, through the inbox, by the service).  Rules: :mod:`services.scoring.domain.read_model`."""
from __future__ import annotations


from sqlalchemy import insert, select

from shared.errors import Conflict, ValidationFailed
from services.scoring import history, repository
from services.scoring.models import Person, Satisfaction, Spell, Unit
from services.scoring.domain import read_model as rules

PERSON_FIELDS = ("name", "agency", "section", "position", "joined", "mentor", "reserve", "left_on")


def upsert_people(uow, data) -> dict:
    s = uow.session
    rows = {p["id"]: p for p in data["people"]}
    existing = {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(list(rows))))}
    created = changed = unchanged = 0
    new = []
    for pid, p in rows.items():
        values = {k: p.get(k) for k in PERSON_FIELDS}
        values["evaluator"], values["evaluator_source"] = rules.default_evaluator(p["agency"]), rules.DEFAULT
        cur = existing.get(pid)
        if cur is None:
            new.append({"id": pid, **values})
            created += 1
        elif any(getattr(cur, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(cur, k, v)
            changed += 1
        else:
            unchanged += 1
    if new:
        s.execute(insert(Person), new)
    for pid, p in rows.items():
        values = {k: p.get(k) for k in PERSON_FIELDS}
        values["evaluator"] = rules.default_evaluator(p["agency"])
        history.seed(s, pid, dict(values, supervises=p.get("supervises") or ()))
    return {"created": created, "changed": changed, "unchanged": unchanged}


def _upsert_units(s, units, evaluators=True) -> list:
    outcomes = []
    for u in units:
        values = dict(kind=u["kind"], parent=u.get("parent"),
                      agency=rules.unit_agency(u["id"], u["kind"], u.get("parent"), u.get("agency")),
                      name=u.get("name"))
        if evaluators:
            values["evaluator"] = u.get("evaluator")
        outcomes.append((repository.upsert(s, Unit, u["id"], values), dict(u, **values)))
    return outcomes


def save_units(uow, data) -> dict:
    """A bulk load of the units, dated as the roster dates its tree (SPEC §9): a unit new to the
    read model exists from ``effective`` (from 1900-01-01 without it), a changed one takes its new
    content from ``effective`` (required), its earlier versions kept. ``units`` keeps the latest
    (the read model's own ``evaluator`` of a unit is not dated)."""
    s = uow.session
    effective = data.get("effective")
    outcomes = []
    for i, u in enumerate(data["units"]):
        values = dict(u, agency=rules.unit_agency(u["id"], u["kind"], u.get("parent"), u.get("agency")))
        try:
            outcome = history.load_unit(s, values, effective)
        except (ValidationFailed, Conflict) as err:
            field = "effective" if err.field == "effective" else f"units[{i}].{err.field}"
            raise type(err)(err.message, field) from None
        latest = history.latest_unit(s, u["id"])
        row = repository.upsert(s, Unit, u["id"], dict(kind=latest.kind, parent=latest.parent,
                                                       agency=latest.agency, name=latest.name,
                                                       evaluator=u.get("evaluator")))
        outcomes.append(outcome if outcome != "unchanged" or row != "changed" else "changed")
    s.flush()
    return repository.counts(outcomes)


def record_spells(uow, data) -> dict:
    s = uow.session
    outcomes = []
    for sp in data["spells"]:
        outcomes.append(repository.upsert(s, Spell, sp["id"], dict(
            person=sp["person"], kind=sp["kind"], leave_kind=sp.get("leave_kind"),
            start=sp["start"], end=sp.get("end"))))
        person = s.get(Person, sp["person"]) if sp["kind"] in rules.EXIT_KINDS else None
        if person is not None:
            person.left_on = rules.left_on_after_spell(person.left_on, sp["kind"], sp["start"],
                                                       sp.get("end"))
    s.flush()
    return repository.counts(outcomes)


# -- roster and survey events (each applied through the inbox by the service) ----------------
def on_units_saved(uow, event) -> None:
    """The roster's versions of its units (SPEC §9: the tree is dated): each kept with its dates;
    ``units`` takes the open one (the latest)."""
    s = uow.session
    for u in event.get("units", []):
        history.save_unit_version(s, u)
    latest = [{"id": u["id"], "kind": u["kind"], "parent": u.get("parent"),
               "agency": u.get("agency"), "name": u.get("name")}
              for u in event.get("units", []) if u.get("until") is None]
    _upsert_units(s, latest)
    s.flush()


def on_staff(uow, event) -> None:
    """staff_joined / staff_changed: position, unit, join date.  The evaluator stays as the roster
    resolved it when it was seeded (``evaluator_source = roster``); otherwise the default rule
    "其余人员分别由所在局院领导小组考评" (the person's agency) applies.

    The event's people are read at once (their rows, posts and open mentoring pairs: a few
    queries for the whole event, not five a person) and written at one flush."""
    s = uow.session
    staff = event.get("staff", [])
    if not staff:
        return
    people, posts, mentors = history.staff_rows(s, [st["id"] for st in staff])
    for st in staff:
        pid = st["id"]
        cur = people.get(pid)
        joined = st["joined"]
        since = st.get("since") or event.get("effective") or joined
        history.put_post(s, posts, pid, since, st["agency"], st.get("section"), st["position"],
                         st.get("supervises") or ())
        latest = posts[pid][max(posts[pid])]      # events may come in any order
        if cur is None:
            people[pid] = Person(id=pid, name=st.get("name"), agency=latest.agency,
                                 section=latest.section, position=latest.position, joined=joined,
                                 mentor=mentors.get(pid),
                                 evaluator=rules.default_evaluator(latest.agency),
                                 evaluator_source=rules.DEFAULT, reserve=False)
            s.add(people[pid])
        else:
            cur.name, cur.agency, cur.section = st.get("name"), latest.agency, latest.section
            cur.position, cur.joined = latest.position, joined
            cur.evaluator = rules.evaluator_after_move(cur.evaluator, cur.evaluator_source,
                                                       latest.agency)
    s.flush()


def on_evaluators_resolved(uow, event) -> None:
    """roster ``evaluators_resolved``: each person's evaluators through time (M§五(二)3), as the
    roster resolved them; never typed in by a caller."""
    history.evaluators_resolved(uow.session, event)


def on_staff_left(uow, event) -> None:
    repository.known_person(uow, event["person"]).left_on = event["date"]


def on_spell(uow, event) -> None:
    sp = event["spell"]
    record_spells(uow, {"spells": [{
        "id": sp["id"], "person": sp["person"], "kind": sp["kind"], "leave_kind": sp.get("leave_kind"),
        "start": sp["start"], "end": sp.get("end")}]})


def on_mentor_assigned(uow, event) -> None:
    """A pair with its dates (the mentor on each date is what the workflow checks)."""
    history.pair_assigned(uow.session, event)
    _mentor_now(uow.session, event["mentee"])


def on_mentors_assigned(uow, event) -> None:
    """The pairs of one ``assign_mentors`` batch: each stored as ``on_mentor_assigned`` stores one
    (a pair already there is kept), then each mentee's ``people.mentor`` set, with two statements
    run once each over the batch (executemany). The same event twice changes nothing more."""
    pairs = event["pairs"]
    if not pairs:
        return
    history.pairs_assigned(uow.session, pairs)
    uow.session.execute(history.SET_MENTOR_NOW, [{"mentee": m} for m in sorted({p["mentee"] for p in pairs})])


def on_mentor_unassigned(uow, event) -> None:
    history.pair_unassigned(uow.session, event)
    _mentor_now(uow.session, event["mentee"])


def _mentor_now(s, mentee) -> None:
    """``people.mentor`` of ``mentee`` (if known): the mentor of the latest open pair, set by one
    UPDATE built once (:data:`history.SET_MENTOR_NOW`), not a read of the person, a read of the pair
    and a write (#24 item 5)."""
    s.execute(history.SET_MENTOR_NOW, {"mentee": mentee})


def on_satisfaction_rates(uow, event) -> None:
    """Counts per subject of a campaign; a later publication of the campaign replaces an earlier
    one, a final one is never replaced by a non-final one.  Only closed campaigns feed scoring
    (issue 18 item 4): a non-final publication (an older survey's rates of an open campaign) is
    not stored."""
    s = uow.session
    final = bool(event.get("final"))
    if not final:
        return
    subjects = event.get("subjects", [])
    stored = {}         # the campaign's rows already kept, read at once (not one query a subject)
    for part in repository.chunks(sorted({subj["id"] for subj in subjects})):
        stored.update((r.subject, r) for r in s.scalars(select(Satisfaction).where(
            Satisfaction.campaign_id == event["campaign_id"], Satisfaction.subject.in_(part))))
    for subj in subjects:
        cur = stored.get(subj["id"])
        if cur is None:
            stored[subj["id"]] = Satisfaction(campaign_id=event["campaign_id"], subject=subj["id"],
                                              period=event["period"], satisfied=subj["satisfied"],
                                              basic=subj["basic"], dissatisfied=subj["dissatisfied"],
                                              final=final)
            s.add(stored[subj["id"]])
        elif final or not cur.final:
            cur.satisfied, cur.basic, cur.dissatisfied = (subj["satisfied"], subj["basic"],
                                                          subj["dissatisfied"])
            cur.final = final
    s.flush()

