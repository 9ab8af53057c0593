"""The migrations of scoring's read model to the roster through time (SPEC §9) on data written by
the code before them: each person's current post, mentor and evaluator become his first dated row
from his join date (f7a9b3c1d2e4); each unit becomes one open version from 1900-01-01, "as far back
as the roster goes" (c9d1e3f5a7b2); the downgrades drop the history only."""
from alembic import command
from sqlalchemy import create_engine, text

from shared.migrate import alembic_config

PEOPLE = [("h", "ps", None, "head", "2000-01-01", None, "cnty", "roster"),
          ("o", "ps", "s1", "officer", "2020-12-31", "c", "ps", "default")]
UNITS = [("ps", "agency", "cnty", None, "津市市公安局"), ("s1", "section", "ps", "ps", "刑侦大队")]


def test_people_and_units_get_their_first_dated_rows(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/scoring.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "f3b1a9c7d2e4")
        for p in PEOPLE:
            conn.execute(text("INSERT INTO people (id, agency, section, position, joined, mentor, evaluator, "
                              "evaluator_source, reserve) VALUES (:a, :b, :c, :d, :e, :f, :g, :h, false)"),
                         dict(zip("abcdefgh", p)))
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "f7a9b3c1d2e4")
        posts = conn.execute(text("SELECT person, start, agency, section, position FROM person_posts "
                                  "ORDER BY person")).all()
        assert [(r[0], str(r[1]), r[2], r[3], r[4]) for r in posts] == [p[:1] + (p[4],) + p[1:4] for p in PEOPLE]
        mentors = conn.execute(text('SELECT mentee, mentor, start, "end" FROM mentor_spans')).all()
        assert [(r[0], r[1], str(r[2]), r[3]) for r in mentors] == [("o", "c", "2020-12-31", None)]
        spans = conn.execute(text('SELECT person, grp, start, "end" FROM evaluator_spans ORDER BY person')).all()
        assert [(r[0], r[1], str(r[2]), r[3]) for r in spans] == [("h", "cnty", "2000-01-01", None),
                                                                  ("o", "ps", "2020-12-31", None)]
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "3f9a2e6c1d43")
        conn.execute(text("DELETE FROM units"))
        for u in UNITS:
            conn.execute(text("INSERT INTO units (id, kind, parent, agency, name) VALUES (:a, :b, :c, :d, :e)"),
                         dict(zip("abcde", u)))
        command.upgrade(alembic_config("scoring", conn), "c9d1e3f5a7b2")
        versions = conn.execute(text("SELECT id, since, until, parent, agency, name FROM unit_versions "
                                     "ORDER BY id")).all()
        assert [(r[0], str(r[1]), r[2], r[3], r[4], r[5]) for r in versions] == [
            ("ps", "1900-01-01", None, "cnty", "ps", "津市市公安局"),
            ("s1", "1900-01-01", None, "ps", "ps", "刑侦大队")]
    with engine.begin() as conn:
        command.downgrade(alembic_config("scoring", conn), "f3b1a9c7d2e4")
        assert len(conn.execute(text("SELECT id FROM people")).all()) == len(PEOPLE)
    engine.dispose()
