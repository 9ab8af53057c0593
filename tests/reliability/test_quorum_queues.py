"""``QUEUE_TYPE=quorum``: every queue the suite declares is a quorum queue (durable, shared, never
auto-deleted), RPC reply queues stay classic and exclusive, and every channel the suite publishes on
is in publisher-confirm mode.  Runs on the machine's one RabbitMQ node (a quorum queue of one
member), in a vhost of its own; ``make test-ha`` runs the same on a three-node cluster."""
import eventlet
import pytest

from shared.dlq import list_dead_letters
from shared.entrypoints import queue_arguments, queue_type
from shared.runner import Suite
from tests.reliability.conftest import rabbitmqctl, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


def test_queue_type_is_classic_or_quorum_and_a_bad_value_names_the_setting():
    assert queue_type({}) == "classic" and queue_arguments({}) == {}
    assert queue_arguments({"QUEUE_TYPE": "Quorum"}) == {"x-queue-type": "quorum"}
    with pytest.raises(ValueError, match="QUEUE_TYPE"):
        queue_type({"QUEUE_TYPE": "stream"})


def queues_of(vhost: str) -> dict:
    out = rabbitmqctl("list_queues", "-q", "--no-table-headers", "-p", vhost,
                      "name", "type", "durable", "auto_delete", "exclusive").stdout
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    return {r[0]: {"type": r[1], "durable": r[2] == "true", "auto_delete": r[3] == "true",
                   "exclusive": r[4] == "true"} for r in rows}


def publishing_channels(vhost: str) -> list[dict]:
    out = rabbitmqctl("list_channels", "-q", "--no-table-headers", "vhost", "name", "confirm",
                      "consumer_count").stdout
    rows = [line.split("\t") for line in out.splitlines() if line.strip()]
    return [{"name": r[1], "confirm": r[2] == "true"} for r in rows
            if r[0] == vhost and r[3] == "0"]


def test_with_quorum_every_suite_queue_is_a_quorum_queue_and_publishers_confirm(rel_config):
    config = dict(rel_config, QUEUE_TYPE="quorum")
    vhost = config["_vhost"]
    with Suite(config) as suite:
        with suite.rpc(timeout=30) as rpc:
            assert rpc.rewards.health()["status"] == "ok"
            # an event through the outbox relay (a publisher) to a handler: allowance → ledger
            rpc.rewards.health()
        suite.dispatch("training", "allowance_due", {
            "event_id": "allowance:o1:2026-01", "allowance_id": "o1:2026-01", "person": "o1",
            "unit_id": None, "agency_id": "a1", "month": "2026-01", "amount": 50,
            "reason": "all_round_officer"})

        def ledger():
            with suite.rpc(timeout=10) as rpc:
                return rpc.rewards.ledger({"limit": 10})["lines"]
        assert wait_for(ledger, timeout=30)
        assert list_dead_letters(config) == []        # declares lianbao.dlq as the services would
        eventlet.sleep(0.5)
        queues = queues_of(vhost)
        channels = publishing_channels(vhost)

    suite_queues = {n: q for n, q in queues.items() if not n.startswith("rpc.reply-")}
    replies = {n: q for n, q in queues.items() if n.startswith("rpc.reply-")}
    names = set(suite_queues)
    assert {f"rpc-{s}" for s in ("roster", "scoring", "survey", "training", "rewards")} <= names
    assert "lianbao.dlq" in names
    assert sum(n.startswith("evt-") for n in names) >= 10, sorted(names)
    wrong = {n: q for n, q in suite_queues.items()
             if q != {"type": "quorum", "durable": True, "auto_delete": False, "exclusive": False}}
    assert wrong == {}
    assert replies and all(q["type"] == "classic" for q in replies.values()), replies
    # transient: dropped with their node, declared afresh where the caller reconnects (shared/amqp.py)
    assert all(not q["durable"] for q in replies.values()), replies
    assert channels, "no publishing channel seen"
    assert [c for c in channels if not c["confirm"]] == []


def test_classic_by_default_so_existing_brokers_keep_their_queues(rel_config):
    vhost = rel_config["_vhost"]
    with Suite(rel_config, names=["rewards"]):
        queues = queues_of(vhost)
    assert queues["rpc-rewards"]["type"] == "classic"
