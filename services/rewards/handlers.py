"""Application layer of rewards: load state, call the domain, save, record events to publish.

Every function takes the worker's unit of work (``uow``) and plain validated data; none commits.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import func, select

from shared.contracts.rewards import RATING_SETTLED
from shared.contracts.scoring_events import dump_rating, load_rating
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from services.rewards import models
from services.rewards.domain import chain as chain_rules
from services.rewards.domain import reconcile as reconcile_rules
from services.rewards.domain.allowance import allowance_line
from services.rewards.domain.lines import FIELDS
from services.rewards.domain.notice import HEADERS, SUMMARY_HEADERS, notice_tables
from services.rewards.domain.schedule import Schedule, adapted_schedule
from services.rewards.domain.settlement import disagreements, settle
from services.rewards.domain.tasks import Task, complete, is_overdue, task_for

LINE_COLUMNS = ("seq",) + FIELDS + ("recorded_at", "prev_hash", "hash")


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
    recorded_at = utcnow().isoformat(timespec="microseconds")
    fresh = [dict(line.to_dict(), recorded_at=recorded_at) for line in lines
             if line.key not in existing]
    rows = chain_rules.chain(fresh, prev_hash=head.hash, first_seq=head.seq + 1)
    if rows:
        session.add_all(models.LedgerLine(**row) for row in rows)
        head.seq, head.hash = rows[-1]["seq"], rows[-1]["hash"]
        session.flush()
    return rows


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
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode()).hexdigest()


def settle_rating(uow, rating: dict) -> dict:
    """Write a validated rating's consequences once.  A second delivery or a second settlement of
    the same rating changes nothing and says so (``already_settled``)."""
    session = uow.session
    head = _lock_head(session)          # serialise: a concurrent copy waits here, then sees ours
    stored = dump_rating(rating)
    content_hash = _content_hash(stored)
    previous = session.get(models.ReceivedRating, rating["rating_id"])
    if previous is not None:
        if previous.content_hash != content_hash:
            raise Conflict(f"rating {rating['rating_id']} was settled with a different content",
                           "rating_id")
        lines = session.execute(select(func.count(), func.coalesce(func.sum(
            models.LedgerLine.amount), 0)).where(
            models.LedgerLine.source == rating["rating_id"])).one()
        return {"rating_id": rating["rating_id"], "settled": False, "already_settled": True,
                "lines": lines[0], "written": 0, "amount_total": int(lines[1]),
                "disagreements": previous.disagreements,
                "message": f"rating {rating['rating_id']} was already settled: nothing changed"}
    other = session.execute(select(models.ReceivedRating.rating_id).where(
        models.ReceivedRating.period == rating["period"],
        models.ReceivedRating.scope == rating["scope"])).scalars().first()
    if other is not None:
        raise Conflict(f"rating {other} of the same period and scope is already settled; a new "
                       "version needs reversal lines, which the ledger does not make", "rating_id")
    paying_units = sorted({info["paying_unit"] for info in rating["subjects"].values()}
                          | {a["id"] for a in rating["result"]["agencies"]})
    schedules_ = _effective_schedules(session, paying_units, rating["period"][:4])
    lines = settle(rating, schedules_)
    found = disagreements(lines, rating)
    rows = _append(session, head, lines)
    for line in lines:
        task = task_for(line)
        if task is not None and session.get(models.RewardTask, task.key) is None:
            session.add(models.RewardTask(key=task.key, subject=task.subject, kind=task.kind,
                                          period=line.period, paying_unit=line.paying_unit,
                                          opened=task.opened, due=task.due))
    session.add(models.ReceivedRating(
        rating_id=rating["rating_id"], period=rating["period"], kind=rating["kind"],
        scope=rating["scope"], content_hash=content_hash,
        payload=json.dumps(stored, ensure_ascii=False, sort_keys=True),
        schedules={a: _schedule_json(s) for a, s in schedules_.items()},
        paying_units=paying_units, disagreements=found, event_id=rating.get("event_id")))
    total = sum(line.amount or 0 for line in lines)
    uow.publish(RATING_SETTLED, {"rating_id": rating["rating_id"], "period": rating["period"],
                                 "lines": len(lines), "written": len(rows),
                                 "amount_total": total, "disagreements": len(found)})
    return {"rating_id": rating["rating_id"], "settled": True, "already_settled": False,
            "lines": len(lines), "written": len(rows), "amount_total": total,
            "disagreements": found,
            "message": f"rating {rating['rating_id']} settled: {len(rows)} lines written"}


# -- allowances ------------------------------------------------------------------------------------
def record_allowance(uow, event: dict) -> dict:
    """One 50-yuan line per officer per month (M§三(四)1(5)); a second event changes nothing."""
    session = uow.session
    paying_unit = event.get("agency_id") or event.get("unit_id")
    line = allowance_line(event["person_id"], paying_unit, event["month"], event["amount"])
    head = _lock_head(session)
    key = f"{event['person_id']}:{event['month']}"
    if session.get(models.ReceivedAllowance, key) is not None:
        return {"allowance_id": key, "written": 0, "already": True}
    session.add(models.ReceivedAllowance(allowance_id=key, officer=event["person_id"],
                                         month=event["month"], paying_unit=paying_unit,
                                         amount=event["amount"], event_id=event.get("event_id")))
    rows = _append(session, head, [line])
    return {"allowance_id": key, "written": len(rows), "already": not rows}


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
def _period_months(period: str) -> tuple[str, str]:
    year = period[:4]
    return (f"{year}-01", f"{year}-06") if period.endswith("H1") else (f"{year}-01", f"{year}-12")


def _period_ratings(session, period: str) -> list[models.ReceivedRating]:
    return list(session.execute(select(models.ReceivedRating).where(
        models.ReceivedRating.period == period).order_by(models.ReceivedRating.received_at,
                                                         models.ReceivedRating.rating_id)).scalars())


def _period_allowances(session, period: str) -> list[models.ReceivedAllowance]:
    first, last = _period_months(period)
    return list(session.execute(select(models.ReceivedAllowance).where(
        models.ReceivedAllowance.month >= first, models.ReceivedAllowance.month <= last)
        .order_by(models.ReceivedAllowance.month, models.ReceivedAllowance.officer)).scalars())


def _period_ledger(session, period: str) -> list[dict]:
    first, last = _period_months(period)
    stmt = select(models.LedgerLine).where(
        (models.LedgerLine.period == period)
        | ((models.LedgerLine.kind == "allowance")
           & (models.LedgerLine.effective >= f"{first}-01")
           & (models.LedgerLine.effective <= f"{last}-31"))).order_by(models.LedgerLine.seq)
    return [_row_dict(r) for r in session.execute(stmt).scalars()]


def reconcile(uow, period: str) -> dict:
    """Recompute what the period's received ratings and allowances imply; compare with the ledger."""
    session = uow.session
    ratings = _period_ratings(session, period)
    allowances = _period_allowances(session, period)
    expected = []
    for row in ratings:
        rating = load_rating(json.loads(row.payload), direct=True)
        expected += [line.to_dict() for line in settle(rating, _schedules_from_json(row.schedules))]
    expected += [allowance_line(a.officer, a.paying_unit, a.month, a.amount).to_dict()
                 for a in allowances]
    report = reconcile_rules.diff(expected, _period_ledger(session, period))
    return {"period": period, **report, "ratings": len(ratings), "allowances": len(allowances)}


# -- tasks -----------------------------------------------------------------------------------------
def _task_dict(row: models.RewardTask, today: date) -> dict:
    task = Task(row.key, row.subject, row.kind, row.opened, row.due, row.done)
    return {"key": row.key, "subject": row.subject, "kind": row.kind, "period": row.period,
            "paying_unit": row.paying_unit, "opened": row.opened.isoformat(),
            "due": row.due.isoformat(), "done": row.done.isoformat() if row.done else None,
            "overdue": is_overdue(task, today)}


def overdue_counts(uow, today: date) -> dict:
    """kind → number of overdue tasks (for the metric)."""
    rows = uow.session.execute(select(models.RewardTask.kind, func.count()).where(
        models.RewardTask.done.is_(None), models.RewardTask.due < today)
        .group_by(models.RewardTask.kind)).all()
    counts = {"warning_talk": 0, "admonishment_talk": 0, "rectification": 0}
    counts.update({kind: n for kind, n in rows})
    return counts


def tasks(uow, data: dict) -> dict:
    today = data.get("today") or date.today()
    stmt = select(models.RewardTask).order_by(models.RewardTask.due, models.RewardTask.key)
    for name in ("period", "subject", "kind"):
        if data.get(name):
            stmt = stmt.where(getattr(models.RewardTask, name) == data[name])
    if data["status"] == "open":
        stmt = stmt.where(models.RewardTask.done.is_(None))
    elif data["status"] == "done":
        stmt = stmt.where(models.RewardTask.done.is_not(None))
    elif data["status"] == "overdue":
        stmt = stmt.where(models.RewardTask.done.is_(None), models.RewardTask.due < today)
    out = [_task_dict(r, today) for r in uow.session.execute(stmt).scalars()]
    return {"today": today.isoformat(), "overdue": sum(t["overdue"] for t in out), "tasks": out}


def complete_task(uow, data: dict) -> dict:
    row = uow.session.get(models.RewardTask, data["key"])
    if row is None:
        raise NotFound(f"no task {data['key']}", "key")
    task = complete(Task(row.key, row.subject, row.kind, row.opened, row.due, row.done),
                    data["done"])
    row.done = task.done
    uow.session.flush()
    return _task_dict(row, task.done)


# -- the public notice -----------------------------------------------------------------------------
def notice(uow, period: str) -> dict:
    session = uow.session
    ratings = [load_rating(json.loads(r.payload), direct=True)
               for r in _period_ratings(session, period)]
    lines = _period_ledger(session, period)
    if not ratings and not lines:
        raise NotFound(f"nothing settled for {period}", "period")
    tables = notice_tables(ratings, lines)
    return {"period": period, "headers": list(HEADERS), "sheets": {
        unit: [list(row) for row in rows] for unit, rows in tables["sheets"].items()},
        "summary_headers": list(SUMMARY_HEADERS), "summary": [list(r) for r in tables["summary"]]}


__all__ = ["settle_rating", "record_allowance", "ledger", "verify_chain", "reconcile", "tasks",
           "complete_task", "set_schedule", "schedules", "notice", "overdue_counts"]
