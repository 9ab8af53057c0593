"""Hostile requests against the gateway (issue 19): every malformed request is a 4xx JSON error
naming the field or the body, never a 5xx; chunked bodies are read; bodies are bounded."""
import http.client
import json
import logging
from urllib.parse import urlsplit

import pytest
import requests

from tests.service.gateway.conftest import TOKENS, auth
from tests.service.gateway.target import GwTarget, TestGateway

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def gw(start_gateway):
    return start_gateway([TestGateway, GwTarget], GATEWAY_RPC_TIMEOUT=2, GATEWAY_MAX_BODY=1_000_000)[0]


def post(gw, path, data, headers=None):
    return requests.post(f"{gw}{path}", data=data, timeout=30,
                         headers={**auth("city"), "Content-Type": "application/json", **(headers or {})})


def _raw(gw, method, path, body=b"", headers=()):
    """A request as sent on the wire (requests would refuse or re-encode some of these)."""
    parts = urlsplit(gw)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.putheader("Authorization", f"Bearer {TOKENS['city']}")
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        if body:
            conn.send(body)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


BAD_BODIES = [
    (b'{"agency": "c\\u0000ps"}', "agency"),
    (b'{"agency": "c_ps", "members": [{"id": "a\\u0007", "agency": "c_ps"}]}', "members[0].id"),
    (b'{"agency": "\\ud800"}', "agency"),
    (b'{"agency": "c_ps", "members": [{"id": "\\udfff", "agency": "c_ps"}]}', "members[0].id"),
    (b'{"agency\\u0000": "c_ps"}', "agency\\x00"),
    (b'{"agency": "c_ps\\r\\nX-Injected: 1"}', "agency"),
    (b'{"agency": "\xed\xa0\x80"}', "_body"),          # a surrogate encoded as (invalid) UTF-8
    (b'{"agency": "c_ps"}\x00', "_body"),
    (b"[" * 10_000 + b"]" * 10_000, "_body"),
    (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "_body"),
    (b"[" * 100 + b"]" * 100, "_body"),
    (b"\xef\xbb\xbf{}", "_body"),
]


@pytest.mark.parametrize("body, field", BAD_BODIES)
def test_hostile_bodies_are_400_naming_the_field(gw, body, field, caplog):
    with caplog.at_level(logging.WARNING):
        r = post(gw, "/echo", body)
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == "validation_failed" and r.json()["field"] == field, r.json()
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("path, field", [
    ("/things/t%00county", "thing_id"),
    ("/things/t%0D%0Acounty", "thing_id"),
    ("/things/t%0Acounty/workbook", "thing_id"),
    ("/things/%ED%A0%80", "thing_id"),
    ("/things/" + "x" * 300, "thing_id"),
    ("/things/a%20b", "thing_id"),
    ("/things/t-county/listing?count=%00", "count"),
    ("/things/t-county/listing?cou%00nt=1", "_query"),
])
def test_hostile_ids_in_the_path_or_query_are_400(gw, path, field, caplog):
    with caplog.at_level(logging.WARNING):
        status, body = _raw(gw, "GET", path)
    assert status == 400, body
    assert json.loads(body)["field"] == field
    assert "Traceback" not in caplog.text


def test_chinese_ids_pass_the_vocabulary(gw):
    r = post(gw, "/echo", json.dumps({"agency": "津市市公安局"}).encode())
    assert r.status_code == 200 and r.json()["payload"] == {"agency": "津市市公安局"}
    status, body = _raw(gw, "GET", "/things/%E6%B4%A5%E5%B8%82")     # 津市: well-formed, merely missing
    assert status == 404 and json.loads(body)["field"] == "thing_id"


def test_a_chunked_body_is_read_and_bounded(gw):
    def chunks(total):
        piece = b" " * 1000
        yield b'{"agency": "c_ps", "members": []'
        for _ in range(total // 1000):
            yield piece
        yield b"}"

    r = requests.post(f"{gw}/echo", data=chunks(50_000), timeout=30,
                      headers={**auth("city"), "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["payload"] == {"agency": "c_ps", "members": []}
    r = requests.post(f"{gw}/echo", data=chunks(1_200_000), timeout=30,
                      headers={**auth("city"), "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json() == {"error": "too_large", "message": "body over 1000000 bytes",
                                                 "field": "_body"}


def test_a_body_over_the_limit_is_413_before_it_is_read(gw):
    r = post(gw, "/echo", b" " * 1_500_000)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    status, body = _raw(gw, "POST", "/echo", b"", [("Content-Length", str(10**9)),
                                                  ("Content-Type", "application/json")])
    assert status == 413 and json.loads(body)["field"] == "_body"


def test_a_failing_scope_lookup_is_reported_as_such(gw):
    r = requests.get(f"{gw}/things/t-broken", headers=auth("county"), timeout=10)
    assert r.status_code == 502
    assert r.json()["error"] == "scope_lookup_failed" and r.json()["field"] == "thing_id"
    assert "gw_target.get_thing" in r.json()["message"] and "ValueError" in r.json()["message"]


def test_a_bad_idempotency_key_is_400(gw):
    status, body = _raw(gw, "POST", "/rows", b'{"name": "x"}', [("Idempotency-Key", "k\x01"),
                                                               ("Content-Type", "application/json"),
                                                               ("Content-Length", "13")])
    assert status == 400 and json.loads(body)["field"] == "Idempotency-Key"
