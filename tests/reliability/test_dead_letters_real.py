"""Poison and undecodable messages on the real broker, through the rewards service's real handlers
and the ``lianbao dlq list|replay`` commands.

* a rating whose payload its handler always refuses: tried ``EVENT_MAX_ATTEMPTS`` times, then
  dead-lettered with its error and original queue;
* a body that is not JSON: dead-lettered at once, the consumer keeps consuming;
* an allowance whose handler fails because the database is broken (a table renamed away): dead-
  lettered; once the table is back, ``lianbao dlq replay`` applies it, once;
and all the while the service keeps settling good ratings.
"""
import json
import subprocess
import sys

import pytest
from kombu import Connection
from nameko.standalone.events import get_event_exchange
from shared.assertions import signed_event_dispatcher as event_dispatcher
from sqlalchemy import text

from shared.config import database_url
from shared.db import make_engine
from tests.reliability.conftest import ROOT, rpc_call, wait_for, wait_healthy
from tests.reliability.ratings_year import allowance, rating

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]

ATTEMPTS = 3
RATING_QUEUE = "evt-scoring-rating_published--rewards.on_rating_published"
ALLOWANCE_QUEUE = "evt-training-allowance_due--rewards.on_allowance_due"


def _cli(processes, *args) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", "lianbao", *args], cwd=str(ROOT),
                         env=processes.env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out


def _letters(processes) -> list[dict]:
    return json.loads(_cli(processes, "dlq", "list", "--json").stdout)


def _sql(config, statement):
    engine = make_engine(database_url("rewards", config))
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


def test_poison_and_undecodable_go_to_the_dlq_and_replay_applies_once(rel_config, processes,
                                                                      figures):
    config = rel_config
    processes.start("rewards", EVENT_MAX_ATTEMPTS=ATTEMPTS)
    wait_healthy(config, "rewards")
    dispatch = event_dispatcher(config)

    # 1. a poison rating: 2026 is not a half-year rating, every try refuses it
    poison = dict(rating(1, "2026"), kind="half_year")
    dispatch("scoring", "rating_published", poison)
    # 2. an undecodable body on the same queue
    with Connection(config["AMQP_URI"]) as conn:
        conn.Producer().publish(b"{not json at all", exchange=get_event_exchange("scoring", config),
                                routing_key="rating_published", content_type="application/json",
                                content_encoding="utf-8")
    # 3. a good allowance while the database is broken
    _sql(config, "ALTER TABLE received_allowance RENAME TO received_allowance_away")
    stuck = allowance("o7-1", "agency-7", "2026-03")
    dispatch("training", "allowance_due", stuck)
    letters = wait_for(lambda: len(_letters(processes)) == 3 and _letters(processes), timeout=60)
    assert letters, processes.log("rewards")

    # the service keeps serving: a good rating after the poison is settled
    good = rating(2, "2026")
    dispatch("scoring", "rating_published", good)
    assert wait_for(lambda: rpc_call(config, "rewards", "ledger", {"source": good["rating_id"]})
                    ["total"] > 0, timeout=30)
    assert rpc_call(config, "rewards", "health")["status"] == "ok"

    by_queue = sorted(letters, key=lambda letter: (letter["queue"], letter["attempts"]))
    undecodable, refused, allowance_letter = by_queue
    assert allowance_letter["queue"] == ALLOWANCE_QUEUE and allowance_letter["attempts"] == ATTEMPTS
    assert "received_allowance" in allowance_letter["error"]
    assert allowance_letter["body"]["allowance_id"] == stuck["allowance_id"]
    assert (undecodable["queue"], undecodable["attempts"]) == (RATING_QUEUE, 1)
    assert "undecodable" in undecodable["error"] and undecodable["body"] == "{not json at all"
    assert (refused["queue"], refused["attempts"]) == (RATING_QUEUE, ATTEMPTS)
    assert refused["error"].startswith("shared.errors.ValidationFailed")
    assert refused["body"]["rating_id"] == poison["rating_id"]
    assert refused["routing_key"] == "rating_published" and refused["source"] == "scoring"
    assert len(_letters(processes)) == 3               # listing leaves them where they are

    # 4. repair the database and replay: the allowance is applied once; the two others come back
    _sql(config, "ALTER TABLE received_allowance_away RENAME TO received_allowance")
    replayed = _cli(processes, "dlq", "replay").stdout
    assert "replayed 3" in replayed
    assert wait_for(lambda: rpc_call(config, "rewards", "ledger", {"kind": "allowance"})["total"] == 1,
                    timeout=30)
    back = wait_for(lambda: (lambda ls: len(ls) == 2 and all(
        letter["attempts"] == (1 if "undecodable" in letter["error"] else ATTEMPTS)
        for letter in ls) and ls)(_letters(processes)), timeout=60)
    assert back, _letters(processes)
    assert sorted(letter["attempts"] for letter in back) == [1, ATTEMPTS]
    assert {letter["routing_key"] for letter in back} == {"rating_published"}   # kept through replay
    # the summary: one line per letter (id, queue, event type, attempts, error), then the count; and
    # `dlq show ID` prints each in full (neither removes a letter)
    summary = _cli(processes, "dlq", "list").stdout.splitlines()
    assert len(summary) == 3 and summary[-1] == "2 dead letter(s)"
    assert all(len(line.split("  ")) >= 4 and "attempts=" in line for line in summary[:2])
    assert any("ValidationFailed" in line and "rating_published" in line for line in summary[:2])
    shown = [json.loads(_cli(processes, "dlq", "show", line.split("  ")[0]).stdout) for line in summary[:2]]
    assert sorted(map(json.dumps, shown)) == sorted(map(json.dumps, back))
    assert len(_letters(processes)) == 2
    lines = rpc_call(config, "rewards", "ledger", {"kind": "allowance"})["lines"]
    assert [line["key"] for line in lines] == ["allowance:2026-03|o7-1|allowance"]
    assert rpc_call(config, "rewards", "reconcile", {"period": "2026"})["ok"]
    assert processes.alive("rewards")
    figures.update(messages_sent=4, faults_injected="1 poison, 1 undecodable, 1 broken table",
                   dead_lettered=3, replayed=3, applied_after_replay=1, back_in_dlq=2,
                   handler_tries=2 * ATTEMPTS + 1 + ATTEMPTS + 1, lost=0, doubled=0)
