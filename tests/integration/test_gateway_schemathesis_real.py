"""schemathesis over every route of the gateway on the real RabbitMQ and PostgreSQL (issue 21 item
4): the five services and the gateway in a vhost of their own, a small city in them, and whatever
schemathesis draws from the served document (the workflow's commands, the reads, the lists with
their cursors, the uploads, the exports) is answered without a server error."""
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from shared.runner import Suite
from tests.reliability.conftest import amqp_url, rabbitmqctl
from tests.service.gateway import city
from tests.service.gateway.conftest import TOKENS, auth, free_port, write_tokens

pytestmark = [pytest.mark.broker, pytest.mark.timeout(1500)]


@pytest.fixture
def gateway_real(real_config, tmp_path):
    vhost = "lianbao_st_" + uuid.uuid4().hex[:10]
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        port = free_port()
        real_config.update(AMQP_URI=amqp_url(vhost), WEB_SERVER_ADDRESS=f"127.0.0.1:{port}",
                           GATEWAY_TOKENS=str(write_tokens(tmp_path / "tokens.yml")), OUTBOX_POLL_SECONDS=0.2)
        suite = Suite(real_config, names=(), classes=city.classes()).start()
        try:
            yield f"http://127.0.0.1:{port}", suite
        finally:
            suite.stop()
    finally:
        rabbitmqctl("delete_vhost", vhost, check=False)


def test_schemathesis_over_every_route_on_rabbitmq_and_postgresql(gateway_real, tmp_path):
    url, suite = gateway_real
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
        # (training learns the people from the roster's events: an upsert now would race them)
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "cnty",
                                    "subjects": city.SUBJECTS})
    health = requests.get(f"{url}/health/survey", headers=auth("city"), timeout=30)
    assert health.status_code == 200 and health.json()["database_kind"] == "postgresql", health.text
    doc = requests.get(f"{url}/openapi.json", timeout=30).json()
    operations = sum(len(m) for m in doc["paths"].values())
    schemathesis = Path(sys.executable).with_name("schemathesis")
    out = subprocess.run(
        [str(schemathesis), "run", f"{url}/openapi.json", "--header", f"Authorization: Bearer {TOKENS['city']}",
         "--checks", "not_a_server_error", "--max-examples", "4", "--seed", "21", "--workers", "1",
         "--request-timeout", "60", "--phases", "examples,coverage,fuzzing", "--no-shrink",
         "--suppress-health-check", "all", "--report-dir", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=1400)
    tail = out.stdout[-6000:] + out.stderr[-2000:]
    assert out.returncode == 0, tail
    assert " passed" in out.stdout and not re.search(r"\d+ failed|❌", out.stdout), tail
    tested = re.search(r"(\d+) (?:operations? )?(?:tested|selected)", out.stdout)
    counts = re.search(r"(\d+) generated, (\d+) passed", out.stdout)
    assert counts and counts.group(1) == counts.group(2) and int(counts.group(1)) >= operations, tail
    assert tested is None or int(tested.group(1)) >= operations - 1, tail
