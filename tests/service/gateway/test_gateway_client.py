"""A client generated from the gateway's served OpenAPI document (openapi-python-client) calls the
real gateway (issue 21 item 3, a sample): a read answered as a typed model (a person of the roster)
and a write (a training result, sent with an Idempotency-Key) answered as one, a bad field as the
shared error model."""
import datetime as dt
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.service.gateway import city
from tests.service.gateway.conftest import TOKENS

pytestmark = pytest.mark.timeout(300)


def test_a_generated_client_reads_and_writes_with_typed_answers(start_gateway, tmp_path, monkeypatch):
    gw, suite = start_gateway(city.classes())
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
        rpc.training.upsert_people({"people": city.PEOPLE})
    with suite.rpc(as_operator="ops") as rpc:
        rpc.training.register_courses({"courses": [{"id": "drill", "kind": "skills", "title": "实战技能"}]})
    (tmp_path / "openapi.json").write_bytes(requests.get(f"{gw}/openapi.json", timeout=30).content)
    bin_dir = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ.get('PATH', '')}")   # its ruff hooks
    out = subprocess.run([str(bin_dir / "openapi-python-client"), "generate", "--path", str(tmp_path / "openapi.json"),
                          "--output-path", str(tmp_path / "lianbao_gateway_client"), "--meta", "none"],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    monkeypatch.syspath_prepend(str(tmp_path))
    client_pkg = importlib.import_module("lianbao_gateway_client")
    get_staff = importlib.import_module("lianbao_gateway_client.api.roster.roster_get_staff")
    record_result = importlib.import_module("lianbao_gateway_client.api.training.training_record_result")
    models = importlib.import_module("lianbao_gateway_client.models")
    client = client_pkg.AuthenticatedClient(base_url=gw, token=TOKENS["county"])

    person = get_staff.sync(person="o1", client=client)
    assert isinstance(person, models.GatewayStaffAnswer), person
    assert (person.id, person.agency, person.joined) == ("o1", "c_ps", dt.date(2020, 1, 1))
    assert person.position == models.GatewayStaffAnswerPosition.OFFICER
    foreign = get_staff.sync_detailed(person="o1", client=client_pkg.AuthenticatedClient(base_url=gw,
                                                                                          token=TOKENS["other"]))
    assert foreign.status_code == 404

    body = models.TrainingRecordResultBody(course_id="drill", date=dt.date(2026, 3, 2),
                                           result=models.TrainingRecordResultBodyResult.PASS)
    answer = record_result.sync(person_id="o1", client=client, body=body, idempotency_key="r-o1-drill")
    assert isinstance(answer, models.GatewayRecordResultAnswer), answer
    assert (answer.result.person_id, answer.result.date, answer.result.result) == ("o1", dt.date(2026, 3, 2), "pass")
    again = record_result.sync(person_id="o1", client=client, body=body, idempotency_key="r-o1-drill")
    assert again.to_dict() == answer.to_dict()                              # the retry: the first answer
    refused = record_result.sync(person_id="m1", client=client, body=body)  # not the county's person
    assert isinstance(refused, models.GatewayError) and refused.field == "actor", refused
