"""Kill -9 the rewards service again and again while it settles a year of ratings; restart it.

The ratings and allowances arrive as events (``scoring.rating_published``,
``training.allowance_due``) and, for some ratings, as ``rewards.settle`` calls retried with the same
idempotency key until answered.  After the last restart the ledger holds exactly the lines the
domain's rules imply: none lost, none doubled; reconciliation and the hash chain agree.
"""
import random

import eventlet
import pytest
from shared.assertions import signed_event_dispatcher as event_dispatcher

from tests.reliability.conftest import rpc_call, wait_for, wait_healthy
from tests.reliability.ratings_year import YEAR, expected_keys, year_of

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.timeout(400)]

SCOPES = 24
KILLS = 5


def _ledger_keys(config) -> list[str]:
    out = rpc_call(config, "rewards", "ledger", {"limit": 100000}, timeout=30)
    return [line["key"] for line in out["lines"]]


def test_kill9_rewards_while_it_settles_a_year_loses_and_doubles_nothing(rel_config, processes,
                                                                          figures):
    config = rel_config
    rng = random.Random(13)
    ratings, allowances = year_of(SCOPES)
    expected = expected_keys(ratings, allowances)
    by_rpc = [r for i, r in enumerate(ratings) if i % 6 == 5]
    events = [("scoring", "rating_published", r) for r in ratings if r not in by_rpc]
    events += [("training", "allowance_due", a) for a in allowances]
    rng.shuffle(events)

    processes.start("rewards", EVENT_MAX_ATTEMPTS=10)
    wait_healthy(config, "rewards")          # its queues exist: nothing published below is lost
    dispatch = event_dispatcher(config)

    answers, attempts = {}, {"rpc": 0}

    def settle_by_rpc():
        for payload in by_rpc:
            key = "settle-" + payload["rating_id"]
            while payload["rating_id"] not in answers:
                attempts["rpc"] += 1
                try:
                    answers[payload["rating_id"]] = rpc_call(
                        config, "rewards", "settle", payload, timeout=6,
                        context_data={"idempotency_key": key})
                except Exception:              # killed mid-call, or down: same key again
                    eventlet.sleep(0.3)

    caller = eventlet.spawn(settle_by_rpc)
    waves = [events[i::KILLS] for i in range(KILLS)]
    mid_work = 0
    for wave in waves:
        for source, event_type, payload in wave:
            dispatch(source, event_type, payload)
        eventlet.sleep(rng.uniform(0.3, 1.0))
        try:
            if len(_ledger_keys(config)) < len(expected):
                mid_work += 1
        except Exception:
            pass
        processes.kill9("rewards")
        processes.start("rewards", EVENT_MAX_ATTEMPTS=10)
        wait_healthy(config, "rewards")
    caller.wait()

    assert wait_for(lambda: len(_ledger_keys(config)) >= len(expected), timeout=120, interval=1), \
        processes.log("rewards")
    eventlet.sleep(2)                        # anything still in flight would show up now
    keys = _ledger_keys(config)
    lost = expected - set(keys)
    doubled = len(keys) - len(set(keys))
    extra = set(keys) - expected
    figures.update(messages_sent=len(events) + attempts["rpc"], events=len(events),
                   rpc_calls=attempts["rpc"], faults_injected=f"{processes.kills} kill -9",
                   kills_mid_work=mid_work, ledger_lines=len(keys), lost=len(lost),
                   doubled=doubled + len(extra))
    assert (lost, doubled, extra) == (set(), 0, set())
    assert mid_work >= 1                     # the kills hit the service while it had work to do

    for period, n_allowances in ((YEAR, len(allowances)), (f"{YEAR}H1", len(allowances) // 2)):
        report = rpc_call(config, "rewards", "reconcile", {"period": period}, timeout=30)
        assert report["ok"], report
        assert (report["ratings"], report["allowances"]) == (SCOPES, n_allowances)
        assert (report["missing"], report["extra"], report["different"]) == ([], [], [])
    chain = rpc_call(config, "rewards", "verify_chain", {}, timeout=30)
    assert chain["ok"] and chain["lines"] == len(expected), chain
    # every settle call was answered, and each answer is the first one: lines written once
    assert set(answers) == {r["rating_id"] for r in by_rpc}
    for payload in by_rpc:
        answer = answers[payload["rating_id"]]
        assert answer["settled"] is True and answer["written"] == answer["lines"], answer
