"""Re-judging announced allowances on the roster's staff events (``reconsider_allowances``): a batch
none of whose persons has a dated departure or an exit date reads nothing but that (one statement:
the roster's load of ten thousand joiners), and a batch holding a departed person still withdraws
his month, whether training knows the departure by its date (``person_departures``, even after a
return) or only by an exit date (``people.left_on``).  The first test fails when the batch's persons
are read before the check; the others when either half of the check is left out (#24 item 5)."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from services.training import handlers, models
from shared.contracts import training as contract
from shared.db import UnitOfWork
from shared.migrate import alembic_config
from shared.schemas import load

pytestmark = pytest.mark.timeout(120)
TODAY = date(2026, 7, 15)
STAFF = [{"id": f"p{i}", "unit_id": "s1", "agency_id": "a1", "position": "officer", "joined": "2010-01-01"}
         for i in range(3)]


def _granted_april(engine_of):
    """p0 earns the allowance (all-round since January), April announced; p1, p2 on the team."""
    engine = engine_of("training")
    with engine.begin() as conn:
        command.upgrade(alembic_config("training", conn), "head")
    uow = UnitOfWork(sessionmaker(engine), models.Base)
    with uow:
        handlers.register_courses(uow, load(contract.RegisterCourses(), {"courses": [
            {"id": "ar", "kind": "all_round_assessment", "title": "全能政法干警考核评选"}]}))
        handlers.upsert_people(uow, load(contract.UpsertPeople(), {"people": STAFF}))
        handlers.record_result(uow, load(contract.RecordResult(), {
            "person_id": "p0", "course_id": "ar", "date": "2026-01-10", "result": "pass"}), TODAY)
        assert handlers.run_allowances(uow, "2026-04", TODAY)["people"] == ["p0"]
        uow.commit()
    return engine


def _statements(engine, call):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        return call(), seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_batch_with_no_one_away_is_answered_by_one_statement(engine_of):
    engine = _granted_april(engine_of)
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        uow.session.connection()         # the transaction begun outside the count
        out, seen = _statements(engine, lambda: handlers.reconsider_allowances(
            uow, [s["id"] for s in STAFF] + ["unknown"], TODAY))
    assert out == {"withdrawn": [], "granted": []}
    assert len(seen) == 1, seen
    assert "announcements" not in seen[0]


def test_a_batch_with_a_departure_and_a_return_still_withdraws_the_month_away(engine_of):
    engine = _granted_april(engine_of)
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        handlers.staff_left(uow, {"person": "p0", "date": "2026-03-01", "kind": "transferred_out"})
        # back from 10 May: his exit date is cleared, his departure kept (April wholly away)
        handlers.staff_from_roster(uow, [{"id": "p0", "unit": "s1", "agency": "a1", "position": "officer",
                                          "joined": date(2010, 1, 1)}], date(2026, 5, 10))
        assert uow.session.get(models.Person, "p0").left_on is None
        out = handlers.reconsider_allowances(uow, ["p1", "p0", "p2"], TODAY)
        assert out == {"withdrawn": ["p0:2026-04"], "granted": []}
        assert handlers.reconsider_allowances(uow, ["p1", "p0", "p2"], TODAY)["withdrawn"] == []  # once


def test_a_batch_with_an_exit_date_only_still_withdraws_the_month_away(engine_of):
    engine = _granted_april(engine_of)
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        handlers.upsert_people(uow, load(contract.UpsertPeople(), {"people": [
            dict(STAFF[0], left_on="2026-03-01", status="transferred_out")]}))
        assert uow.session.get(models.PersonDeparture, ("p0", date(2026, 3, 1))) is None
        out = handlers.reconsider_allowances(uow, ["p2", "p0"], TODAY)
        assert out == {"withdrawn": ["p0:2026-04"], "granted": []}
