"""The foundation on the real RabbitMQ and PostgreSQL: services started as processes the way
``lianbao up`` starts them; the outbox surviving a crash between commit and publish."""
import json
import os
import subprocess
import sys
import time

import eventlet
import pytest
from sqlalchemy import text

from shared.config import SERVICES, database_url
from shared.db import make_engine
from shared.runner import Suite
from tests.integration.processes import services_up
from tests.service.foundation.probe_services import ReceiverService, SenderService

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


def _env(real_config):
    env = dict(os.environ)
    env.update({"BROKER_URL": real_config["AMQP_URI"],
                "DATABASE_URL_TEMPLATE": real_config["DATABASE_URL_TEMPLATE"],
                "LIANBAO_DATA": real_config["DATA_DIR"], "PYTHONUNBUFFERED": "1"})
    return env


def test_five_services_as_processes_answer_health_through_rabbitmq_and_postgresql(real_config, tmp_path):
    env = _env(real_config)
    with services_up(SERVICES, env, tmp_path):
        deadline = time.time() + 90
        rows = None
        while time.time() < deadline:
            out = subprocess.run([sys.executable, "-m", "lianbao", "health", "--json", "--timeout", "5"],
                                 env=env, capture_output=True, text=True, timeout=60)
            if out.returncode == 0:
                rows = json.loads(out.stdout)
                break
            time.sleep(1)
        assert rows is not None, f"services never became healthy: {out.stdout} {out.stderr}"
        assert [r["service"] for r in rows] == list(SERVICES)
        assert all(r["status"] == "ok" and r["database_kind"] == "postgresql" for r in rows), rows
        table = subprocess.run([sys.executable, "-m", "lianbao", "health"], env=env, capture_output=True,
                               text=True, timeout=60)
        assert table.returncode == 0
        assert all(name in table.stdout for name in SERVICES)


def test_outbox_event_committed_before_a_crash_is_sent_after_restart(real_config, monkeypatch):
    from shared import outbox

    real_config["OUTBOX_POLL_SECONDS"] = 0.2
    # 1. the relay is dead (the process "crashes" after the commit, before publishing)
    monkeypatch.setattr(outbox.OutboxRelay, "flush", lambda self, publisher, exchange: 0)
    first = Suite(real_config, classes=[SenderService, ReceiverService]).start()
    with first.rpc() as rpc:
        rpc.probe_sender.write({"text": "survives"})
    first.kill()
    engine = make_engine(database_url("probe_sender", real_config))
    with engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar()
    engine.dispose()
    assert pending == 1
    # 2. restart with a working relay: the event goes out and is handled exactly once
    monkeypatch.undo()
    second = Suite(real_config, classes=[SenderService, ReceiverService]).start()
    try:
        with second.rpc() as rpc:
            deadline = time.time() + 20
            while time.time() < deadline and rpc.probe_receiver.tally() < 1:
                eventlet.sleep(0.1)
            assert rpc.probe_receiver.tally() == 1
            assert rpc.probe_sender.health()["outbox_backlog"] == 0
    finally:
        second.stop()
