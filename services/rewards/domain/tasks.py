"""Talks and rectifications are tasks with a due date and a done date (M§五(二)5).

The Method gives no deadlines; the suite's defaults: a warning talk (警告谈话) or an admonishment
talk (诫勉谈话) within 30 days of the rating, a rectification (挂牌整改) within 90 days.  A task
follows its ledger line: when a re-rating reverses the line (the talk is no longer due, or is
replaced by a corrected one), the task is revoked and is neither open nor overdue any more.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from shared.errors import Conflict, RuleViolation

DUE_DAYS = {"warning_talk": 30, "admonishment_talk": 30, "rectification": 90}


@dataclass(frozen=True)
class Task:
    key: str              # the ledger line's key
    subject: str
    kind: str
    opened: date
    due: date
    done: date | None = None
    revoked: date | None = None


def task_for(line) -> Task | None:
    """A talk or a rectification line opens a task due :data:`DUE_DAYS` after the rating date."""
    days = DUE_DAYS.get(line.kind)
    if days is None:
        return None
    opened = date.fromisoformat(line.effective)
    return Task(line.key, line.subject, line.kind, opened, opened + timedelta(days=days))


def is_overdue(task: Task, today: date) -> bool:
    """Overdue: not done, not revoked and the due date has passed (the due date itself is still
    in time)."""
    return task.done is None and task.revoked is None and today > task.due


def complete(task: Task, done: date) -> Task:
    """Record the done date; once only, not on a revoked task, and not before the task opened."""
    if task.revoked is not None:
        raise Conflict(f"task revoked on {task.revoked.isoformat()} (its line was reversed by a "
                       "re-rating)", "key")
    if task.done is not None:
        raise Conflict(f"task already done on {task.done.isoformat()}", "key")
    if done < task.opened:
        raise RuleViolation(f"done {done.isoformat()} before the task opened "
                            f"{task.opened.isoformat()}", "done")
    return replace(task, done=done)


def revoke(task: Task, on: date) -> Task:
    """The task's line was reversed: the task is revoked (kept, with the date); a task already
    done stays done and is marked revoked too (the talk took place, the record says it is no
    longer due)."""
    return task if task.revoked is not None else replace(task, revoked=on)
