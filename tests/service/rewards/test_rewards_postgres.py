"""Rewards on the real RabbitMQ and PostgreSQL: concurrent deliveries serialised by the head lock."""
import eventlet
import pytest

from shared.runner import Suite
from rewards_ratings import agency, officer, rating_payload, section
from tests.service.rewards.conftest import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]


def test_concurrent_deliveries_on_postgresql_settle_once_and_keep_the_chain(real_config):
    real_config["EVENT_MAX_ATTEMPTS"] = 5
    suite = Suite(real_config, names=["rewards"]).start()
    try:
        ratings = [rating_payload(officers=[officer(f"o{scope}", stars=5)],
                                  sections=[section(f"s{scope}", stars=1)],
                                  agencies=[agency(f"x{scope}", klass=1, advanced=True)],
                                  scope=f"x{scope}", paying_unit=f"x{scope}") for scope in range(4)]
        for payload in ratings:            # each rating twice as an event, and twice by RPC
            suite.dispatch("scoring", "rating_published", payload)
            suite.dispatch("scoring", "rating_published", dict(payload, event_id="again-" + payload["scope"]))

        def call(payload):
            with suite.rpc() as rpc:
                return rpc.rewards.settle(payload)

        pool = eventlet.GreenPool(8)
        results = list(pool.imap(call, ratings + ratings))
        assert all(r["lines"] == 7 for r in results)
        with suite.rpc() as rpc:
            assert wait_for(lambda: rpc.rewards.ledger({})["total"] == 28, timeout=30)
            eventlet.sleep(1)
            assert rpc.rewards.ledger({})["total"] == 28
            assert rpc.rewards.verify_chain()["ok"]
            assert rpc.rewards.reconcile({"period": "2026"})["ok"]
            assert rpc.rewards.health()["database_kind"] == "postgresql"
    finally:
        suite.stop()
