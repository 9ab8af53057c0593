"""One RabbitMQ user per service (``lianbao rabbit setup``, ``infra/rabbitmq/definitions.json``).

The five services run as processes, each as its own user: they start, serve, publish, consume,
retry and dead-letter with those rights alone; and a service cannot publish another service's
events, publish an event type that is not its own, publish straight into another's queue, bind
to event types it does not consume, or consume another service's queue.  A spoofed event is
refused by the broker and changes nothing.
"""
import json
import re
import subprocess
import sys
import uuid

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange
from shared.assertions import signed_event_dispatcher as event_dispatcher

from lianbao.commands.rabbit import DEFINITIONS, build_definitions, consumed_events, render
from shared.config import SERVICES
from tests.reliability.conftest import ROOT, amqp_url, rabbitmqctl, rpc_call, wait_for, wait_healthy
from tests.reliability.ratings_year import rating

RATING_QUEUE = "evt-scoring-rating_published--rewards.on_rating_published"


def test_the_committed_definitions_are_what_the_services_need():
    """infra/rabbitmq/definitions.json = ``lianbao rabbit definitions`` (regenerate it when a
    service starts consuming or publishing a new event type)."""
    assert DEFINITIONS.read_text(encoding="utf-8") == render(build_definitions("/"))
    definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    topics = {(t["user"], t["exchange"]): t for t in definitions["topic_permissions"]}
    for name in SERVICES:
        for source, types in consumed_events(name).items():
            for event_type in types:          # every handler may bind, every owner may publish
                assert re.fullmatch(topics[(name, f"{source}.events")]["read"], event_type)
                assert re.fullmatch(topics[(source, f"{source}.events")]["write"], event_type)
                assert not re.fullmatch(topics[(name, f"{source}.events")]["write"], event_type)


def _refused(url, action) -> bool:
    with Connection(url, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        try:
            action(channel)
        except AccessRefused:
            return True
        return False


def _publish(exchange, routing_key, body=None):
    def act(channel):
        from kombu import Producer

        Producer(channel, auto_declare=False).publish(
            body or {"event_id": uuid.uuid4().hex}, exchange=exchange, routing_key=routing_key,
            serializer="json")
    return act


def _consume(queue):
    return lambda channel: channel.basic_consume(queue=queue, callback=lambda m: None)


def _bind(queue, exchange, routing_key):
    def act(channel):
        channel.queue_declare(queue=queue, durable=False, auto_delete=True)
        channel.queue_bind(queue=queue, exchange=exchange, routing_key=routing_key)
    return act


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_each_service_runs_as_its_own_user_and_cannot_act_as_another(rel_config, processes,
                                                                    figures):
    vhost = rel_config["_vhost"]
    prefix = "lrel" + uuid.uuid4().hex[:8] + "_"
    passwords = {name: "pw-" + uuid.uuid4().hex[:12] for name in SERVICES + ("gateway",)}
    env = processes.env()
    env.update({f"LIANBAO_RABBIT_PASSWORD_{(prefix + n).upper()}": pw for n, pw in passwords.items()})
    url = {name: amqp_url(vhost, prefix + name, pw) for name, pw in passwords.items()}
    try:
        setup = subprocess.run([sys.executable, "-m", "lianbao", "rabbit", "setup", "--vhost", vhost,
                                "--user-prefix", prefix, "--admin-url", amqp_url(vhost)],
                               cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=180)
        assert setup.returncode == 0, setup.stderr
        assert "6 users" in setup.stdout and "password" not in setup.stdout
        for name in SERVICES:
            processes.start(name, broker_url=url[name], DECLARE_EVENT_EXCHANGES="false",
                            EVENT_MAX_ATTEMPTS=2)
        for name in SERVICES:
            wait_healthy(rel_config, name, timeout=90)

        # scoring, as itself, publishes a rating: rewards, as itself, settles it
        as_scoring = dict(rel_config, AMQP_URI=url["scoring"], DECLARE_EVENT_EXCHANGES=False)
        good = rating(5, "2026")
        event_dispatcher(as_scoring)("scoring", "rating_published", good)
        assert wait_for(lambda: rpc_call(rel_config, "rewards", "ledger",
                                         {"source": good["rating_id"]})["total"] > 0, timeout=30), \
            processes.log("rewards")
        lines = rpc_call(rel_config, "rewards", "ledger", {"limit": 100000})["total"]
        # a poison: retried through rewards' own retry exchange, dead-lettered through lianbao.dlx
        event_dispatcher(as_scoring)("scoring", "rating_published",
                                     dict(rating(6, "2026"), kind="half_year"))

        def letters():
            out = subprocess.run([sys.executable, "-m", "lianbao", "dlq", "list", "--json"], cwd=str(ROOT),
                                 env=processes.env(), capture_output=True, text=True, timeout=60)
            return json.loads(out.stdout)
        dead = wait_for(lambda: letters(), timeout=30)
        assert [(d["queue"], d["attempts"]) for d in dead] == [(RATING_QUEUE, 2)], processes.log("rewards")

        roster = url["roster"]
        spoofs = {
            "publish on scoring.events": _publish(Exchange("scoring.events", "topic"),
                                                  "rating_published", dict(rating(7, "2026"))),
            "foreign event type on its own exchange": _publish(Exchange("roster.events", "topic"),
                                                               "rating_published",
                                                               dict(rating(8, "2026"))),
            "straight into rewards' queue": _publish(Exchange("", "direct"), RATING_QUEUE,
                                                     dict(rating(9, "2026"))),
            "through rewards' retry exchange": _publish(Exchange("lianbao.retry.rewards", "direct"),
                                                        RATING_QUEUE, dict(rating(10, "2026"))),
            "consume rewards' event queue": _consume(RATING_QUEUE),
            "consume rewards' rpc queue": _consume("rpc-rewards"),
            "consume the dead letters": _consume("lianbao.dlq"),
            "bind to an event type it does not consume": _bind(
                "evt-training-allowance_due--roster.spy", "training.events", "allowance_due"),
        }
        outcome = {what: _refused(roster, action) for what, action in spoofs.items()}
        assert outcome == {what: True for what in spoofs}, outcome
        # control: the same user may do its own work (publish its own event type, bind its own)
        assert not _refused(roster, _bind("evt-training-retraining_failed--roster.probe",
                                          "training.events", "retraining_failed"))
        assert not _refused(url["scoring"], _publish(Exchange("scoring.events", "topic"),
                                                     "rating_published", dict(good)))  # a copy
        # nothing spoofed arrived: the ledger is as it was, every service still healthy
        assert rpc_call(rel_config, "rewards", "ledger", {"limit": 100000})["total"] == lines
        for name in SERVICES:
            assert rpc_call(rel_config, name, "health")["status"] == "ok"
        figures.update(users=6, spoofs_tried=len(spoofs), spoofs_refused=sum(outcome.values()),
                       messages_sent=2 + len(spoofs) + 1, faults_injected="8 spoofs, 1 poison",
                       lost=0, doubled=0)
    finally:
        listed = rabbitmqctl("list_users", "--quiet", "--no-table-headers", check=False).stdout
        for line in listed.splitlines():
            user = line.split("\t")[0]
            if user.startswith(prefix):
                rabbitmqctl("delete_user", user, check=False)
