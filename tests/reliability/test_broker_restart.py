"""Restart the broker (``rabbitmqctl stop_app`` / ``start_app``) while survey forms and monthly
evaluations flow: the services (processes) reconnect by themselves; every call is retried with its
idempotency key until the caller sees it succeed, and each is applied exactly once."""
import eventlet
import pytest

from shared.errors import LianbaoError
from tests.reliability.conftest import rabbitmqctl, rpc_call, wait_for, wait_healthy
from tests.service.scoring.conftest import PEOPLE, UNITS

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(300)]

BATCHES, FORMS_PER_BATCH = 30, 20
MONTHS = ("2026-01", "2026-02", "2026-03")
OFFICERS = [p for p in PEOPLE if p["position"] == "officer"]


def test_broker_restart_while_forms_and_evaluations_flow(rel_config, processes, figures):
    config = rel_config
    for name in ("survey", "scoring"):
        processes.start(name)
    for name in ("survey", "scoring"):
        wait_healthy(config, name)
    rpc_call(config, "survey", "create_campaign", {
        "campaign_id": "c1", "period": "2026H1", "owner": "county-1",
        "subjects": [{"id": p["id"], "kind": "officer"} for p in OFFICERS]})
    rpc_call(config, "scoring", "save_units", {"units": UNITS})
    rpc_call(config, "scoring", "upsert_people", {"people": PEOPLE})

    stats = {"calls": 0, "attempts": 0, "failed_attempts": 0}

    def call(service, method, payload, key):
        """Until it succeeds, with the same key (a named error is an answer, not a failure)."""
        stats["calls"] += 1
        deadline = eventlet.hubs.get_hub().clock() + 120
        while True:
            stats["attempts"] += 1
            try:
                return rpc_call(config, service, method, payload, timeout=8,
                                context_data={"idempotency_key": key})
            except LianbaoError:
                raise
            except Exception:
                stats["failed_attempts"] += 1
                if eventlet.hubs.get_hub().clock() > deadline:
                    raise
                eventlet.sleep(0.5)

    def forms():
        out = []
        for b in range(BATCHES):
            batch = [{"serial": f"B{b}-{i}", "subject": OFFICERS[i % len(OFFICERS)]["id"],
                      "group": "parents", "answers": "S" * 35} for i in range(FORMS_PER_BATCH)]
            out.append(call("survey", "submit_batch", {"campaign_id": "c1", "batch_id": f"b{b}",
                                                       "forms": batch}, f"forms-b{b}"))
            eventlet.sleep(0.05)
        return out

    def evaluations():
        out = []
        for month in MONTHS:
            as_of = f"2026-{int(month[-2:]) + 1:02d}-02"
            for p in OFFICERS:
                out.append(call("scoring", "submit_self_assessment",
                                {"actor": p["id"], "subject": p["id"], "month": month,
                                 "as_of": as_of}, f"submit-{p['id']}-{month}"))
                out.append(call("scoring", "review", {"actor": p["mentor"], "subject": p["id"],
                                                      "month": month, "as_of": as_of},
                                f"review-{p['id']}-{month}"))
                eventlet.sleep(0.05)
        return out

    flows = [eventlet.spawn(forms), eventlet.spawn(evaluations)]
    eventlet.sleep(1.5)
    try:
        rabbitmqctl("stop_app")
        eventlet.sleep(3)
    finally:
        rabbitmqctl("start_app")
    batches, steps = [f.wait() for f in flows]

    # the services came back by themselves (same processes), and all is applied once
    assert processes.alive("survey") and processes.alive("scoring")
    for name in ("survey", "scoring"):
        assert wait_for(lambda: rpc_call(config, name, "health", timeout=5)["status"] == "ok",
                        timeout=60)
    assert all(b["accepted"] == FORMS_PER_BATCH for b in batches), batches
    rates = rpc_call(config, "survey", "get_rates", {"campaign_id": "c1"})
    assert rates["totals"]["forms"] == BATCHES * FORMS_PER_BATCH
    applied, doubled = 0, 0
    for month in MONTHS:
        for p in OFFICERS:
            ev = rpc_call(config, "scoring", "evaluation", {"subject": p["id"], "month": month})
            actions = [t["action"] for t in ev["trail"]]
            applied += ev["state"] == "reviewed"
            doubled += len(actions) - len(set(actions))
            assert actions == ["submit", "review"], (p["id"], month, actions)
    assert len(steps) == 2 * len(MONTHS) * len(OFFICERS)
    assert stats["failed_attempts"] >= 1          # the restart was felt by the callers
    figures.update(messages_sent=stats["attempts"], calls=stats["calls"],
                   retried_attempts=stats["failed_attempts"],
                   faults_injected="1 broker restart (3 s down)",
                   forms=rates["totals"]["forms"], evaluations_reviewed=applied,
                   lost=BATCHES * FORMS_PER_BATCH - rates["totals"]["forms"]
                   + len(MONTHS) * len(OFFICERS) - applied, doubled=doubled)
