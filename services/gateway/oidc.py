"""OpenID Connect against a city's identity provider: bearer JWTs verified with its JWKS, and the
authorization-code flow with PKCE (S256) that signs a person in to a browser session.

Config (the gateway's, see docs/signin.md):

* ``OIDC_ISSUER`` — the issuer URL; its ``/.well-known/openid-configuration`` names the JWKS, the
  authorization and the token endpoints (no issuer: OIDC is off);
* ``OIDC_AUDIENCE`` — the ``aud`` a token must carry (the gateway's client id at the IdP);
* ``OIDC_PERSON_CLAIM`` — the claim holding the roster person id (default ``sub``);
* ``OIDC_JWKS_MIN_REFRESH`` — seconds between two fetches of the JWKS at least (default 60): a token
  with an unknown ``kid`` refetches the keys (a rotation), but no more often than this;
* ``OIDC_CLIENT_ID`` (default the audience), ``OIDC_CLIENT_SECRET`` (optional: a public client
  with PKCE needs none), ``OIDC_REDIRECT_URI`` (default ``<GATEWAY_PUBLIC_URL>/auth/oidc/callback``),
  ``OIDC_SCOPES`` (default ``openid``).

Only asymmetric algorithms are accepted (RS256/384/512, PS*, ES*, EdDSA): never ``none`` or HMAC.
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
import urllib.parse
import urllib.request

import jwt
from eventlet.semaphore import Semaphore

log = logging.getLogger(__name__)

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY = 30              # seconds of clock skew allowed on exp/nbf/iat
HTTP_TIMEOUT = 10


class OidcProblem(Exception):
    """A token or a callback refused: ``field`` names what is at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _get_json(url: str, data: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as resp:   # noqa: S310 (configured URL)
        return json.loads(resp.read(1024 * 1024).decode("utf-8"))


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


class Oidc:
    def __init__(self, issuer: str, audience: str, person_claim: str = "sub", min_refresh: float = 60.0,
                 client_id: str | None = None, client_secret: str | None = None,
                 redirect_uri: str | None = None, scopes: str = "openid", clock=time.time):
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.person_claim = person_claim or "sub"
        self.min_refresh = float(min_refresh)
        self.client_id = client_id or audience
        self.client_secret = client_secret or None
        self.redirect_uri = redirect_uri
        self.scopes = scopes or "openid"
        self.clock = clock
        self._meta: dict | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = Semaphore(1)
        self.fetches = 0          # JWKS fetches (for tests and logs)

    @classmethod
    def from_config(cls, config: dict, public_url: str = "") -> "Oidc | None":
        issuer = str(config.get("OIDC_ISSUER") or "").strip()
        if not issuer:
            return None
        audience = str(config.get("OIDC_AUDIENCE") or "").strip()
        if not audience:
            raise ValueError("OIDC_AUDIENCE: required when OIDC_ISSUER is set")
        redirect = str(config.get("OIDC_REDIRECT_URI") or "").strip() or (
            f"{public_url.rstrip('/')}/auth/oidc/callback" if public_url else None)
        return cls(issuer, audience, str(config.get("OIDC_PERSON_CLAIM") or "sub"),
                   float(config.get("OIDC_JWKS_MIN_REFRESH") or 60),
                   str(config.get("OIDC_CLIENT_ID") or "") or None,
                   str(config.get("OIDC_CLIENT_SECRET") or "") or None, redirect,
                   str(config.get("OIDC_SCOPES") or "openid"))

    # -- the provider's metadata and keys ----------------------------------------------------------
    def metadata(self) -> dict:
        if self._meta is None:
            meta = _get_json(f"{self.issuer}/.well-known/openid-configuration")
            if str(meta.get("issuer", "")).rstrip("/") != self.issuer:
                raise OidcProblem("OIDC_ISSUER", f"the provider says its issuer is {meta.get('issuer')!r}")
            self._meta = meta
        return self._meta

    def _refresh(self) -> bool:
        """Fetch the JWKS unless fetched less than ``min_refresh`` seconds ago.  True if fetched."""
        with self._lock:
            if self.clock() - self._fetched_at < self.min_refresh:
                return False
            jwks = _get_json(self.metadata()["jwks_uri"])
            keys = {}
            for entry in jwks.get("keys", []):
                try:
                    key = jwt.PyJWK(entry)
                except Exception:   # a key of a kind we do not use (or broken): skipped
                    continue
                if entry.get("use", "sig") == "sig" and entry.get("kid"):
                    keys[entry["kid"]] = key
            self._keys, self._fetched_at = keys, self.clock()
            self.fetches += 1
            return True

    def _key(self, kid: str):
        if kid not in self._keys:
            try:
                self._refresh()
            except OidcProblem:
                raise
            except Exception as exc:
                log.warning("gateway: the JWKS of %s could not be fetched: %s", self.issuer, exc)
                raise OidcProblem("token", "the identity provider's keys could not be fetched") from None
        key = self._keys.get(kid)
        if key is None:
            raise OidcProblem("kid", f"unknown signing key {kid!r}")
        return key

    # -- tokens ------------------------------------------------------------------------------------
    def verify(self, token: str, nonce: str | None = None) -> dict:
        """The claims of a JWT issued by the provider for our audience, else :class:`OidcProblem`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OidcProblem("token", "not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise OidcProblem("alg", f"algorithm {alg!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise OidcProblem("kid", "the token names no signing key")
        key = self._key(kid)
        try:
            claims = jwt.decode(token, key=key, algorithms=[alg], audience=self.audience, issuer=self.issuer,
                                leeway=LEEWAY, options={"require": ["exp", "iat", "iss", "aud"]})
        except jwt.ExpiredSignatureError:
            raise OidcProblem("exp", "the token has expired") from None
        except jwt.InvalidAudienceError:
            raise OidcProblem("aud", f"the token is not for the audience {self.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise OidcProblem("iss", f"the token is not issued by {self.issuer!r}") from None
        except jwt.MissingRequiredClaimError as exc:
            raise OidcProblem(exc.claim, f"the token has no {exc.claim!r} claim") from None
        except jwt.ImmatureSignatureError:
            raise OidcProblem("nbf", "the token is not valid yet") from None
        except jwt.PyJWTError as exc:
            raise OidcProblem("token", f"the token is refused: {exc}") from None
        if nonce is not None and claims.get("nonce") != nonce:
            raise OidcProblem("nonce", "the token's nonce is not the one of this sign-in")
        person = claims.get(self.person_claim)
        if not isinstance(person, str) or not person.strip() or len(person) > 100:
            raise OidcProblem(self.person_claim, f"the token has no person id in {self.person_claim!r}")
        return claims

    def person_of(self, claims: dict) -> str:
        return claims[self.person_claim]

    # -- the authorization-code flow with PKCE -----------------------------------------------------
    def authorization_url(self, state: str, nonce: str, challenge: str) -> str:
        if not self.redirect_uri:
            raise OidcProblem("OIDC_REDIRECT_URI", "no redirect URI configured (OIDC_REDIRECT_URI or "
                                                   "GATEWAY_PUBLIC_URL)")
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri,
            "scope": self.scopes, "state": state, "nonce": nonce, "code_challenge": challenge,
            "code_challenge_method": "S256"})
        endpoint = self.metadata()["authorization_endpoint"]
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def exchange(self, code: str, verifier: str, nonce: str) -> dict:
        """Trade the code for tokens at the token endpoint; the verified ID token's claims."""
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri,
                "client_id": self.client_id, "code_verifier": verifier}
        if self.client_secret:
            data["client_secret"] = self.client_secret
        try:
            answer = _get_json(self.metadata()["token_endpoint"], data)
        except Exception as exc:
            raise OidcProblem("code", f"the identity provider refused the code: {exc}") from None
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise OidcProblem("id_token", "the identity provider answered no ID token")
        return self.verify(id_token, nonce=nonce)
