"""What the public pages need beside the routes (issue 23): server-issued form tickets with a
human check, per-address rate limits, and QR codes.

* **Tickets.** Every page with a form (an online satisfaction form, an objection to a notice) gets
  a ticket signed with the gateway's secret (HMAC-SHA256): what it is for (the campaign and group,
  or the notice), the id it issues (the form's serial ``W…``, or the objection's id), when it was
  issued, and an arithmetic question (``a + b``).  The answer comes back with the form and is
  checked against the signed question; a ticket is good from ``min_seconds`` after it was issued
  (a person takes longer than that to answer 35 items; a script posting at once is refused) until
  ``max_age`` seconds.  The serial is the server's: a form is counted once (the survey refuses a
  second copy of a serial), so re-submitting the same page counts nothing twice.
* **Rate limits.** A sliding window per client address: at most ``limit`` requests per
  ``window`` seconds for each kind of request (pages shown, forms sent).  Kept in the gateway's
  database (:class:`SharedRateLimiter`, table ``public_hit``): every gateway process of a deployment
  counts against the same figures.  The client address is the connection's, or, behind a proxy the
  deployment names (``GATEWAY_TRUSTED_PROXIES``), the one that proxy puts in ``X-Forwarded-For``
  (:func:`client_address`); a header from anyone else is ignored.
* **QR codes.** SVG drawn on the server with ``segno`` (pure Python): no external service.

Pure Python: no nameko.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass

SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: a serial may be read aloud


class TicketProblem(Exception):
    """A ticket that is forged, of another form, too fresh, too old, or with a wrong answer."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def new_serial(prefix: str = "W", length: int = 12) -> str:
    """A serial for an online form: ``W`` and 12 characters (60 bits of randomness)."""
    return prefix + "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(length))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Ticket:
    purpose: str        # "survey:<campaign>:<group>" or "notice:<evaluator>:<month>"
    issued_id: str      # the form's serial or the objection's id
    issued_at: float
    a: int
    b: int

    @property
    def question(self) -> str:
        return f"{self.a} + {self.b} = ?"


class Tickets:
    def __init__(self, secret: bytes, min_seconds: float = 3.0, max_age: float = 7200.0, clock=time.time):
        if len(secret) < 16:
            raise ValueError("the public pages' secret must have at least 16 bytes")
        self.secret, self.min_seconds, self.max_age, self.clock = secret, min_seconds, max_age, clock

    def _sign(self, body: bytes) -> str:
        return _b64(hmac.new(self.secret, body, hashlib.sha256).digest())

    def issue(self, purpose: str, issued_id: str | None = None) -> tuple[str, Ticket]:
        ticket = Ticket(purpose, issued_id or new_serial(), round(self.clock(), 3),
                        secrets.randbelow(9) + 1, secrets.randbelow(9) + 1)
        body = json.dumps([ticket.purpose, ticket.issued_id, ticket.issued_at, ticket.a, ticket.b],
                          separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return f"{_b64(body)}.{self._sign(body)}", ticket

    def read(self, token, purpose: str) -> Ticket:
        """The ticket of ``token`` if it is ours and for ``purpose`` (not yet its timing/answer)."""
        if not isinstance(token, str) or len(token) > 2000 or token.count(".") != 1:
            raise TicketProblem("ticket", "表单已失效, 请刷新页面 (the form's ticket is missing or damaged)")
        body_text, signature = token.split(".")
        try:
            body = _unb64(body_text)
        except (ValueError, TypeError):
            raise TicketProblem("ticket", "表单已失效, 请刷新页面 (the form's ticket is damaged)") from None
        if not hmac.compare_digest(self._sign(body), signature):
            raise TicketProblem("ticket", "表单已失效, 请刷新页面 (the form's ticket is not ours)")
        try:
            p, issued_id, at, a, b = json.loads(body)
        except (ValueError, TypeError):
            raise TicketProblem("ticket", "表单已失效, 请刷新页面 (the form's ticket is damaged)") from None
        if p != purpose:
            raise TicketProblem("ticket", "表单与页面不符, 请刷新页面 (the ticket is for another form)")
        return Ticket(p, issued_id, at, a, b)

    def check(self, token, purpose: str, answer) -> Ticket:
        """The ticket, once its timing and the answer to its question are right."""
        ticket = self.read(token, purpose)
        age = self.clock() - ticket.issued_at
        if age > self.max_age:
            raise TicketProblem("ticket", "表单已过期, 请刷新页面重新填写 (the form is older than "
                                          f"{self.max_age / 3600:g} h)")
        if age < self.min_seconds:
            raise TicketProblem("check", f"提交过快, 请稍候再提交 (sent {age:.1f} s after the page was "
                                         f"shown; at least {self.min_seconds:g} s)")
        text = answer.strip() if isinstance(answer, str) else ""
        if not text.isdigit() or len(text) > 3 or int(text) != ticket.a + ticket.b:
            raise TicketProblem("check", "验证题答案不正确 (the answer to the check question is wrong)")
        return ticket


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (a sliding window)."""

    def __init__(self, limit: int, window: float, clock=time.monotonic, max_keys: int = 100_000):
        self.limit, self.window, self.clock, self.max_keys = limit, window, clock, max_keys
        self._seen: dict[str, deque] = {}

    def allow(self, key: str) -> tuple[bool, float]:
        """(allowed, seconds to wait when not).  An allowed event is counted."""
        now = self.clock()
        times = self._seen.get(key)
        if times is None:
            if len(self._seen) >= self.max_keys:
                self._prune(now)
            times = self._seen[key] = deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False, times[0] + self.window - now
        times.append(now)
        return True, 0.0

    def _prune(self, now: float) -> None:
        for key in [k for k, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[key]
        if len(self._seen) >= self.max_keys:      # every address active: forget the oldest half
            for key in sorted(self._seen, key=lambda k: self._seen[k][-1])[: self.max_keys // 2]:
                del self._seen[key]


class SharedRateLimiter:
    """:class:`RateLimiter`'s rule kept in a database table, so every gateway process of a
    deployment counts the same requests: at most ``limit`` events of ``kind`` per ``window`` seconds
    per address.

    An event is first recorded (its own transaction), then every committed event of the address in
    the window is counted, its own included; over the limit, it is deleted again and refused.  Of two
    gateways counting at once, the one counting last sees the other's committed row: at worst both
    refuse the last place, never both take it (the limit is never exceeded).  Not only the rows up to
    its own id: PostgreSQL hands out ids in insert order, not commit order, so a later id may be
    committed and counted before an earlier one.  Refused events leave no row, so a flood does not
    grow the table; rows older than the window are deleted as the address comes back, and every
    ``prune_every`` events for every address."""

    def __init__(self, engine, kind: str, limit: int, window: float, clock=time.time,
                 prune_every: int = 1000):
        from sqlalchemy import MetaData

        self.engine, self.kind, self.limit, self.window, self.clock = engine, kind, limit, window, clock
        self.prune_every, self._calls = prune_every, 0
        metadata = MetaData()
        self.table = _hit_table(metadata)
        metadata.create_all(engine)

    def allow(self, key: str) -> tuple[bool, float]:
        from sqlalchemy import and_, delete, func, insert, select

        t, now, key = self.table, self.clock(), key[:100]
        since = now - self.window
        with self.engine.begin() as conn:
            conn.execute(delete(t).where(and_(t.c.kind == self.kind, t.c.address == key, t.c.at <= since)))
            row_id = conn.execute(insert(t).values(kind=self.kind, address=key, at=now)).inserted_primary_key[0]
        with self.engine.begin() as conn:
            count, oldest = conn.execute(select(func.count(), func.min(t.c.at)).where(
                t.c.kind == self.kind, t.c.address == key, t.c.at > since)).one()
            if count > self.limit:
                conn.execute(delete(t).where(t.c.id == row_id))
                return False, max(0.0, (oldest or now) + self.window - now)
        self._calls += 1
        if self._calls % self.prune_every == 0:
            with self.engine.begin() as conn:
                conn.execute(delete(t).where(t.c.at <= since))
        return True, 0.0


def _hit_table(metadata):
    from sqlalchemy import Column, Float, Index, Integer, String, Table

    return Table("public_hit", metadata,
                 Column("id", Integer, primary_key=True, autoincrement=True),
                 Column("kind", String(10), nullable=False),         # view | post
                 Column("address", String(100), nullable=False),
                 Column("at", Float, nullable=False),                 # epoch seconds
                 Index("ix_public_hit_kind_address_at", "kind", "address", "at"))


def trusted_networks(text) -> tuple:
    """``GATEWAY_TRUSTED_PROXIES``: addresses or networks (``10.0.0.5``, ``10.0.0.0/24``), comma or
    space separated; ValueError naming the entry that is neither."""
    import ipaddress

    out = []
    for item in str(text or "").replace(",", " ").split():
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"GATEWAY_TRUSTED_PROXIES: {item!r} is not an address or a network") from None
    return tuple(out)


def _trusted(address: str, networks) -> bool:
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(remote: str | None, forwarded: str | None, networks) -> str:
    """The client's address: the connection's, unless the connection comes from a trusted proxy;
    then the right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (each
    proxy appends the address it saw; the ones left of the first untrusted hop are the client's
    own say, never believed).  A garbled header from a trusted proxy: the proxy's address."""
    import ipaddress

    remote = (remote or "unknown")[:100]
    if not networks or not forwarded or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in forwarded[:2000].split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops and hops[0] else remote


def qr_svg(url: str, scale: int = 4) -> str:
    """The QR code of ``url`` as an SVG document (error correction M, quiet zone of 4 modules)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=scale, border=4,
                                                 xmldecl=False, svgns=True, title=url)
    return out.getvalue().decode("utf-8")
