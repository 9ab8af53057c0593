"""Issue 18 item 3: a settlement's lines and tasks, and a task done, record who the entry point
verified: the operator's replay, the system that reports the talk held."""
import pytest
from sqlalchemy import select

from shared.db import Database
from tests.service.rewards.test_rewards_service import full_rating

pytestmark = pytest.mark.timeout(60)


def test_lines_and_tasks_record_the_verified_actor_of_each_step(rewards):
    from services.rewards import models

    with rewards.rpc(as_operator="ops") as rpc:
        rpc.rewards.settle(full_rating())
    with rewards.rpc(as_system="a1-office", units={"a1"}) as rpc:
        rpc.rewards.complete_task({"key": "2026|o2|warning_talk|1", "done": "2027-02-01"})
    database = next(d for d in rewards.container("rewards").dependencies if isinstance(d, Database))
    with database.sessionmaker() as s:
        assert {r.signed_by for r in s.scalars(select(models.LedgerLine))} == {"operator:ops"}
        assert {r.signed_by for r in s.scalars(select(models.ReceivedRating))} == {"operator:ops"}
        tasks = {r.key: r for r in s.scalars(select(models.RewardTask))}
        assert {t.signed_by for t in tasks.values()} == {"operator:ops"}
        done = tasks["2026|o2|warning_talk|1"]
        assert (done.done.isoformat(), done.done_signed_by) == ("2027-02-01", "system:a1-office")
        assert {t.done_signed_by for k, t in tasks.items() if k != done.key} == {None}


def test_an_agencys_system_reads_its_own_tasks_not_every_agencys(rewards):
    """rewards.tasks is the city's unless it names a paying unit (issue 18): an agency's system reads
    the tasks its agency pays for, and is refused the list of every agency's."""
    from shared.errors import Forbidden

    with rewards.rpc(as_operator="ops") as rpc:
        rpc.rewards.settle(full_rating())
        every = rpc.rewards.tasks({})["tasks"]
    assert len(every) == 4 and {t["paying_unit"] for t in every} == {"a1"}
    with rewards.rpc(as_system="a1-office", units={"a1"}) as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.rewards.tasks({})
        assert err.value.field == "actor" and "the whole city" in err.value.message
        assert rpc.rewards.tasks({"paying_unit": "a1"})["tasks"] == every
    with rewards.rpc(as_system="a2-office", units={"a2"}) as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.rewards.tasks({"paying_unit": "a1"})
        assert "paying_unit 'a1' lies outside" in err.value.message
