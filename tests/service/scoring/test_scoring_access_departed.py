"""Scoring's read model placing a person the policy table reads about (ScoringAccess): one who has
left, or whose first post is later than the day asked, is judged in the unit of his last (or first)
post, never left open to every reader; his own roles stay today's (none once he has left)."""
from datetime import date

import pytest
from sqlalchemy.orm import Session

from services.scoring.access import ScoringAccess
from services.scoring.models import Person, PersonPost, Unit, UnitVersion
from shared import access, policy
from shared.errors import Forbidden
from shared.identity import Actor
from tests.service.access_reads import assert_read_within_a2, migrated_engine

TREE = [("city", "committee", None, "city"), ("k1", "committee", "city", "k1"), ("a1", "agency", "k1", "a1"),
        ("k2", "committee", "city", "k2"), ("a2", "agency", "k2", "a2"), ("s2", "section", "a2", "a2")]


@pytest.fixture
def session(tmp_path):
    engine = migrated_engine(tmp_path, "scoring")
    with Session(engine) as s:
        for uid, kind, parent, agency in TREE:
            s.add(Unit(id=uid, kind=kind, parent=parent, agency=agency))
            s.add(UnitVersion(id=uid, since=date(1900, 1, 1), kind=kind, parent=parent, agency=agency))
        people = [("l1", "a1", None, "leader", None), ("l2", "a2", None, "leader", None),
                  ("o2", "a2", "s2", "officer", None), ("f0", "city", None, "officer", None),
                  ("g2", "a2", "s2", "leader", date(2025, 1, 1)),      # left a2 on 1 Jan 2025
                  ("n2", "a2", "s2", "officer", None)]                 # posted only from 2999
        for pid, agency, section, position, left_on in people:
            s.add(Person(id=pid, agency=agency, section=section, position=position, joined=date(2001, 1, 1),
                         evaluator=agency, evaluator_source="default", reserve=False, left_on=left_on))
            start = date(2999, 1, 1) if pid == "n2" else date(2001, 1, 1)
            s.add(PersonPost(person=pid, start=start, agency=agency, section=section, position=position))
        s.commit()
        yield s
    engine.dispose()


def decide(session, op, actor, payload):
    return access.decide(op, actor, payload, ScoringAccess(session))


@pytest.mark.parametrize("op, payload", [
    ("scoring.person_history", {"person": "g2"}), ("scoring.explanation", {"subject": "g2"}),
    ("scoring.daily_logs_of", {"person": "g2", "month": "2024-12"}),
    ("scoring.evaluation", {"subject": "g2", "month": "2024-11"}),
    ("scoring.person_history", {"person": "n2"}),
    ("scoring.person_history", {"person": "g2", "as_of": "2024-06-01"})])
def test_a_departed_or_not_yet_posted_person_is_read_within_his_last_or_first_unit(session, op, payload):
    assert_read_within_a2(lambda *call: decide(session, *call), op, payload)


def test_his_own_roles_stay_today_s(session):
    resolver = ScoringAccess(session)
    assert resolver.roles_of("g2", date.today()) == {}               # a leader of a2 no more
    assert resolver.roles_of("g2", date(2024, 6, 1)) == {policy.LEADER: frozenset({"a2"})}
    assert resolver.roles_of("n2", date.today()) == {}
    with pytest.raises(Forbidden):
        decide(session, "scoring.person_history", Actor("g2", "person"), {"person": "o2"})
    assert decide(session, "scoring.person_history", Actor("g2", "person"), {"person": "g2"}) == "self"
