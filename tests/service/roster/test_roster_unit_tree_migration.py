"""The migration to the dated unit tree (revision b7c1d2e3f4a5) on a roster written by the code
before it: every unit becomes one open version from 1900-01-01 with its content unchanged, the
models agree with the migrated schema, and the downgrade gives the units back."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from shared.migrate import alembic_config, metadata_of

BEFORE = "f3b1a2c4d5e6"
UNITS = [("city", "市委政法委", "committee", None, None, None, None),
         ("m_just", "市司法局", "agency", "city", "justice_bureau", "division", None),
         ("m_dd", "市劳教所", "agency", "city", "other", "deputy_division", "m_just"),
         ("m_dd_s1", "管教科", "section", "m_dd", None, None, None)]
COLUMNS = "id, name, kind, parent, agency_type, rank, supervising_unit"


def test_units_become_their_first_version_and_come_back_on_downgrade(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/roster.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("roster", conn), BEFORE)
        for row in UNITS:
            conn.execute(text(f"INSERT INTO units ({COLUMNS}) VALUES "
                              "(:a, :b, :c, :d, :e, :f, :g)"), dict(zip("abcdefg", row)))
    with engine.begin() as conn:
        command.upgrade(alembic_config("roster", conn), "head")
        rows = conn.execute(text(f'SELECT {COLUMNS}, start, "end" FROM unit_versions '
                                 "ORDER BY id")).all()
        assert [tuple(r[:7]) for r in rows] == sorted(UNITS)
        assert {(str(r[7]), r[8]) for r in rows} == {("1900-01-01", None)}
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata_of("roster")) == []
    with engine.begin() as conn:
        command.downgrade(alembic_config("roster", conn), BEFORE)
        assert sorted(conn.execute(text(f"SELECT {COLUMNS} FROM units")).all()) == sorted(UNITS)
    engine.dispose()
