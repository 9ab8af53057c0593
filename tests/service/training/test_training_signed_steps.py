"""Issue 18 item 3: what training takes in (results, study days) records who the entry point verified."""
import pytest
from sqlalchemy import select

from shared.db import Database

pytestmark = pytest.mark.timeout(60)


def test_a_result_and_a_study_day_record_the_verified_caller(training):
    from services.training import models

    suite = training()
    with suite.rpc(as_system="a1-training", units={"a1"}) as rpc:   # the agency's training system
        rpc.training.record_result({"person_id": "off1", "course_id": "drill", "date": "2026-05-01",
                                    "result": "pass"})
    with suite.rpc(as_operator="ops") as rpc:
        rpc.training.record_study({"entries": [{"person_id": "off2", "date": "2026-05-02"}]})
    database = next(d for d in suite.container("training").dependencies if isinstance(d, Database))
    with database.sessionmaker() as s:
        assert [(r.person_id, r.signed_by) for r in s.scalars(select(models.Result))] == [
            ("off1", "system:a1-training")]
        assert [(r.person_id, r.signed_by) for r in s.scalars(select(models.StudyDay))] == [
            ("off2", "operator:ops")]
        # the read model, fed by the harness's operator
        assert {r.signed_by for r in s.scalars(select(models.Course))} == {"operator:test"}
