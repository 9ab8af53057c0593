"""The security tests run on RabbitMQ + PostgreSQL, each in a vhost of its own (issue 18 item 8)."""
import sys
import uuid
from pathlib import Path

import pytest

from shared.runner import Suite, service_class
from tests.reliability.conftest import amqp_url, rabbitmqctl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "rewards"))


@pytest.fixture
def private_config(real_config):
    name = "lianbao_sec_" + uuid.uuid4().hex[:10]
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        real_config["AMQP_URI"] = amqp_url(name)
        real_config["EVENT_MAX_ATTEMPTS"] = 2
        real_config["OUTBOX_POLL_SECONDS"] = 0.2
        yield real_config
    finally:
        rabbitmqctl("delete_vhost", name, check=False)


@pytest.fixture
def suite(private_config):
    """scoring and rewards on the real broker, with the small city of the scoring tests."""
    from tests.service.scoring.conftest import PEOPLE, UNITS

    running = Suite(private_config, names=("scoring", "rewards")).start()
    try:
        with running.rpc(as_operator="ops") as rpc:
            rpc.scoring.save_units({"units": UNITS})
            rpc.scoring.upsert_people({"people": PEOPLE})
        yield running
    finally:
        running.stop()


@pytest.fixture
def city_real(real_config):
    """scoring alone on the real broker, with the small city of the scoring tests and its evaluators
    resolved (the separation of duties tests)."""
    from tests.service.scoring.conftest import EVALUATORS, PEOPLE, UNITS, resolve_evaluators

    real_config["OUTBOX_POLL_SECONDS"] = 0.2
    suite = Suite(real_config, names=(), classes=[service_class("scoring")]).start()
    try:
        with suite.rpc() as rpc:
            rpc.scoring.save_units({"units": UNITS})
            rpc.scoring.upsert_people({"people": PEOPLE})
        resolve_evaluators(suite, PEOPLE, EVALUATORS)
        yield suite
    finally:
        suite.stop()
