"""``UnitOfWork.read`` on PostgreSQL (issue 24 item 2): from a statement's second read outside a
transaction it runs as a server-side prepared statement on psycopg2's cursor; the rows are the same
``Row``s SQLAlchemy gives (names, values, ``_mapping``), a statement whose columns SQLAlchemy
converts is never prepared, and a failure is SQLAlchemy's ``DBAPIError`` with the pool left sound."""
import datetime as dt
import json

import pytest
from sqlalchemy import (Boolean, Column, Date, Integer, Numeric, String, TypeDecorator, bindparam, func,
                        insert, literal_column, select, text)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import JSON

from shared import db
from shared.db import UnitOfWork, make_base

pytestmark = pytest.mark.broker

Base = make_base()


class Upper(TypeDecorator):
    """A column SQLAlchemy converts on the way out."""
    impl = String(20)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else value.upper()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    name = Column(String(20), nullable=False)
    day = Column(Date)
    score = Column(Numeric(7, 2))
    facts = Column(JSON)
    flag = Column(Boolean)
    shout = Column(Upper)


ROWS = [{"id": 1, "name": "a%b", "day": dt.date(2025, 1, 31), "score": 71.5, "facts": {"x": [1, 2.5, "甲"]},
         "flag": True, "shout": "hey"},
        {"id": 2, "name": "b", "day": None, "score": None, "facts": None, "flag": False, "shout": None}]
#: parameters, a literal bound by SQLAlchemy, a scalar subquery, a ``%`` in the text, an aggregate
BY_NAME = (select(Item.id, Item.name, Item.day, Item.score, Item.facts, Item.flag,
                  literal_column("'100%'").label("pct"),
                  select(func.count()).select_from(Item).where(Item.id > 0).scalar_subquery().label("n"))
           .where(Item.name.like(bindparam("pattern")), Item.id >= bindparam("low")).order_by(Item.id))
CONVERTED = select(Item.id, Item.shout).order_by(Item.id)


@pytest.fixture
def engine(request):
    from tests.conftest import PG_URL, _drop_databases
    import uuid

    tag = "t" + uuid.uuid4().hex[:10]
    url = f"{PG_URL}/lianbao_{tag}_prepared"
    db.ensure_database(url)
    engine = db.make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.execute(insert(Item), ROWS)
        s.commit()
    yield engine
    engine.dispose()
    _drop_databases(tag)


def _uow(engine) -> UnitOfWork:
    return UnitOfWork(sessionmaker(engine, expire_on_commit=False), Base)


def _prepared_names(engine) -> set:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT name FROM pg_prepared_statements")).scalars())


def _same(rows, expected):
    assert [tuple(r) for r in rows] == [tuple(r) for r in expected]
    assert [dict(r._mapping) for r in rows] == [dict(r._mapping) for r in expected]
    assert [r._fields for r in rows] == [r._fields for r in expected]


def test_a_repeated_read_runs_prepared_and_gives_sqlalchemys_rows(engine):
    params = {"pattern": "%", "low": 1}
    with Session(engine) as s:
        expected = s.execute(BY_NAME, params).all()
    assert expected[0].pct == "100%" and expected[0].n == 2 and expected[0].facts == {"x": [1, 2.5, "甲"]}
    with _uow(engine) as uow:
        first = uow.read(BY_NAME, params)                # through SQLAlchemy, which says it may be prepared
        prepared = db._prepared(engine, BY_NAME)
        assert prepared, "the statement was not found fit to run prepared"
        second = uow.read(BY_NAME, params)               # prepared on this connection, then executed
        third = uow.read(BY_NAME, {"pattern": "a%", "low": 1})
        assert engine.pool.checkedout() == 0
    _same(first, expected)
    _same(second, expected)
    assert [r.id for r in third] == [1] and third[0].name == "a%b"
    assert third[0].score == expected[0].score and type(third[0].score) is type(expected[0].score)
    assert prepared.name in _prepared_names(engine)       # the pool's one connection holds it
    with Session(engine) as s:                            # and is handed out transactional again
        s.execute(insert(Item), [{"id": 3, "name": "c"}])
        s.rollback()
    with _uow(engine) as uow:
        assert [r.id for r in uow.read(BY_NAME, params)] == [1, 2]


def test_a_statement_whose_columns_sqlalchemy_converts_is_never_prepared(engine):
    with _uow(engine) as uow:
        for _ in range(3):
            assert [tuple(r) for r in uow.read(CONVERTED)] == [(1, "HEY"), (2, None)]
    assert db._prepared(engine, CONVERTED) is False


def test_a_new_connection_prepares_again_and_a_failure_is_sqlalchemys_error(engine):
    params = {"pattern": "%", "low": 2}
    with _uow(engine) as uow:
        uow.read(BY_NAME, params)
        assert [r.id for r in uow.read(BY_NAME, params)] == [2]
    engine.pool.dispose()                                 # every pooled connection replaced
    with _uow(engine) as uow:
        assert [r.id for r in uow.read(BY_NAME, params)] == [2]
    with engine.connect() as conn:                        # the prepared plan's table goes away
        conn.execute(text("ALTER TABLE items RENAME TO items_gone"))
        conn.commit()
    with _uow(engine) as uow, pytest.raises(DBAPIError):
        uow.read(BY_NAME, params)
    assert engine.pool.checkedout() == 0
    with engine.connect() as conn:
        conn.execute(text("ALTER TABLE items_gone RENAME TO items"))
        conn.commit()
    with _uow(engine) as uow:                             # the pool is sound: the read runs again
        assert [r.id for r in uow.read(BY_NAME, params)] == [2]


def test_statements_built_afresh_for_every_call_are_learnt_only_up_to_the_limit(engine, monkeypatch):
    monkeypatch.setattr(db, "PREPARED_LIMIT", 3)
    with _uow(engine) as uow:
        for n in range(6):              # a new statement object each time
            statement = select(Item.id).where(Item.id > bindparam("low")).order_by(Item.id)
            for _ in range(2):
                assert [r.id for r in uow.read(statement, {"low": n % 2})] == [1, 2][n % 2:]
    assert len(db._PREPARED[engine]) == 3
    assert len([name for name in _prepared_names(engine) if name.startswith("lianbao_read_")]) <= 3


def test_a_statement_postgresql_cannot_prepare_is_read_through_sqlalchemy_as_before(engine):
    """A parameter whose type PostgreSQL cannot infer without its value (``:day IS NULL``, a bare
    ``SELECT :x``) runs through SQLAlchemy (psycopg2 sends the value as a literal) but cannot be
    PREPAREd: its second read failed with ``could not determine data type of parameter`` (fails on
    the code before). It is read through SQLAlchemy, as before, and never tried again."""
    bare = select(bindparam("x").label("x"))
    maybe = (select(Item.id).where((bindparam("day").is_(None)) | (Item.day <= bindparam("day")))
             .order_by(Item.id))
    with _uow(engine) as uow:
        for _ in range(3):
            assert [tuple(r) for r in uow.read(bare, {"x": 5})] == [(5,)]
            assert [r.id for r in uow.read(maybe, {"day": None})] == [1, 2]
            assert [r.id for r in uow.read(maybe, {"day": dt.date(2025, 2, 1)})] == [1]
        assert engine.pool.checkedout() == 0
    assert db._prepared(engine, bare) is False and db._prepared(engine, maybe) is False
    with _uow(engine) as uow:                             # the pool is sound: prepared reads still run
        uow.read(BY_NAME, {"pattern": "%", "low": 2})
        assert [r.id for r in uow.read(BY_NAME, {"pattern": "%", "low": 2})] == [2]
