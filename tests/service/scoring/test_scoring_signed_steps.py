"""Issue 18 item 3: every step the scoring service stores beside the evaluation trail — a daily log
written and reviewed, a public objection received and answered — records who the entry point
verified (``kind:sub``), not only the actor its payload names."""
import datetime as dt

import pytest
from sqlalchemy import select

from services.scoring import repository
from shared.db import Database
from shared.identity import Actor

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"


def _rows(suite, model, *where):
    database = next(d for d in suite.container("scoring").dependencies if isinstance(d, Database))
    with database.sessionmaker() as session:
        return session.scalars(select(model).where(*where)).all()


def test_a_daily_log_records_who_wrote_it_and_who_the_entry_point_verified_for_its_review(city):
    from services.scoring.models import DailyLog

    with city.rpc(as_person="o1") as rpc:
        rpc.scoring.write_daily_logs({"as_of": "2026-03-06", "logs": [
            {"person": "o1", "date": "2026-03-05", "text": "办结案件2件"},
            {"person": "o1", "date": "2026-03-06", "text": "走访群众"}]})
    with city.rpc(as_persons="ps-office", units={"ps"}) as rpc:   # the bureau's system keys c1's review
        rpc.scoring.review_daily_logs({"as_of": "2026-03-06", "reviews": [
            {"actor": "c1", "person": "o1", "date": "2026-03-05"}]})
    with city.rpc(as_person="c1") as rpc:                           # c1 himself reviews the other
        rpc.scoring.review_daily_logs({"as_of": "2026-03-07", "reviews": [
            {"actor": "c1", "person": "o1", "date": "2026-03-06"}]})
    rows = {r.on_date.isoformat(): r for r in _rows(city, DailyLog, DailyLog.person == "o1")}
    assert [(d, r.signed_by, r.reviewed_by, r.reviewed_signed_by) for d, r in sorted(rows.items())] == [
        ("2026-03-05", "person:o1", "c1", "persons:ps-office"),
        ("2026-03-06", "person:o1", "c1", "person:c1")]


def test_a_public_objection_records_the_gateway_that_took_it_and_who_answered_as_verified(city, monkeypatch):
    from services.scoring.public_models import PublicObjection

    with city.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": "o1", "subject": "o1", "month": FEB,
                                            "as_of": "2026-03-02"})
        rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
        rpc.scoring.approve({"actor": "l1", "subject": "o1", "month": FEB, "as_of": "2026-03-03"})
        rpc.scoring.publish_notice({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-05"})
    # the public's as_of is not taken (its pages send none): it objects on 9 March, its day today
    monkeypatch.setattr(repository, "today", lambda: dt.date(2026, 3, 9))
    with city.rpc(identity=Actor("gateway", "public")) as rpc:      # the public page's form
        rpc.scoring.public_object({"objection_id": "obj-0001-abcdef", "evaluator": "ps", "month": FEB,
                                   "subject": "o1", "text": "扣分事实有误", "contact": "13800001111"})
    monkeypatch.undo()
    with city.rpc(as_persons="ps-office", units={"ps"}) as rpc:    # the office answers as l2, named
        done = rpc.scoring.answer_objection({"actor": "l2", "objection_id": "obj-0001-abcdef",
                                             "evaluator": "ps", "answer": "经核实, 扣分无误",
                                             "upheld": False, "as_of": "2026-03-10"})
    assert done["answered_by"] == "l2"
    [row] = _rows(city, PublicObjection, PublicObjection.id == "obj-0001-abcdef")
    assert (row.signed_by, row.answered_by, row.answered_signed_by) == (
        "public:gateway", "l2", "persons:ps-office")
