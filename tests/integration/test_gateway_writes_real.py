"""The monthly workflow's command routes on the real RabbitMQ and PostgreSQL (issue 21): a
self-assessment, its review and approval over HTTP by the office system acting for its persons, a
calling system refused by scoring's policy table (403 naming `actor`), a bad field named (400), and an
Idempotency-Key retry answered once."""
from dataclasses import replace

import pytest
import requests

from services.gateway.app import make_gateway
from services.gateway.routes import ROUTES
from shared.runner import Suite, service_class
from tests.service.gateway.conftest import auth, free_port, write_tokens
from tests.service.scoring.conftest import PEOPLE, UNITS

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


def test_the_workflow_commands_on_rabbitmq_and_postgresql(real_config, tmp_path):
    port = free_port()
    real_config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{port}"
    real_config["GATEWAY_TOKENS"] = str(write_tokens(tmp_path / "tokens.yml"))
    url = f"http://127.0.0.1:{port}"
    # scoring renamed for this test (runs sharing the broker never share a queue); its policy rows stay
    scoring = f"scoring_{real_config['_test_tag']}"
    routes = [replace(r, target=r.target.replace("scoring.", scoring + "."))
              for r in ROUTES if r.service == "scoring" and r.scope.kind == "policy"]
    gateway = make_gateway(routes, name=f"gateway_{real_config['_test_tag']}")
    scoring_cls = type("Scoring", (service_class("scoring"),), {"name": scoring})
    suite = Suite(real_config, classes=[gateway, scoring_cls]).start()
    try:
        with suite.rpc(as_operator="ops") as rpc:
            service = getattr(rpc, scoring)
            service.save_units({"units": UNITS})
            service.upsert_people({"people": [{k: v for k, v in p.items() if v is not None} for p in PEOPLE]})
        ev = f"{url}/scoring/people/o1/evaluations/2026-01"
        own = {"actor": "o1", "as_of": "2026-02-02", "item_scores": {"political.study": 7}}
        office = {**auth("office"), "Idempotency-Key": "sa-o1"}
        r = requests.post(f"{ev}/self-assessment", json=own, headers=auth("county"), timeout=30)
        assert r.status_code == 403 and r.json()["field"] == "actor", r.text
        r = requests.post(f"{ev}/self-assessment", json={**own, "as_of": "2026-02-31"}, headers=office, timeout=30)
        assert r.status_code == 400 and r.json()["field"] == "as_of", r.text
        first = requests.post(f"{ev}/self-assessment", json=own, headers=office, timeout=30)
        again = requests.post(f"{ev}/self-assessment", json=own, headers=office, timeout=30)
        assert first.status_code == again.status_code == 200 and first.json() == again.json(), first.text
        assert first.json()["state"] == "submitted"
        r = requests.post(f"{ev}/review", json={"actor": "c1", "as_of": "2026-02-02"}, headers=auth("office"), timeout=30)
        assert r.status_code == 200 and r.json()["state"] == "reviewed", r.text
        r = requests.post(f"{ev}/approval", json={"actor": "c1", "as_of": "2026-02-02"}, headers=auth("office"),
                          timeout=30)
        assert r.status_code == 403 and r.json()["field"] == "actor", r.text     # the mentor may not approve
        r = requests.post(f"{ev}/approval", json={"actor": "l1", "as_of": "2026-02-02"}, headers=auth("office"),
                          timeout=30)
        assert r.status_code == 200 and r.json()["state"] == "approved", r.text
    finally:
        suite.stop()
