"""The pool tests a PostgreSQL connection before use only when it has been idle for
``PING_AFTER_SECONDS`` (shared.db.ping_when_idle): a connection that died while idle is replaced
before anyone uses it; a connection used a moment ago is handed out untested."""
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from shared import db
from shared.db import ensure_database, make_engine
from tests.conftest import PG_URL


@pytest.fixture
def engine(real_config):
    url = f"{PG_URL}/lianbao_{real_config['_test_tag']}_pool"
    ensure_database(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _terminate(pid: int) -> None:
    admin = make_engine(f"{PG_URL}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar() is True
    admin.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_that_died_while_idle_is_replaced_before_use(engine, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_SECONDS", 0.0)      # every pooled connection counts as idle
    first = _backend(engine)
    _terminate(first)
    second = _backend(engine)                               # no error: tested, discarded, replaced
    assert second != first


def test_a_connection_used_a_moment_ago_is_not_tested(engine, monkeypatch):
    monkeypatch.setattr(db, "PING_AFTER_SECONDS", 3600.0)
    first = _backend(engine)
    _terminate(first)
    with pytest.raises(OperationalError):                   # handed out untested: the statement finds it
        _backend(engine)
    assert _backend(engine) != first                        # … and the pool has replaced it
