"""``UnitOfWork.read`` (issue 24 item 2): a read outside a transaction runs in autocommit on a
pooled connection handed back at once, and the pool gets back a transactional connection; inside
a transaction the unit of work began, the read goes through it and sees its own writes.  On SQLite
and PostgreSQL."""
import pytest
from sqlalchemy import JSON, Column, Integer, String, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shared import db
from shared.db import UnitOfWork, make_base

Base = make_base()


class Thing(Base):
    __tablename__ = "things"
    id = Column(Integer, primary_key=True)
    name = Column(String(20), nullable=False)


ALL = select(Thing.id, Thing.name).order_by(Thing.id)


def _uow(engine) -> UnitOfWork:
    return UnitOfWork(sessionmaker(engine, expire_on_commit=False), Base)


def test_a_read_outside_a_transaction_opens_none_and_leaves_the_pool_transactional(engine_of):
    engine = engine_of("uowread")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.execute(insert(Thing), [{"id": 1, "name": "one"}])
        s.commit()
    with _uow(engine) as uow:
        assert [tuple(r) for r in uow.read(ALL)] == [(1, "one")]
        assert uow._session is None                       # no session, no transaction of its own
        assert engine.pool.checkedout() == 0              # the connection is back in the pool
    with Session(engine) as s:                            # the same pooled connection, transactional again
        s.execute(insert(Thing), [{"id": 2, "name": "two"}])
        s.rollback()
    with _uow(engine) as uow:
        assert [r.id for r in uow.read(ALL)] == [1]       # the rollback took the row with it
    engine.dispose()


def test_a_read_inside_the_transaction_sees_its_own_writes_and_a_rollback_drops_them(engine_of):
    engine = engine_of("uowread")
    Base.metadata.create_all(engine)
    with _uow(engine) as uow:
        uow.session.execute(insert(Thing), [{"id": 3, "name": "three"}])
        assert [r.name for r in uow.read(select(Thing.name))] == ["three"]
        uow.rollback()
    with _uow(engine) as uow:
        assert uow.read(ALL) == []
        assert uow.engine is engine
    engine.dispose()


def test_a_failed_read_also_leaves_the_pool_transactional(engine_of):
    engine = engine_of("uowread")
    Base.metadata.create_all(engine)
    with _uow(engine) as uow, pytest.raises(DBAPIError):
        uow.read(text("SELECT * FROM no_such_table"))
    with Session(engine) as s:
        s.execute(insert(Thing), [{"id": 4, "name": "four"}])
        s.rollback()
    with _uow(engine) as uow:
        assert uow.read(ALL) == []
    engine.dispose()


def test_a_read_on_a_connection_the_pool_has_just_pinged(engine_of, monkeypatch):
    """The pool pings a connection idle for ``PING_AFTER_SECONDS`` (a ``SELECT 1``, which opens a
    transaction on PostgreSQL) before handing it out: the read still runs, and leaves it transactional."""
    monkeypatch.setattr(db, "PING_AFTER_SECONDS", 0.0)      # every pooled connection counts as idle
    engine = engine_of("uowread")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.execute(insert(Thing), [{"id": 5, "name": "five"}])
        s.commit()
    for _ in range(2):
        with _uow(engine) as uow:
            assert [r.id for r in uow.read(ALL)] == [5]
    with Session(engine) as s:
        s.execute(insert(Thing), [{"id": 6, "name": "six"}])
        s.rollback()
    with _uow(engine) as uow:
        assert [r.id for r in uow.read(ALL)] == [5]
    engine.dispose()


def _database(engine) -> db.Database:
    database = db.Database.__new__(db.Database)      # its engine and sessionmaker, no container
    database.engine, database.sessionmaker = engine, sessionmaker(engine, expire_on_commit=False)
    return database


def test_the_policys_reading_session_opens_no_transaction_and_only_when_used(engine_of, monkeypatch):
    """``Database.reading_lazily`` (the policy table's lookups): no pooled connection taken when the
    decision reads nothing; when it reads, on PostgreSQL no transaction is open after a statement
    (autocommit: no BEGIN, no ROLLBACK), and the pool gets back a transactional connection, also
    after a ping and after a failed statement."""
    monkeypatch.setattr(db, "PING_AFTER_SECONDS", 0.0)      # every pooled connection counts as idle
    engine = engine_of("uowread")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.execute(insert(Thing), [{"id": 7, "name": "seven"}])
        s.commit()
    database = _database(engine)
    with database.reading_lazily() as session:
        assert engine.pool.checkedout() == 0                 # nothing read: no connection
    assert engine.pool.checkedout() == 0
    for _ in range(2):
        with database.reading_lazily() as session:
            assert session.execute(ALL).all() == [(7, "seven")]
            assert session.get(Thing, 7).name == "seven"
            assert engine.pool.checkedout() == 1
            if engine.dialect.name == "postgresql":
                import psycopg2.extensions as ext

                raw = session.connection().connection.dbapi_connection
                assert raw.autocommit and raw.get_transaction_status() == ext.TRANSACTION_STATUS_IDLE
        assert engine.pool.checkedout() == 0
    with pytest.raises(DBAPIError), database.reading_lazily() as session:
        session.execute(text("SELECT * FROM no_such_table"))
    assert engine.pool.checkedout() == 0
    with Session(engine) as s:                            # the pooled connection transactional again
        s.execute(insert(Thing), [{"id": 8, "name": "eight"}])
        s.rollback()
    with database.reading_lazily() as session:
        assert [r.id for r in session.execute(ALL)] == [7]
    engine.dispose()


class Doc(Base):
    __tablename__ = "docs"
    id = Column(Integer, primary_key=True)
    doc = Column(JSON)


DOCS = select(Doc.id, Doc.doc).order_by(Doc.id)
#: json the standard decoder and orjson read alike, and json only the standard decoder reads as it
#: is (an integer beyond 64 bits orjson reads as a float; 1e400 it refuses, json.loads reads inf)
TEXTS = ['{"final": {"political.study": 7.0, "x": 3}, "self": {"y": -0.5}}', "[]", "null",
         '{"n": 123456789012345678901234567890, "s": "\\ud83d\\ude00 张三"}', "[1e400, -0, 18446744073709551616]"]


def test_json_columns_read_as_json_loads_reads_them(engine_of):
    """The engine's json columns (PostgreSQL: psycopg2's decoder, orjson where it gives the same:
    shared.fastjson.read) read as ``json.loads`` reads their text, prepared, through SQLAlchemy, in
    a transaction."""
    import json

    engine = engine_of("uowjson")
    Base.metadata.create_all(engine)
    cast = "CAST(:doc AS json)" if engine.dialect.name == "postgresql" else ":doc"
    with Session(engine) as s:
        for n, doc in enumerate(TEXTS):
            s.execute(text(f"INSERT INTO docs (id, doc) VALUES (:id, {cast})"), {"id": n, "doc": doc})
        s.commit()
    expected = [json.loads(doc) for doc in TEXTS]

    def exact(rows):
        got = [r.doc for r in rows]
        return repr(got) == repr(expected)          # ints stay ints, inf stays inf

    for _ in range(3):      # the first read learns the statement, the next ones run it prepared
        with _uow(engine) as uow:
            assert exact(uow.read(DOCS))
    with _uow(engine) as uow:
        uow.session.execute(text("SELECT 1"))
        assert exact(uow.read(DOCS))                  # inside the unit of work's transaction
    with Session(engine) as s:
        assert exact(s.execute(DOCS).all())
    engine.dispose()
