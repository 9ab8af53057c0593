"""The annual rating's snapshot on PostgreSQL: the officers' monthly scores are aggregated on a
second connection that imports this transaction's snapshot (issue 24 item 3) — the same snapshot as
read inside the transaction, and a transaction's own writes are never missed (then it reads them
itself)."""
import importlib.util
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from shared.db import UnitOfWork, ensure_database, make_engine
from shared.migrate import upgrade
from services.scoring import models, ratings
from tests.conftest import PG_URL, _drop_databases

pytestmark = pytest.mark.timeout(180)


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "bench_scoring_rating.py"
    spec = importlib.util.spec_from_file_location("bench_scoring_rating", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def factory(request):
    tag = "t" + uuid.uuid4().hex[:10]
    url = f"{PG_URL}/lianbao_{tag}_scoring"
    try:
        ensure_database(url)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"PostgreSQL at {PG_URL} is needed: {exc}")
    request.addfinalizer(lambda: _drop_databases(tag))
    engine = make_engine(url)
    request.addfinalizer(engine.dispose)
    upgrade("scoring", engine, models.Base)
    import psycopg2.extensions

    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)         # COPY cannot run green
    try:
        _bench().populate(engine, 48)       # 48 officers, 4 sections, 12 months each
    finally:
        psycopg2.extensions.set_wait_callback(callback)
    return sessionmaker(engine, expire_on_commit=False)


def _snapshot(uow):
    return ratings.build_snapshot(uow, "2026", "city", date(2027, 1, 8))[0]


def _written(uow) -> bool:
    return uow.session.execute(text("SELECT txid_current_if_assigned()")).scalar() is not None


def test_the_second_connection_reads_what_the_transaction_reads(factory):
    with UnitOfWork(factory, models.Base) as uow:
        aside = _snapshot(uow)                  # nothing written: aggregated on a second connection
        assert not _written(uow)
    with UnitOfWork(factory, models.Base) as uow:
        uow.session.execute(text("UPDATE people SET name = name WHERE id = 'o1'"))
        assert _written(uow)
        inside = _snapshot(uow)                 # read inside the transaction
    assert aside == inside
    assert len(aside["officers"]) == 48
    assert all(len(o["monthly"]) == 12 for o in aside["officers"])
    assert list(aside["officers"][0]["monthly"]) == [f"2026-{m:02d}" for m in range(1, 13)]


def test_a_transactions_own_new_score_is_in_its_snapshot(factory):
    with UnitOfWork(factory, models.Base) as uow:
        before = {o["id"]: o["monthly"]["2026-03"] for o in _snapshot(uow)["officers"]}
    with UnitOfWork(factory, models.Base) as uow:
        uow.session.execute(text("UPDATE evaluations SET score = 12.5 WHERE id = 'officer:o5:2026-03'"))
        mine = {o["id"]: o["monthly"]["2026-03"] for o in _snapshot(uow)["officers"]}
        # not committed: another transaction still sees the old score
        with UnitOfWork(factory, models.Base) as other:
            theirs = {o["id"]: o["monthly"]["2026-03"] for o in _snapshot(other)["officers"]}
    assert before["o5"] != 12.5
    assert mine == {**before, "o5": 12.5}
    assert theirs == before
