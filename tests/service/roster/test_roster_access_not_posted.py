"""The roster placing a person the policy table reads about (RosterAccess): asked about a day before
his first post (or after his last one ended) he is judged in the unit of his first (or last) post,
never left open to every reader; his own roles stay those of his posts."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.roster.access import RosterAccess
from services.roster.models import PostRow, StaffRow, UnitVersionRow
from shared import access, policy
from shared.errors import Forbidden
from shared.identity import Actor
from shared.migrate import alembic_config

TREE = [("city", "committee", None), ("k1", "committee", "city"), ("a1", "agency", "k1"),
        ("k2", "committee", "city"), ("a2", "agency", "k2"), ("s2", "section", "a2")]


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/roster.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("roster", conn), "head")
    with Session(engine) as s:
        for uid, kind, parent in TREE:
            s.add(UnitVersionRow(id=uid, start=date(1900, 1, 1), name=uid, kind=kind, parent=parent))
        # n2 joins a2's s2 on 1 June 2026; q2 served in s2 until the end of 2024
        for pid, unit, position, start, end in (("l1", "a1", "leader", date(2001, 1, 1), None),
                                                ("l2", "a2", "leader", date(2001, 1, 1), None),
                                                ("n2", "s2", "officer", date(2026, 6, 1), None),
                                                ("q2", "s2", "officer", date(2001, 1, 1), date(2024, 12, 31))):
            s.add(StaffRow(id=pid, name=pid, unit=unit, position=position, joined=start))
            s.add(PostRow(person=pid, start=start, end=end, unit=unit, position=position))
        s.commit()
        yield s
    engine.dispose()


@pytest.mark.parametrize("op, payload", [
    ("roster.get_staff", {"person": "n2", "date": "2026-01-01"}), ("roster.spells_of", {"person": "n2", "date": "2026-01-01"}),
    ("roster.cases_of", {"person": "q2"}), ("roster.get_staff", {"person": "q2"})])
def test_a_person_out_of_post_on_the_day_is_read_within_his_first_or_last_unit(session, op, payload):
    with pytest.raises(Forbidden) as err:
        access.decide(op, Actor("l1", "person"), payload, RosterAccess(session))
    assert "lies outside" in err.value.message
    with pytest.raises(Forbidden):
        access.decide(op, Actor("sys-a1", "system", frozenset({"a1"})), payload, RosterAccess(session))
    assert access.decide(op, Actor("l2", "person"), payload, RosterAccess(session)) == policy.LEADER
    assert access.decide(op, Actor("sys-k2", "system", frozenset({"k2"})), payload,
                         RosterAccess(session)) == policy.SYSTEM
    assert RosterAccess(session).roles_of("q2", date.today()) == {}      # his own roles: none today
