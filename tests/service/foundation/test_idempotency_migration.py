"""The stored-answer tables of the five services, migrated to "bound to caller and request" (issue 18
item 6) on SQLite and PostgreSQL: the rows written before survive under the caller ``legacy`` (where no
caller of today can reach them), the models agree with the migrated table, and the downgrade keeps one
row per key."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from shared.migrate import alembic_config, metadata_of

pytestmark = pytest.mark.timeout(180)
BEFORE = {"rewards": "7f3a9c2d5b1e", "roster": "b7c1d2e3f4a5", "scoring": "a1c3e5f7b9d2",
          "survey": "c7e1a3f5b9d2", "training": "5b2d9e4c7a10"}


@pytest.fixture
def engines(engine_of):
    return {service: engine_of(service) for service in BEFORE}


@pytest.mark.parametrize("service", sorted(BEFORE))
def test_stored_answers_survive_the_upgrade_under_the_legacy_caller(engines, service):
    engine = engines[service]
    with engine.begin() as conn:
        command.upgrade(alembic_config(service, conn), BEFORE[service])
        conn.execute(text("INSERT INTO idempotency (key, response, created_at) VALUES "
                          "('survey.batch:c1:b1', '{\"accepted\": 40}', '2026-11-27 10:00:00'), "
                          "(:k, NULL, '2026-11-28 10:00:00')"), {"k": f"{service}.write:office:k-7"})
    with engine.begin() as conn:
        command.upgrade(alembic_config(service, conn), "head")
    found = inspect(engine)
    assert found.get_pk_constraint("idempotency")["constrained_columns"] == ["caller", "key"]
    assert [i["column_names"] for i in found.get_indexes("idempotency")] == [["created_at"]]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT caller, key, request_hash, response, created_at FROM idempotency "
                                 "ORDER BY key")).all()
        diffs = [d for d in compare_metadata(MigrationContext.configure(conn), metadata_of(service))
                 if "idempotency" in repr(d)]
    assert [(r[0], r[1], r[2]) for r in rows] == sorted(
        [("legacy", "survey.batch:c1:b1", None), ("legacy", f"{service}.write:office:k-7", None)],
        key=lambda r: r[1])
    assert [str(r[4])[:19] for r in rows if r[1] == "survey.batch:c1:b1"] == ["2026-11-27 10:00:00"]
    assert diffs == []
    # the same key stored for another caller is another row; the downgrade keeps the legacy one
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO idempotency (caller, key, request_hash, created_at) VALUES "
                          "('system:k1', 'survey.batch:c1:b1', :h, '2026-11-29 01:00:00')"), {"h": "0" * 64})
        command.downgrade(alembic_config(service, conn), BEFORE[service])
    assert inspect(engine).get_pk_constraint("idempotency")["constrained_columns"] == ["key"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT key, created_at FROM idempotency WHERE key = 'survey.batch:c1:b1'")
                            ).all()[0][1] is not None
        assert conn.execute(text("SELECT count(*) FROM idempotency")).scalar() == 2
