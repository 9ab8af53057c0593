"""Application layer of rewards: load state, call the domain, save, record events to publish.

Every function takes the worker's unit of work (``uow``) and plain validated data; none commits.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm.util import identity_key

from shared.canonical import canonical_bytes
from shared.contracts.rating import period_months
from shared.contracts import training as training_contract
from shared.contracts.rewards import RATING_SETTLED
from shared.contracts.scoring_events import dump_rating, load_rating, rating_version
from shared.db import signed_by, utcnow
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.versioned_cache import VersionedCache
from services.rewards import models
from services.rewards.domain import chain as chain_rules
from services.rewards.domain import reconcile as reconcile_rules
from services.rewards.domain import revision
from services.rewards.domain.allowance import allowance_line, allowance_withdrawal
from services.rewards.domain.lines import ALLOWANCE, FIELDS, OPTIONAL_FIELDS
from services.rewards.domain.notice import HEADERS, SUMMARY_HEADERS, notice_tables
from services.rewards.domain.schedule import Schedule, adapted_schedule
from services.rewards.domain.settlement import disagreements, settle
from services.rewards.domain.tasks import DUE_DAYS, Task, complete, is_overdue, revoke, task_for

LINE_COLUMNS = ("seq",) + FIELDS + OPTIONAL_FIELDS + ("recorded_at", "prev_hash", "hash")
SETTLED, SUPERSEDED = "settled", "superseded"
CHUNK = 500


# -- the ledger: append under the head lock ------------------------------------------------------
def _lock_head(session) -> models.LedgerHead:
    """Take the chain's head row FOR UPDATE: every append is serialised behind it (PostgreSQL; on
    SQLite the single pooled connection is the single writer)."""
    stmt = select(models.LedgerHead).where(models.LedgerHead.id == 1)
    if session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    head = session.execute(stmt).scalar_one_or_none()
    if head is None:  # pragma: no cover - the migration inserts it
        head = models.LedgerHead(id=1, seq=0, hash=chain_rules.GENESIS)
        session.add(head)
    return head


def _append(session, head, lines) -> list[dict]:
    """Append domain lines whose key is not in the ledger yet; returns the rows written."""
    keys = [line.key for line in lines]
    existing = set()
    for start in range(0, len(keys), 500):
        existing.update(session.execute(select(models.LedgerLine.key).where(
            models.LedgerLine.key.in_(keys[start:start + 500]))).scalars())
    rows = _chained(lines, existing, head)
    if rows:
        session.add_all(models.LedgerLine(**row) for row in rows)
        head.seq, head.hash = rows[-1]["seq"], rows[-1]["hash"]
        session.flush()
    return rows


def _chained(lines, existing: set, head) -> list[dict]:
    """The rows of the lines whose key is not in ``existing``, chained after ``head`` (its ``seq`` and
    ``hash``): what both ways of appending (:func:`_append`, :func:`_append_rows`) write."""
    recorded_at = utcnow().isoformat(timespec="microseconds")
    fresh = [dict(line.to_dict(), recorded_at=recorded_at) for line in lines
             if line.key not in existing]
    return chain_rules.chain(fresh, prev_hash=head.hash, first_seq=head.seq + 1)


def _row_dict(row: models.LedgerLine) -> dict:
    return {name: getattr(row, name) for name in LINE_COLUMNS}


# -- schedules -------------------------------------------------------------------------------------
def _schedule_of(row: models.RewardSchedule) -> Schedule:
    return adapted_schedule({"officer": row.officer, "section_per_head": row.section_per_head},
                            f"agency:{row.agency}:{row.effective_from}")


def _schedule_json(s: Schedule) -> dict:
    return {"officer": {str(k): v for k, v in s.officer.items()},
            "section_per_head": {str(k): v for k, v in s.section_per_head.items()},
            "basis": s.basis}


def _schedules_from_json(data: dict) -> dict:
    out = {}
    for agency, s in (data or {}).items():
        out[agency] = Schedule(officer={int(k): v for k, v in s["officer"].items()},
                               section_per_head={int(k): v for k, v in s["section_per_head"].items()},
                               basis=s["basis"])
    return out


def _effective_schedules(session, agencies, year: str) -> dict:
    """agency → its adapted schedule in force for ``year`` (latest effective_from ≤ year)."""
    out = {}
    for agency in sorted(agencies):
        row = session.execute(
            select(models.RewardSchedule)
            .where(models.RewardSchedule.agency == agency,
                   models.RewardSchedule.effective_from <= year)
            .order_by(models.RewardSchedule.effective_from.desc()).limit(1)).scalar_one_or_none()
        if row is not None:
            out[agency] = _schedule_of(row)
    return out


def set_schedule(uow, data: dict) -> dict:
    """Register an agency's adapted amounts from a year on, within the guardrail (SPEC §6)."""
    schedule = adapted_schedule(data, f"agency:{data['agency']}:{data['effective_from']}")
    session = uow.session
    for rating in session.execute(select(models.ReceivedRating).where(
            models.ReceivedRating.kind == "annual")).scalars():
        if rating.period[:4] >= data["effective_from"] and data["agency"] in rating.paying_units:
            raise Conflict(f"rating {rating.rating_id} of {data['agency']} is already settled; "
                           "a schedule cannot change a settled period", "effective_from")
    row = session.get(models.RewardSchedule, (data["agency"], data["effective_from"]))
    if row is None:
        row = models.RewardSchedule(agency=data["agency"], effective_from=data["effective_from"])
        session.add(row)
    as_json = _schedule_json(schedule)
    row.officer, row.section_per_head = as_json["officer"], as_json["section_per_head"]
    session.flush()
    return {"agency": row.agency, "effective_from": row.effective_from, **as_json}


def schedules(uow, data: dict) -> dict:
    stmt = select(models.RewardSchedule).order_by(models.RewardSchedule.agency,
                                                  models.RewardSchedule.effective_from)
    if data.get("agency"):
        stmt = stmt.where(models.RewardSchedule.agency == data["agency"])
    return {"schedules": [{"agency": r.agency, "effective_from": r.effective_from,
                           "officer": r.officer, "section_per_head": r.section_per_head}
                          for r in uow.session.execute(stmt).scalars()]}


# -- settling a rating -------------------------------------------------------------------------------
def _content_hash(stored: dict) -> str:
    body = {k: v for k, v in stored.items() if k not in ("event_id", "occurred_at")}
    return hashlib.sha256(canonical_bytes(body)).hexdigest()


def _chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _settled(row: models.ReceivedRating) -> revision.Settled:
    return revision.Settled(row.rating_id, row.period, row.scope, row.version)


def _subject_ids(rating: dict) -> list[str]:
    result = rating["result"]
    return [item["id"] for group in ("officers", "sections", "agencies") for item in result[group]]


def _owners(session, period: str, subjects) -> dict:
    """subject → the settled rating in force that answers for it in ``period``."""
    found = {}
    for part in _chunks(subjects):
        found.update(session.execute(select(models.RatingSubject.subject,
                                            models.RatingSubject.rating_id).where(
            models.RatingSubject.period == period,
            models.RatingSubject.subject.in_(part))).all())
    ratings = {rid: session.get(models.ReceivedRating, rid) for rid in set(found.values())}
    return {subject: _settled(ratings[rid]) for subject, rid in found.items()}


def _rating_lines(session, period: str) -> list[dict]:
    """The period's lines of ratings (no allowances), in ledger order."""
    return [_row_dict(r) for r in session.execute(select(models.LedgerLine).where(
        models.LedgerLine.period == period, models.LedgerLine.kind != ALLOWANCE)
        .order_by(models.LedgerLine.seq)).scalars()]


def _implied(session, row: models.ReceivedRating) -> list:
    rating = load_rating(json.loads(row.payload), direct=True)
    return settle(rating, _schedules_from_json(row.schedules))


def settle_rating(uow, rating: dict) -> dict:
    """Settle a validated rating: its lines once per (period, subject, kind) (SPEC §6).

    * the same rating again (a redelivery, a second ``settle``): nothing changes, said so
      (``already_settled``); the same rating id with another content: Conflict;
    * the first rating of its period and scope: its lines are issued;
    * a newer version of a settled period and scope (a re-rating after objections): reversal and
      correction lines make the lines in force equal the new result, subjects whose result did
      not change are untouched, talks and rectifications no longer due are revoked;
    * an older version than the one in force: nothing changes, said so (``superseded``);
    * a rating of another scope over subjects already settled for the period: Conflict naming the
      rating that settled them, nothing written (each person is paid once per period and kind)."""
    session = uow.session
    head = _lock_head(session)          # serialise: a concurrent copy waits here, then sees ours
    stored = dump_rating(rating)
    content_hash = _content_hash(stored)
    rid, period = rating["rating_id"], rating["period"]
    previous = session.get(models.ReceivedRating, rid)
    if previous is not None:
        if previous.content_hash != content_hash:
            raise Conflict(f"rating {rid} was settled with a different content", "rating_id")
        implied = _implied(session, previous)
        return {"rating_id": rid, "settled": False, "already_settled": True, "superseded": False,
                "status": previous.status, "lines": len(implied), "written": 0,
                "amount_total": sum(line.amount or 0 for line in implied),
                "reversed": 0, "unchanged": 0, "supersedes": None,
                "disagreements": previous.disagreements,
                "message": f"rating {rid} was already settled: nothing changed"}
    version = rating_version(rating)
    in_force = [_settled(r) for r in session.execute(select(models.ReceivedRating).where(
        models.ReceivedRating.period == period,
        models.ReceivedRating.status == SETTLED)).scalars()]
    subject_ids = _subject_ids(rating)
    decision = revision.decide(rating, version, in_force, _owners(session, period, subject_ids))
    if decision.action == revision.SUPERSEDED:
        return {"rating_id": rid, "settled": False, "already_settled": False, "superseded": True,
                "status": None, "lines": 0, "written": 0, "amount_total": 0, "reversed": 0,
                "unchanged": 0, "supersedes": None, "disagreements": [],
                "message": decision.message}
    paying_units = sorted({info["paying_unit"] for info in rating["subjects"].values()}
                          | {a["id"] for a in rating["result"]["agencies"]})
    schedules_ = _effective_schedules(session, paying_units, period[:4])
    lines = settle(rating, schedules_)
    found = disagreements(lines, rating)
    # the lines in force this scope answers for: its new subjects and those of the version before
    mine = set(subject_ids)
    prev = decision.previous
    if prev is not None:
        mine.update(session.execute(select(models.RatingSubject.subject).where(
            models.RatingSubject.rating_id == prev.rating_id)).scalars())
    state = revision.ledger_state(_rating_lines(session, period))
    current = {ident: row for ident, row in state.in_force.items() if row["subject"] in mine}
    rev = revision.revise(lines, current, state.entries, rid, rating["rating_date"].isoformat())
    rows = _append(session, head, rev.lines)
    if len(rows) != len(rev.lines):
        raise Conflict(f"rating {rid}: a line of its identity is already in the ledger", "rating_id")
    _follow_tasks(session, rev, rating["rating_date"])
    if prev is not None:
        session.get(models.ReceivedRating, prev.rating_id).status = SUPERSEDED
        session.execute(models.RatingSubject.__table__.delete().where(
            models.RatingSubject.rating_id == prev.rating_id))
    session.flush()
    if subject_ids:
        session.execute(insert(models.RatingSubject), [
            {"period": period, "subject": sid, "scope": rating["scope"], "rating_id": rid}
            for sid in subject_ids])
    session.add(models.ReceivedRating(
        rating_id=rid, period=period, kind=rating["kind"], scope=rating["scope"],
        version=version, status=SETTLED, content_hash=content_hash,
        payload=json.dumps(stored, ensure_ascii=False, sort_keys=True),
        schedules={a: _schedule_json(s) for a, s in schedules_.items()},
        paying_units=paying_units, disagreements=found, event_id=rating.get("event_id")))
    total = sum(line.amount or 0 for line in lines)
    supersedes = prev.rating_id if prev is not None else None
    outcome = {"rating_id": rid, "period": period, "lines": len(lines), "written": len(rows),
               "amount_total": total, "disagreements": len(found), "supersedes": supersedes,
               "reversed": len(rev.reversed), "unchanged": len(rev.unchanged),
               "net_amount": sum(line.amount or 0 for line in rev.lines)}
    uow.publish(RATING_SETTLED, outcome)
    if prev is None:
        message = f"rating {rid} settled: {len(rows)} lines written"
    else:
        message = (f"rating {rid} settled as a re-rating of {supersedes}: {len(rev.reversed)} "
                   f"lines reversed, {len(rev.issued)} issued, {len(rev.unchanged)} unchanged")
    return {**outcome, "settled": True, "already_settled": False, "superseded": False,
            "status": SETTLED, "disagreements": found, "message": message}


def _follow_tasks(session, rev: revision.Revision, on: date) -> None:
    """Talks and rectifications follow their lines: a reversed line revokes its task, an issued
    one opens a task."""
    for row, _reason in rev.reversed:
        if row["kind"] in DUE_DAYS:
            task = session.get(models.RewardTask, row["key"])
            if task is not None:
                task.revoked = revoke(_task_of(task), on).revoked
                task.revoked_signed_by = signed_by(session)
    for line in rev.issued:
        task = task_for(line)
        if task is not None and session.get(models.RewardTask, task.key) is None:
            session.add(models.RewardTask(key=task.key, subject=task.subject, kind=task.kind,
                                          period=line.period, paying_unit=line.paying_unit,
                                          opened=task.opened, due=task.due))


# -- allowances ------------------------------------------------------------------------------------
# One event a line, ten thousand a month at a city's size: the allowance path reads and writes with
# Core statements of the tables, built once here (no ORM objects, no unit-of-work flush, nothing
# coerced or keyed again per call), the same rows, keys, chain and head as the ORM path (#24 item 5).
_HEAD = models.LedgerHead.__table__
_LINE = models.LedgerLine.__table__
_RECEIVED = models.ReceivedAllowance.__table__
_WITHDRAWN = models.WithdrawnAllowance.__table__
_HEAD_ROW_LOCKED = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_HEAD_SAVE = update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
_LINE_KEYS = select(_LINE.c.key).where(_LINE.c.key.in_(bindparam("keys", expanding=True)))
_RECEIVED_KEY = select(_RECEIVED.c.allowance_id).where(_RECEIVED.c.allowance_id == bindparam("key"))
_RECEIVED_COLUMNS = (_RECEIVED.c.allowance_id, _RECEIVED.c.officer, _RECEIVED.c.month,
                     _RECEIVED.c.paying_unit, _RECEIVED.c.amount)
_RECEIVED_ROW = select(*_RECEIVED_COLUMNS).where(_RECEIVED.c.allowance_id == bindparam("key"))
_RECEIVED_OF_MONTH = select(*_RECEIVED_COLUMNS).where(_RECEIVED.c.officer == bindparam("officer"),
                                                      _RECEIVED.c.month == bindparam("month"))
_WITHDRAWN_KEY = select(_WITHDRAWN.c.allowance_id).where(_WITHDRAWN.c.allowance_id == bindparam("key"))
_WITHDRAWN_OF = select(_WITHDRAWN.c.allowance_id).where(
    _WITHDRAWN.c.allowance_id.in_(bindparam("keys", expanding=True)))
_INSERT_RECEIVED = insert(_RECEIVED)
_INSERT_WITHDRAWN = insert(_WITHDRAWN)
_INSERT_LINE = insert(_LINE)


class _Head:
    """The chain's head as read under its lock (``seq``, ``hash``), written back by :func:`_save_head`."""
    __slots__ = ("hash", "read", "seq")

    def __init__(self, seq: int, hash_: str):
        self.seq, self.hash, self.read = seq, hash_, (seq, hash_)


def _core(session):
    """The session's connection for the allowance path's Core statements, its ORM changes flushed
    first (as the ORM path's first read autoflushed them)."""
    session.flush()
    return session.connection()


def _lock_head_row(conn) -> _Head:
    """:func:`_lock_head` without an ORM object: the head's row FOR UPDATE (PostgreSQL; SQLite's
    compiler leaves the clause out: there the single pooled connection is the single writer)."""
    row = conn.execute(_HEAD_ROW_LOCKED).first()
    if row is None:  # pragma: no cover - the migration inserts it
        conn.execute(insert(_HEAD).values(id=1, seq=0, hash=chain_rules.GENESIS))
        return _Head(0, chain_rules.GENESIS)
    return _Head(row.seq, row.hash)


def _save_head(session, conn, head: _Head) -> None:
    """The head's row as the appends left it (one UPDATE, none if nothing was appended); an ORM copy
    of it already in the session (read earlier in this transaction) is expired, so it reads it again."""
    if (head.seq, head.hash) == head.read:
        return
    conn.execute(_HEAD_SAVE, {"new_seq": head.seq, "new_hash": head.hash})
    head.read = (head.seq, head.hash)
    held = session.identity_map.get(identity_key(models.LedgerHead, 1))
    if held is not None:
        session.expire(held)


def _append_rows(conn, head: _Head, lines) -> list[dict]:
    """:func:`_append` by Core statements: the lines whose key is not in the ledger yet, chained after
    ``head`` (advanced in memory; :func:`_save_head` writes it)."""
    keys = [line.key for line in lines]
    existing = set(conn.execute(_LINE_KEYS, {"keys": keys}).scalars()) if keys else set()
    rows = _chained(lines, existing, head)
    for row in rows:                # one by one: a line's columns are its own (``reverses`` or not)
        conn.execute(_INSERT_LINE, row)
    if rows:
        head.seq, head.hash = rows[-1]["seq"], rows[-1]["hash"]
    return rows


def record_allowance(uow, event: dict) -> dict:
    """One 50-yuan line per officer per month and grant (M§三(四)1(5)); a second event changes
    nothing.  Training announces a grant only once the grant before it was withdrawn, so one grant
    is in force at a time in any order of arrival: a grant whose withdrawal arrived first, or older
    than a grant already received, is recorded and pays nothing; a newer grant withdraws the older
    grants still in force (their lines reversed, as their withdrawal, which then changes nothing)."""
    session = uow.session
    paying_unit = event.get("agency_id") or event.get("unit_id")
    grant = event.get("grant") or 1
    line = allowance_line(event["person"], paying_unit, event["month"], event["amount"], grant)
    conn = _core(session)
    head = _lock_head_row(conn)
    key = training_contract.allowance_id(event["person"], event["month"], grant)
    if conn.execute(_RECEIVED_KEY, {"key": key}).first() is not None:
        return {"allowance_id": key, "written": 0, "already": True, "withdrawn": False}
    others = conn.execute(_RECEIVED_OF_MONTH, {"officer": event["person"], "month": event["month"]}).all()
    withdrawn = set(conn.execute(_WITHDRAWN_OF, {"keys": [key] + [o.allowance_id for o in others]}).scalars())
    conn.execute(_INSERT_RECEIVED, {"allowance_id": key, "officer": event["person"], "month": event["month"],
                                    "paying_unit": paying_unit, "amount": event["amount"],
                                    "event_id": event.get("event_id")})
    newer = any(training_contract.grant_of(o.allowance_id) > grant for o in others)
    if key in withdrawn or newer:
        if key not in withdrawn:                                     # withdrawn by the newer grant
            conn.execute(_INSERT_WITHDRAWN, {"allowance_id": key, "officer": event["person"],
                                             "month": event["month"], "event_id": None})
        return {"allowance_id": key, "written": 0, "already": False, "withdrawn": True}
    rows = _append_rows(conn, head, [line])
    for older in others:
        if older.allowance_id not in withdrawn:
            conn.execute(_INSERT_WITHDRAWN, {"allowance_id": older.allowance_id, "officer": older.officer,
                                             "month": older.month, "event_id": None})
            rows += _reverse_grant(conn, head, older)
    _save_head(session, conn, head)
    return {"allowance_id": key, "written": len(rows), "already": not rows, "withdrawn": False}


def _reverse_grant(conn, head: _Head, received) -> list[dict]:
    """The reversal of a received grant's line (``received``: its allowance_id, officer, paying_unit,
    month and amount)."""
    grant = training_contract.grant_of(received.allowance_id)
    granted = allowance_line(received.officer, received.paying_unit, received.month, received.amount, grant)
    return _append_rows(conn, head, [allowance_withdrawal(granted, grant)])


def withdraw_allowance(uow, event: dict) -> dict:
    """Training withdrew a grant (``allowance_withdrawn``): the grant's line reversed once (a line of
    the negative amount, ``reverses`` = its key, the grant's line untouched); a second event changes
    nothing; a withdrawal arriving before its due is recorded, and the due then pays nothing."""
    session = uow.session
    grant = event["grant"]
    key = training_contract.allowance_id(event["person"], event["month"], grant)
    if event["allowance_id"] != key:
        raise ValidationFailed(f"allowance_id {event['allowance_id']!r} is not grant {grant} of "
                               f"{event['person']} in {event['month']} ({key!r})", "allowance_id")
    conn = _core(session)
    head = _lock_head_row(conn)
    if conn.execute(_WITHDRAWN_KEY, {"key": key}).first() is not None:
        return {"allowance_id": key, "written": 0, "already": True}
    conn.execute(_INSERT_WITHDRAWN, {"allowance_id": key, "officer": event["person"], "month": event["month"],
                                     "event_id": event.get("event_id")})
    received = conn.execute(_RECEIVED_ROW, {"key": key}).first()
    if received is None:            # its due has not arrived: it will pay nothing
        return {"allowance_id": key, "written": 0, "already": False}
    rows = _reverse_grant(conn, head, received)
    _save_head(session, conn, head)
    return {"allowance_id": key, "written": len(rows), "already": False}


# -- reading the ledger ----------------------------------------------------------------------------
def ledger(uow, data: dict) -> dict:
    stmt = select(models.LedgerLine)
    for name in ("period", "subject", "kind", "paying_unit", "source"):
        if data.get(name):
            stmt = stmt.where(getattr(models.LedgerLine, name) == data[name])
    total = uow.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = uow.session.execute(stmt.order_by(models.LedgerLine.seq)
                               .offset(data["offset"]).limit(data["limit"])).scalars()
    return {"total": total, "lines": [_row_dict(r) for r in rows]}


def verify_chain(uow) -> dict:
    session = uow.session
    head = session.get(models.LedgerHead, 1)
    rows = (_row_dict(r) for r in session.execute(
        select(models.LedgerLine).order_by(models.LedgerLine.seq)
        .execution_options(yield_per=2000)).scalars())
    return chain_rules.verify(rows, (head.seq, head.hash) if head else None)


# -- reconciliation --------------------------------------------------------------------------------
def _first_and_last_month(period: str) -> tuple[str, str]:
    months = period_months(period)
    return months[0], months[-1]


def _period_ratings(session, period: str) -> list[models.ReceivedRating]:
    """The ratings in force for the period: the latest settled version of each scope."""
    return list(session.execute(select(models.ReceivedRating).where(
        models.ReceivedRating.period == period, models.ReceivedRating.status == SETTLED)
        .order_by(models.ReceivedRating.received_at, models.ReceivedRating.rating_id)).scalars())


def _period_allowances(session, period: str) -> list[models.ReceivedAllowance]:
    """The allowances of the period in force: received and not withdrawn."""
    first, last = _first_and_last_month(period)
    R, W = models.ReceivedAllowance, models.WithdrawnAllowance
    return list(session.execute(select(R).where(
        R.month >= first, R.month <= last,
        ~select(W.allowance_id).where(W.allowance_id == R.allowance_id).exists())
        .order_by(R.month, R.officer, R.allowance_id)).scalars())


def _period_ledger(session, period: str) -> list[dict]:
    first, last = _first_and_last_month(period)
    stmt = select(models.LedgerLine).where(
        (models.LedgerLine.period == period)
        | ((models.LedgerLine.kind == "allowance")
           & (models.LedgerLine.effective >= f"{first}-01")
           & (models.LedgerLine.effective <= f"{last}-31"))).order_by(models.LedgerLine.seq)
    return [_row_dict(r) for r in session.execute(stmt).scalars()]


def reconcile(uow, period: str) -> dict:
    """Recompute what the period's ratings in force (the latest settled version per scope) and its
    allowances imply; compare with the lines in force after every reversal (by identity)."""
    session = uow.session
    ratings = _period_ratings(session, period)
    allowances = _period_allowances(session, period)
    expected = []
    for row in ratings:
        expected += [line.to_dict() for line in _implied(session, row)]
    expected += [allowance_line(a.officer, a.paying_unit, a.month, a.amount,
                                training_contract.grant_of(a.allowance_id)).to_dict()
                 for a in allowances]
    report = reconcile_rules.diff(expected, _period_ledger(session, period))
    return {"period": period, **report, "ratings": len(ratings), "allowances": len(allowances)}


# -- tasks -----------------------------------------------------------------------------------------
def _task_of(row: models.RewardTask) -> Task:
    return Task(row.key, row.subject, row.kind, row.opened, row.due, row.done, row.revoked)


def _task_dict(row: models.RewardTask, today: date) -> dict:
    return {"key": row.key, "subject": row.subject, "kind": row.kind, "period": row.period,
            "paying_unit": row.paying_unit, "opened": row.opened.isoformat(),
            "due": row.due.isoformat(), "done": row.done.isoformat() if row.done else None,
            "revoked": row.revoked.isoformat() if row.revoked else None,
            "overdue": is_overdue(_task_of(row), today)}


def overdue_counts(uow, today: date) -> dict:
    """kind → number of overdue tasks (for the metric)."""
    rows = uow.session.execute(select(models.RewardTask.kind, func.count()).where(
        models.RewardTask.done.is_(None), models.RewardTask.revoked.is_(None),
        models.RewardTask.due < today)
        .group_by(models.RewardTask.kind)).all()
    counts = {"warning_talk": 0, "admonishment_talk": 0, "rectification": 0}
    counts.update({kind: n for kind, n in rows})
    return counts


def tasks(uow, data: dict) -> dict:
    today = data.get("today") or date.today()
    stmt = select(models.RewardTask).order_by(models.RewardTask.due, models.RewardTask.key)
    for name in ("period", "subject", "kind", "paying_unit"):
        if data.get(name):
            stmt = stmt.where(getattr(models.RewardTask, name) == data[name])
    if data["status"] == "open":
        stmt = stmt.where(models.RewardTask.done.is_(None), models.RewardTask.revoked.is_(None))
    elif data["status"] == "done":
        stmt = stmt.where(models.RewardTask.done.is_not(None))
    elif data["status"] == "overdue":
        stmt = stmt.where(models.RewardTask.done.is_(None), models.RewardTask.revoked.is_(None),
                          models.RewardTask.due < today)
    elif data["status"] == "revoked":
        stmt = stmt.where(models.RewardTask.revoked.is_not(None))
    out = [_task_dict(r, today) for r in uow.session.execute(stmt).scalars()]
    return {"today": today.isoformat(), "overdue": sum(t["overdue"] for t in out), "tasks": out}


def complete_task(uow, data: dict) -> dict:
    row = uow.session.get(models.RewardTask, data["key"])
    if row is None:
        raise NotFound(f"no task {data['key']}", "key")
    task = complete(_task_of(row), data["done"])
    row.done, row.done_signed_by = task.done, signed_by(uow.session)
    uow.session.flush()
    return _task_dict(row, task.done)


# -- the public notice -----------------------------------------------------------------------------
# A period's notice, computed once per version of its data (issue 19): the ledger only grows (a
# correction is a reversal line) and ratings are only received, so the last ledger sequence number and
# the period's received ratings say whether anything changed. Keyed by the database too.
NOTICES = VersionedCache(max_keys=16)


def _notice_version(session, period: str) -> tuple:
    last_seq = session.execute(select(func.max(models.LedgerLine.seq))).scalar()
    ratings = session.execute(select(func.count(), func.max(models.ReceivedRating.received_at))
                              .where(models.ReceivedRating.period == period)).one()
    return (last_seq, ratings[0], str(ratings[1]))


def notice(uow, period: str, unit: str | None = None) -> dict:
    session = uow.session
    key = (str(session.get_bind().url), period)
    version = _notice_version(session, period)
    whole = NOTICES.get(key, version, lambda: _stored_notice(uow, period, version))
    if unit is None:
        return whole
    from services.rewards import roster_view

    mine = roster_view.under(session, unit, date.today())
    sheets = {u: rows for u, rows in whole["sheets"].items() if u in mine}
    if not sheets:
        raise NotFound(f"nothing settled for {period} under {unit}", "period")
    return dict(whole, unit=unit, sheets=sheets, summary=[r for r in whole["summary"] if r and r[0] in mine])


def _stored_notice(uow, period: str, version: tuple) -> dict:
    """The notice of ``version``: the stored one if it is of this version (another process, or
    before a restart, computed it), else computed and stored (an upsert)."""
    session = uow.session
    text_version = "notice-1|" + "|".join(str(v) for v in version)     # notice-N: the stored format
    stored = session.execute(select(models.StoredNotice.notice).where(
        models.StoredNotice.period == period, models.StoredNotice.version == text_version)).scalar()
    if stored is not None:
        return stored
    computed = _notice(uow, period)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    values = {"period": period, "version": text_version, "notice": computed, "computed_at": utcnow()}
    stmt = upsert(models.StoredNotice).values(**values)
    session.execute(stmt.on_conflict_do_update(index_elements=[models.StoredNotice.period],
                                               set_={k: v for k, v in values.items() if k != "period"}))
    return computed


def _notice(uow, period: str) -> dict:
    session = uow.session
    ratings = [load_rating(json.loads(r.payload), direct=True)
               for r in _period_ratings(session, period)]
    lines = _period_ledger(session, period)
    if not ratings and not lines:
        raise NotFound(f"nothing settled for {period}", "period")
    in_force = sorted(revision.ledger_state(lines).in_force.values(), key=lambda r: r["seq"])
    tables = notice_tables(ratings, in_force)
    return {"period": period, "headers": list(HEADERS), "sheets": {
        unit: [list(row) for row in rows] for unit, rows in tables["sheets"].items()},
        "summary_headers": list(SUMMARY_HEADERS), "summary": [list(r) for r in tables["summary"]]}


__all__ = ["settle_rating", "record_allowance", "withdraw_allowance", "ledger", "verify_chain", "reconcile", "tasks",
           "complete_task", "set_schedule", "schedules", "notice", "overdue_counts"]
