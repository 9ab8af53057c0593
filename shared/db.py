"""Database plumbing: one database per service, a unit of work per worker, outbox, inbox, idempotency.

Usage in a service::

    # services/roster/models.py
    from shared.db import make_base
    Base = make_base()            # its metadata already holds the delivery tables

    # services/roster/service.py
    class RosterService(ServiceBase):
        name = "roster"
        db = Database(models.Base)

        @rpc
        def create_unit(self, payload):
            data = load(CreateUnit(), payload)
            return handlers.create_unit(self.db, data)   # self.db is a UnitOfWork

A :class:`UnitOfWork` gives ``session`` (SQLAlchemy 2 ``Session``), ``publish(event_type, payload)``
(an outbox row in the same transaction), ``already_handled(event)`` (inbox, same transaction: the
event entry point asks it for every handler) and
``recall``/``remember`` (idempotency keys, by caller and key, with the request's hash:
:mod:`shared.idempotency`).  The suite's own entry points
(:mod:`shared.entrypoints`) commit it **before** the RPC reply is sent or the event is acked, so a
caller never sees success for something that was not committed; anything else (timers) commits in
``worker_result``.  An error rolls everything back: nothing is half-written.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone

from nameko.extensions import DependencyProvider
from sqlalchemy import (JSON, BigInteger, Column, DateTime, Integer, String, Text, create_engine,
                        event, func, select, text)
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool

from shared import fastjson
from shared.config import database_url
from shared.identity import LEGACY_CALLER
from shared.idempotency import CALLER_LENGTH, KEY_LENGTH

log = logging.getLogger(__name__)

# worker_ctx -> UnitOfWork, so that entry points can commit before they reply
units: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


#: the length of a ``signed_by`` column: ``kind:sub`` of the verified actor (shared.identity)
SIGNED_LENGTH = 200
_SIGNED_KEY = "lianbao.signed_by"


def signed_by(session) -> str | None:
    """Who the entry point verified for the work of ``session`` (``kind:sub``: ``person:o1``,
    ``persons:ps-office``, ``operator:ops``, ``service:scoring`` for an event it published), None
    for a timer: what a step records beside the actor its payload names (issue 18 item 3)."""
    return session.info.get("signed_by")


def _signed_default(context):
    return context.connection.info.get(_SIGNED_KEY)


def signed_column(*, on_update: bool = True) -> Column:
    """A ``signed_by`` column filled from the session's verified actor when a row is inserted
    (ORM or bulk ``insert()``) and, with ``on_update``, whenever it is updated: the identity of whoever
    wrote the row last. A record of several steps keeps the first with ``on_update=False`` and
    each later step in a column of its own, set with :func:`signed_by`. Null for rows written before
    it was recorded and by timers."""
    return Column(String(SIGNED_LENGTH), nullable=True, default=_signed_default,
                  onupdate=_signed_default if on_update else None)


@event.listens_for(Session, "after_begin")
def _carry_signed_by(session, _transaction, connection):
    """The column defaults of :func:`signed_column` see only the connection: hand it the session's
    verified actor at the start of each transaction (None when the session has none)."""
    connection.info[_SIGNED_KEY] = session.info.get("signed_by")


def make_base():
    """A new declarative base whose metadata holds the outbox, inbox and idempotency tables."""

    class Base(DeclarativeBase):
        pass

    class OutboxMessage(Base):
        __tablename__ = "outbox"
        id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
        event_id = Column(String(64), nullable=False, unique=True)
        event_type = Column(String(100), nullable=False)
        payload = Column(Text, nullable=False)
        created_at = Column(DateTime, nullable=False, default=utcnow)
        published_at = Column(DateTime, nullable=True, index=True)

    class InboxRecord(Base):
        __tablename__ = "inbox"
        handler = Column(String(200), primary_key=True)
        event_id = Column(String(64), primary_key=True)
        processed_at = Column(DateTime, nullable=False, default=utcnow)

    class IdempotencyRecord(Base):
        """A stored answer: found by (caller, key), kept with the hash of its request
        (:mod:`shared.idempotency`); rows of before #18 item 6 have the caller ``legacy``."""
        __tablename__ = "idempotency"
        caller = Column(String(CALLER_LENGTH), primary_key=True, server_default=LEGACY_CALLER)
        key = Column(String(KEY_LENGTH), primary_key=True)
        request_hash = Column(String(64), nullable=True)
        response = Column(JSON, nullable=True)
        created_at = Column(DateTime, nullable=False, default=utcnow, index=True)

    Base.Outbox = OutboxMessage
    Base.Inbox = InboxRecord
    Base.Idempotency = IdempotencyRecord
    return Base


def make_engine(url: str):
    """An engine fit for eventlet: psycopg2 for PostgreSQL; one serialised connection for SQLite.

    SQLite's busy wait blocks the whole process under eventlet, so two green threads writing at
    once would deadlock; a pool of one connection makes them queue (green) instead.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=120,
                               connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        _forget_signed_by_on_checkin(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    # json and jsonb columns read by orjson where it gives json.loads's value (a read's 24 columns of
    # twelve evaluations: ~4 µs each with json.loads, under 1 with orjson; issue 24 item 2)
    engine = create_engine(url, pool_size=10, max_overflow=10, json_deserializer=fastjson.read)
    ping_when_idle(engine)
    _forget_signed_by_on_checkin(engine)
    return engine


#: a pooled connection idle longer than this is tested (``SELECT 1``) before it is handed out
PING_AFTER_SECONDS = 5.0


def ping_when_idle(engine) -> None:
    """Test a pooled connection before use only when it has been idle for ``PING_AFTER_SECONDS``:
    SQLAlchemy's ``pool_pre_ping`` tests it on every checkout, a round trip that was a fifth of a
    read RPC's time.  A connection that died while idle (a database restart, a dropped connection)
    is replaced before anyone uses it; one that dies within seconds of its last use fails the
    statement that finds it (the worker's error: an RPC caller sees it and may retry with its
    idempotency key, an event is retried) and the pool then replaces every connection older than it."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_SECONDS:
            return
        try:
            cursor = dbapi_conn.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as exc:  # the pool discards it and hands out another
            raise DisconnectionError(f"a pooled connection idle for {time.monotonic() - since:.0f} s "
                                     f"is gone: {exc}") from exc


def _forget_signed_by_on_checkin(engine) -> None:
    """A pooled connection forgets the verified actor of its last session when it is returned, so
    a write outside a session (no ``after_begin``) never inherits someone else's."""
    @event.listens_for(engine, "checkin")
    def _forget(_dbapi_conn, record):
        record.info.pop(_SIGNED_KEY, None)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist (no-op for SQLite)."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = make_engine(u.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": u.database}).scalar()
            if not exists:
                try:
                    conn.execute(text(f'CREATE DATABASE "{u.database}"'))
                except Exception:  # a concurrent creator won the race
                    log.info("database %s created concurrently", u.database)
    finally:
        admin.dispose()


class UnitOfWork:
    """One transaction: the state change, the events to publish and the events handled, together."""

    def __init__(self, sessionmaker_, base, handler: str = "", on_published=None, provider=None):
        self.provider = provider
        self._sessionmaker = sessionmaker_
        self._base = base
        self.handler = handler
        self._session: Session | None = None
        self._on_published = on_published
        self.published: list[str] = []
        self.done = False
        #: who acts, as verified by the entry point (``kind:sub``; None for a timer): what audit
        #: trails record beside the actor a payload names (a system acting for its persons, say)
        self.signed_by: str | None = None

    # -- the session ---------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._sessionmaker()
            self._session.info["signed_by"] = self.signed_by   # for the audit trails of this work
        return self._session

    @property
    def engine(self):
        """The engine this unit of work's sessions are bound to (what per-process caches key on)."""
        return self._sessionmaker.kw["bind"]

    def read(self, statement, params=None) -> list:
        """The rows of one read-only ``statement`` (built once, at import: SQLAlchemy then reuses its
        compiled form without coercing or keying it again).  Inside a transaction this unit of work
        has begun (it wrote, or read through ``session``), through that transaction, which sees its
        own writes.  Otherwise on a pooled connection in autocommit, handed back at once: no
        ``BEGIN`` and no ``COMMIT``, two of a read RPC's database round trips (issue 24 item 2).  Each
        such statement sees the data committed when it starts, as the first statement of a
        transaction would; a read that needs several statements to agree reads them in one
        statement, or through ``session``."""
        if self._session is not None:
            return self._session.execute(statement, params).all()
        engine = self.engine
        if engine.dialect.name != "postgresql":
            with engine.connect() as conn:                 # SQLite: a SELECT begins no transaction
                return conn.execute(statement, params).all()
        return read_autocommit(engine, statement, params)

    # -- delivery --------------------------------------------------------------------------------
    def publish(self, event_type: str, payload: dict, dumps=None) -> str:
        """Record an event in the outbox, in this transaction; the relay sends it after commit.

        The payload gets an ``event_id`` (unless it has one) that consumers use for their inbox.
        ``dumps``: the payload's JSON text from the payload, for a large event whose values are
        known (a rating's results: :func:`shared.fastjson.dumps`); by default ``json.dumps`` with
        anything else as its ``str``.
        """
        payload = dict(payload)
        event_id = payload.setdefault("event_id", uuid.uuid4().hex)
        payload.setdefault("occurred_at", utcnow().isoformat(timespec="seconds") + "Z")
        self.session.add(self._base.Outbox(event_id=event_id, event_type=event_type,
                                           payload=(dumps(payload) if dumps is not None else
                                                    json.dumps(payload, ensure_ascii=False, default=str))))
        self.published.append(event_id)
        return event_id

    def already_handled(self, event: dict, handler: str | None = None) -> bool:
        """Inbox: True if this handler already processed ``event['event_id']``; else record it.

        The record joins this transaction, so it commits together with the handler's effect.
        """
        event_id = event.get("event_id") if isinstance(event, dict) else None
        if not event_id:
            return False
        name = handler or self.handler
        Inbox = self._base.Inbox
        if self.session.get(Inbox, (name, event_id)) is not None:
            return True
        self.session.add(Inbox(handler=name, event_id=event_id))
        self.session.flush()
        return False

    def recall(self, caller: str, key: str):
        """The stored answer of ``caller``'s ``key``: ``{"response", "request_hash"}``, or None."""
        return _stored(self.session.get(self._base.Idempotency, (caller, key)))

    def remember(self, caller: str, key: str, response, request_hash: str | None = None) -> None:
        self.session.add(self._base.Idempotency(caller=caller, key=key, response=response,
                                                request_hash=request_hash))

    # -- the transaction -------------------------------------------------------------------------
    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()
        self.done = True
        if self.published and self._on_published:
            self._on_published()

    def rollback(self) -> None:
        if self._session is not None:
            self._session.rollback()
        self.published = []
        self.done = True

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self.done:
            self.rollback()
        self.close()
        return False


#: what :meth:`UnitOfWork.read` knows of a statement on PostgreSQL, by engine and statement: its
#: :class:`_Prepared`, or False (not fit: read through SQLAlchemy); nothing until its first read
_PREPARED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_PREPARED_NAMES = iter(range(1, 1 << 62))
_PREPARED_KEY = "lianbao.prepared"
#: at most this many statements of one engine are learnt (and so kept, and prepared on each of its
#: connections): the reads are statements built once at import; one built afresh for every call would
#: otherwise be kept, with its prepared statement on every connection, for ever.  Past it a statement
#: not yet learnt is read through SQLAlchemy.
PREPARED_LIMIT = 64
_BIND = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)s")


class _Prepared:
    """One read-only statement of :meth:`UnitOfWork.read`, run on PostgreSQL as a server-side
    prepared statement (``PREPARE`` once per pooled connection, then ``EXECUTE``: PostgreSQL parses
    and plans the text once per connection instead of on every call) straight on psycopg2's cursor.
    Its rows are SQLAlchemy's ``Row`` of the metadata of the statement's first read through
    SQLAlchemy (same names, same values): taken only for a statement whose columns SQLAlchemy hands
    over as psycopg2 gives them (no result processor, checked on that first read) and whose
    parameters it binds unconverted.  Issue 24 item 2."""

    __slots__ = ("statement", "compiled", "name", "prepare", "execute", "order", "metadata", "types", "checked")

    def __init__(self, statement, compiled, metadata):
        self.statement, self.compiled, self.metadata = statement, compiled, metadata
        self.name = f"lianbao_read_{next(_PREPARED_NAMES)}"
        order: list[str] = []

        def number(match):
            if match.group(1) not in order:
                order.append(match.group(1))
            return f"${order.index(match.group(1)) + 1}"

        # the text PostgreSQL prepares is sent without parameters: psycopg2's ``%%`` is a ``%`` there
        self.prepare = f"PREPARE {self.name} AS " + _BIND.sub(number, compiled.string).replace("%%", "%")
        self.order = tuple(order)
        # the type of each parameter as SQLAlchemy binds it, as PostgreSQL names it: PREPARE infers
        # a parameter's type from its place in the text alone (``SELECT $1`` is text, ``$1 IS NULL``
        # has none), where psycopg2 sends the value as a literal of its own type; a statement runs
        # prepared only where the two agree (checked once, on its first PREPARE)
        self.types = tuple(_pg_type(compiled.binds[n].type, compiled.dialect) for n in order)
        self.checked = False
        self.execute = (f"EXECUTE {self.name} (" + ", ".join(f"%({n})s" for n in order) + ")"
                        if order else f"EXECUTE {self.name}")

    def _prepare(self, engine, raw, cursor) -> bool:
        """PREPARE the text on this connection; False when PostgreSQL will not, or types a parameter
        otherwise than psycopg2's literal would be (checked once a statement): the caller then reads
        it through SQLAlchemy (the values sent as literals), as before; nothing is left open."""
        try:
            cursor.execute(self.prepare)
        except engine.dialect.loaded_dbapi.ProgrammingError as exc:
            if raw.closed or engine.dialect.is_disconnect(exc, raw, None):
                raise
            return False        # a parameter it cannot type without its value (``:day IS NULL``)
        if not self.checked:
            cursor.execute("SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = %s",
                           (self.name,))
            inferred = tuple(_STRINGS.get(t, t) for t in cursor.fetchone()[0] or ())
            if inferred != self.types:
                cursor.execute(f"DEALLOCATE {self.name}")
                return False
            self.checked = True
        return True

    def run(self, engine, params) -> list | None:
        """The rows, or None when PostgreSQL will not prepare the text (read it through SQLAlchemy)."""
        from sqlalchemy.engine.row import Row
        from sqlalchemy.exc import DBAPIError

        values = self.compiled.construct_params(params or {})
        bound = {n: values[n] for n in self.order}
        fairy = engine.raw_connection()
        raw = fairy.dbapi_connection
        try:
            with autocommit(raw), raw.cursor() as cursor:
                done = fairy.info.get(_PREPARED_KEY)
                if done is None or done[0] is not raw:      # a new connection prepares afresh
                    done = fairy.info[_PREPARED_KEY] = (raw, set())
                rows = None
                if self.name in done[1] or self._prepare(engine, raw, cursor):
                    done[1].add(self.name)
                    cursor.execute(self.execute, bound)
                    rows = cursor.fetchall()
        except Exception as exc:
            dbapi = engine.dialect.loaded_dbapi
            if raw.closed or (isinstance(exc, dbapi.Error) and engine.dialect.is_disconnect(exc, raw, None)):
                fairy.invalidate(exc)       # as SQLAlchemy does with a connection found dead
            fairy.close()
            if isinstance(exc, dbapi.Error):        # as SQLAlchemy raises it
                raise DBAPIError.instance(self.execute, bound, exc, dbapi.Error,
                                          dialect=engine.dialect) from exc
            raise
        fairy.close()
        if rows is None:
            return None
        metadata = self.metadata
        index = metadata._key_to_index
        return [Row(metadata, None, index, row) for row in rows]


#: SQLAlchemy's PostgreSQL type names (without length or precision) as ``regtype`` prints them
_PG_TYPES = {"INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint", "VARCHAR": "character varying",
             "TEXT": "text", "DATE": "date", "BOOLEAN": "boolean", "NUMERIC": "numeric",
             "FLOAT": "double precision", "TIMESTAMP WITHOUT TIME ZONE": "timestamp without time zone",
             "TIMESTAMP WITH TIME ZONE": "timestamp with time zone", "JSON": "json", "JSONB": "jsonb"}


#: psycopg2 sends a str as a literal of no type, which PostgreSQL types by its place in the text, as
#: it types a parameter of PREPARE: text or varchar, whichever the place gives, is the same reading
_STRINGS = {"character varying": "text"}


def _pg_type(type_, dialect) -> str:
    """A bound parameter's type as PostgreSQL's ``regtype`` names it (text for any string: see
    ``_STRINGS``); ValueError for a type without one here (an untyped parameter among them): such a
    statement is not prepared."""
    if getattr(type_, "_isnull", False):
        raise ValueError("an untyped parameter")
    name = re.sub(r"\(.*?\)", "", type_.compile(dialect=dialect)).strip()
    if name not in _PG_TYPES:
        raise ValueError(f"no regtype known for {name!r}")
    return _STRINGS.get(_PG_TYPES[name], _PG_TYPES[name])


@contextmanager
def autocommit(raw):
    """A pooled psycopg2 connection in autocommit for reads, by psycopg2's own switch, set and reset
    on the client alone (SQLAlchemy's AUTOCOMMIT isolation level resets through
    ``set_isolation_level``, a round trip of its own): its statements send no ``BEGIN``; the pool
    gets it back transactional."""
    raw.rollback()      # the pool's ping after an idle spell opened a transaction; else free
    raw.autocommit = True
    try:
        yield raw
    finally:
        if not raw.closed:
            raw.autocommit = False


def read_autocommit(engine, statement, params=None) -> list:
    """The rows of one read-only ``statement`` (built once, at import) on a pooled PostgreSQL
    connection in autocommit, handed back at once: prepared (:class:`_Prepared`) from its second
    read where it is fit, else through SQLAlchemy.  What :meth:`UnitOfWork.read` does outside a
    transaction, and the policy's lookups (:meth:`_LazySession.read`)."""
    prepared = _prepared(engine, statement)
    if prepared:
        rows = prepared.run(engine, params)
        if rows is not None:
            return rows
        _PREPARED[engine][id(statement)] = prepared = False    # PostgreSQL would not prepare it
    with engine.connect() as conn, autocommit(conn.connection.dbapi_connection):
        result = conn.execute(statement, params)
        if prepared is None:        # its first read: may it run prepared from now on?
            _learn(engine, statement, result)
        return result.all()


def _prepared(engine, statement):
    """The :class:`_Prepared` of ``statement`` on ``engine``, False when it is not fit, None before
    its first read (:func:`_learn`)."""
    kept = _PREPARED.get(engine)
    found = kept.get(id(statement)) if kept is not None else None
    if found is None or (found is not False and found.statement is not statement):
        return None
    return found


def _learn(engine, statement, result) -> None:
    """After a statement's first read through SQLAlchemy: whether it may run prepared
    (:class:`_Prepared`), from its compiled form and the result's metadata.  Not fit: parameters
    SQLAlchemy converts, expands or renames, a column it converts, a repeated column name."""
    kept = _PREPARED.get(engine)
    if kept is None:
        kept = _PREPARED[engine] = {}
    if len(kept) >= PREPARED_LIMIT:
        return
    made = False
    try:
        compiled = statement.compile(dialect=engine.dialect)
        metadata = result._metadata
        processors = getattr(metadata, "_processors", None)
        keys = tuple(result.keys())
        if (isinstance(compiled.string, str) and getattr(statement, "is_select", False) is True
                and not (compiled.isinsert or compiled.isupdate or compiled.isdelete) and compiled.positiontup is None
                and not compiled._bind_processors and not getattr(compiled, "escaped_bind_names", None)
                and not getattr(compiled, "literal_execute_params", None)
                and not getattr(compiled, "post_compile_params", None)
                and "POSTCOMPILE" not in compiled.string
                and processors is not None and len(processors) == len(keys) and not any(processors)
                and len(set(keys)) == len(keys) and isinstance(getattr(metadata, "_key_to_index", None), dict)):
            made = _Prepared(statement, compiled, metadata)
    except Exception:       # anything unexpected: read through SQLAlchemy, as before
        log.debug("statement not prepared", exc_info=True)
    kept[id(statement)] = made


def complete(worker_ctx, result, exc_info):
    """Commit (or roll back) the worker's unit of work; a failed commit becomes the worker's error."""
    uow = units.get(worker_ctx)
    if uow is None or uow.done:
        return result, exc_info
    if exc_info is not None:
        uow.rollback()
        return result, exc_info
    try:
        uow.commit()
    except Exception:  # the caller must not see success for an uncommitted change
        import sys

        uow.rollback()
        return None, sys.exc_info()
    return result, exc_info


class _LazySession:
    """A session opened by ``opener()`` (a context manager) when an attribute of it is first asked
    for, and closed by :meth:`close` only if it was; :meth:`read` reads one statement without it."""

    def __init__(self, opener, engine=None):
        self._opener = opener
        self._context = None
        self._session = None
        self._engine = engine

    def read(self, statement, params=None) -> list:
        """The rows of one read-only ``statement`` built once (at import), as :meth:`UnitOfWork.read`
        reads outside a transaction: on PostgreSQL on a pooled connection in autocommit, prepared
        from its second read where fit (PostgreSQL parses and plans it once per connection; issue 24,
        the policy's lookups), with no session opened; elsewhere through the session."""
        engine = self._engine
        if engine is None or engine.dialect.name != "postgresql":
            return self.execute(statement, params).all()
        return read_autocommit(engine, statement, params)

    def __getattr__(self, name):
        if self._session is None:
            context = self._opener()
            self._session = context.__enter__()
            self._context = context
        return getattr(self._session, name)

    def close(self) -> None:
        context, self._context, self._session = self._context, None, None
        if context is not None:
            context.__exit__(None, None, None)


class Database(DependencyProvider):
    """The service's own database (SQLAlchemy 2.x), migrated on start, with the outbox relay."""

    def __init__(self, base, **kwargs):
        self.base = base
        super().__init__(**kwargs)

    def setup(self):
        from shared.outbox import OutboxRelay  # local: keeps import order simple
        from shared.migrate import upgrade

        service = self.container.service_name
        self.url = database_url(service, self.container.config)
        ensure_database(self.url)
        self.engine = make_engine(self.url)
        upgrade(service, self.engine, self.base)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(self.container, self.sessionmaker, self.base)

    def start(self):
        self.relay.start()

    def stop(self):
        self.relay.stop()
        self.engine.dispose()

    def kill(self):
        self.relay.stop()

    @contextmanager
    def reading_lazily(self):
        """:meth:`reading`'s session, opened only when first used: a decision that reads nothing (a
        person reading what is about himself, a caller of the whole city) takes no pooled connection."""
        lazy = _LazySession(self.reading, self.engine)
        try:
            yield lazy
        finally:
            lazy.close()

    @contextmanager
    def reading(self):
        """A short-lived session for reads only (the policy table's lookups): on PostgreSQL its
        connection is in autocommit, switched on the client (as :meth:`UnitOfWork.read`), so its
        statements send no ``BEGIN`` and its close no ``ROLLBACK`` (a round trip each; issue 24).
        Each statement sees the data committed when it starts, as each statement of a READ
        COMMITTED transaction did; nothing is written through it. Elsewhere a plain session."""
        if self.engine.dialect.name != "postgresql":
            with self.sessionmaker() as session:
                yield session
            return
        with self.engine.connect() as conn, autocommit(conn.connection.dbapi_connection), \
                Session(bind=conn) as session:
            yield session

    def unit_of_work(self, handler: str = "") -> UnitOfWork:
        return UnitOfWork(self.sessionmaker, self.base, handler, on_published=self.relay.notify,
                          provider=self)

    def get_dependency(self, worker_ctx):
        from shared.identity import current

        uow = self.unit_of_work(f"{self.container.service_name}.{worker_ctx.entrypoint.method_name}")
        actor = current(worker_ctx)
        uow.signed_by = f"{actor.kind}:{actor.sub}"[:200] if actor is not None else None
        units[worker_ctx] = uow
        return uow

    def worker_setup(self, worker_ctx):
        # an event's entry point makes its handler run once per event, in this unit of work (the inbox)
        inbox = getattr(worker_ctx.entrypoint, "inbox", None)
        if inbox is not None:
            inbox(worker_ctx, units[worker_ctx])

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        complete(worker_ctx, result, exc_info)

    def worker_teardown(self, worker_ctx):
        uow = units.pop(worker_ctx, None)
        if uow is not None:
            if not uow.done:
                uow.rollback()
            uow.close()

    # -- for health and metrics -------------------------------------------------------------
    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.exception("database unreachable")
            return False

    def outbox_backlog(self) -> tuple[int, float]:
        """(unpublished rows, age in seconds of the oldest one)."""
        Outbox = self.base.Outbox
        with self.sessionmaker() as s:
            count, oldest = s.execute(select(func.count(Outbox.id), func.min(Outbox.created_at))
                                      .where(Outbox.published_at.is_(None))).one()
        age = (utcnow() - oldest).total_seconds() if oldest else 0.0
        return int(count), age

    def recall(self, caller: str, key: str):
        with self.sessionmaker() as s:
            return _stored(s.get(self.base.Idempotency, (caller, key)))


def _stored(rec):
    return None if rec is None else {"response": rec.response, "request_hash": rec.request_hash}


__all__ = ["make_base", "make_engine", "ensure_database", "UnitOfWork", "Database", "complete", "units",
           "IntegrityError", "utcnow"]
