"""Stored answers (idempotency keys) bound to their caller, operation and request (issue 18 item 6).

A stored answer of the ``idempotency`` table (:func:`shared.db.make_base`) is found by
``(caller, key)``: ``caller`` is the verified actor (``kind:sub``, :func:`shared.identity.caller_id`),
``key`` names the operation and the caller's key (``survey.submit_batch:<key>`` for an RPC,
``survey.batch:<campaign>:<batch_id>`` for a survey batch).  Beside the answer it keeps
``request_hash``, the sha256 of the request (:func:`request_hash`): the same key with the same request
is a retry (the first answer, no second effect); the same key with another request is a
:class:`shared.errors.Conflict` naming the key, and nothing runs.

Stored answers expire: rows older than ``IDEMPOTENCY_RETENTION_DAYS`` (default 7) are deleted by the
timer :func:`prune_timer` of :class:`shared.service.ServiceBase` every ``IDEMPOTENCY_PRUNE_SECONDS``
(default 3600) in every service.  A retry later than the retention runs again.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from itertools import chain

import orjson
from nameko.timer import Timer
from sqlalchemy import delete

from shared.canonical import canonical_bytes
from shared.identity import LEGACY_CALLER as LEGACY

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 7
DEFAULT_PRUNE_SECONDS = 3600
CALLER_LENGTH = 200
KEY_LENGTH = 300


def request_hash(*parts) -> str:
    """The sha256 (hex) of the canonical JSON of ``parts`` (:mod:`shared.canonical`)."""
    text = _plain_canonical_bytes(parts)
    return hashlib.sha256(text if text is not None else canonical_bytes(list(parts), default=str)).hexdigest()


_PLAIN = frozenset({str, int, bool, type(None)})


def _plain_canonical_bytes(parts) -> bytes | None:
    """``canonical_bytes(list(parts))`` written by orjson (keys sorted), when every part is a string,
    an integer, a boolean or null, or a list of flat objects of those (a batch of forms: 5,000 of
    them hashed by the standard encoder were a tenth of the survey's intake; issue 24 item 4).  For
    those values the two texts are the same bytes (a test holds it), so a stored hash still matches;
    anything else (a float, nesting, a key that is not a string, an integer beyond 64 bits, a lone
    surrogate) returns None: the standard encoder writes it, as before."""
    for part in parts:
        if type(part) in _PLAIN:
            continue
        if type(part) is not list or not set(map(type, part)) <= {dict}:
            return None
        try:
            if not set(map(type, chain.from_iterable(map(dict.values, part)))) <= _PLAIN:
                return None
        except TypeError:
            return None
    try:
        return orjson.dumps(list(parts), option=orjson.OPT_SORT_KEYS)
    except TypeError:           # orjson.JSONEncodeError: a key not a string, a big integer, a surrogate
        return None


def bounded(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else a prefix and the sha256 of the whole: two
    long keys that differ only at their end stay two keys (truncating would make them one)."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return f"{text[:limit - len(digest) - 1]}#{digest}"


def retention_days(config) -> float:
    value = float((config or {}).get("IDEMPOTENCY_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    if value <= 0:
        raise ValueError(f"IDEMPOTENCY_RETENTION_DAYS: {value!r} must be positive")
    return value


def prune_seconds(config) -> float:
    value = float((config or {}).get("IDEMPOTENCY_PRUNE_SECONDS") or DEFAULT_PRUNE_SECONDS)
    if value <= 0:
        raise ValueError(f"IDEMPOTENCY_PRUNE_SECONDS: {value!r} must be positive")
    return value


def prune(session, base, now, days: float) -> int:
    """Delete the stored answers of ``base`` written before ``now - days``; the number deleted."""
    table = base.Idempotency.__table__
    cutoff = now - timedelta(days=days)
    return session.execute(delete(table).where(table.c.created_at < cutoff)).rowcount or 0


class PruneTimer(Timer):
    """nameko's timer, its interval read from the config (``IDEMPOTENCY_PRUNE_SECONDS``) at setup."""

    def __init__(self, **kwargs):
        super().__init__(interval=DEFAULT_PRUNE_SECONDS, **kwargs)

    def setup(self):
        self.interval = prune_seconds(self.container.config)
        super().setup()


prune_timer = PruneTimer.decorator


# ------------------------------------------------------------------------------------------------
# the migration of every service's table (frozen: the revisions that call these must keep meaning
# what they meant when they were written)


def _table(op, name: str, with_caller: bool):
    import sqlalchemy as sa

    columns = [sa.Column("caller", sa.String(CALLER_LENGTH), nullable=False,
                         server_default=LEGACY)] if with_caller else []
    columns += [sa.Column("key", sa.String(KEY_LENGTH), nullable=False)]
    columns += [sa.Column("request_hash", sa.String(64), nullable=True)] if with_caller else []
    columns += [sa.Column("response", sa.JSON(), nullable=True),
                sa.Column("created_at", sa.DateTime(), nullable=False)]
    pk = ["caller", "key"] if with_caller else ["key"]
    op.create_table(name, *columns, sa.PrimaryKeyConstraint(*pk, name=f"{name}_pkey"))


def upgrade_table(op) -> None:
    """``idempotency(key)`` → ``idempotency(caller, key)`` with ``request_hash`` and an index on
    ``created_at``; every existing row is copied, under the caller ``legacy`` (PostgreSQL and
    SQLite alike: a new table, the rows copied, the old one dropped)."""
    import sqlalchemy as sa

    _table(op, "idempotency_v2", with_caller=True)
    op.execute(sa.text("INSERT INTO idempotency_v2 (caller, key, request_hash, response, created_at) "
                       "SELECT :legacy, key, NULL, response, created_at FROM idempotency"
                       ).bindparams(legacy=LEGACY))
    op.drop_table("idempotency")
    op.rename_table("idempotency_v2", "idempotency")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE idempotency RENAME CONSTRAINT idempotency_v2_pkey TO idempotency_pkey")
    op.create_index("ix_idempotency_created_at", "idempotency", ["created_at"])


def downgrade_table(op) -> None:
    """Back to ``idempotency(key)``: one row per key is kept (the legacy caller's, else the oldest)."""
    import sqlalchemy as sa

    _table(op, "idempotency_v1", with_caller=False)
    op.execute(sa.text(
        "INSERT INTO idempotency_v1 (key, response, created_at) SELECT key, response, created_at "
        "FROM idempotency i WHERE NOT EXISTS (SELECT 1 FROM idempotency o WHERE o.key = i.key AND "
        "(CASE WHEN o.caller = :legacy THEN 0 ELSE 1 END, o.created_at, o.caller) < "
        "(CASE WHEN i.caller = :legacy THEN 0 ELSE 1 END, i.created_at, i.caller))"
    ).bindparams(legacy=LEGACY))
    op.drop_table("idempotency")
    op.rename_table("idempotency_v1", "idempotency")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE idempotency RENAME CONSTRAINT idempotency_v1_pkey TO idempotency_pkey")
