"""The migration to dated posts (revision f3b1a2c4d5e6, SPEC §9) on a roster written by the code
before it: each person's current unit, position, titles and supervised sections become his first
post, open, from his join date (nothing older was kept); the downgrade drops the history only."""
from alembic import command
from sqlalchemy import create_engine, text

from shared.migrate import alembic_config

BEFORE, AFTER = "6c72dd9570ab", "f3b1a2c4d5e6"
STAFF = [("h", "局长", "a", "head", "2000-01-01", "", ""),
         ("l", "副局长", "a", "leader", "2005-03-15", "", "a_s1;a_s2"),
         ("o", "干警", "a_s1", "officer", "2020-12-31", "", "")]
COLUMNS = "id, name, unit, position, joined, titles, supervises"


def test_each_person_gets_his_current_post_from_his_join_date(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/roster.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("roster", conn), BEFORE)
        for row in STAFF:
            conn.execute(text(f"INSERT INTO staff ({COLUMNS}) VALUES (:a, :b, :c, :d, :e, :f, :g)"),
                         dict(zip("abcdefg", row)))
    with engine.begin() as conn:
        command.upgrade(alembic_config("roster", conn), AFTER)
        rows = conn.execute(text('SELECT person, start, "end", unit, position, titles, supervises '
                                 "FROM posts ORDER BY person")).all()
        assert [(r[0], str(r[1]), r[2], r[3], r[4], r[6]) for r in rows] == sorted(
            (s[0], s[4], None, s[2], s[3], s[6]) for s in STAFF)
    with engine.begin() as conn:
        command.downgrade(alembic_config("roster", conn), BEFORE)
        assert len(conn.execute(text(f"SELECT {COLUMNS} FROM staff")).all()) == len(STAFF)
    engine.dispose()
