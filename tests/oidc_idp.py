"""A tiny OpenID Connect identity provider for the tests: its own RSA keys, its JWKS, an
authorization endpoint that signs in whoever the test names (no page), and a token endpoint that
checks the code, the redirect URI, the client and the PKCE verifier (S256).

Served by eventlet's WSGI server in a green thread of the test process::

    idp = Idp.start()          # idp.issuer is http://127.0.0.1:<port>
    idp.token(sub="p1")        # a signed ID token (claims overridable; kid=, key= to forge)
    idp.rotate()               # a new signing key (the old one leaves the JWKS)
    idp.stop()
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode

import eventlet
import eventlet.wsgi
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return jwk


class Idp:
    def __init__(self, audience: str = "lianbao-gateway"):
        self.audience = audience
        self.keys = {"k1": new_key()}
        self.current = "k1"
        self.codes: dict[str, dict] = {}
        self.jwks_requests = 0
        self.next_person = "p1"
        self.person_claim = "sub"
        self._server = None
        self.port = None

    @classmethod
    def start(cls, **kwargs) -> "Idp":
        idp = cls(**kwargs)
        sock = eventlet.listen(("127.0.0.1", 0))
        idp.port = sock.getsockname()[1]
        idp._server = eventlet.spawn(eventlet.wsgi.server, sock, idp.app, log_output=False)
        return idp

    def stop(self):
        if self._server is not None:
            self._server.kill()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rotate(self) -> str:
        kid = f"k{len(self.keys) + 1}"
        self.keys = {kid: new_key()}
        self.current = kid
        return kid

    def token(self, sub: str = "p1", *, kid: str | None = None, key=None, lifetime: int = 300,
              **claims) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.audience, "sub": sub, "iat": now, "exp": now + lifetime}
        body.update(claims)
        kid = kid or self.current
        return jwt.encode(body, key or self.keys.get(kid) or new_key(), algorithm="RS256",
                          headers={"kid": kid})

    # -- the WSGI app ------------------------------------------------------------------------------
    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}

        def answer(status, body, headers=()):
            data = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                                    *headers])
            return [data]

        if path == "/.well-known/openid-configuration":
            return answer("200 OK", {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks",
                                     "authorization_endpoint": f"{self.issuer}/authorize",
                                     "token_endpoint": f"{self.issuer}/token"})
        if path == "/jwks":
            self.jwks_requests += 1
            return answer("200 OK", {"keys": [public_jwk(k, kid)
                                              for kid, k in self.keys.items()]})
        if path == "/authorize":
            code = secrets.token_urlsafe(16)
            self.codes[code] = {**query, "sub": self.next_person}
            location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
            start_response("302 Found", [("Location", location), ("Content-Length", "0")])
            return [b""]
        if path == "/token":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()}
            grant = self.codes.pop(form.get("code", ""), None)
            if grant is None or form.get("redirect_uri") != grant["redirect_uri"] \
                    or form.get("client_id") != grant["client_id"]:
                return answer("400 Bad Request", {"error": "invalid_grant"})
            challenge = base64.urlsafe_b64encode(
                hashlib.sha256(form.get("code_verifier", "").encode()).digest()).rstrip(b"=").decode()
            if grant.get("code_challenge_method") != "S256" or challenge != grant.get("code_challenge"):
                return answer("400 Bad Request", {"error": "invalid_grant", "error_description": "PKCE"})
            claims = {"nonce": grant["nonce"]}
            if self.person_claim != "sub":
                claims[self.person_claim] = grant["sub"]
            return answer("200 OK", {"token_type": "Bearer", "expires_in": 300,
                                     "id_token": self.token(grant["sub"], **claims)})
        return answer("404 Not Found", {"error": "not_found"})
