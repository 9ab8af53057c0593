"""Ratings (半年初评 / 年终总评, RATING.md): the snapshot assembled from this service's tables, rated
with the engine (one code path, rule packs and plug-ins as composite parts), stored, published
as ``rating_published``.  Storage of the results: :mod:`services.scoring.repository`; reading them:
:mod:`services.scoring.results`."""
from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from shared import fastjson, offload
from shared.contracts import scoring_events
from shared.errors import Conflict, NotFound
from shared.gc_pause import without_gc
from services.scoring import history, packs_service, repository
from services.scoring.models import (
    Absence, AgencyEvaluation, Evaluation, Honour, Person, Rating, Satisfaction, Spell,
    SubjectFact, Unit)
from services.scoring.domain import agency_eval, assemble, composite
from services.scoring.domain import workflow
from services.scoring.domain.payload import rate_payload, rate_trusted
from services.scoring.facts import ban_cases


def _scope_units(s, scope, day):
    """``scope`` and the units under it in the tree of ``day`` (SPEC §9: the period's last day)."""
    parents = {uid: u.parent for uid, u in history.units_on(s, day).items()}
    if scope not in parents and scope != "city":
        known = s.scalars(select(Unit.id).where(Unit.id == scope)).first()
        raise NotFound(f"no unit {scope} in the read model" + (f" on {day}" if known else ""),
                       "scope")
    if scope == "city":
        return set(parents)
    return assemble.units_under(scope, parents)


def build_snapshot(uow, period: str, scope: str, rating_date: date, rules=None):
    """The RATING.md snapshot of ``period`` for the units under ``scope``, from this service's
    tables: filed monthly scores, the read models, honours, facts, absences, agency evaluations."""
    s = uow.session
    start, end, months = assemble.period_bounds(period)
    officer_monthly = None
    if s.get_bind().dialect.name == "postgresql":
        officer_monthly = _officer_monthly_pg(s, months)     # aggregated meanwhile, see there
    try:
        people, sections, facts, agencies = _read(s, period, scope, start, end, months,
                                                  officer_monthly is None)
    except BaseException:
        if officer_monthly is not None:
            with contextlib.suppress(Exception):
                officer_monthly()           # its connection back to the pool; the error is ours
        raise
    if officer_monthly is not None:
        facts.monthly = officer_monthly()
    snapshot, skipped = assemble.assemble_snapshot(period, rating_date, people, sections, facts,
                                                   agencies, rules)
    return snapshot, skipped, people


def _read(s, period, scope, start, end, months, officer_scores: bool):
    """``(people, sections, facts, agencies)`` of the period in ``scope`` (the officers' monthly
    scores only when ``officer_scores``)."""
    units = _scope_units(s, scope, end)
    # SPEC §9: each person as on the period's last day (post, mentor), whatever changed since
    moved = history.posts_changed_after(s, end)
    hist = history.History(s)
    hist.load(moved)
    mentors = history.mentors_on(s, end)
    rows = s.connection().execute     # plain rows: no ORM result processing of 100,000s of rows
    people = []
    for pid, ag, sec, pos, joined, _mentor, left, name in rows(select(
            Person.id, Person.agency, Person.section, Person.position, Person.joined,
            Person.mentor, Person.left_on, Person.name).order_by(Person.id)):
        if pid in moved:
            post = hist.post(pid, end)
            ag, sec, pos = post.agency, post.section, post.position
        if ag in units:
            people.append(assemble.PersonRow(pid, ag, sec, pos, joined, mentors.get(pid), left,
                                             name))
    # each section in the agency it belongs to on the period's last day (SPEC §9)
    sections = [(uid, u.agency) for uid, u in sorted(history.units_on(s, end, "section").items())
                if uid in units]
    ids = {p.id for p in people}
    section_ids = {sid for sid, _ in sections}
    facts = assemble.Facts()
    q = select(Evaluation.kind, Evaluation.subject, Evaluation.month, Evaluation.score).where(
        Evaluation.state == workflow.FILED, Evaluation.month >= months[0],
        Evaluation.month <= months[-1])
    if not officer_scores:
        q = q.where(Evaluation.kind != "officer")
    agencies = _read_facts(s, period, scope, start, end, units, ids, section_ids, facts, q)
    return people, sections, facts, agencies


def _read_facts(s, period, scope, start, end, units, ids, section_ids, facts, q) -> list:
    """The facts of the period into ``facts`` (scores by the query ``q``, honours, leave, absence,
    satisfaction, facts, last year's result); returns the agencies' entries."""
    rows = s.connection().execute
    monthly, smonthly = facts.monthly, facts.section_monthly
    exact = assemble.exact_number
    for kind, subj, month, score in rows(q):
        if kind == "officer":
            if subj in ids:
                monthly.setdefault(subj, {})[month] = exact(score)
        elif subj in section_ids:
            smonthly.setdefault(subj, {})[month] = score
    subjects = ids | section_ids
    for subj, title, level in s.execute(select(Honour.subject, Honour.title, Honour.level).where(
            Honour.on_date >= start, Honour.on_date <= end).order_by(Honour.on_date, Honour.id)):
        if subj in subjects:
            facts.honours.setdefault(subj, []).append((title, level))
    for person, kind, lk, st, en in s.execute(select(Spell.person, Spell.kind, Spell.leave_kind,
                                                     Spell.start, Spell.end).where(
            Spell.kind == "leave", Spell.start <= end)):
        if person in ids:
            facts.leave.setdefault(person, []).append((lk or "other", st, en))
    for person, n in s.execute(select(Absence.person, func.count()).where(
            Absence.on_date >= start, Absence.on_date <= end).group_by(Absence.person)):
        if person in ids:
            facts.absence[person] = n
    for subj, sat, bas, dis in rows(select(
            Satisfaction.subject, func.sum(Satisfaction.satisfied), func.sum(Satisfaction.basic),
            func.sum(Satisfaction.dissatisfied)).where(
            Satisfaction.period.in_(assemble.survey_periods(period))).group_by(Satisfaction.subject)):
        if subj in subjects:
            facts.satisfaction[subj] = (int(sat), int(bas), int(dis))
    for subj, kind in s.execute(select(SubjectFact.subject, SubjectFact.kind).where(
            SubjectFact.on_date >= start, SubjectFact.on_date <= end)
            .order_by(SubjectFact.on_date, SubjectFact.id)):
        if subj in subjects:
            facts.facts.setdefault(subj, []).append(kind)
    year = int(period[:4])
    last_annual = repository.latest_rating(s, str(year - 1), scope)
    last_class = {}
    if last_annual is not None:
        for subj, _kind, _ag, _sec, status, klass, _n in repository.result_entries(s, last_annual.rating_id):
            if status == "disqualified":
                facts.disqualified_last_year.add(subj)
            if klass is not None:
                last_class[subj] = klass
    agencies = []
    if not period.endswith("H1"):
        for a in s.scalars(select(AgencyEvaluation).where(AgencyEvaluation.year == year)
                           .order_by(AgencyEvaluation.agency)):
            if a.agency in units:
                agencies.append(agency_eval.agency_entry(
                    a.agency, a.grp, {k: Decimal(v) for k, v in a.standards.items()}, a.awards,
                    a.criticisms, agency_eval.previous_class_of(a.previous_class,
                                                                last_class.get(a.agency))))
    return agencies


_OFFICER_MONTHLY_SQL = (
    "SELECT json_object_agg(subject, m)::text FROM ("
    " SELECT subject, json_object_agg(month, score::float8) AS m"
    " FROM evaluations WHERE kind = 'officer' AND state = %(filed)s"
    " AND month >= %(first)s AND month <= %(last)s GROUP BY subject) x")


def _officer_monthly_pg(s, months):
    """Filed officer scores of the months, ``{officer: {month: score}}``, as one JSON document
    aggregated by PostgreSQL (one parse instead of a Python loop over every row); each officer's
    months in the order PostgreSQL met them (:func:`assemble.officer_entry` puts them in calendar
    order; a sort per officer here cost PostgreSQL a fifth of the query).
    Scores go through float8, whose shortest text is the float's repr: a whole score is an int, any
    other a float, exactly the numbers the snapshot's JSON text gives back.  They stay floats in the
    snapshot (its JSON text is dumped by the C encoder, no Python call per number);
    :func:`services.scoring.domain.payload.rate_trusted` makes each float the Decimal of its repr,
    as the contract's validator does (:func:`assemble.exact_number`).

    Returns ``wait``: ``wait()`` gives the document.  When this transaction has written nothing,
    the query runs on a second connection (:func:`shared.offload.started`: a green thread under
    eventlet, else a native one), in a transaction that imports this
    one's snapshot of the database (``pg_export_snapshot``): it sees exactly what this transaction
    sees now, and PostgreSQL aggregates while the rest of the snapshot is read and assembled here.
    Otherwise (this transaction's own writes would be invisible there) it runs here, at once.
    ``wait()`` must be called (it gives the second connection back)."""
    params = {"filed": workflow.FILED, "first": months[0], "last": months[-1]}
    conn = s.connection()
    if conn.exec_driver_sql("SELECT txid_current_if_assigned()").scalar() is not None:
        doc = conn.exec_driver_sql(_OFFICER_MONTHLY_SQL, params).scalar()
        result = fastjson.loads(doc) if doc else {}
        return lambda: result
    exported = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
    raw = s.get_bind().raw_connection()     # checked out here, by the caller

    def read():
        cur = raw.cursor()
        try:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SET TRANSACTION SNAPSHOT %s", (exported,))
            cur.execute(_OFFICER_MONTHLY_SQL, params)
            doc = cur.fetchone()[0]
        finally:
            cur.close()
            raw.rollback()
        return fastjson.loads(doc) if doc else {}

    waiting = offload.started(read)

    def wait():
        try:
            return waiting()
        finally:
            raw.close()             # back to the pool

    return wait


def run_rating(uow, data) -> dict:
    """半年初评 / 年终总评: assemble, rate with the engine (one code path), store the results with
    their explanations, publish ``rating_published``.  The same facts again: the stored rating is
    returned and nothing is published twice.

    When an agency in scope has an adaptation (a rule pack in force for the period, or plug-ins
    bound to it), its officers and sections are rated with it in their own part of a composite
    snapshot (:mod:`services.scoring.domain.composite`); the stored snapshot is that composite
    document, which ``rate_snapshot`` rates back to the same result.  Without any adaptation in
    scope: one plain snapshot, as RATING.md §1.

    Runs with the cyclic garbage collector paused: the snapshot and the result are millions of
    small objects that live until the end, which it would scan again and again for nothing."""
    return without_gc(lambda: _run_rating(uow, data))


def _prepare(uow, data):
    """What a run of ``data`` would store: ``(snapshot, skipped, people, stored document, its JSON
    text (the digest's), rating date)``; nothing written."""
    s = uow.session
    period, scope = data["period"], data["scope"]
    rating_date = data.get("rating_date") or repository.today()
    snapshot, skipped, people = build_snapshot(uow, period, scope, rating_date, data.get("rules"))
    agencies = sorted({o["agency"] for o in snapshot["officers"]}
                      | {x["agency"] for x in snapshot["sections"]})
    adapted = packs_service.adaptation_documents(uow, agencies, period)
    cases = ban_cases(s, snapshot, period)
    stored = composite.build(snapshot, adapted, cases) if adapted or cases else snapshot
    text = fastjson.dumps(stored, default=assemble.json_number)
    return snapshot, skipped, people, stored, text, rating_date


def _rate(uow, snapshot, stored):
    """``(result, adaptations used)`` of the prepared document, as ``run_rating`` stores it."""
    if stored is not snapshot:
        return composite.rate_composite(stored, packs_service.plugin_host(uow), trusted=True)
    return rate_trusted(snapshot), []


def preview_rating(uow, data) -> dict:
    """The rating ``run_rating`` would store and publish for these facts, now (the same assembly,
    rule packs and plug-ins, the same engine), with its ``digest``; nothing stored or published.
    ``published``: the rating of the period and scope stored last (``rating_id``, ``digest``), so
    a preview equal to it says that publishing would change nothing; ``subjects``: each officer's
    and section's agency and name (the result names only ids).  Hand the digest to
    ``run_rating`` to publish exactly what was looked at."""
    return without_gc(lambda: _preview_rating(uow, data))


def _preview_rating(uow, data) -> dict:
    snapshot, skipped, people, stored, text, rating_date = _prepare(uow, data)
    dig = hashlib.sha256(text.encode()).hexdigest()
    last = repository.latest_rating(uow.session, data["period"], data["scope"])
    result, _used = _rate(uow, snapshot, stored)
    by_id = {p.id: p for p in people}
    subjects = {o["id"]: {"agency": o["agency"], "name": getattr(by_id.get(o["id"]), "name", None)}
                for o in snapshot["officers"]}
    subjects.update({x["id"]: {"agency": x["agency"], "name": None} for x in snapshot["sections"]})
    return {"period": data["period"], "scope": data["scope"], "rating_date": rating_date.isoformat(),
            "digest": dig, "skipped": skipped, "unchanged": last is not None and last.digest == dig,
            "published": None if last is None else {"rating_id": last.rating_id, "digest": last.digest},
            "subjects": subjects, "result": result}


def _run_rating(uow, data) -> dict:
    s = uow.session
    period, scope = data["period"], data["scope"]
    snapshot, skipped, people, stored, text, rating_date = _prepare(uow, data)
    dig = hashlib.sha256(text.encode()).hexdigest()
    if data.get("digest") and data["digest"] != dig:
        raise Conflict(f"the facts of {period} for {scope} changed since the preview ({data['digest'][:12]}…): "
                       "look at the new preview before publishing", "digest")
    last = repository.latest_rating(s, period, scope)
    if last is not None and last.digest == dig:
        return {"rating_id": last.rating_id, "published": False, "unchanged": True,
                "skipped": last.skipped, "result": repository.stored_result(s, last.rating_id)}
    result, used = _rate(uow, snapshot, stored)
    version = (last.version + 1) if last is not None else 1
    rating_id = f"{period}:{scope}:{version}"
    repository.store_results(s, rating_id, snapshot, result)
    for adaptation in used:
        packs_service.record_use(uow, rating_id, adaptation)
    subjects = {}
    by_id = {p.id: p for p in people}
    for o in snapshot["officers"]:
        p = by_id[o["id"]]
        subjects[o["id"]] = {"paying_unit": p.agency, "unit": p.section or p.agency, "name": p.name}
    for sec in snapshot["sections"]:
        subjects[sec["id"]] = {"paying_unit": sec["agency"], "unit": sec["id"],
                               "headcount": sec["headcount"]}
    payload = {"rating_id": rating_id, "period": period, "kind": scoring_events.period_kind(period),
               "scope": scope, "version": version, "rating_date": rating_date.isoformat(),
               "result": result,
               "subjects": subjects,
               "disqualified_last_year": [o["id"] for o in snapshot["officers"]
                                          if o.get("disqualified_last_year")]}
    event_id = uow.publish(scoring_events.RATING_PUBLISHED, payload, dumps=fastjson.dumps)
    notice_end = rating_notice_end(uow, rating_date)
    s.add(Rating(rating_id=rating_id, period=period, scope=scope, version=version,
                 rating_date=rating_date, digest=dig, snapshot=text, skipped=skipped,
                 event_id=event_id, notice_start=rating_date, notice_end=notice_end))
    return {"rating_id": rating_id, "published": True, "unchanged": False, "skipped": skipped,
            "event_id": event_id, "result": result, "notice_start": rating_date.isoformat(),
            "notice_end": notice_end.isoformat()}


def rating_notice_end(uow, posted: date) -> date:
    """公示监督 of a period's results (M§五(二)4): posted on the rating day, open for the next three
    working days of the office's calendar, as a month's notice."""
    from services.scoring.domain import deadlines
    from services.scoring.followups import work_calendar

    return deadlines.notice_end(posted, calendar=work_calendar(uow))


def rate_snapshot(uow, snapshot) -> dict:
    """Rate a snapshot as given (RATING.md §1), or a composite document as ``scoring.snapshot``
    returns it (each part under the adaptation it names, with this service's plug-ins)."""
    if composite.is_composite(snapshot):
        return composite.rate_composite(snapshot, packs_service.plugin_host(uow))[0]
    return rate_payload(snapshot)


def snapshot(uow, data) -> dict:
    s = uow.session
    if data.get("rating_id"):
        r = s.get(Rating, data["rating_id"])
        # a rating of another scope than the one named (the policy checked that one) is as missing
        if r is None or (data.get("scope") is not None and r.scope != data["scope"]):
            raise NotFound(f"no rating {data['rating_id']}", "rating_id")
        return json.loads(r.snapshot)
    snap, _skipped, _people = build_snapshot(uow, data["period"], data["scope"],
                                             data.get("rating_date") or repository.today())
    return assemble.to_json(snap)

