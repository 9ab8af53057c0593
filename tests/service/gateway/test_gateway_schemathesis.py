"""schemathesis against the gateway and the five real services (embedded): whatever it sends,
drawn from the OpenAPI document (valid and invalid input, missing and foreign tokens), no answer
is a server error."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.service.gateway import city
from tests.service.gateway.conftest import TOKENS, auth

pytestmark = pytest.mark.timeout(300)


def test_schemathesis_finds_no_server_error(start_gateway, tmp_path):
    url, suite = start_gateway(city.classes())
    with suite.rpc() as rpc:  # some data, so that valid requests reach deep into the services
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
        rpc.training.upsert_people({"people": city.PEOPLE})
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "cnty",
                                    "subjects": city.SUBJECTS})
    assert requests.get(f"{url}/survey/campaigns/c1", headers=auth("city"), timeout=10).status_code == 200
    schemathesis = Path(sys.executable).with_name("schemathesis")
    out = subprocess.run(
        [str(schemathesis), "run", f"{url}/openapi.json", "--header", f"Authorization: Bearer {TOKENS['city']}",
         "--checks", "not_a_server_error", "--max-examples", "15", "--seed", "14", "--workers", "1",
         "--request-timeout", "30", "--phases", "examples,coverage,fuzzing", "--no-shrink",
         "--suppress-health-check", "all", "--report-dir", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=280)
    tail = out.stdout[-6000:] + out.stderr[-2000:]
    assert out.returncode == 0, tail
    assert " passed" in out.stdout and "failed" not in out.stdout, tail
    counts = re.search(r"(\d+) generated, (\d+) passed", out.stdout)
    assert counts and int(counts.group(1)) >= 200 and counts.group(1) == counts.group(2), tail
