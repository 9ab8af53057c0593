"""Training's read model placing a person the policy table reads about (TrainingAccess): one who has
left is judged in the unit of his last post (his results, certifications and allowances), never left
open to every reader; his own roles stay today's (none once he has left)."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.training.access import TrainingAccess
from services.training.models import Person, PersonPost, UnitVersion
from shared import access, policy
from shared.errors import Forbidden
from shared.identity import Actor
from shared.migrate import alembic_config

TREE = [("city", "committee", None), ("k1", "committee", "city"), ("a1", "agency", "k1"),
        ("k2", "committee", "city"), ("a2", "agency", "k2"), ("s2", "section", "a2")]


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/training.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("training", conn), "head")
    with Session(engine) as s:
        for uid, kind, parent in TREE:
            s.add(UnitVersion(id=uid, since=date(1900, 1, 1), kind=kind, parent=parent))
        people = [("l1", "a1", "a1", "leader", None), ("l2", "a2", "a2", "leader", None),
                  ("o2", "s2", "a2", "officer", None), ("f0", "city", "city", "officer", None),
                  ("g2", "s2", "a2", "chief", date(2025, 1, 1))]        # left a2 on 1 Jan 2025
        for pid, unit, agency, position, left_on in people:
            s.add(Person(id=pid, unit_id=unit, agency_id=agency, position=position, joined=date(2001, 1, 1),
                         left_on=left_on, status="left" if left_on else "active"))
            s.add(PersonPost(person_id=pid, start=date(2001, 1, 1), unit_id=unit, agency_id=agency,
                             position=position))
        s.commit()
        yield s
    engine.dispose()


def decide(session, op, actor, payload):
    return access.decide(op, actor, payload, TrainingAccess(session))


@pytest.mark.parametrize("op, payload", [
    ("training.results_of", {"person": "g2"}), ("training.certifications", {"person": "g2"}),
    ("training.allowances_of", {"person": "g2", "year": 2024}), ("training.get_person", {"person": "g2"}),
    ("training.can_take_post", {"person": "g2"}),
    ("training.results_of", {"person": "g2", "as_of": "2024-06-01"})])
def test_a_departed_person_is_read_within_his_last_unit(session, op, payload):
    for outsider in (Actor("l1", "person"), Actor("sys-a1", "system", frozenset({"a1"}))):
        with pytest.raises(Forbidden) as err:
            decide(session, op, outsider, payload)
        assert "lies outside" in err.value.message
    assert decide(session, op, Actor("l2", "person"), payload) == policy.LEADER
    assert decide(session, op, Actor("o2", "person"), payload) == policy.OFFICER
    assert decide(session, op, Actor("f0", "person"), payload) == policy.COMMITTEE_OFFICE
    assert decide(session, op, Actor("sys-k2", "system", frozenset({"k2"})), payload) == policy.SYSTEM


def test_his_own_roles_stay_today_s(session):
    assert TrainingAccess(session).roles_of("g2", date.today()) == {}
    assert TrainingAccess(session).roles_of("g2", date(2024, 6, 1)) == {policy.CHIEF: frozenset({"a2"})}
    with pytest.raises(Forbidden):
        decide(session, "training.results_of", Actor("g2", "person"), {"person": "o2"})
