"""Talks and rectifications are tasks with a due date and a done date (M§五(二)5).

The Method gives no deadlines; the suite's defaults: a warning talk (警告谈话) or an admonishment
talk (诫勉谈话) within 30 days of the rating, a rectification (挂牌整改) within 90 days.
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


def task_for(line) -> Task | None:
    """A talk or a rectification line opens a task due :data:`DUE_DAYS` after the rating date."""
    days = DUE_DAYS.get(line.kind)
    if days is None:
        return None
    opened = date.fromisoformat(line.effective)
    return Task(line.key, line.subject, line.kind, opened, opened + timedelta(days=days))


def is_overdue(task: Task, today: date) -> bool:
    """Overdue: not done and the due date has passed (the due date itself is still in time)."""
    return task.done is None and today > task.due


def complete(task: Task, done: date) -> Task:
    """Record the done date; once only, and not before the task was opened."""
    if task.done is not None:
        raise Conflict(f"task already done on {task.done.isoformat()}", "key")
    if done < task.opened:
        raise RuleViolation(f"done {done.isoformat()} before the task opened "
                            f"{task.opened.isoformat()}", "done")
    return replace(task, done=done)
