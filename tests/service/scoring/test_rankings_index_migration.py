"""#24 item 5 on SQLite and PostgreSQL: the migration c2e4a6b8d0f1 adds the rankings' index on
(month, grp, subject) and its downgrade drops it; on the migrated database, a body's sections
(``history.sections_of_body``) and a batch's supervising leaders (``History.load_supervisors``, the
LIKE joined to the sections' versions) answer what the reads they replace answer."""
from datetime import date

from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from services.scoring import history
from services.scoring.models import PersonPost, Unit, UnitVersion
from shared.migrate import alembic_config

EARLIEST = date(1900, 1, 1)
INDEX = "ix_rankings_month_grp_subject"


def _indexes(engine):
    return {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("rankings")}


def test_the_index_comes_and_goes_and_the_batched_reads_agree(engine_of):
    engine = engine_of("scoring")
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "5e1f3a7c9b2d")
    assert INDEX not in _indexes(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "head")
    assert _indexes(engine)[INDEX] == ["month", "grp", "subject"]
    with Session(engine) as s:
        s.execute(insert(UnitVersion), [
            dict(id="s1", since=EARLIEST, until=date(2025, 6, 14), kind="section", parent="a1", agency="a1"),
            dict(id="s1", since=date(2025, 6, 15), until=None, kind="section", parent="a2", agency="a2"),
            dict(id="s2", since=EARLIEST, until=None, kind="section", parent="a1", agency="a1"),
            dict(id="s12", since=EARLIEST, until=None, kind="section", parent="a1", agency="a1"),
            dict(id="a1", since=EARLIEST, until=None, kind="agency", parent=None, agency="a1")])
        s.execute(insert(Unit), [dict(id="s2", kind="section", agency="a1", evaluator="city")])
        s.execute(insert(PersonPost), [
            dict(person="l1", start=date(2024, 1, 1), agency="a1", section=None, position="leader",
                 supervises="s1;s12"),
            dict(person="l2", start=date(2025, 6, 15), agency="a2", section=None, position="leader",
                 supervises="s1"),
            dict(person="l3", start=date(2024, 1, 1), agency="a1", section=None, position="leader",
                 supervises="s12")])
        for day in (date(2025, 5, 31), date(2025, 6, 30)):
            tree = history.units_on(s, day, "section")
            for body in ("a1", "a2", "city"):
                assert history.sections_of_body(s, body, day) == \
                    {uid: u for uid, u in tree.items() if u.body == body}, (body, day)
        batch = history.History(s)
        wanted = [("s1", "a1"), ("s1", "a2"), ("s2", "a1"), ("s12", "a1")]
        batch.load_supervisors(wanted)
        for sec, agency in wanted:
            assert batch.supervisor_candidates[(sec, agency)] == set(s.scalars(
                select(PersonPost.person).where(
                    PersonPost.agency == agency, PersonPost.position == "leader",
                    PersonPost.supervises.like(f"%{sec}%"))))
        assert batch.supervisor_candidates[("s1", "a1")] == {"l1", "l3"}     # LIKE: s12 holds s1
        assert batch.section_supervisors("s1", "a1", date(2025, 5, 31)) == ["l1"]
        assert batch.section_supervisors("s1", "a2", date(2025, 6, 30)) == ["l2"]
    with engine.begin() as conn:
        command.downgrade(alembic_config("scoring", conn), "5e1f3a7c9b2d")
    assert INDEX not in _indexes(engine)
