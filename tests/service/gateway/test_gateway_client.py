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
    city.load(suite, campaign=False)
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
    answer = record_result.sync(person="o1", client=client, body=body, idempotency_key="r-o1-drill")
    assert isinstance(answer, models.GatewayRecordResultAnswer), answer
    assert (answer.result.person, answer.result.date, answer.result.result) == ("o1", dt.date(2026, 3, 2), "pass")
    assert answer.result.person_id == "o1"          # deprecated, answered until 0.2.0
    again = record_result.sync(person="o1", client=client, body=body, idempotency_key="r-o1-drill")
    assert again.to_dict() == answer.to_dict()                              # the retry: the first answer
    refused = record_result.sync(person="m1", client=client, body=body)  # not the county's person
    assert isinstance(refused, models.GatewayError) and refused.field == "actor", refused


def test_a_generated_client_reads_list_routes_page_by_page_and_other_answers_as_models(start_gateway, tmp_path,
                                                                                         monkeypatch):
    """A wider sample: list routes (units walked with ``limit`` and ``next``, a unit's members, a
    person's spells, the courses, a campaign's subjects), a shape read from the route table (the
    chain's check), a contract's answer, a free-form answer (a campaign) and a list's bad cursor."""
    gw, suite = start_gateway(city.classes())
    city.load(suite)
    api, models, client = _generated(gw, tmp_path, monkeypatch, TOKENS["city"])

    units, cursor = [], None
    while True:
        page = api("roster", "roster_get_units").sync(client=client, limit=2, **({"cursor": cursor} if cursor else {}))
        assert isinstance(page, models.GatewayUnitsAnswerPage), page
        assert len(page.units) <= 2
        units += page.units
        if not page.next_:
            break
        cursor = page.next_
    assert sorted(u.id for u in units) == sorted(u["id"] for u in city.UNITS)
    assert {u.id: u.kind for u in units}["c_ps"] == "agency"

    members = api("roster", "roster_members_of").sync(unit="c_ps_s1", client=client, date=dt.date(2026, 1, 1))
    assert sorted(m.id for m in members.members) == ["c", "o1"] and members.next_ is None
    spells = api("roster", "roster_spells_of").sync(person="o1", client=client)
    assert spells.person == "o1" and spells.spells == []
    courses = api("training", "training_list_courses").sync(client=client)
    assert [(c.id, c.kind) for c in courses.courses] == [("drill", "skills")]      # a model (training.CourseOut)
    subjects = api("survey", "survey_campaign_subjects").sync(campaign_id="c1", client=client)
    assert [s.id for s in subjects.subjects] == ["c_ps"] and subjects.next_ is None
    chain = api("rewards", "rewards_verify_chain").sync(client=client)
    assert chain.ok is True and chain.lines == 0
    campaign = api("survey", "survey_get_campaign").sync(campaign_id="c1", client=client)
    assert campaign.to_dict()["campaign_id"] == "c1" and campaign.to_dict()["owner"] == "cnty"
    refused = api("roster", "roster_get_units").sync(client=client, cursor="nonsense")
    assert isinstance(refused, models.GatewayError) and refused.field == "cursor"


def _generated(gw, tmp_path, monkeypatch, token):
    (tmp_path / "openapi.json").write_bytes(requests.get(f"{gw}/openapi.json", timeout=30).content)
    bin_dir = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{bin_dir}:{__import__('os').environ.get('PATH', '')}")
    out = subprocess.run([str(bin_dir / "openapi-python-client"), "generate", "--path", str(tmp_path / "openapi.json"),
                          "--output-path", str(tmp_path / "lianbao_gateway_client2"), "--meta", "none"],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    monkeypatch.syspath_prepend(str(tmp_path))
    client_pkg = importlib.import_module("lianbao_gateway_client2")
    models = importlib.import_module("lianbao_gateway_client2.models")

    def api(tag, operation):
        return importlib.import_module(f"lianbao_gateway_client2.api.{tag}.{operation}")

    return api, models, client_pkg.AuthenticatedClient(base_url=gw, token=token)
