"""People's accounts of the gateway's built-in sign-in, their sessions and bearer tokens.

Stored in the gateway's own database (``GATEWAY_DB_URL``; else ``DATABASE_URL_TEMPLATE`` with the
service ``gateway``; else the SQLite file ``<DATA_DIR>/gateway.db``):

* ``account`` — one login: the roster person it signs in as, an argon2id hash of its password
  (argon2-cffi's defaults), a disabled flag, created/changed;
* ``signin_secret`` — a browser session (cookie) or a short-lived bearer token (``lbp_…``): only
  the sha256 of the random value is stored, with its person, when it was issued and last used, and
  when it ends;
* ``signin_failure`` — failed sign-ins (login, client address, time) for the lockout.

Hashing runs in a native thread (``eventlet.tpool``), at most :data:`HASH_SLOTS` at once, so a burst
of sign-ins neither blocks the gateway's green threads nor takes every core.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, and_, delete,
                        func, insert, select, update)

HASH_SLOTS = 4
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
PASSWORD_MIN, PASSWORD_MAX = 10, 1024
LOCK_WINDOW = 15 * 60          # seconds
LOCK_PER_LOGIN = 5             # failures per login within the window
LOCK_PER_ADDRESS = 20          # failures per client address within the window
SESSION_IDLE = 30 * 60
SESSION_ABSOLUTE = 8 * 3600
BEARER_LIFETIME = 15 * 60
BEARER_PREFIX = "lbp_"

metadata = MetaData()

account = Table(
    "account", metadata,
    Column("login", String(100), primary_key=True),
    Column("person", String(100), nullable=False, index=True),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

signin_secret = Table(
    "signin_secret", metadata,
    Column("digest", String(64), primary_key=True),       # sha256 hex of the cookie / token value
    Column("kind", String(10), nullable=False),           # session | bearer
    Column("person", String(100), nullable=False),
    Column("login", String(100), nullable=True),          # null: signed in through OIDC
    Column("via", String(10), nullable=False),            # password | oidc | session
    Column("issued", Float, nullable=False),              # epoch seconds (the injected clock)
    Column("last_used", Float, nullable=False),
    Column("ends", Float, nullable=False),
)

oidc_flow = Table(
    "oidc_flow", metadata,
    Column("digest", String(64), primary_key=True),       # sha256 hex of the state
    Column("verifier", String(128), nullable=False),      # the PKCE verifier, sent with the code
    Column("nonce", String(64), nullable=False),
    Column("next", String(2000), nullable=False),
    Column("at", Float, nullable=False, index=True),      # started (epoch seconds)
)

signin_failure = Table(
    "signin_failure", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(100), nullable=False, index=True),
    Column("address", String(100), nullable=False, index=True),
    Column("at", Float, nullable=False, index=True),
)


class AccountProblem(Exception):
    """Bad input or state of an account command: ``field`` names what is at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class Locked(Exception):
    def __init__(self, what: str, wait: float):
        super().__init__(what)
        self.what, self.wait = what, wait


@dataclass(frozen=True)
class SignedIn:
    """Who a session or bearer token stands for."""
    person: str
    kind: str          # session | bearer
    via: str           # password | oidc
    login: str | None
    ends: float        # epoch seconds: when it ends at the latest (absolute lifetime)
    raw: str           # the cookie / token value as presented (for the CSRF token)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()


def login_problem(login) -> str | None:
    if not isinstance(login, str) or not LOGIN_RE.match(login):
        return "a login is 1 to 100 characters: letters, digits and . _ @ - (starting with a letter or digit)"
    return None


def password_problem(password) -> str | None:
    if not isinstance(password, str) or not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX):
        return f"a password has {PASSWORD_MIN} to {PASSWORD_MAX} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "a password has no control characters"
    return None


class Hasher:
    """argon2id through argon2-cffi, in native threads, at most ``slots`` at once."""

    def __init__(self, slots: int = HASH_SLOTS, **params):
        from argon2 import PasswordHasher
        from eventlet.semaphore import Semaphore

        self._ph = PasswordHasher(**params)
        self._slots = Semaphore(slots)
        self._dummy = self._ph.hash(secrets.token_urlsafe(16))   # for unknown logins (same cost)

    def _run(self, fn, *args):
        from eventlet import tpool

        with self._slots:
            return tpool.execute(fn, *args)

    def hash(self, password: str) -> str:
        return self._run(self._ph.hash, password)

    def verify(self, stored: str | None, password: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        try:
            return bool(self._run(self._ph.verify, stored or self._dummy, password)) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def _now_dt() -> datetime:
    return datetime.now(timezone.utc)


class AccountStore:
    """The accounts, sessions, bearer tokens and failures of one gateway database."""

    def __init__(self, engine, hasher: Hasher | None = None, clock=time.time, idle: float = SESSION_IDLE,
                 absolute: float = SESSION_ABSOLUTE, bearer_lifetime: float = BEARER_LIFETIME):
        self.engine = engine
        self.hasher = hasher or Hasher()
        self.clock = clock
        self.idle, self.absolute, self.bearer_lifetime = idle, absolute, bearer_lifetime
        metadata.create_all(engine)

    # -- accounts (the `lianbao accounts` command) ------------------------------------------------
    def add(self, login: str, person: str, password: str) -> dict:
        problem = login_problem(login)
        if problem:
            raise AccountProblem("login", problem)
        if not isinstance(person, str) or not person.strip() or len(person) > 100:
            raise AccountProblem("person", "a person id (of the roster) is 1 to 100 characters")
        problem = password_problem(password)
        if problem:
            raise AccountProblem("password", problem)
        hashed = self.hasher.hash(password)
        with self.engine.begin() as conn:
            if conn.execute(select(account.c.login).where(account.c.login == login)).first():
                raise AccountProblem("login", f"the login {login!r} exists already")
            now = _now_dt()
            conn.execute(insert(account).values(login=login, person=person, password_hash=hashed,
                                                disabled=False, created_at=now, changed_at=now))
        return self.get(login)

    def get(self, login: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(select(account).where(account.c.login == login)).mappings().first()
        if row is None:
            raise AccountProblem("login", f"no account {login!r}")
        return {"login": row["login"], "person": row["person"], "disabled": bool(row["disabled"]),
                "created_at": row["created_at"].isoformat(), "changed_at": row["changed_at"].isoformat()}

    def list(self) -> list[dict]:
        with self.engine.connect() as conn:
            logins = conn.execute(select(account.c.login).order_by(account.c.login)).scalars().all()
        return [self.get(login) for login in logins]

    def set_disabled(self, login: str, disabled: bool) -> dict:
        with self.engine.begin() as conn:
            found = conn.execute(update(account).where(account.c.login == login)
                                 .values(disabled=disabled, changed_at=_now_dt())).rowcount
            if not found:
                raise AccountProblem("login", f"no account {login!r}")
            if disabled:   # a disabled account's sessions and tokens end now
                conn.execute(delete(signin_secret).where(signin_secret.c.login == login))
        return self.get(login)

    def set_password(self, login: str, password: str) -> dict:
        problem = password_problem(password)
        if problem:
            raise AccountProblem("password", problem)
        self.get(login)
        hashed = self.hasher.hash(password)
        with self.engine.begin() as conn:
            conn.execute(update(account).where(account.c.login == login)
                         .values(password_hash=hashed, changed_at=_now_dt()))
            conn.execute(delete(signin_secret).where(signin_secret.c.login == login))
        return self.get(login)

    # -- signing in --------------------------------------------------------------------------------
    def _failures(self, conn, column, value, since) -> tuple[int, float]:
        count, oldest = conn.execute(select(func.count(signin_failure.c.id), func.min(signin_failure.c.at))
                                     .where(and_(column == value, signin_failure.c.at > since))).one()
        return int(count or 0), float(oldest or 0)

    def check_lock(self, login: str, address: str) -> None:
        """Raise :class:`Locked` when the login or the address failed too often lately."""
        now = self.clock()
        since = now - LOCK_WINDOW
        with self.engine.connect() as conn:
            for what, column, value, limit in (("login", signin_failure.c.login, login, LOCK_PER_LOGIN),
                                               ("address", signin_failure.c.address, address,
                                                LOCK_PER_ADDRESS)):
                count, oldest = self._failures(conn, column, value, since)
                if count >= limit:
                    raise Locked(what, oldest + LOCK_WINDOW - now)

    def authenticate(self, login: str, password: str, address: str) -> str | None:
        """The person of a good login and password, else None (a failure is counted).  Raises
        :class:`Locked` without looking at the password when the login or address is locked."""
        self.check_lock(login, address)
        with self.engine.connect() as conn:
            row = conn.execute(select(account).where(account.c.login == login)).mappings().first()
        ok = self.hasher.verify(row["password_hash"] if row else None, password)
        if ok and row is not None and not row["disabled"]:
            with self.engine.begin() as conn:
                conn.execute(delete(signin_failure).where(signin_failure.c.login == login))
            return row["person"]
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(insert(signin_failure).values(login=login[:100], address=address[:100], at=now))
            conn.execute(delete(signin_failure).where(signin_failure.c.at <= now - LOCK_WINDOW))
        return None

    # -- sessions and bearer tokens ---------------------------------------------------------------
    def _issue(self, kind: str, person: str, login: str | None, via: str, lifetime: float,
               prefix: str = "") -> tuple[str, float]:
        raw = prefix + secrets.token_urlsafe(32)
        now = self.clock()
        ends = now + lifetime
        with self.engine.begin() as conn:
            conn.execute(delete(signin_secret).where(signin_secret.c.ends <= now))
            conn.execute(insert(signin_secret).values(digest=digest(raw), kind=kind, person=person, login=login,
                                                      via=via, issued=now, last_used=now, ends=ends))
        return raw, ends

    def open_session(self, person: str, login: str | None, via: str) -> tuple[str, float]:
        return self._issue("session", person, login, via, self.absolute)

    def issue_bearer(self, person: str, login: str | None, via: str) -> tuple[str, float]:
        return self._issue("bearer", person, login, via, self.bearer_lifetime, BEARER_PREFIX)

    def find(self, raw: str, kind: str) -> SignedIn | None:
        """The live session (or bearer token) of ``raw``; a session's idle clock restarts."""
        if not raw or len(raw) > 200:
            return None
        key = digest(raw)
        now = self.clock()
        with self.engine.connect() as conn:
            row = conn.execute(select(signin_secret).where(and_(signin_secret.c.digest == key,
                                                                signin_secret.c.kind == kind))).mappings().first()
        if row is None:
            return None
        if now >= row["ends"] or (kind == "session" and now - row["last_used"] >= self.idle):
            self.end(raw)
            return None
        if row["login"] is not None:
            with self.engine.connect() as conn:
                disabled = conn.execute(select(account.c.disabled).where(account.c.login == row["login"])).scalar()
            if disabled is None or disabled:
                return None
        if kind == "session" and now - row["last_used"] >= 30:   # a write at most every 30 s of use
            with self.engine.begin() as conn:
                conn.execute(update(signin_secret).where(signin_secret.c.digest == key).values(last_used=now))
        return SignedIn(row["person"], kind, row["via"], row["login"], row["ends"], raw)

    # -- OpenID Connect sign-ins under way (kept in the database: any gateway process finishes them)
    def start_flow(self, state: str, verifier: str, nonce: str, next_path: str, ttl: float,
                   most: int) -> bool:
        """Keep a started sign-in; False (nothing kept) when ``most`` are already under way."""
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(oidc_flow).where(oidc_flow.c.at < now - ttl))
            if conn.execute(select(func.count()).select_from(oidc_flow)).scalar() >= most:
                return False
            conn.execute(insert(oidc_flow).values(digest=digest(state), verifier=verifier, nonce=nonce,
                                                  next=next_path, at=now))
        return True

    def take_flow(self, state: str) -> dict | None:
        """The sign-in started with ``state``, removed (a state is good for one callback only)."""
        key = digest(state)
        with self.engine.begin() as conn:
            row = conn.execute(select(oidc_flow).where(oidc_flow.c.digest == key)).mappings().first()
            if row is None or conn.execute(delete(oidc_flow).where(oidc_flow.c.digest == key)).rowcount != 1:
                return None
        return dict(row)

    def end(self, raw: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(signin_secret).where(signin_secret.c.digest == digest(raw)))
