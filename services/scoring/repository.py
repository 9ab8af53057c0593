"""Scoring's persistence: the read model as of a date, evaluations and their trail, facts, ratings
and their stored results.  The use-case modules (:mod:`.read_model`, :mod:`.workflow`,
:mod:`.monitoring`, :mod:`.daily_logs`, :mod:`.ranking`, :mod:`.facts`, :mod:`.ratings`,
:mod:`.results`) load and save through here; no rules here (they are in :mod:`.domain`).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from types import SimpleNamespace

from sqlalchemy import bindparam, func, insert, select

from shared import fastjson
from shared.errors import Conflict, LianbaoError, NotFound
from services.scoring import history
from services.scoring.models import (
    CriteriaPack, Evaluation, EvaluationLog, Person, Rating, RatingResultChunk)
from services.scoring.domain import asof, composite, criteria
from services.scoring.domain import workflow as steps

CHUNK = 250                 # subjects per row of rating_result_chunks (at most)
SEP = "\x1f"                # between the ids of a chunk's ``subjects`` and ``sections``
IDS_PER_QUERY = 5000        # ids in one ``IN (...)``


def today() -> date:
    return date.today()


def to_float(v):
    return None if v is None else float(v)


def iso(d):
    return None if d is None else d.isoformat()


def digest(obj) -> str:
    """What a step was given, hashed (the same step again with the same content is a no-op).

    Not :func:`shared.canonical.canonical_json`: these digests are stored in the evaluation trail
    and compared with the next submission, so their text (ASCII-escaped, default separators)
    must stay what it was (the encoder ``json.dumps(obj, sort_keys=True, default=str)`` builds,
    built once: ``json.dumps`` builds one a call when given options)."""
    return hashlib.sha256(_DIGEST_JSON(obj).encode()).hexdigest()


_DIGEST_JSON = json.JSONEncoder(sort_keys=True, default=str).encode


def chunks(ids, size=IDS_PER_QUERY):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


# -- upserts that count ------------------------------------------------------------------------
def upsert(s, model, key, values: dict) -> str:
    """Insert the row ``key`` of ``model`` or bring it to ``values``: "created", "changed" or
    "unchanged" (running it twice changes nothing the second time)."""
    cur = s.get(model, key)
    if cur is None:
        s.add(model(**dict(zip_key(model, key)), **values))
        return "created"
    if any(getattr(cur, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(cur, k, v)
        return "changed"
    return "unchanged"


def zip_key(model, key):
    cols = [c.name for c in model.__table__.primary_key.columns]
    return zip(cols, key if isinstance(key, tuple) else (key,))


def counts(outcomes) -> dict:
    outcomes = list(outcomes)
    return {k: outcomes.count(k) for k in ("created", "changed", "unchanged")}


def insert_facts(s, model, key_fn, rows) -> dict:
    """Facts are recorded once: the same id again with the same content is "unchanged", with
    other content a Conflict."""
    created = unchanged = 0
    for values in rows:
        cur = s.get(model, key_fn(values))
        if cur is None:
            s.add(model(**values))
            created += 1
        elif all(getattr(cur, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            raise Conflict("this id was recorded with other content", "id")
    s.flush()
    return {"created": created, "unchanged": unchanged}


# -- the read model as of a date -------------------------------------------------------------
def template_for(uow, kind: str, agency: str | None, month: str | None = None):
    """The city's template extended by the agency's latest rule pack in force in ``month``."""
    base = criteria.city_template(kind)
    if not agency:
        return base
    q = select(CriteriaPack).where(CriteriaPack.agency == agency, CriteriaPack.kind == kind)
    if month:
        q = q.where(CriteriaPack.effective_from <= month)
    pack = uow.session.scalars(q.order_by(CriteriaPack.version.desc()).limit(1)).first()
    return criteria.extend_template(base, pack.pack if pack else None)


def packs_of_kind(s, kind: str) -> dict:
    """``{agency: [(version, effective_from, pack)]}``: every rule pack of ``kind``, read at once
    (a batch asks :func:`template_for`'s question of many agencies; :func:`template_from`)."""
    out: dict = {}
    for agency, version, effective_from, pack in s.execute(select(
            CriteriaPack.agency, CriteriaPack.version, CriteriaPack.effective_from,
            CriteriaPack.pack).where(CriteriaPack.kind == kind)):
        out.setdefault(agency, []).append((version, effective_from, pack))
    return out


def template_from(packs: dict, kind: str, agency: str | None, month: str | None = None):
    """:func:`template_for`'s answer from :func:`packs_of_kind`'s rows: the agency's pack of the
    highest version in force in ``month`` (``effective_from <= month``)."""
    base = criteria.city_template(kind)
    if not agency:
        return base
    rows = [r for r in packs.get(agency, ()) if not month or r[1] <= month]
    pack = max(rows, key=lambda r: r[0])[2] if rows else None
    return criteria.extend_template(base, pack)


def eval_id(kind: str, subject: str, month: str) -> str:
    return f"{kind}:{subject}:{month}"


class Ctx:
    """Per-call caches of the read model (a batch touches each person once).  People are read as
    they were on the act's date ``on`` (SPEC §9, :mod:`services.scoring.history`)."""

    def __init__(self, uow, on: date | None = None):
        self.s = uow.session
        self.uow = uow
        self.on = on
        self.hist = history.History(uow.session)
        self.people: dict = {}
        self.units: dict = {}
        self.chiefs: dict = {}
        self.templates: dict = {}
        self.packs: dict = {}
        self.unit_versions: dict = {}       # unit -> ([asof.UnitVersion], evaluator or None)

    @property
    def day(self) -> date:
        return self.on or today()

    def person(self, pid):
        """The person on the act's date (post and mentor then), or None."""
        if pid not in self.people:
            self.people[pid] = self.hist.person(pid, self.day) if pid else None
        return self.people[pid]

    def member_candidate(self, pid):
        """The person on the act's date as a leading group would count him: None when he is off the
        team then (the roster's ``staff_left``, an exit spell; SPEC §9), as :meth:`members` leaves
        him out — the post he held before stays in the history."""
        person = self.person(pid)
        if person is None or not self.hist.on_team(pid, self.day):
            return None
        return person

    def prefetch(self, ids):
        self.hist.load(ids)

    def load_units(self, ids) -> None:
        """The dated versions of the units ``ids`` read at once (a batch's sections), for
        :meth:`unit`."""
        need = [u for u in set(ids) if u and u not in self.unit_versions]
        if need:
            self.unit_versions.update(history.unit_versions_of(self.s, need))

    def unit(self, uid, day: date | None = None):
        """The unit as it was on ``day`` (default: the act's date; SPEC §9, the tree is dated),
        or None when it did not exist then (:func:`history.unit_on`'s answer)."""
        key = (uid, day or self.day)
        if key not in self.units:
            self.load_units([uid])
            versions, evaluator = self.unit_versions[uid]
            self.units[key] = history.version_on(versions, evaluator, key[1])
        return self.units[key]

    def load_supervisors(self, sections) -> None:
        """:meth:`reviewers`' supervising leaders of many sections read at once (a batch's
        sections on the act's date), for the questions asked per section after."""
        wanted = []
        for sid in sections:
            u = self.unit(sid)
            if u is not None:
                wanted.append((sid, u.agency))
        self.hist.load_supervisors(wanted)

    def section_chiefs(self, sid):
        if sid not in self.chiefs:
            self.chiefs[sid] = self.hist.section_people(sid, self.day, "chief")
        return self.chiefs[sid]

    def chiefs_of(self, kind, subject):
        """A section's chiefs on the act's date (an officer: none)."""
        return self.section_chiefs(subject) if kind == "section" else ()

    def is_chief(self, pid, sid) -> bool:
        """Whether ``pid`` is among :meth:`section_chiefs` of ``sid`` (the same answer, read from
        the person's own dated posts: no query per section)."""
        h, day = self.hist, self.day
        h.load([pid])
        if not any(p.section == sid and p.position == "chief" for p in h.posts.get(pid, ())):
            return False
        post = h.post(pid, day)
        return bool(post and post.section == sid and post.position == "chief" and h.on_team(pid, day))

    def actor_chiefs(self, actor, kind, subject) -> tuple:
        """For the separation of duties (:func:`workflow.is_own`): ``(actor,)`` when ``subject``
        is a section ``actor`` is a chief of on the act's date, else ``()``."""
        return (actor,) if kind == "section" and self.is_chief(actor, subject) else ()

    def subject_info(self, kind, subject, month=None):
        """(agency, evaluator, mentor, chiefs) of a subject, or NotFound.  With ``month``: the
        agency of the post held on the month's last day and the roster's evaluator of that day
        (SPEC §9); the mentor is the one on the act's date (sections: see ``reviewers``)."""
        if kind == "officer":
            history.require_known(self.hist, subject)
            if month is None:
                p = self.person(subject)
                return p.agency, None, p.mentor, ()
            last = asof.month_last_day(month)
            span = self.hist.month_evaluator(subject, month)
            post = self.hist.post(subject, last)
            return post.agency, span.value, self.hist.mentor(subject, self.day), ()
        # a section's month counts for its agency on the month's last day (SPEC §9)
        day = asof.month_last_day(month) if month is not None else None
        u = self.unit(subject, day)
        if u is None or u.kind != "section":
            raise NotFound(f"no section {subject} in the roster read model on "
                           f"{day or self.day}", "subject")
        return u.agency, u.body, None, self.section_chiefs(subject)

    def reviewers(self, kind, subject, strict=True) -> tuple:
        """Who may review on the act's date: an officer's mentor then (none: the evaluator's
        members review); a section's supervising leaders then (分管领导, M§四2; none: Conflict,
        never guessed, unless ``strict`` is False)."""
        if kind == "officer":
            mentor = self.hist.mentor(subject, self.day)
            return (mentor,) if mentor else ()
        u = self.unit(subject)          # the section's agency on the act's date (SPEC §9)
        key = ("supervisors", subject)
        if key not in self.chiefs:
            self.chiefs[key] = [] if u is None else \
                self.hist.section_supervisors(subject, u.agency, self.day)
        supervisors = self.chiefs[key]
        if not strict:
            return tuple(supervisors)
        return asof.section_reviewers(supervisors, subject, self.day)

    def template(self, kind, agency, month):
        key = (kind, agency, month)
        if key not in self.templates:
            if kind not in self.packs:
                self.packs[kind] = packs_of_kind(self.s, kind)
            self.templates[key] = template_from(self.packs[kind], kind, agency, month)
        return self.templates[key]

    def members(self, group):
        key = ("members", group)
        if key not in self.chiefs:
            self.chiefs[key] = self.hist.members(group, self.day)
        return self.chiefs[key]


def known_person(uow, pid):
    """Events of one person can overtake each other (different queues): an event about a person
    not yet in the read model fails, so it is redelivered (and dead-lettered after the retries)."""
    person = uow.session.get(Person, pid)
    if person is None:
        raise NotFound(f"{pid} is not in the read model yet", "person")
    return person


# -- evaluations and their trail -------------------------------------------------------------
def add_log(s, ev_id, action, actor, on, frm, to, note=None, dig=None):
    s.add(EvaluationLog(evaluation_id=ev_id, action=action, actor=actor, on_date=on,
                        from_state=frm, to_state=to, note=note, digest=dig,
                        signed_by=s.info.get("signed_by")))


#: the trail's columns a step may give (any it leaves out is NULL, as the ORM's bulk insert left it)
_LOG_FIELDS = ("evaluation_id", "action", "actor", "on_date", "from_state", "to_state", "note", "digest")
#: Core statements of the batched writes, built once: an executemany of plain rows through the
#: session (which flushes pending ORM changes first for a Core statement too, as for the ORM's),
#: where the ORM's bulk path checked and sorted every parameter set first (#24 item 5); the same SQL
#: and rows, in the same order, in the same transaction
_INSERT_LOGS = EvaluationLog.__table__.insert()
_INSERT_EVALUATIONS = Evaluation.__table__.insert()
_UPDATES: dict = {}


def add_logs(s, logs) -> None:
    """Steps of the trail, each with who the entry point verified (the session's ``signed_by``)
    beside the actor its payload names."""
    if logs:
        signed_by = s.info.get("signed_by")
        s.execute(_INSERT_LOGS, [{**{f: row.get(f) for f in _LOG_FIELDS}, "signed_by": signed_by}
                                 for row in logs])


def insert_evaluations(s, rows) -> None:
    """New evaluations (each a dict of every column but ``overdue_flagged_on``, the same keys)."""
    if rows:
        s.execute(_INSERT_EVALUATIONS, rows)


def last_log(s, ev_id):
    return s.scalars(select(EvaluationLog).where(EvaluationLog.evaluation_id == ev_id)
                     .order_by(EvaluationLog.id.desc()).limit(1)).first()


def last_step_days(s, ev_ids) -> dict:
    """``{evaluation id: the day of its latest step}`` of the evaluations among ``ev_ids`` that have a
    trail (one grouped read per thousand ids)."""
    ids, out = sorted(set(ev_ids)), {}
    log = EvaluationLog.__table__.c         # a Core select: no ORM row loading (#24 item 5)
    for i in range(0, len(ids), 1000):
        out.update(s.execute(select(log.evaluation_id, func.max(log.on_date))
                             .where(log.evaluation_id.in_(ids[i:i + 1000]))
                             .group_by(log.evaluation_id)).all())
    return out


def approval_day(s, ev_id):
    """The day of the latest approval (考核审批) in evaluation ``ev_id``'s trail, or None."""
    return s.execute(select(func.max(EvaluationLog.on_date)).where(
        EvaluationLog.evaluation_id == ev_id, EvaluationLog.action == steps.APPROVE)).scalar()


def trail(s, ev_id) -> list:
    return list(s.scalars(select(EvaluationLog).where(
        EvaluationLog.evaluation_id == ev_id).order_by(EvaluationLog.id)))


EVALUATION_COLUMNS = tuple(c.key for c in Evaluation.__table__.columns)


def _record(row):
    """An evaluation read as a plain record (its columns as attributes, not an ORM object: a
    batch reads thousands), written back by :func:`save_evaluations`."""
    return SimpleNamespace(**row._mapping)


#: what the self-assessment, approval and send-back steps read of a batch's evaluations (the review
#: alone reads and changes the scores and deductions, two JSON columns decoded row by row)
BATCH_STEP_COLUMNS = ("id", "kind", "subject", "month", "agency", "evaluator", "state", "reviewed_by",
                      "approved_by", "notice_start", "notice_end")


def _records(s, stmt, params=None) -> list:
    """The rows of a Core select of ``evaluations`` columns as records (:func:`_record`'s): a Core
    select skips the ORM's row loading (#24 item 5); the session flushes its pending changes first
    for it as for the ORM's select."""
    result = s.execute(stmt, params)
    keys = tuple(result.keys())
    out = []
    for row in result.all():
        rec = SimpleNamespace()
        rec.__dict__.update(zip(keys, row))
        out.append(rec)
    return out


def load_evaluations(s, items, columns=EVALUATION_COLUMNS) -> dict:
    """``{id: record}`` of the items' evaluations that exist (:func:`_record`), of ``columns``
    (all by default)."""
    out = {}
    t = Evaluation.__table__
    cols = [t.c[c] for c in columns]
    for part in chunks([eval_id(i["kind"], i["subject"], i["month"]) for i in items]):
        for rec in _records(s, select(*cols).where(t.c.id.in_(part))):
            out[rec.id] = rec
    return out


def save_evaluations(s, records, fields) -> None:
    """``fields`` of the evaluation records (:func:`load_evaluations`, :func:`evaluations_of`)
    written back in one UPDATE by primary key for all (executemany); a record given twice is
    written once, as it is last."""
    if not records:
        return
    fields = tuple(fields)
    stmt = _UPDATES.get(fields)
    if stmt is None:
        t = Evaluation.__table__
        stmt = _UPDATES[fields] = t.update().where(t.c.id == bindparam("_id")).values(
            {f: bindparam(f) for f in fields})
    by_id = {r.id: r for r in records}
    s.execute(stmt, [{"_id": i, **{f: getattr(r, f) for f in fields}} for i, r in by_id.items()])


def require_evaluation(evals, it):
    e = evals.get(eval_id(it["kind"], it["subject"], it["month"]))
    if e is None:
        raise NotFound(f"no evaluation of {it['subject']} for {it['month']}", "subject")
    return e


def get_evaluation(s, it):
    """The evaluation of ``it`` (kind, subject, month), or NotFound."""
    return require_evaluation({eval_id(it["kind"], it["subject"], it["month"]):
                               s.get(Evaluation, eval_id(it["kind"], it["subject"], it["month"]))}, it)


#: what the steps that take a body's whole month (公示, 备案) read and write of its evaluations: not
#: the scores and deductions (JSON decoded row by row), which they neither read nor change
MONTH_STEP_COLUMNS = ("id", "kind", "subject", "month", "evaluator", "state", "notice_start", "notice_end",
                      "filed_on", "late")


def evaluations_of(s, evaluator, month, states, columns=EVALUATION_COLUMNS) -> list:
    """The body's evaluations of ``month`` in ``states``, as records (:func:`_record`) of
    ``columns`` (all by default)."""
    t = Evaluation.__table__
    return _records(s, select(*[t.c[c] for c in columns]).where(
        t.c.evaluator == evaluator, t.c.month == month, t.c.state.in_(states)))


def count_evaluations(s, evaluator, month, states) -> int:
    return s.scalar(select(func.count()).select_from(Evaluation).where(
        Evaluation.evaluator == evaluator, Evaluation.month == month,
        Evaluation.state.in_(states)))


#: what a month of a person's history shows (:func:`services.scoring.workflow.evaluation_dict`), as
#: plain rows; built once (SQLAlchemy reuses the compiled statement)
_HISTORY_COLUMNS = [getattr(Evaluation, name).label(name) for name in (
    "id", "kind", "subject", "month", "state", "score", "self_score", "item_scores", "deductions", "agency",
    "evaluator", "template_version", "notice_end", "filed_on", "late", "objections")]
_HISTORY = (select(*_HISTORY_COLUMNS).where(Evaluation.subject == bindparam("subject"),
                                            Evaluation.kind == bindparam("kind"))
            .order_by(Evaluation.month))
_HISTORY_OF_YEAR = _HISTORY.where(Evaluation.month.like(bindparam("months")))


def history_rows(uow, subject, kind, year=None) -> list:
    """A subject's evaluations (of ``year``, or all), in calendar order: plain rows, one statement
    (``uow.read``: no transaction of its own)."""
    if year:
        return uow.read(_HISTORY_OF_YEAR, {"subject": subject, "kind": kind, "months": f"{year}-%"})
    return uow.read(_HISTORY, {"subject": subject, "kind": kind})


# -- ratings and their stored results --------------------------------------------------------
def latest_rating(s, period, scope):
    return s.scalars(select(Rating).where(Rating.period == period,
                                          Rating.scope == scope)
                     .order_by(Rating.version.desc()).limit(1)).first()


def ratings_of_period(s, period):
    return list(s.scalars(select(Rating).where(Rating.period == period)
                          .order_by(Rating.created_at.desc(), Rating.version.desc())))


def store_results(s, rating_id, snapshot, result) -> None:
    """The results in chunks of up to :data:`CHUNK` subjects of one agency, one row each (their
    engine JSON kept whole for the explanation RPC; see :class:`RatingResultChunk`)."""
    where = {o["id"]: (o["agency"], o.get("section")) for o in snapshot["officers"]}
    where.update({x["id"]: (x["agency"], x["id"]) for x in snapshot["sections"]})
    lines: dict = {}
    for line in result["settlement"]:
        lines.setdefault(line["subject"], []).append(line)
    by_agency: dict = {}
    place = where.get
    n = 0
    for kind, key in (("officer", "officers"), ("section", "sections"), ("agency", "agencies")):
        for r in result[key]:
            rid = r["id"]
            ag, sec = place(rid) or (rid, None)
            by_agency.setdefault(ag, []).append(
                ([rid, kind, ag, sec, r.get("status"), r.get("class"), n],
                 {**r, "_settlement": lines.get(rid, [])}))
            n += 1
    rows = []
    for ag, items in by_agency.items():
        for i in range(0, len(items), CHUNK):
            part = items[i:i + CHUNK]
            entries = [e for e, _r in part]
            rows.append(dict(
                rating_id=rating_id, chunk=len(rows), agency=ag,
                subjects=SEP + SEP.join(e[0] for e in entries) + SEP,
                sections=SEP + SEP.join(sorted({e[3] for e in entries if e[3] is not None})) + SEP,
                entries=fastjson.dumps(entries),
                results=fastjson.dumps([r for _e, r in part])))
    if rows:
        s.execute(insert(RatingResultChunk), rows)


def result_entries(s, rating_id):
    """``[subject, kind, agency, section, status, class, n]`` of every subject of a rating."""
    for (entries,) in s.execute(select(RatingResultChunk.entries).where(
            RatingResultChunk.rating_id == rating_id)):
        yield from json.loads(entries)


def needle(unit):
    return RatingResultChunk.subjects.contains(SEP + unit + SEP, autoescape=True)


def stored_result(s, rating_id) -> dict:
    out = {"officers": [], "sections": [], "agencies": [], "settlement": []}
    key = {"officer": "officers", "section": "sections", "agency": "agencies"}
    snap = json.loads(s.get(Rating, rating_id).snapshot)
    order = {x: n for n, x in enumerate(composite.subject_order(snap))}
    rows = []
    for entries, results in s.execute(select(RatingResultChunk.entries,
                                             RatingResultChunk.results).where(
            RatingResultChunk.rating_id == rating_id)):
        rows.extend((e[6], e[1], e[0], item) for e, item in zip(json.loads(entries),
                                                                json.loads(results)))
    rows.sort(key=lambda r: r[0])
    rows.sort(key=lambda r: order.get(r[2], 0))
    settlement = {"officers": [], "sections": [], "agencies": []}
    for _n, kind, _subj, item in rows:
        settlement[key[kind]].extend(item.pop("_settlement", []))
        out[key[kind]].append(item)
    out["settlement"] = settlement["officers"] + settlement["sections"] + settlement["agencies"]
    return out


def batch(items, fn):
    """Apply ``fn(index, item)`` to each item; a LianbaoError is reported by index and field and
    leaves nothing of that item written (each ``fn`` checks everything before it writes)."""
    done, unchanged, errors = [], 0, []
    for i, item in enumerate(items):
        try:
            out = fn(i, item)
        except LianbaoError as e:
            errors.append({"index": i, "field": e.field, "error": e.code, "message": e.message})
            continue
        if out == "unchanged":
            unchanged += 1
        else:
            done.append(out)
    return {"done": len(done), "unchanged": unchanged, "errors": errors, "ids": done}


def result_chunks_of_unit(s, rating_id, unit):
    """``(entries, results)`` of the chunks of a rating that may hold ``unit``'s results (the
    agency's, a section's, or the subject's own)."""
    chunk = RatingResultChunk
    return s.execute(select(chunk.entries, chunk.results).where(
        chunk.rating_id == rating_id,
        (chunk.agency == unit) | chunk.sections.contains(SEP + unit + SEP, autoescape=True)
        | needle(unit)))


def result_chunks_of_subject(s, subject, rating_id=None):
    """``(rating_id, entries, results)`` of the chunks that hold ``subject`` (of one rating, or all)."""
    chunk = RatingResultChunk
    q = select(chunk.rating_id, chunk.entries, chunk.results).where(needle(subject))
    if rating_id:
        q = q.where(chunk.rating_id == rating_id)
    return s.execute(q)


def ratings_by_id(s, ids) -> dict:
    return {r.rating_id: r for r in s.scalars(select(Rating).where(Rating.rating_id.in_(ids)))}
