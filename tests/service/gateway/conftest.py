"""Fixtures of the gateway's service tests: a token file, a free port, a started gateway."""
import socket

import pytest
import yaml

TOKENS = {
    "city": "city-token-0123456789abcdef",
    "county": "county-token-0123456789abcdef",
    "other": "other-token-0123456789abcdef",
    "office": "office-token-0123456789abcdef",   # a bureau's office system acting for its persons
}


def write_tokens(path):
    import hashlib

    systems = [
        {"system": "city", "actor": "city-platform", "token": TOKENS["city"], "agencies": "*"},
        {"system": "county", "actor": "county-office",
         "token_sha256": hashlib.sha256(TOKENS["county"].encode()).hexdigest(), "agencies": ["cnty", "c_ps"]},
        {"system": "other", "actor": "other-office", "token": TOKENS["other"], "agencies": ["m_ps"]},
        {"system": "ps-office", "actor": "ps-office", "token": TOKENS["office"], "agencies": "*", "kind": "persons"},
    ]
    path.write_text(yaml.safe_dump({"systems": systems}, allow_unicode=True))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def auth(system):
    return {"Authorization": f"Bearer {TOKENS[system]}"}


@pytest.fixture
def tokens_file(tmp_path):
    return write_tokens(tmp_path / "tokens.yml")


@pytest.fixture
def start_gateway(embedded_suite, tokens_file, answers_as_documented):
    """``start_gateway(classes, **config)`` -> ``(base URL, suite)`` of a gateway started with the services."""
    def start(classes, **extra):
        port = free_port()
        extra.setdefault("GATEWAY_TOKENS", str(tokens_file))
        suite = embedded_suite(classes=classes, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", **extra)
        answers_as_documented.bases.append(f"http://127.0.0.1:{port}")
        return f"http://127.0.0.1:{port}", suite
    return start


# -- every answer of a gateway test checked against the document (issue 21 item 3) -------------------
class AnswerChecker:
    """Whatever a test receives from a started gateway with a 2xx JSON body is validated against the
    schema of that operation's answer in the gateway's own ``/openapi.json`` (GET and POST alike);
    ``problems`` lists each mismatch with the operation and the JSON path."""

    def __init__(self, fetch):
        self.fetch, self.bases, self.docs, self.checked, self.problems = fetch, [], {}, set(), []

    def _operation(self, base, method, path):
        import re

        doc = self.docs.get(base)
        if doc is None:
            doc = self.docs[base] = self.fetch(base + "/openapi.json").json()
        for template, operations in sorted(doc["paths"].items(), key=lambda kv: kv[0].count("{")):
            pattern = "^" + "[^/]+".join(map(re.escape, re.split(r"\{[^}]+\}", template))) + "$"
            if re.match(pattern, path) and method.lower() in operations:
                return doc, template, operations[method.lower()]
        return doc, None, None

    def check(self, method, url, response):
        from urllib.parse import unquote, urlsplit

        base = next((b for b in self.bases if url.startswith(b + "/")), None)
        if base is None or not 200 <= response.status_code < 300:
            return
        if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return
        path = unquote(urlsplit(url).path)
        if path.startswith(("/openapi.json", "/console", "/public", "/auth")):
            return
        doc, template, op = self._operation(base, method, path)
        if op is None:
            return
        answer = op["responses"].get(str(response.status_code)) or op["responses"].get("200")
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            self.problems.append((method, template, "answered JSON, documented as no JSON"))
            return
        from openapi_schema_validator import OAS30Validator
        from referencing import Registry, Resource

        registry = Registry().with_resource("urn:doc", Resource.opaque(doc))
        validator = OAS30Validator({"$ref": "urn:doc#" + schema["$ref"][1:]} if "$ref" in schema
                                   else {**schema, "components": doc["components"]}, registry=registry,
                                   format_checker=OAS30Validator.FORMAT_CHECKER)     # dates are dates
        self.checked.add((method.upper(), template))
        for error in sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))[:5]:
            self.problems.append((method.upper(), template, list(error.path), error.message[:300]))


@pytest.fixture(autouse=True)
def answers_as_documented(monkeypatch):
    """Every 2xx JSON answer a gateway test receives is checked against ``/openapi.json``: a test
    that reads an answer its schema does not describe fails (the route's schema, or the service, is
    wrong)."""
    import functools

    import requests

    original = requests.Session.request
    checker = AnswerChecker(lambda url: original(requests.Session(), "GET", url, timeout=30))

    @functools.wraps(original)
    def request(self, method, url, *args, **kwargs):
        response = original(self, method, url, *args, **kwargs)
        checker.check(method, url, response)
        return response

    monkeypatch.setattr(requests.Session, "request", request)
    yield checker
    assert not checker.problems, "answers not as documented:\n" + "\n".join(map(str, checker.problems[:40]))
