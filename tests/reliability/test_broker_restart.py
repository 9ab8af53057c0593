"""Restart the broker (``rabbitmqctl stop_app`` / ``start_app``) while survey forms and monthly
evaluations flow: the services (processes) reconnect by themselves; every call is retried with its
idempotency key until the caller sees it succeed, and each is applied exactly once."""
import eventlet
import pytest

from tests.reliability.conftest import KeyedCaller, rabbitmqctl, rpc_call, wait_for, wait_healthy
from tests.reliability.workloads import (MONTHS, OFFICERS, evaluations_applied, forms_counted,
                                         prepare_survey_and_scoring, run_evaluations, submit_forms)

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(300)]

BATCHES, FORMS_PER_BATCH = 30, 20


def test_broker_restart_while_forms_and_evaluations_flow(rel_config, processes, figures):
    config = rel_config
    for name in ("survey", "scoring"):
        processes.start(name)
    for name in ("survey", "scoring"):
        wait_healthy(config, name)
    prepare_survey_and_scoring(config)
    call = KeyedCaller(config)
    stats = call.stats

    flows = [eventlet.spawn(submit_forms, call, BATCHES, FORMS_PER_BATCH),
             eventlet.spawn(run_evaluations, call, MONTHS)]
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
    forms = forms_counted(config)
    assert forms == BATCHES * FORMS_PER_BATCH
    applied, doubled, wrong = evaluations_applied(config, MONTHS)
    assert wrong == []
    assert len(steps) == 2 * len(MONTHS) * len(OFFICERS)
    assert stats["failed_attempts"] >= 1          # the restart was felt by the callers
    figures.update(messages_sent=stats["attempts"], calls=stats["calls"],
                   retried_attempts=stats["failed_attempts"],
                   faults_injected="1 broker restart (3 s down)",
                   forms=forms, evaluations_reviewed=applied,
                   lost=BATCHES * FORMS_PER_BATCH - forms
                   + len(MONTHS) * len(OFFICERS) - applied, doubled=doubled)
