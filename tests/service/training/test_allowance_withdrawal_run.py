"""The allowance run withdraws what it announced for a month now not earned (no event needed): a
departure training holds before this change (or set through ``upsert_people``'s ``left_on``) is seen by
the month's run; a second run changes nothing (fails on the code before: nothing is withdrawn)."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from shared.contracts import training as contract
from shared.db import UnitOfWork
from shared.migrate import alembic_config
from shared.schemas import load
from services.training import handlers, models

pytestmark = pytest.mark.timeout(120)
TODAY = date(2026, 7, 15)


def test_the_run_withdraws_a_month_now_away_once_and_grants_it_again_on_a_return(engine_of):
    engine = engine_of("training")
    with engine.begin() as conn:
        command.upgrade(alembic_config("training", conn), "head")
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        handlers.register_courses(uow, load(contract.RegisterCourses(), {"courses": [
            {"id": "ar", "kind": "all_round_assessment", "title": "全能政法干警考核评选"}]}))
        handlers.upsert_people(uow, load(contract.UpsertPeople(), {"people": [
            {"id": "w1", "unit_id": "s1", "agency_id": "a1", "position": "officer", "joined": "2010-01-01"}]}))
        handlers.record_result(uow, load(contract.RecordResult(), {
            "person_id": "w1", "course_id": "ar", "date": "2026-01-10", "result": "pass"}), TODAY)
        assert handlers.run_allowances(uow, "2026-04", TODAY)["people"] == ["w1"]
        # the departure learnt without the event's re-judging (an operator's left_on): the run sees it
        handlers.upsert_people(uow, load(contract.UpsertPeople(), {"people": [
            {"id": "w1", "unit_id": "s1", "agency_id": "a1", "position": "officer", "joined": "2010-01-01",
             "left_on": "2026-03-01", "status": "transferred_out"}]}))
        out = handlers.run_allowances(uow, "2026-04", TODAY)
        assert (out["published"], out["already"], out["withdrawn"]) == (0, 0, ["w1"])
        assert handlers.run_allowances(uow, "2026-04", TODAY)["withdrawn"] == []     # once
        got = handlers.allowances_of(uow, {"person": "w1", "year": 2026, "as_of": TODAY})
        assert [m["month"] for m in got["months"]] == ["2026-01", "2026-02"]
        # back on the team from 10 April: April is earned again, a second grant
        handlers.staff_from_roster(uow, [{"id": "w1", "unit": "s1", "agency": "a1", "position": "officer",
                                          "joined": date(2010, 1, 1)}], date(2026, 4, 10))
        out = handlers.run_allowances(uow, "2026-04", TODAY)
        assert (out["people"], out["withdrawn"]) == (["w1"], [])
        assert handlers.run_allowances(uow, "2026-04", TODAY)["already"] == 1
        got = handlers.allowances_of(uow, {"person": "w1", "year": 2026, "as_of": TODAY})
        assert {m["month"]: m["announced"] for m in got["months"]}["2026-04"] is True
        keys = sorted((a.kind, a.key) for a in uow.session.scalars(select(models.Announcement)))
        assert keys == [(contract.ALLOWANCE_DUE, "w1:2026-04"), (contract.ALLOWANCE_DUE, "w1:2026-04#2"),
                        (contract.ALLOWANCE_WITHDRAWN, "w1:2026-04")]
