"""People sign in to the gateway (issue 21 item 2), over real HTTP: the built-in accounts (login,
lockout, cookie, CSRF, logout, idle and absolute expiry, bearer tokens) and OpenID Connect against a
small identity provider the tests start (bearer JWTs, JWKS rotation, the code flow with PKCE).
Time is an injected clock: no sleeps."""
import hashlib
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import select, update

from services.gateway.accounts import oidc_flow, signin_secret
from services.gateway.app import make_gateway
from services.gateway.routing import Route, Scope
from tests.oidc_idp import Idp, new_key
from tests.service.gateway.conftest import free_port, sign_in_kit
from tests.service.gateway.target import TEST_ROUTES, EchoIn, GwTarget

pytestmark = pytest.mark.timeout(90)

PASSWORD = "correct horse battery"
SigninGateway = make_gateway(TEST_ROUTES + [
    Route("POST", "/echo-any", "gw_target.echo", "echo for any caller", "the payload and context",
          body=EchoIn(), scope=Scope.any(), operation="echo_any")], name="gw_signin", title="sign-in test gateway")


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def idp():
    server = Idp.start()
    yield server
    server.stop()


@pytest.fixture
def site(embedded_suite, tokens_file, idp):
    def start(accounts=True, **extra):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        config = {"GATEWAY_TOKENS": str(tokens_file), "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
                  "OIDC_ISSUER": idp.issuer, "OIDC_AUDIENCE": idp.audience, "OIDC_JWKS_MIN_REFRESH": 60,
                  "GATEWAY_PUBLIC_URL": base, **extra}
        suite = embedded_suite(classes=[SigninGateway, GwTarget], **config)
        kit = sign_in_kit(suite)
        clock = Clock()
        kit.clock = clock
        if accounts:
            kit.store.add("wang", "p1", PASSWORD)
            kit.store.add("li", "p2", PASSWORD)
        return base, kit, clock
    return start


@pytest.fixture
def gw(site):
    return site()


def login_form(session, base, next_path=None):
    r = session.get(f"{base}/auth/login", params={"next": next_path} if next_path else None, timeout=10)
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
    return re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)


def sign_in(session, base, login="wang", password=PASSWORD, next_path=None, json_answer=True, **extra):
    csrf = login_form(session, base, next_path)
    form = {"login": login, "password": password, "csrf": csrf, **({"next": next_path} if next_path else {}),
            **extra}
    headers = {"Accept": "application/json"} if json_answer else {}
    return session.post(f"{base}/auth/login", data=form, headers=headers, allow_redirects=False, timeout=10)


def me(session, base, **kwargs):
    return session.get(f"{base}/auth/me", timeout=10, **kwargs)


def test_sign_in_opens_a_session_whose_cookie_is_http_only_lax_and_stored_hashed(gw):
    base, kit, _ = gw
    s = requests.Session()
    r = sign_in(s, base, next_path="/office/objections/c_ps", json_answer=False)
    assert r.status_code == 303 and r.headers["Location"] == "/office/objections/c_ps"
    cookie = next(c for c in r.headers["Set-Cookie"].split(", lianbao") if "lianbao_session=" in c)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie and "Secure" not in cookie
    raw = s.cookies["lianbao_session"]
    with kit.engine.connect() as conn:
        digests = conn.execute(select(signin_secret.c.digest)).scalars().all()
    assert digests == [hashlib.sha256(raw.encode()).hexdigest()] and raw not in digests
    r = me(s, base)
    assert r.status_code == 200
    assert r.json()["person"] == "p1" and r.json()["kind"] == "person" and r.json()["via"] == "session"
    assert len(r.json()["csrf"]) >= 32


def test_secure_cookies_when_configured(site):
    base, _, _ = site(GATEWAY_SECURE_COOKIES="true")
    page = requests.get(f"{base}/auth/login", timeout=10)
    assert "Secure" in page.headers["Set-Cookie"]        # so a client over plain HTTP keeps none: sent by hand
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = requests.post(f"{base}/auth/login", data={"login": "wang", "password": PASSWORD, "csrf": csrf},
                      cookies={"lianbao_login_csrf": csrf}, headers={"Accept": "application/json"}, timeout=10)
    assert r.status_code == 200
    assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


def test_every_bad_sign_in_is_a_4xx_naming_the_field(gw):
    base, _, _ = gw
    s = requests.Session()
    wrong = sign_in(s, base, password="not the password")
    assert wrong.status_code == 401 and wrong.json()["field"] == "password"
    assert "lianbao_session" not in s.cookies
    unknown = sign_in(s, base, login="nobody")
    assert unknown.status_code == 401 and unknown.json() == wrong.json()   # no hint the login is unknown
    csrf = login_form(s, base)
    for missing in ("login", "password", "csrf"):
        form = {"login": "wang", "password": PASSWORD, "csrf": csrf}
        del form[missing]
        r = s.post(f"{base}/auth/login", data=form, headers={"Accept": "application/json"}, timeout=10)
        assert r.status_code == 400 and r.json()["field"] == missing, missing
    for bad_next in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        r = s.post(f"{base}/auth/login", data={"login": "wang", "password": PASSWORD, "csrf": csrf, "next": bad_next},
                   headers={"Accept": "application/json"}, timeout=10)
        assert r.status_code == 400 and r.json()["field"] == "next", bad_next
        r = s.get(f"{base}/auth/login", params={"next": bad_next}, timeout=10)
        assert r.status_code == 400 and r.json()["field"] == "next", bad_next
    r = s.post(f"{base}/auth/login", data={"login": "wang", "password": PASSWORD, "csrf": "forged"},
               headers={"Accept": "application/json"}, timeout=10)
    assert r.status_code == 403 and r.json()["field"] == "csrf"
    r = requests.post(f"{base}/auth/login", data={"login": "wang", "password": PASSWORD, "csrf": csrf},
                      headers={"Accept": "application/json"}, timeout=10)   # no cookie: a cross-site post
    assert r.status_code == 403 and r.json()["field"] == "csrf"
    r = s.post(f"{base}/auth/login", json={"login": "wang"}, timeout=10)
    assert r.status_code == 415 and r.json()["field"] == "Content-Type"
    r = sign_in(s, base, extra="x")
    assert r.status_code == 400 and r.json()["field"] == "extra"
    page = sign_in(s, base, password="not the password", json_answer=False)   # a browser: the form again
    assert page.status_code == 401 and "text/html" in page.headers["Content-Type"]
    assert 'data-field="password"' in page.text and 'value="wang"' in page.text


def test_five_failures_lock_the_login_and_twenty_the_address_for_fifteen_minutes(gw):
    base, kit, clock = gw
    s = requests.Session()
    for _ in range(5):
        assert sign_in(s, base, password="not the password").status_code == 401
    locked = sign_in(s, base)   # the right password is not even looked at
    assert locked.status_code == 429 and locked.json()["field"] == "login"
    assert "too many failed sign-ins" in locked.json()["message"] and int(locked.headers["Retry-After"]) > 800
    assert sign_in(s, base, login="li").status_code == 200      # another login from the same address
    clock.advance(15 * 60 + 1)
    assert sign_in(s, base).status_code == 200
    for n in range(20):
        assert sign_in(s, base, login=f"guess{n}", password="not the password").status_code == 401
    r = sign_in(s, base, login="li")
    assert r.status_code == 429 and r.json()["field"] == "_address"
    clock.advance(15 * 60 + 1)
    assert sign_in(s, base, login="li").status_code == 200


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(gw):
    base, kit, _ = gw
    s = requests.Session()
    assert sign_in(s, base).status_code == 200
    kit.store.set_disabled("wang", True)
    assert me(s, base).status_code == 401
    assert sign_in(s, base).status_code == 401
    kit.store.set_disabled("wang", False)
    assert sign_in(s, base).status_code == 200


def test_a_cookie_caller_needs_the_csrf_token_for_a_command_and_acts_as_the_person(gw):
    base, _, _ = gw
    s = requests.Session()
    csrf = sign_in(s, base).json()["csrf"]
    assert s.get(f"{base}/health", timeout=10).status_code == 200           # a read needs no token
    r = s.post(f"{base}/echo-any", json={"agency": "c_ps"}, timeout=10)
    assert r.status_code == 403 and r.json()["field"] == "csrf"
    r = s.post(f"{base}/echo-any", json={"agency": "c_ps"}, headers={"X-CSRF-Token": csrf}, timeout=10)
    assert r.status_code == 200 and r.json()["actor"] == "p1"
    # the gateway authenticates only: a person's units are the policy's, so unit-scoped routes refuse
    r = s.post(f"{base}/echo", json={"agency": "c_ps"}, headers={"X-CSRF-Token": csrf}, timeout=10)
    assert r.status_code == 403 and r.json()["field"] == "agency"
    r = s.post(f"{base}/echo-any", json={"agency": "c_ps"}, headers={"X-CSRF-Token": csrf,
                                                                     "Idempotency-Key": "k1"}, timeout=10)
    assert r.json()["idempotency_key"] == "person:p1:k1"


def test_logout_needs_the_csrf_token_and_ends_the_session(gw):
    base, _, _ = gw
    s = requests.Session()
    csrf = sign_in(s, base).json()["csrf"]
    r = s.post(f"{base}/auth/logout", timeout=10)
    assert r.status_code == 403 and r.json()["field"] == "csrf"
    raw = s.cookies["lianbao_session"]
    r = s.post(f"{base}/auth/logout", data={"csrf": csrf}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/auth/login"
    assert "lianbao_session" not in s.cookies
    assert me(requests.Session(), base, cookies={"lianbao_session": raw}).status_code == 401
    r = s.post(f"{base}/auth/logout", headers={"X-CSRF-Token": csrf}, timeout=10)
    assert r.status_code == 401 and r.json()["field"] == "lianbao_session"


def test_a_session_ends_after_30_idle_minutes_and_after_8_hours_in_any_case(gw):
    base, _, clock = gw
    s = requests.Session()
    assert sign_in(s, base).status_code == 200
    for _ in range(3):
        clock.advance(29 * 60)
        assert me(s, base).status_code == 200        # each use restarts the idle clock
    clock.advance(30 * 60)
    r = me(s, base)
    assert r.status_code == 401
    s = requests.Session()
    assert sign_in(s, base).status_code == 200
    start = clock.now
    for _ in range(20):                              # busy all day: used every 29 minutes
        clock.advance(29 * 60)
        if me(s, base).status_code != 200:
            break
    assert me(s, base).status_code == 401
    assert 8 * 3600 <= clock.now - start < 8 * 3600 + 29 * 60


def test_a_signed_in_person_gets_a_bearer_token_valid_fifteen_minutes(gw):
    base, kit, clock = gw
    s = requests.Session()
    csrf = sign_in(s, base, login="li").json()["csrf"]
    assert s.post(f"{base}/auth/token", timeout=10).status_code == 403
    assert requests.post(f"{base}/auth/token", headers={"X-CSRF-Token": csrf}, timeout=10).status_code == 401
    r = s.post(f"{base}/auth/token", headers={"X-CSRF-Token": csrf}, timeout=10)
    assert r.status_code == 200 and r.json()["token"].startswith("lbp_") and r.json()["expires_in"] == 900
    bearer = {"Authorization": f"Bearer {r.json()['token']}"}
    with kit.engine.connect() as conn:
        assert conn.execute(select(signin_secret).where(signin_secret.c.digest == r.json()["token"])).first() is None
    r2 = requests.post(f"{base}/echo-any", json={"agency": "x"}, headers=bearer, timeout=10)   # no CSRF needed
    assert r2.status_code == 200 and r2.json()["actor"] == "p2"
    assert requests.get(f"{base}/auth/me", headers=bearer, timeout=10).json()["via"] == "bearer"
    clock.advance(15 * 60)
    r3 = requests.get(f"{base}/health", headers=bearer, timeout=10)
    assert r3.status_code == 401 and r3.json()["field"] == "Authorization"
    r4 = requests.get(f"{base}/health", headers={"Authorization": "Bearer lbp_forged"}, timeout=10)
    assert r4.status_code == 401


def test_an_oidc_bearer_is_accepted_only_from_the_issuer_for_the_audience_unexpired(gw, idp):
    base, _, _ = gw
    ok = requests.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {idp.token('p7')}"}, timeout=10)
    assert ok.status_code == 200 and ok.json()["person"] == "p7" and ok.json()["via"] == "oidc"
    r = requests.post(f"{base}/echo-any", json={"agency": "x"},
                      headers={"Authorization": f"Bearer {idp.token('p7')}"}, timeout=10)
    assert r.status_code == 200 and r.json()["actor"] == "p7"
    bad = {
        "iss": idp.token("p7", iss="https://foreign.example"),
        "aud": idp.token("p7", aud="another-client"),
        "exp": idp.token("p7", lifetime=-120),
        "kid": idp.token("p7", kid="unknown", key=new_key()),
        "token": idp.token("p7", key=new_key()),             # the known kid, a foreign key
        "sub": idp.token(""),
    }
    for field, token in bad.items():
        r = requests.get(f"{base}/health", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 401 and r.json()["field"] == field, (field, r.text)
        assert "invalid_token" in r.headers["WWW-Authenticate"]
    r = requests.get(f"{base}/health", headers={"Authorization": "Bearer a.b.c"}, timeout=10)
    assert r.status_code == 401 and r.json()["field"] == "token"


def test_jwks_rotation_is_picked_up_but_not_fetched_more_often_than_the_minimum(gw, idp):
    base, kit, clock = gw
    first = requests.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {idp.token('p1')}"}, timeout=10)
    assert first.status_code == 200 and idp.jwks_requests == 1
    old = idp.token("p1")
    idp.rotate()
    new = idp.token("p1")
    r = requests.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {new}"}, timeout=10)
    assert r.status_code == 401 and r.json()["field"] == "kid" and idp.jwks_requests == 1   # fetched too lately
    clock.advance(61)
    r = requests.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {new}"}, timeout=10)
    assert r.status_code == 200 and idp.jwks_requests == 2
    r = requests.get(f"{base}/auth/me", headers={"Authorization": f"Bearer {old}"}, timeout=10)
    assert r.status_code == 401 and r.json()["field"] == "kid"     # the old key left the JWKS
    assert idp.jwks_requests == 2


def test_the_code_flow_with_pkce_signs_a_person_in(gw, idp):
    base, _, _ = gw
    idp.next_person = "p9"
    s = requests.Session()
    r = s.get(f"{base}/auth/oidc/start", params={"next": "/office/objections/c_ps"}, allow_redirects=False,
              timeout=10)
    assert r.status_code == 302
    to_idp = urlparse(r.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(to_idp.query).items()}
    assert f"{to_idp.scheme}://{to_idp.netloc}" == idp.issuer and to_idp.path == "/authorize"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == f"{base}/auth/oidc/callback" and query["nonce"] and query["state"]
    back = requests.get(r.headers["Location"], allow_redirects=False, timeout=10)
    callback = back.headers["Location"]
    # the state is bound to the browser that started: another one cannot finish the sign-in
    stranger = requests.get(callback, allow_redirects=False, timeout=10)
    assert stranger.status_code == 400 and stranger.json()["field"] == "state"
    done = s.get(callback, allow_redirects=False, timeout=10)
    assert done.status_code == 303 and done.headers["Location"] == "/office/objections/c_ps"
    who = me(s, base).json()
    assert who["person"] == "p9" and who["via"] == "session"
    replay = s.get(callback, allow_redirects=False, timeout=10)
    assert replay.status_code == 400 and replay.json()["field"] == "state"
    r = s.get(f"{base}/auth/oidc/callback", params={"state": query["state"]}, timeout=10)
    assert r.status_code == 400 and r.json()["field"] == "code"
    r = s.get(f"{base}/auth/oidc/callback", params={"error": "access_denied"}, timeout=10)
    assert r.status_code == 401 and r.json()["field"] == "error"
    r = s.get(f"{base}/auth/oidc/start", params={"next": "https://evil.example/"}, allow_redirects=False,
              timeout=10)
    assert r.status_code == 400 and r.json()["field"] == "next"


def test_a_wrong_pkce_verifier_or_code_is_refused(gw, idp):
    base, kit, _ = gw
    s = requests.Session()
    r = s.get(f"{base}/auth/oidc/start", allow_redirects=False, timeout=10)
    state = parse_qs(urlparse(r.headers["Location"]).query)["state"][0]
    callback = requests.get(r.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    with kit.engine.begin() as conn:                 # as if an attacker held the code without the verifier
        conn.execute(update(oidc_flow).where(oidc_flow.c.digest == hashlib.sha256(state.encode()).hexdigest())
                     .values(verifier="x" * 64))
    r = s.get(callback, allow_redirects=False, timeout=10)
    assert r.status_code == 401 and r.json()["field"] == "code"
    assert me(s, base).status_code == 401


def test_a_sign_in_started_on_one_gateway_process_finishes_on_another(site, tmp_path):
    """Two gateway processes behind one address (the production compose runs two) share the database
    of sign-ins: the provider's callback may reach either; a state is still good once only."""
    shared = f"sqlite:///{tmp_path}/gateway-shared.db"
    one, kit, _ = site(GATEWAY_DB_URL=shared)
    two, _, _ = site(accounts=False, GATEWAY_DB_URL=shared, GATEWAY_PUBLIC_URL=one)
    s = requests.Session()
    r = s.get(f"{one}/auth/oidc/start", params={"next": "/console"}, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    with kit.engine.connect() as conn:                # only the state's digest is kept
        state = parse_qs(urlparse(r.headers["Location"]).query)["state"][0]
        assert conn.execute(select(oidc_flow.c.digest)).scalars().all() == \
            [hashlib.sha256(state.encode()).hexdigest()]
    callback = urlparse(requests.get(r.headers["Location"], allow_redirects=False, timeout=10).headers["Location"])
    done = s.get(f"{two}{callback.path}?{callback.query}", allow_redirects=False, timeout=10)
    assert done.status_code == 303 and done.headers["Location"] == "/console"
    assert me(s, two).json()["person"] == me(s, one).json()["person"] == "p1"   # the provider's default person
    again = s.get(f"{one}{callback.path}?{callback.query}", allow_redirects=False, timeout=10)
    assert again.status_code == 400 and again.json()["field"] == "state"


def test_without_oidc_configured_its_routes_say_so(site):
    base, _, _ = site(OIDC_ISSUER="")
    r = requests.get(f"{base}/auth/oidc/start", allow_redirects=False, timeout=10)
    assert r.status_code == 404 and r.json()["field"] == "OIDC_ISSUER"
    r = requests.get(f"{base}/health", headers={"Authorization": "Bearer a.b.c"}, timeout=10)
    assert r.status_code == 401
