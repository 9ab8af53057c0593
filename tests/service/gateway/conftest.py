"""Fixtures of the gateway's service tests: a token file, a free port, a started gateway; for the
console's pages (and the browser tests, tests/browser/conftest.py): one password for the sign-in
accounts, the gateway started on the small city with its accounts (``console_gateway``), a person's
signed-in HTTP session (``signed_in``) or bearer token (``person_bearer``), an evaluation or None, a
page's hidden form fields."""
import os
import re
import socket

import pytest
import requests
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


PASSWORD = "correct horse battery"            # every test sign-in account's
CONSOLE_SECRET = "test-secret-of-the-console-pages"


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


#: a file the checker appends ``METHOD /path`` of every operation it checked to (none: nothing written)
SEEN_ENV = "LIANBAO_ANSWERS_SEEN"


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
    seen = os.environ.get(SEEN_ENV)
    if seen:     # the operations answered 2xx JSON (checked): tests/service/gateway/answers_seen.py
        with open(seen, "a", encoding="utf-8") as out:
            out.writelines(f"{method} {template}\n" for method, template in sorted(checker.checked))
    assert not checker.problems, "answers not as documented:\n" + "\n".join(map(str, checker.problems[:40]))


def sign_in_kit(suite):
    """The gateway's sign-in (its account store, its clock) in a running suite."""
    from services.gateway.signin import SignInKit

    return next(dep for container in suite.runner.containers for dep in container.dependencies
                if isinstance(dep, SignInKit))


@pytest.fixture
def small_city(start_gateway):
    """``(gateway URL, suite)``: the services and the gateway on the small city of
    :mod:`tests.service.gateway.city` (its units and staff in the roster, its people in training)."""
    from tests.service.gateway import city

    gw, suite = start_gateway(city.classes())
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
        rpc.training.upsert_people({"people": city.PEOPLE})
    return gw, suite


@pytest.fixture
def console_gateway(start_gateway):
    """``console_gateway({login: person, ...}, **config)`` -> ``(base URL, suite)``: the services and
    the gateway on the small city (:mod:`tests.service.gateway.public_city`, no campaign), a sign-in
    account of each person (password :data:`PASSWORD`)."""
    from tests.service.gateway import city, public_city

    def start(accounts, **config):
        url, suite = start_gateway(city.classes(), GATEWAY_PUBLIC_SECRET=CONSOLE_SECRET, **config)
        public_city.load(suite, campaign=False)
        kit = sign_in_kit(suite)
        for login, person in accounts.items():
            kit.store.add(login, person, PASSWORD)
        return url, suite
    return start


def signed_in(url, login):
    """``(requests session, CSRF token)`` of ``login`` signed in at the gateway (the sign-in form's way)."""
    s = requests.Session()
    page = s.get(f"{url}/auth/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = s.post(f"{url}/auth/login", data={"login": login, "password": PASSWORD, "csrf": csrf},
               headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    return s, r.json()["csrf"]


def person_bearer(gw, suite, person):
    """A signed-in person's 15-minute bearer token (sign in with a password, then POST /auth/token),
    as request headers."""
    sign_in_kit(suite).store.add(f"login-{person}", person, PASSWORD)
    session, csrf = signed_in(gw, f"login-{person}")
    r = session.post(f"{gw}/auth/token", headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def read_or_none(suite, service, method, payload, missing):
    """``service.method(payload)`` over the suite's RPC, or None when the service answers that the
    thing is missing (its message holds ``missing``: NotFound travels as a LianbaoError)."""
    with suite.rpc() as rpc:
        try:
            return getattr(getattr(rpc, service), method)(payload)
        except Exception as err:
            if missing in str(err):
                return None
            raise


def evaluation_of(suite, subject, month):
    """Scoring's evaluation of ``subject`` for ``month``, or None when there is none."""
    return read_or_none(suite, "scoring", "evaluation", {"subject": subject, "month": month}, "no evaluation")


def form_fields(page: str) -> dict:
    """A page's hidden CSRF field, as a form sends it back."""
    return dict(re.findall(r'<input type="hidden" name="(csrf)" value="([^"]*)"', page))
