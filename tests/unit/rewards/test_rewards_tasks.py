"""Talks and rectifications as tasks with due dates (M§五(二)5)."""
from datetime import date

import pytest

from shared.errors import Conflict, RuleViolation
from services.rewards.domain.settlement import settle
from services.rewards.domain.tasks import complete, is_overdue, task_for
from rewards_ratings import officer, rating, section

pytestmark = pytest.mark.timeout(10)


def lines():
    return settle(rating(officers=[officer("o1", stars=5), officer("o2", stars=2)],
                         sections=[section("s1", stars=1), section("s2", status="disqualified")]))


def test_talks_and_rectifications_open_tasks_others_do_not():
    tasks = [task_for(line) for line in lines()]
    assert [(t.subject, t.kind) for t in tasks if t] == [
        ("o2", "warning_talk"), ("s1", "warning_talk"), ("s1", "rectification"),
        ("s2", "admonishment_talk")]


def test_due_dates_30_days_for_talks_90_for_rectification():
    by_kind = {(t.subject, t.kind): t for t in map(task_for, lines()) if t}
    assert by_kind[("o2", "warning_talk")].due == date(2027, 2, 7)
    assert by_kind[("s1", "rectification")].due == date(2027, 4, 8)


def test_overdue_boundary_due_date_is_still_in_time():
    task = next(t for t in map(task_for, lines()) if t)
    assert not is_overdue(task, task.due)
    assert is_overdue(task, date(2027, 2, 8))


def test_done_task_is_never_overdue():
    task = complete(next(t for t in map(task_for, lines()) if t), date(2027, 3, 1))
    assert task.done == date(2027, 3, 1) and not is_overdue(task, date(2028, 1, 1))


def test_complete_twice_conflicts():
    task = complete(next(t for t in map(task_for, lines()) if t), date(2027, 1, 10))
    with pytest.raises(Conflict):
        complete(task, date(2027, 1, 11))


def test_complete_before_opened_refused():
    task = next(t for t in map(task_for, lines()) if t)
    with pytest.raises(RuleViolation) as err:
        complete(task, date(2027, 1, 7))
    assert err.value.field == "done"
    assert complete(task, date(2027, 1, 8)).done == date(2027, 1, 8)
