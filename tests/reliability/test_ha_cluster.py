"""``make test-ha``: the suite on a three-node RabbitMQ cluster with quorum queues loses a node
under load and loses nothing.

A cluster of its own starts on this machine (:mod:`tests.reliability.cluster`: three nodes beside
the machine's broker, never touching it), the five services run as processes (``lianbao up <svc>``,
``QUEUE_TYPE=quorum``, ``BROKER_URL`` = the three nodes, node 1 first) on fresh PostgreSQL databases,
and while survey batches, monthly evaluations (keyed calls) and a year's settlement (events and keyed
``settle`` calls) flow, one node goes:

* run 1: node 3 is stopped (``rabbitmqctl stop``) — not the node the services are connected to, but
  the leader of about a third of the queues (``queue_leader_locator = balanced``);
* run 2: node 1 is killed (SIGKILL of its Erlang VM) — the node every service and caller is
  connected to, and the leader of a third of the queues.

Then the node comes back and rejoins.  Checked: every service process is the one started (they failed
over by themselves), every keyed call had exactly one effect, every event was handled (the ledger
holds exactly the lines the domain's rules imply), reconciliation and the hash chain are clean, no
dead letter, every quorum queue back at three online members.  Figures: messages, faults, lost,
doubled, seconds until all five services answer again, seconds until every queue has its three
replicas again; and the alert expressions of ``infra/alerts.yml`` checked against the real plugin's
metrics (a queue below its replicas during the outage, none after).
"""
from __future__ import annotations

import re
import time

import eventlet
import pytest
import yaml

from tests.reliability.cluster import RabbitCluster
from tests.reliability.conftest import ROOT, KeyedCaller, Processes, rpc_call, wait_for
from tests.reliability.workloads import (MONTHS, OFFICERS, Settlement, evaluations_applied,
                                         forms_counted, prepare_survey_and_scoring, run_evaluations,
                                         submit_forms)

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.ha, pytest.mark.timeout(600)]

SERVICES = ("roster", "scoring", "survey", "training", "rewards")
BATCHES, FORMS_PER_BATCH = 40, 20
SCOPES = 12


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    started = time.monotonic()
    c = RabbitCluster(tmp_path_factory.mktemp("ha"))
    try:
        c.start()
        c.seconds_to_start = time.monotonic() - started
        yield c
    finally:
        c.close()


@pytest.fixture
def ha_vhost(cluster):
    import uuid

    name = "lb_ha_" + uuid.uuid4().hex[:8]
    first = cluster.nodes[0]
    cluster.ctl(first, "add_vhost", name)
    cluster.ctl(first, "set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    yield name
    cluster.ctl(cluster.nodes[1], "delete_vhost", name, check=False)


def raft_members(cluster, vhost) -> dict:
    """queue → how many members report Raft metrics (``rabbitmq_raft_log_commit_index`` of
    ``/metrics/per-object`` summed over the nodes that answer a scrape): what the alert
    ``RabbitMQQuorumQueueBelowReplicas`` counts."""
    counts: dict[str, int] = {}
    pattern = re.compile(r"^rabbitmq_raft_log_commit_index\{([^}]*)\}")
    for node in cluster.nodes:
        try:
            text = cluster.metrics(node, "/metrics/per-object")
        except OSError:
            continue  # the lost node answers no scrape
        for line in text.splitlines():
            m = pattern.match(line)
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1))) if m else {}
            if labels.get("vhost") == vhost and "queue" in labels:
                counts[labels["queue"]] = counts.get(labels["queue"], 0) + 1
    return counts


def alert_metric_names() -> set[str]:
    rules = yaml.safe_load((ROOT / "infra" / "alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"] if "rabbitmq_" in r["expr"]]
    return {n for e in exprs for n in re.findall(r"\b(rabbitmq_[a-z_]+)\{", e)}


@pytest.mark.parametrize("fault", ["stop node 3", "kill -9 node 1"])
def test_losing_a_node_under_load_loses_nothing(cluster, ha_vhost, real_config, tmp_path, figures,
                                                fault):
    vhost = ha_vhost
    config = dict(real_config, AMQP_URI=cluster.urls(vhost=vhost), QUEUE_TYPE="quorum",
                  RPC_TIMEOUT=15)
    lost_index = 3 if fault == "stop node 3" else 1
    lost = cluster.nodes[lost_index - 1]
    survivor = cluster.nodes[1]                       # node 2 survives both runs
    for node in cluster.nodes:                        # a previous run's node is back
        assert node.alive(), f"{node.name} is not running"

    procs = Processes(config, tmp_path)
    try:
        for name in SERVICES:
            procs.start(name, QUEUE_TYPE="quorum", EVENT_MAX_ATTEMPTS=10)
        for name in SERVICES:
            assert wait_for(lambda: rpc_call(config, name, "health", timeout=5)["status"] == "ok",
                            timeout=90, interval=0.5), procs.log(name)
        queues = cluster.quorum_queues(survivor, vhost)
        assert {f"rpc-{s}" for s in SERVICES} <= set(queues), sorted(queues)
        assert sum(q.startswith("evt-") for q in queues) >= 10, sorted(queues)
        assert all(len(q["members"]) == 3 for q in queues.values()), queues
        leaders_on_lost = sum(q["leader"] == lost.name for q in queues.values())
        assert leaders_on_lost >= 1                   # the fault moves leaders, whichever node it is
        members = raft_members(cluster, vhost)
        assert set(members) == set(queues) and set(members.values()) == {3}, members
        # rabbitmq_queues (what RabbitMQQueueLeaderImbalance compares) counts the queues a node hosts:
        # the quorum queues it leads and its classic queues (here: RPC reply queues); the plugin
        # refreshes it every few seconds (collect_statistics_interval)
        hosted = cluster.queues_per_node(survivor)
        gauges = wait_for(lambda: ({n.name: queues_gauge(cluster, n) for n in cluster.nodes} == hosted
                                   and hosted), timeout=30, interval=1)
        assert gauges == hosted, ({n.name: queues_gauge(cluster, n) for n in cluster.nodes}, hosted)

        prepare_survey_and_scoring(config)
        settlement = Settlement(config, SCOPES)
        call = KeyedCaller(config, timeout=8, give_up=180)
        # about 15 s of work; the node goes 4 s in
        flows = [eventlet.spawn(submit_forms, call, BATCHES, FORMS_PER_BATCH, 0.3),
                 eventlet.spawn(run_evaluations, call, MONTHS, 0.8),
                 eventlet.spawn(settlement.publish_events, 10, 1.2),
                 eventlet.spawn(settlement.settle_by_rpc, call, 3.0)]
        eventlet.sleep(4.0)
        before = dict(call.stats)

        clock = eventlet.hubs.get_hub().clock
        connections_before = cluster.connections_per_node(survivor, vhost)
        # every process (five services, and the test's callers) connects to node 1 first
        assert connections_before[cluster.nodes[0].name] >= 5, connections_before

        def everyone_answers():
            return all(rpc_call(config, s, "health", timeout=3)["status"] == "ok" for s in SERVICES)

        faulted = clock()
        if fault == "stop node 3":
            cluster.stop_node(lost)
        else:
            cluster.kill_node(lost)
        assert not lost.alive()
        gone = clock()
        assert wait_for(everyone_answers, timeout=120, interval=0.25)
        recovered = clock() - gone
        connections_during = cluster.connections_per_node(survivor, vhost)
        assert connections_during[lost.name] == 0 and sum(connections_during.values()) >= 5
        # what an operator's alert sees during the outage: every queue below its three replicas
        during = raft_members(cluster, vhost)
        eventlet.sleep(2.0)                           # the work keeps flowing on two nodes
        cluster.start_node(lost)
        back = clock()

        def replicas_complete():
            qs = cluster.quorum_queues(survivor, vhost)
            return qs and all(len(q["online"]) == 3 for q in qs.values())
        assert wait_for(replicas_complete, timeout=120, interval=0.5)
        replicas_after = clock() - back

        batches, steps, _, answers = [f.wait() for f in flows]
        # the services failed over by themselves: the processes started first are still running
        assert all(procs.alive(s) and procs.starts[s] == 1 for s in SERVICES), \
            {s: procs.log(s)[-1500:] for s in SERVICES if not procs.alive(s)}

        assert wait_for(lambda: len(settlement.ledger_keys()) >= len(settlement.expected), timeout=120,
                        interval=1), procs.log("rewards")
        eventlet.sleep(2)                             # anything still in flight shows up now
        keys = settlement.ledger_keys()
        forms = forms_counted(config)
        applied, doubled_steps, wrong = evaluations_applied(config, MONTHS)
        missing_lines = settlement.expected - set(keys)
        extra_lines = set(keys) - settlement.expected
        doubled_lines = len(keys) - len(set(keys))
        reports = settlement.reconciled()
        dead = rpc_dead_letters(config)
        after = raft_members(cluster, vhost)
    finally:
        procs.stop_all()

    evaluations = len(MONTHS) * len(OFFICERS)
    lost_count = (BATCHES * FORMS_PER_BATCH - forms) + (evaluations - applied) + len(missing_lines)
    doubled = doubled_steps + doubled_lines + len(extra_lines)
    figures.update(
        fault=f"{fault} ({'rabbitmqctl stop' if 'stop' in fault else 'SIGKILL of its VM'}; "
              f"{leaders_on_lost} of {len(queues)} queue leaders and "
              f"{connections_before[lost.name]} of {sum(connections_before.values())} connections on it)",
        seconds_node_going_down=round(gone - faulted, 1),
        messages_sent=call.stats["attempts"] + settlement.published,
        keyed_calls=call.stats["calls"], events=len(settlement.events),
        failed_attempts_retried=call.stats["failed_attempts"] + settlement.publish_failures,
        failed_before_fault=before["failed_attempts"],
        forms=forms, evaluations_reviewed=applied, ledger_lines=len(keys),
        lost=lost_count, doubled=doubled, dead_letters=len(dead),
        seconds_to_recover=round(recovered, 1),  # node gone → all five services answer
        seconds_longest_call=round(call.longest, 1),
        seconds_replicas_complete_after_restart=round(replicas_after, 1),
        cluster_start_seconds=round(cluster.seconds_to_start, 1))

    assert all(b["accepted"] == FORMS_PER_BATCH for b in batches), batches
    assert forms == BATCHES * FORMS_PER_BATCH
    assert wrong == [] and applied == evaluations
    assert len(steps) == 2 * evaluations
    assert (missing_lines, extra_lines, doubled_lines) == (set(), set(), 0)
    for report in reports[:2]:
        assert report["ok"] and (report["missing"], report["extra"], report["different"]) == ([], [], [])
    assert reports[2]["ok"] and reports[2]["lines"] == len(settlement.expected)
    assert set(answers) == {r["rating_id"] for r in settlement.by_rpc}
    assert all(a["settled"] is True and a["written"] == a["lines"] for a in answers.values()), answers
    assert dead == []
    # the alert's view: during the outage every quorum queue had two of its three members; after, three
    assert set(during) == set(queues) and set(during.values()) == {2}, during
    assert set(after.values()) == {3}, after
    names = alert_metric_names()
    assert names, "infra/alerts.yml has no RabbitMQ rule"
    exported = cluster.metrics(survivor) + cluster.metrics(survivor, "/metrics/per-object")
    assert {n for n in names if not re.search(rf"^{n}[{{ ]", exported, re.M)} == set()


def queues_gauge(cluster, node) -> int:
    text = cluster.metrics(node)
    return int(float(re.search(r"^rabbitmq_queues(?:\{[^}]*\})? (\S+)$", text, re.M).group(1)))


def rpc_dead_letters(config) -> list:
    from shared.dlq import list_dead_letters

    return list_dead_letters(config)
