"""People sign in to the gateway (issue 21 item 2): a login and password of the gateway's own
accounts (:mod:`services.gateway.accounts`), or the city's identity provider over OpenID Connect
(:mod:`services.gateway.oidc`).

Routes:

* ``GET /auth/login`` — the sign-in form (sets a CSRF cookie the form echoes);
* ``POST /auth/login`` — form fields ``login``, ``password``, ``csrf``, ``next`` (a local path):
  a good pair opens a session (cookie ``lianbao_session``: a random value of which only the sha256
  is stored; HttpOnly, SameSite=Lax, Secure when ``GATEWAY_SECURE_COOKIES``; 30 min idle, 8 h at
  most) and redirects (303) to ``next``;  5 failures of a login or 20 of a client address within
  15 minutes refuse further tries for a while (429) without looking at the password;
* ``POST /auth/logout`` — ends the session (CSRF checked: form field ``csrf`` or header
  ``X-CSRF-Token``);
* ``POST /auth/token`` — a signed-in person (session + CSRF) gets a bearer token ``lbp_…`` valid
  15 minutes, for a program acting as them;
* ``GET /auth/me`` — who am I: the person, how signed in, until when, the session's CSRF token;
* ``GET /auth/oidc/start?next=`` and ``GET /auth/oidc/callback`` — the authorization-code flow with
  PKCE (S256), a state bound to the browser by a cookie and a nonce checked in the ID token.

On the JSON routes a person is a caller of kind ``person`` (:class:`shared.identity.Actor`, sub = the
person id) — by the session cookie (and then, for anything but GET, the ``X-CSRF-Token`` header),
an ``lbp_`` bearer token or an OIDC bearer JWT.  The gateway only authenticates: what a person may
do is the policy's (the trust issue): a person has no units at the gateway, so its own scope check
lets a person through the routes open to any caller, the policy's, and those whose unit a service
looks up (asked as the person, the service's policy decides: a campaign outside the person's units
is the missing one's 404); routes naming units in the request stay refused.

Page code uses :func:`person_of`, :func:`csrf_token` and :func:`check_csrf`.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs

from nameko.extensions import DependencyProvider
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from shared.config import database_url
from shared.identity import Actor

from services.gateway.accounts import AccountStore, Hasher, Locked, SignedIn
from services.gateway.oidc import Oidc, OidcProblem, pkce_pair
from services.gateway.problems import GatewayProblem

log = logging.getLogger(__name__)

SESSION_COOKIE = "lianbao_session"
LOGIN_CSRF_COOKIE = "lianbao_login_csrf"
OIDC_COOKIE = "lianbao_oidc"
CSRF_HEADER = "X-CSRF-Token"
MAX_FORM = 8 * 1024
OIDC_FLOW_TTL = 600          # seconds a started OIDC sign-in may take
OIDC_FLOWS_MOST = 10_000     # OIDC sign-ins under way at once (kept in the gateway's database)
DEFAULT_NEXT = "/auth/me"


@dataclass(frozen=True)
class Person:
    """A signed-in person as the gateway sees them."""
    actor: Actor                 # kind "person", sub = the roster person id
    via: str                     # session | bearer | oidc
    ends: float | None           # epoch seconds
    session: SignedIn | None = None   # the browser session (cookie), for CSRF

    @property
    def person(self) -> str:
        return self.actor.sub


def clock_from(day: str, started: float | None = None):
    """A clock that reads ``day`` (at the time of day it is now) and runs on from there: the
    console's today over the demo's year (config ``CONSOLE_AS_OF``, set by ``lianbao console --demo``)."""
    import time
    from datetime import date, datetime

    started = time.time() if started is None else started
    now = datetime.fromtimestamp(started)
    offset = datetime.combine(date.fromisoformat(day), now.time()).timestamp() - started
    return lambda: time.time() + offset


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class SignInKit(DependencyProvider):
    """The account store, the OIDC provider and the cookie settings, set up once per container."""

    def setup(self):
        from shared.db import ensure_database, make_engine

        config = self.container.config
        url = str(config.get("GATEWAY_DB_URL") or "") or database_url("gateway", config)
        ensure_database(url)
        self.engine = make_engine(url)
        self.store = AccountStore(self.engine, Hasher())
        self.secure = _truthy(config.get("GATEWAY_SECURE_COOKIES") or "")
        from services.gateway.public import trusted_networks

        self.proxies = trusted_networks(config.get("GATEWAY_TRUSTED_PROXIES"))
        self.oidc = Oidc.from_config(config, str(config.get("GATEWAY_PUBLIC_URL") or ""))
        from shared.access import auditors_of

        self.auditors = auditors_of(config)       # the console's auditor pages (console_audit)
        if config.get("CONSOLE_AS_OF"):           # lianbao console --demo: the demo year's today
            self.clock = clock_from(str(config["CONSOLE_AS_OF"]))
        from services.gateway.public_pages import _env

        self.env = _env()

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self

    @property
    def clock(self):
        return self.store.clock

    @clock.setter
    def clock(self, fn):    # tests: one injected clock for sessions, lockout and OIDC key refresh
        self.store.clock = fn
        if self.oidc is not None:
            self.oidc.clock = fn


# ------------------------------------------------------------------------------------------------
# helpers for page code


def csrf_token(session: SignedIn) -> str:
    """The CSRF token of a session: derived from the cookie's value (never stored)."""
    return hmac.new(session.raw.encode(), b"lianbao-csrf", hashlib.sha256).hexdigest()[:43]


def person_of(kit: SignInKit, request) -> Person | None:
    """The person of a request (bearer ``lbp_…``, OIDC bearer JWT, or session cookie), or None.
    A presented but bad OIDC token raises :class:`GatewayProblem` (401 naming the claim at fault)."""
    authorization = (request.headers.get("Authorization") or "").strip()
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token:
        if token.startswith("lbp_"):
            found = kit.store.find(token, "bearer")
            if found is None:
                raise GatewayProblem(401, "unauthorized", "the bearer token is unknown or has expired",
                                  "Authorization", headers={"WWW-Authenticate": 'Bearer realm="lianbao"'})
            return Person(Actor(found.person, "person"), "bearer", found.ends)
        if token.count(".") == 2 and kit.oidc is not None:
            try:
                claims = kit.oidc.verify(token)
            except OidcProblem as err:
                raise GatewayProblem(401, "unauthorized", err.message, err.field,
                                  headers={"WWW-Authenticate": 'Bearer realm="lianbao", error="invalid_token"'}) \
                    from None
            return Person(Actor(kit.oidc.person_of(claims), "person"), "oidc", float(claims["exp"]))
        return None
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        found = kit.store.find(raw, "session")
        if found is not None:
            return Person(Actor(found.person, "person"), "session", found.ends, found)
    return None


def check_csrf(request, person: Person, form: dict | None = None) -> None:
    """A request signed in by its cookie must carry the session's CSRF token (header
    ``X-CSRF-Token`` or form field ``csrf``); bearer callers need none."""
    if person.session is None:
        return
    given = request.headers.get(CSRF_HEADER) or (form or {}).get("csrf") or ""
    if not hmac.compare_digest(given.encode("utf-8", "replace"), csrf_token(person.session).encode()):
        raise GatewayProblem(403, "forbidden", "the CSRF token is missing or wrong", "csrf")


def local_next(value: str | None) -> str:
    """``next`` only as a local path (never another site): 400 naming ``next`` otherwise."""
    if value is None or value == "":
        return DEFAULT_NEXT
    if (not value.startswith("/") or value.startswith("//") or value.startswith("/\\") or len(value) > 500
            or any(ord(c) < 33 or ord(c) == 127 or c == "\\" for c in value)):
        raise GatewayProblem(400, "validation_failed", "next must be a local path starting with /", "next")
    return value


def _cookie(kit, response: Response, name: str, value: str, max_age: int | None, path: str = "/") -> None:
    response.set_cookie(name, value, max_age=max_age, path=path, secure=kit.secure, httponly=True,
                        samesite="Lax")


def _json(status: int, body, headers=None) -> Response:
    import json

    return Response(json.dumps(body, ensure_ascii=False), status=status, headers=headers,
                    content_type="application/json; charset=utf-8")


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept") or ""
    return "application/json" in accept and "text/html" not in accept


def _read_form(request) -> dict:
    length = request.content_length
    if length is not None and length > MAX_FORM:
        raise GatewayProblem(413, "too_large", f"body over {MAX_FORM} bytes", "_body")
    ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        raise GatewayProblem(415, "unsupported_media_type",
                          "send the form as application/x-www-form-urlencoded", "Content-Type")
    raw = request.environ["wsgi.input"].read(min(length or 0, MAX_FORM)) if length else b""
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise GatewayProblem(400, "validation_failed", "the form is not valid UTF-8 urlencoded text", "_body") \
            from None
    return {k: v[0] for k, v in parsed.items()}


def _address(request, kit=None) -> str:
    """The client's address for the lockout: the connection's, or the one a trusted proxy
    (``GATEWAY_TRUSTED_PROXIES``) forwards."""
    from services.gateway.public import client_address

    return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"),
                          getattr(kit, "proxies", ()))


def _guard(fn):
    def wrapper(self, request, **kwargs):
        try:
            return fn(self, request, **kwargs)
        except GatewayProblem as err:
            return _json(err.status, err.to_dict(), err.headers)
        except Exception:
            log.error("gateway: %s %s failed in the gateway", request.method, request.path, exc_info=True)
            return _json(500, {"error": "internal_error", "message": "the gateway failed"})

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _page(kit, status: int, *, csrf: str, next_path: str, login: str = "", error: str = "", field: str = "",
          headers=None) -> Response:
    body = kit.env.get_template("auth/login.html").render(csrf=csrf, next=next_path, login=login, error=error,
                                                          field=field, oidc=kit.oidc is not None)
    headers = dict(headers or {})
    headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                                               "form-action 'self'; frame-ancestors 'none'"})
    return Response(body, status=status, headers=headers, content_type="text/html; charset=utf-8")


def _open_session(kit, person: str, login: str | None, via: str, next_path: str, json_answer: bool) -> Response:
    raw, ends = kit.store.open_session(person, login, via)
    if json_answer:
        response = _json(200, {"person": person, "via": via, "next": next_path, "expires_at": int(ends),
                               "csrf": csrf_token(SignedIn(person, "session", via, login, ends, raw))})
    else:
        response = Response("", status=303, headers={"Location": next_path})
    _cookie(kit, response, SESSION_COOKIE, raw, None)   # a browser-session cookie; the server ends it
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/auth")
    response.delete_cookie(OIDC_COOKIE, path="/auth/oidc")
    return response


# ------------------------------------------------------------------------------------------------
# the routes


@_guard
def login_get(self, request):
    """The sign-in form."""
    next_path = local_next(request.args.get("next"))
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = _page(self.signin, 200, csrf=csrf, next_path=next_path)
    _cookie(self.signin, response, LOGIN_CSRF_COOKIE, csrf, 3600, path="/auth")
    return response


@_guard
def login_post(self, request):
    """Sign in with a login and a password."""
    kit = self.signin
    json_answer = _wants_json(request)
    form = _read_form(request)
    cookie_csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    next_raw = form.get("next")

    def refuse(status, field, message, code, headers=None):
        if json_answer:
            raise GatewayProblem(status, code, message, field, headers)
        csrf = cookie_csrf or secrets.token_urlsafe(24)
        shown_next = (next_raw or DEFAULT_NEXT) if field != "next" else DEFAULT_NEXT
        response = _page(kit, status, csrf=csrf, next_path=shown_next,
                         login=form.get("login", "") if field != "login" else "", error=message, field=field,
                         headers=headers)
        _cookie(kit, response, LOGIN_CSRF_COOKIE, csrf, 3600, path="/auth")
        return response

    for name in ("login", "password", "csrf"):
        if not form.get(name):
            return refuse(400, name, f"{name} is required", "validation_failed")
    unknown = sorted(set(form) - {"login", "password", "csrf", "next"})
    if unknown:
        return refuse(400, unknown[0], "Unknown field.", "validation_failed")
    try:
        next_path = local_next(next_raw)
    except GatewayProblem as err:
        return refuse(400, "next", err.message, "validation_failed")
    if not cookie_csrf or not hmac.compare_digest(form["csrf"].encode("utf-8", "replace"), cookie_csrf.encode()):
        return refuse(403, "csrf", "the form's CSRF token does not match (reload the sign-in page)", "forbidden")
    login, password = form["login"], form["password"]
    if len(login) > 100 or len(password) > 1024:
        return refuse(400, "login" if len(login) > 100 else "password", "too long", "validation_failed")
    try:
        person = kit.store.authenticate(login, password, _address(request, kit))
    except Locked as lock:
        wait = max(1, int(lock.wait) + 1)
        what = ("this login" if lock.what == "login" else "this address")
        return refuse(429, "login" if lock.what == "login" else "_address",
                      f"too many failed sign-ins from {what}: try again in {wait} s", "too_many_attempts",
                      {"Retry-After": str(wait)})
    if person is None:
        return refuse(401, "password", "the login or the password is wrong (or the account is disabled)",
                      "unauthorized")
    return _open_session(kit, person, login, "password", next_path, json_answer)


@_guard
def logout_post(self, request):
    """End the session (its CSRF token required)."""
    kit = self.signin
    person = person_of(kit, request)
    if person is None or person.session is None:
        raise GatewayProblem(401, "unauthorized", "not signed in (no live session cookie)", SESSION_COOKIE)
    form = _read_form(request) if request.content_length else {}
    check_csrf(request, person, form)
    kit.store.end(person.session.raw)
    if _wants_json(request) or not form:
        response = _json(200, {"signed_out": True})
    else:
        response = Response("", status=303, headers={"Location": "/auth/login"})
    response.delete_cookie(SESSION_COOKIE, path="/", secure=kit.secure, httponly=True, samesite="Lax")
    return response


@_guard
def token_post(self, request):
    """A 15-minute bearer token for the signed-in person (session and CSRF token required)."""
    kit = self.signin
    person = person_of(kit, request)
    if person is None or person.session is None:
        raise GatewayProblem(401, "unauthorized", "sign in first (a live session cookie is required)", SESSION_COOKIE)
    check_csrf(request, person)
    raw, ends = kit.store.issue_bearer(person.person, person.session.login, person.session.via)
    return _json(200, {"token": raw, "token_type": "Bearer", "expires_in": int(ends - kit.store.clock()),
                       "person": person.person}, {"Cache-Control": "no-store"})


@_guard
def me_get(self, request):
    """Who am I."""
    person = person_of(self.signin, request)
    if person is None:
        raise GatewayProblem(401, "unauthorized", "not signed in", "Authorization",
                          headers={"WWW-Authenticate": 'Bearer realm="lianbao"'})
    body = {"person": person.person, "kind": person.actor.kind, "via": person.via,
            "expires_at": int(person.ends) if person.ends else None}
    if person.session is not None:
        body["csrf"] = csrf_token(person.session)
    return _json(200, body, {"Cache-Control": "no-store"})


def _oidc(kit) -> Oidc:
    if kit.oidc is None:
        raise GatewayProblem(404, "not_found", "OpenID Connect is not configured (OIDC_ISSUER)", "OIDC_ISSUER")
    return kit.oidc


@_guard
def oidc_start(self, request):
    """Send the browser to the identity provider (authorization code, PKCE S256)."""
    kit = self.signin
    oidc = _oidc(kit)
    next_path = local_next(request.args.get("next"))
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier, challenge = pkce_pair()
    try:
        url = oidc.authorization_url(state, nonce, challenge)
    except OidcProblem as err:
        raise GatewayProblem(502, "upstream_error", err.message, err.field) from None
    except Exception as exc:
        raise GatewayProblem(502, "upstream_error", f"the identity provider is unreachable: {exc}",
                          "OIDC_ISSUER") from None
    if not kit.store.start_flow(state, verifier, nonce, next_path, OIDC_FLOW_TTL, OIDC_FLOWS_MOST):
        raise GatewayProblem(429, "too_many_attempts", "too many sign-ins under way: try again shortly", "_address")
    response = Response("", status=302, headers={"Location": url, "Cache-Control": "no-store"})
    _cookie(kit, response, OIDC_COOKIE, state, OIDC_FLOW_TTL, path="/auth/oidc")
    return response


@_guard
def oidc_callback(self, request):
    """The identity provider's answer: the code is traded (with the PKCE verifier) for an ID token."""
    kit = self.signin
    oidc = _oidc(kit)
    if request.args.get("error"):
        raise GatewayProblem(401, "unauthorized", f"the identity provider refused: {request.args.get('error')[:200]}",
                          "error")
    state, code = request.args.get("state") or "", request.args.get("code") or ""
    if not state:
        raise GatewayProblem(400, "validation_failed", "state is required", "state")
    if not code:
        raise GatewayProblem(400, "validation_failed", "code is required", "code")
    cookie_state = request.cookies.get(OIDC_COOKIE) or ""
    if not hmac.compare_digest(cookie_state.encode("utf-8", "replace"), state.encode("utf-8", "replace")):
        raise GatewayProblem(400, "validation_failed", "unknown or expired state (start the sign-in again)", "state")
    flow = kit.store.take_flow(state)
    if flow is None:
        raise GatewayProblem(400, "validation_failed", "unknown or expired state (start the sign-in again)", "state")
    if flow["at"] < kit.clock() - OIDC_FLOW_TTL:
        raise GatewayProblem(400, "validation_failed", "the sign-in took too long (start again)", "state")
    try:
        claims = oidc.exchange(code, flow["verifier"], flow["nonce"])
    except OidcProblem as err:
        raise GatewayProblem(401, "unauthorized", err.message, err.field) from None
    return _open_session(kit, oidc.person_of(claims), None, "oidc", flow["next"], False)


def entry_points() -> dict:
    """The nameko entry points of the sign-in, to merge into the gateway's class."""
    return {
        "signin": SignInKit(),
        "auth_login_get": http("GET", "/auth/login")(login_get),
        "auth_login_post": http("POST", "/auth/login")(login_post),
        "auth_logout": http("POST", "/auth/logout")(logout_post),
        "auth_token": http("POST", "/auth/token")(token_post),
        "auth_me": http("GET", "/auth/me")(me_get),
        "auth_oidc_start": http("GET", "/auth/oidc/start")(oidc_start),
        "auth_oidc_callback": http("GET", "/auth/oidc/callback")(oidc_callback),
    }
