"""The gateway on the real RabbitMQ and PostgreSQL: a campaign opened and a form batch sent twice
with one Idempotency-Key (one effect), the survey's health, a 401 and a foreign campaign told as missing (404)."""
import pytest
import requests

from dataclasses import replace

from services.gateway.app import make_gateway
from services.gateway.routes import ROUTES
from shared.runner import Suite, service_class
from tests.service.gateway import city
from tests.service.gateway.conftest import auth, free_port, write_tokens

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]


def test_gateway_on_rabbitmq_and_postgresql(real_config, tmp_path):
    port = free_port()
    real_config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{port}"
    real_config["GATEWAY_TOKENS"] = str(write_tokens(tmp_path / "tokens.yml"))
    url = f"http://127.0.0.1:{port}"
    # the survey renamed for this test (test runs sharing the broker never share a queue), and a
    # gateway whose survey routes point at it
    survey = f"survey_{real_config['_test_tag']}"
    routes = [replace(r, target=r.target.replace("survey.", survey + "."),
                      scope=replace(r.scope, target=r.scope.target and r.scope.target.replace("survey.", survey + ".")))
              for r in ROUTES if r.service == "survey"]
    gateway = make_gateway(routes, name=f"gateway_{real_config['_test_tag']}")
    survey_cls = type("Survey", (service_class("survey"),), {"name": survey})
    suite = Suite(real_config, classes=[gateway, survey_cls]).start()
    try:
        health = requests.get(f"{url}/health/survey", headers=auth("county"), timeout=30)
        assert health.status_code == 200 and health.json()["database_kind"] == "postgresql"
        assert requests.get(f"{url}/health/survey", timeout=30).status_code == 401
        body = {"campaign_id": "c1", "period": "2026H1", "owner": "cnty", "subjects": city.SUBJECTS}
        assert requests.post(f"{url}/survey/campaigns", json=body, headers=auth("county"), timeout=30).ok
        batch = {"batch_id": "b1", "forms": [city.form("f1"), city.form("f2")]}
        headers = {**auth("county"), "Idempotency-Key": "b1"}
        first = requests.post(f"{url}/survey/campaigns/c1/batches", json=batch, headers=headers, timeout=30)
        again = requests.post(f"{url}/survey/campaigns/c1/batches", json=batch, headers=headers, timeout=30)
        assert first.status_code == again.status_code == 200, first.text
        assert first.json() == again.json() and first.json()["accepted"] == 2
        rates = requests.get(f"{url}/survey/campaigns/c1/rates", headers=auth("county"), timeout=30).json()
        assert rates["totals"]["forms"] == 2
        foreign = requests.get(f"{url}/survey/campaigns/c1/rates", headers=auth("other"), timeout=30)
        missing = requests.get(f"{url}/survey/campaigns/none/rates", headers=auth("other"), timeout=30)
        assert (foreign.status_code, foreign.content) == (404, missing.content)
    finally:
        suite.stop()
