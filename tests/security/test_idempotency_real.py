"""Idempotency keys and survey batch ids bound to their caller, operation and request, on the real
broker and PostgreSQL (issue 18 items 6 and 8).

The attacks of the issue: the same ``Idempotency-Key`` sent for another campaign was answered with the
first campaign's result and its 70 forms silently dropped; a system reusing another's ``batch_id``
had its 40 forms dropped.  Here the first is refused loudly (``Conflict`` naming ``idempotency_key``,
HTTP 409 through the gateway), nothing of it is written, and the same forms sent under a new key are
all taken; the second is two batches, both counted.  The control: a true retry (same caller, key and
request) has one effect and gets the first answer."""
from dataclasses import replace

import pytest
import requests

from services.gateway.app import make_gateway
from services.gateway.routes import ROUTES
from shared.errors import Conflict
from shared.runner import Suite, service_class
from tests.service.gateway import city
from tests.service.gateway.conftest import auth, free_port, write_tokens

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]

COUNTY = dict(as_system="county", units={"cnty", "c_ps"})


def forms(prefix, n):
    return [city.form(f"{prefix}-{i}", subject="c_ps" if i % 2 else "o1") for i in range(n)]


@pytest.fixture
def stack(private_config, tmp_path):
    port = free_port()
    private_config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{port}"
    private_config["GATEWAY_TOKENS"] = str(write_tokens(tmp_path / "tokens.yml"))
    gateway = make_gateway([replace(r) for r in ROUTES if r.service == "survey"])
    suite = Suite(private_config, classes=[gateway, service_class("survey")]).start()
    try:
        with suite.rpc(as_operator="ops") as rpc:
            for cid in ("c-a", "c-b", "c-c"):
                rpc.survey.create_campaign({"campaign_id": cid, "period": "2026H1", "owner": "cnty",
                                            "subjects": city.SUBJECTS})
        yield suite, f"http://127.0.0.1:{port}"
    finally:
        suite.stop()


def received(suite, cid):
    with suite.rpc(as_operator="ops") as rpc:
        return rpc.survey.get_campaign({"campaign_id": cid})["forms_received"]


def test_the_same_key_for_another_campaign_is_refused_and_no_form_is_lost(stack):
    suite, _ = stack
    with suite.rpc(context_data={"idempotency_key": "office-7"}, **COUNTY) as rpc:
        first = rpc.survey.submit_batch({"campaign_id": "c-a", "batch_id": "a-1", "forms": forms("a", 70)})
        assert first["accepted"] == 70
        # the attack: the same key, another campaign, 70 other forms: refused loudly, nothing runs
        with pytest.raises(Conflict) as reused:
            rpc.survey.submit_batch({"campaign_id": "c-b", "batch_id": "b-1", "forms": forms("b", 70)})
        assert reused.value.field == "idempotency_key" and "office-7" in reused.value.message
    assert (received(suite, "c-a"), received(suite, "c-b")) == (70, 0)
    # the caller sends its 70 forms again under a new key: all taken, none lost
    with suite.rpc(context_data={"idempotency_key": "office-8"}, **COUNTY) as rpc:
        second = rpc.survey.submit_batch({"campaign_id": "c-b", "batch_id": "b-1", "forms": forms("b", 70)})
    assert second["accepted"] == 70 and not second.get("replayed")
    assert (received(suite, "c-a"), received(suite, "c-b")) == (70, 70)


def test_two_callers_one_batch_id_are_two_batches_both_counted(stack):
    suite, _ = stack
    outs = {}
    for system in ("county", "county-2"):
        with suite.rpc(as_system=system, units={"cnty", "c_ps"}) as rpc:
            outs[system] = rpc.survey.submit_batch({"campaign_id": "c-c", "batch_id": "2026-07",
                                                    "forms": forms(system, 40)})
    assert [(o["accepted"], o.get("replayed")) for o in outs.values()] == [(40, None), (40, None)]
    assert received(suite, "c-c") == 80
    # the first caller re-sending its batch id with other forms: refused by name, nothing written
    with suite.rpc(**COUNTY) as rpc:
        with pytest.raises(Conflict) as reused:
            rpc.survey.submit_batch({"campaign_id": "c-c", "batch_id": "2026-07", "forms": forms("late", 40)})
        assert reused.value.field == "batch_id"
        # its true retry: the first answer
        again = rpc.survey.submit_batch({"campaign_id": "c-c", "batch_id": "2026-07",
                                         "forms": forms("county", 40)})
    assert again["replayed"] is True and again["accepted"] == 40
    assert received(suite, "c-c") == 80


def test_a_true_retry_has_one_effect_and_the_first_answer(stack):
    suite, _ = stack
    payload = {"campaign_id": "c-a", "batch_id": "r-1", "forms": forms("r", 70)}
    with suite.rpc(context_data={"idempotency_key": "retry-1"}, **COUNTY) as rpc:
        first = rpc.survey.submit_batch(payload)
        second = rpc.survey.submit_batch(payload)
    assert first == second and first["accepted"] == 70
    assert received(suite, "c-a") == 70


def test_through_the_gateway_the_reused_key_is_a_409_naming_it(stack):
    suite, url = stack
    headers = {**auth("county"), "Idempotency-Key": "office-2026-07"}
    first = requests.post(f"{url}/survey/campaigns/c-a/batches", headers=headers, timeout=30,
                          json={"batch_id": "g-1", "forms": forms("ga", 70)})
    assert first.status_code == 200 and first.json()["accepted"] == 70, first.text
    reused = requests.post(f"{url}/survey/campaigns/c-b/batches", headers=headers, timeout=30,
                           json={"batch_id": "g-1", "forms": forms("gb", 70)})
    assert reused.status_code == 409, reused.text
    assert reused.headers["Content-Type"].startswith("application/json")
    assert (reused.json()["error"], reused.json()["field"]) == ("conflict", "idempotency_key")
    retry = requests.post(f"{url}/survey/campaigns/c-a/batches", headers=headers, timeout=30,
                          json={"batch_id": "g-1", "forms": forms("ga", 70)})
    assert retry.status_code == 200 and retry.json() == first.json()
    assert (received(suite, "c-a"), received(suite, "c-b")) == (70, 0)
    # another calling system with the same key and batch id: its own batch
    other = requests.post(f"{url}/survey/campaigns/c-b/batches", timeout=30,
                          headers={**auth("city"), "Idempotency-Key": "office-2026-07"},
                          json={"batch_id": "g-1", "forms": forms("gb", 70)})
    assert other.status_code == 200 and other.json()["accepted"] == 70, other.text
    assert (received(suite, "c-a"), received(suite, "c-b")) == (70, 70)
