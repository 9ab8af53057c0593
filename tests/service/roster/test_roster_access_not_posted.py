"""The roster placing a person the policy table reads about (RosterAccess): asked about a day before
his first post (or after his last one ended) he is judged in the unit of his first (or last) post,
never left open to every reader; his own roles stay those of his posts."""
from datetime import date

import pytest
from sqlalchemy.orm import Session

from services.roster.access import RosterAccess
from services.roster.models import PostRow, StaffRow, UnitVersionRow
from shared import access
from tests.service.access_reads import WITHIN_A2, assert_read_within_a2, migrated_engine

TREE = [("city", "committee", None), ("k1", "committee", "city"), ("a1", "agency", "k1"),
        ("k2", "committee", "city"), ("a2", "agency", "k2"), ("s2", "section", "a2")]


@pytest.fixture
def session(tmp_path):
    engine = migrated_engine(tmp_path, "roster")
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
    assert_read_within_a2(lambda op, actor, payload: access.decide(op, actor, payload, RosterAccess(session)),
                          op, payload, within=[(a, role) for a, role in WITHIN_A2 if a.sub in ("l2", "sys-k2")])
    assert RosterAccess(session).roles_of("q2", date.today()) == {}      # his own roles: none today
