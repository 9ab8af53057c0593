"""The dated unit tree kept per process under the stamp of unit_tree_stamp (issue 24): a read reuses
the tree it read last while nobody changed it, and reads it again after a committed change; a
transaction that changed the tree sees its own change and leaves nothing behind if rolled back."""
from datetime import date

from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

import pytest
from sqlalchemy import insert

from services.roster import repository
from services.roster.models import Base, PostRow, StaffRow
from shared.db import UnitOfWork
from shared.errors import NotFound
from services.roster.domain.model import Unit
from services.roster.domain.tree import UnitVersion
from shared.migrate import alembic_config

CITY = UnitVersion(Unit("city", "市委政法委", "committee"), date(1900, 1, 1))
AGENCY = UnitVersion(Unit("m_ps", "市公安局", "agency", "city", "public_security", "division"),
                     date(2026, 3, 1))


def _engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/roster.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("roster", conn), "head")
    return engine


def test_a_tree_is_read_again_only_after_a_committed_change(tmp_path):
    engine = _engine(tmp_path)
    session = sessionmaker(engine)
    with session.begin() as s:
        repository.save_versions(s, [], [CITY])
    with session() as s:
        first = repository.load_tree(s)
        assert set(first.on(date(2026, 1, 1))) == {"city"}
    with session() as s:
        assert repository.load_tree(s) is first                 # nothing changed: the same tree
    with session.begin() as s:
        repository.save_versions(s, [], [AGENCY])
    with session() as s:
        again = repository.load_tree(s)
        assert again is not first
        assert set(again.on(date(2026, 3, 1))) == {"city", "m_ps"}
    engine.dispose()


def test_a_writing_transaction_sees_its_change_and_a_rollback_leaves_the_kept_tree(tmp_path):
    engine = _engine(tmp_path)
    session = sessionmaker(engine)
    with session.begin() as s:
        repository.save_versions(s, [], [CITY])
    with session() as s:
        kept = repository.load_tree(s)
    with session() as s:
        repository.save_versions(s, [], [AGENCY])
        mine = repository.load_tree(s)                          # its own change, read whole
        assert mine is not kept and "m_ps" in mine.on(date(2026, 3, 1))
        assert repository.load_tree(s) is not mine              # … and never kept
        s.rollback()
    with session() as s:
        assert repository.load_tree(s) is kept                  # the rollback changed nothing
        assert "m_ps" not in repository.load_tree(s).on(date(2026, 3, 1))
    engine.dispose()


def test_each_database_keeps_its_own_tree(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, two = _engine(tmp_path / "one"), _engine(tmp_path / "two")
    with sessionmaker(one).begin() as s:
        repository.save_versions(s, [], [CITY])
    with sessionmaker(one)() as s, sessionmaker(two)() as t:
        assert set(repository.load_tree(s).on(date(2026, 1, 1))) == {"city"}
        assert repository.load_tree(t).on(date(2026, 1, 1)) == {}
    one.dispose()
    two.dispose()


def test_a_person_record_reads_the_stamp_with_the_person_and_the_kept_tree_serves_it(tmp_path):
    """``get_staff``'s one statement: the person, the first day of their latest post and the
    tree's stamp; the tree kept under that stamp is reused, and read again after a committed change."""
    engine = _engine(tmp_path)
    session = sessionmaker(engine, expire_on_commit=False)
    with session.begin() as s:
        repository.save_versions(s, [], [CITY, AGENCY])
        s.execute(insert(StaffRow), [{"id": "p1", "name": "甲", "unit": "m_ps", "position": "officer",
                                      "joined": date(2026, 3, 2), "titles": "", "supervises": ""},
                                     {"id": "p2", "name": "乙", "unit": "m_ps", "position": "officer",
                                      "joined": date(2026, 3, 2), "titles": "", "supervises": ""}])
        s.execute(insert(PostRow), [{"person": "p1", "start": date(2026, 3, 2), "end": date(2026, 4, 30),
                                     "unit": "m_ps", "position": "officer", "titles": "", "supervises": ""},
                                    {"person": "p1", "start": date(2026, 5, 1), "end": None,
                                     "unit": "m_ps", "position": "chief", "titles": "", "supervises": ""}])
    with UnitOfWork(session, Base) as uow:
        person, since, stamp = repository.person_record(uow, "p1")
        assert (person.id, person.unit, since) == ("p1", "m_ps", date(2026, 5, 1))
        first = repository.tree_under(uow, stamp)
        assert "m_ps" in first.on(date(2026, 3, 1))
        assert repository.person_record(uow, "p2")[1] is None        # no post rows: no date
        assert repository.tree_under(uow, repository.person_record(uow, "p2")[2]) is first
        with pytest.raises(NotFound) as err:
            repository.person_record(uow, "nobody", "mentor")
        assert err.value.field == "mentor"
        assert uow._session is None                                    # read without a transaction
    with session.begin() as s:
        repository.save_versions(s, [], [UnitVersion(Unit("m_ps2", "二局", "agency", "city",
                                                          "public_security", "division"), date(2026, 3, 1))])
    with UnitOfWork(session, Base) as uow:
        again = repository.tree_under(uow, repository.person_record(uow, "p1")[2])
        assert again is not first and "m_ps2" in again.on(date(2026, 3, 1))
    engine.dispose()
