"""The gateway's mechanism on a small target service: tokens, scopes, field errors, errors passed
through, idempotency keys, timeouts and streamed exports."""
import hashlib
import json

import pytest
import requests

from services.gateway.tokens import TokenBook
from shared.errors import ValidationFailed
from tests.service.gateway.conftest import TOKENS, auth
from tests.service.gateway.target import GwTarget, TestGateway

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def gw(start_gateway):
    return start_gateway([TestGateway, GwTarget], GATEWAY_RPC_TIMEOUT=1)[0]


def test_missing_unknown_or_malformed_token_is_401(gw):
    for headers in ({}, {"Authorization": "Bearer nope-nope-nope-nope"},
                    {"Authorization": f"Basic {TOKENS['city']}"}, {"Authorization": "Bearer "}):
        r = requests.get(f"{gw}/health", headers=headers, timeout=10)
        assert r.status_code == 401, headers
        assert r.json()["error"] == "unauthorized"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(f"{gw}/health", headers=auth("county"), timeout=10).status_code == 200


def test_the_caller_actor_is_sent_and_the_idempotency_key_is_namespaced_by_system(gw):
    r = requests.post(f"{gw}/echo", json={"agency": "c_ps"}, timeout=10,
                      headers={**auth("county"), "Idempotency-Key": "k-1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"payload": {"agency": "c_ps"}, "actor": "county-office",
                        "idempotency_key": "county:k-1"}
    r = requests.post(f"{gw}/echo", json={"agency": "c_ps"}, headers=auth("county"), timeout=10)
    assert r.json()["idempotency_key"] is None


def test_a_unit_outside_the_token_list_is_403_naming_where(gw):
    body = {"agency": "c_ps", "members": [{"id": "p1", "agency": "c_ps"}, {"id": "p2", "agency": "m_ps"}]}
    r = requests.post(f"{gw}/echo", json=body, headers=auth("county"), timeout=10)
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden" and r.json()["field"] == "members[].agency"
    assert requests.post(f"{gw}/echo", json=body, headers=auth("city"), timeout=10).status_code == 200
    r = requests.post(f"{gw}/echo", json={"agency": "m_ps"}, headers=auth("county"), timeout=10)
    assert r.status_code == 403 and r.json()["field"] == "agency"


def test_scope_looked_up_from_a_service(gw):
    assert requests.get(f"{gw}/things/t-county", headers=auth("county"), timeout=10).status_code == 200
    # outside the token's units: exactly the answer of a missing thing
    missing = requests.get(f"{gw}/things/none-such", headers=auth("county"), timeout=10)
    assert missing.status_code == 404 and missing.json() == {"error": "not_found", "message": "thing_id not found",
                                                             "field": "thing_id"}
    foreign = requests.get(f"{gw}/things/t-city", headers=auth("county"), timeout=10)
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert requests.get(f"{gw}/things/t-city", headers=auth("other"), timeout=10).json()["owner"] == "m_ps"
    # no owner: only a "*" token sees it
    assert requests.get(f"{gw}/things/t-orphan", headers=auth("county"), timeout=10).content == missing.content
    assert requests.get(f"{gw}/things/t-orphan", headers=auth("city"), timeout=10).status_code == 200
    # a "*" token skips the lookup: the service's own NotFound, told the same way
    assert requests.get(f"{gw}/things/none-such", headers=auth("city"), timeout=10).content == missing.content


@pytest.mark.parametrize("body, field", [
    (b"{not json", "_body"),
    (b'{"agency": "c_ps", "agency": "c_ps"}', "_body"),
    (b'{"agency": NaN}', "_body"),
    (b"\xff\xfe", "_body"),
    (b'{"agency": "c_ps", "extra": 1}', "extra"),
    (b'{"agency": 7}', "agency"),
    (b'{"agency": "c_ps", "size": 1.5}', "size"),
    (b'{"agency": "c_ps", "members": [{"id": "a", "agency": "c_ps"}, {"id": 3, "agency": "c_ps"}]}',
     "members[1].id"),
    (b"[1, 2]", "_schema"),
    (b"", "_body"),
])
def test_bad_input_is_400_naming_the_field(gw, body, field):
    r = requests.post(f"{gw}/echo", data=body, headers={**auth("city"), "Content-Type": "application/json"},
                      timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "validation_failed"
    assert r.json()["field"] == field


def test_unknown_query_parameters_and_bad_idempotency_keys_are_400(gw):
    r = requests.get(f"{gw}/rows", params={"page": "2"}, headers=auth("city"), timeout=10)
    assert r.status_code == 400 and r.json()["field"] == "page"
    r = requests.post(f"{gw}/rows", json={"name": "x"}, headers={**auth("city"), "Idempotency-Key": "k" * 201},
                      timeout=10)
    assert r.status_code == 400 and r.json()["field"] == "Idempotency-Key"


def test_a_retry_with_the_same_idempotency_key_has_one_effect_and_the_named_error_passes_through(gw):
    headers = {**auth("city"), "Idempotency-Key": "batch-9"}
    first = requests.post(f"{gw}/rows", json={"name": "a"}, headers=headers, timeout=10)
    again = requests.post(f"{gw}/rows", json={"name": "a"}, headers=headers, timeout=10)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"name": "a", "rows": 1}
    # the same key from another system is another key: the second insert really runs
    other = requests.post(f"{gw}/rows", json={"name": "a"}, headers={**auth("other"), "Idempotency-Key": "batch-9"},
                          timeout=10)
    assert other.status_code == 409
    assert other.json() == {"error": "conflict", "message": "row exists", "field": "name"}
    assert requests.get(f"{gw}/rows", headers=auth("city"), timeout=10).json() == {"rows": 1}


def test_upstream_failure_is_502_and_a_slow_service_504(gw):
    r = requests.post(f"{gw}/boom", json={"name": "x"}, headers=auth("city"), timeout=10)
    assert r.status_code == 502 and r.json()["error"] == "upstream_error"
    assert "ValueError" in r.json()["message"]
    r = requests.post(f"{gw}/slow", json={"name": "x"}, headers=auth("city"), timeout=10)
    assert r.status_code == 504 and r.json()["error"] == "upstream_timeout"


def test_ndjson_export_is_streamed_line_by_line(gw):
    with requests.get(f"{gw}/things/t-county/listing", params={"count": "30000"}, headers=auth("county"),
                      stream=True, timeout=30) as r:
        assert r.status_code == 200
        assert r.headers["Content-Type"].startswith("application/x-ndjson")
        assert r.headers.get("Transfer-Encoding") == "chunked"
        assert r.headers["X-Items"] == "30000"
        chunks = list(r.iter_content(chunk_size=None))
    assert len(chunks) > 10
    lines = b"".join(chunks).decode("utf-8").splitlines()
    assert len(lines) == 30000
    assert json.loads(lines[0]) == {"n": 0, "名称": "人员0"}
    assert json.loads(lines[-1])["n"] == 29999
    r = requests.get(f"{gw}/things/t-county/listing", params={"count": "x"}, headers=auth("county"), timeout=10)
    assert r.status_code == 400 and r.json()["field"] == "count"
    r = requests.get(f"{gw}/things/t-city/listing", params={"count": "3"}, headers=auth("county"), timeout=10)
    assert r.status_code == 404


def test_xlsx_export_streams_the_decoded_bytes_with_a_filename(gw):
    r = requests.get(f"{gw}/things/t-city/workbook", headers=auth("other"), timeout=30)
    assert r.status_code == 200
    assert r.content == bytes(range(256)) * 1000
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=UTF-8''%E6%BB%A1%E6%84%8F%E5%BA%A6.xlsx" in r.headers["Content-Disposition"]


def test_unknown_route_is_404_and_the_document_needs_no_token(gw):
    assert requests.get(f"{gw}/nowhere", headers=auth("city"), timeout=10).status_code == 404
    doc = requests.get(f"{gw}/openapi.json", timeout=10).json()
    assert doc["info"]["title"] == "test gateway"
    assert set(doc["paths"]) >= {"/echo", "/things/{thing_id}/listing", "/openapi.json"}


def test_token_book_checks_its_file(tmp_path):
    good = tmp_path / "good.yml"
    digest = hashlib.sha256(b"s3cret-token-of-16+").hexdigest()
    good.write_text(f"systems:\n  - {{system: a, actor: a-sys, token_sha256: {digest}, agencies: [x]}}\n")
    book = TokenBook.from_file(good)
    caller = book.caller("Bearer s3cret-token-of-16+")
    assert caller.actor == "a-sys" and caller.may_see("x") and not caller.may_see("y")
    assert book.caller("bearer s3cret-token-of-16+") == caller
    assert book.caller("Bearer other") is None and book.caller(None) is None
    bad = tmp_path / "bad.yml"
    bad.write_text("systems:\n  - {system: a, actor: a, token: short, agencies: []}\n")
    with pytest.raises(ValidationFailed) as caught:
        TokenBook.from_file(bad)
    assert caught.value.field.startswith("bad.yml.systems[0].")
    both = tmp_path / "both.yml"
    both.write_text(f"systems:\n  - {{system: a, actor: a, token: 0123456789abcdefg, token_sha256: {digest}, "
                    f"agencies: '*'}}\n")
    with pytest.raises(ValidationFailed):
        TokenBook.from_file(both)
    assert len(TokenBook.from_config({})) == 0


def test_the_example_token_file_of_infra_is_valid():
    from pathlib import Path

    book = TokenBook.from_file(Path(__file__).parents[3] / "infra" / "gateway-tokens.example.yml")
    assert len(book) == 3
