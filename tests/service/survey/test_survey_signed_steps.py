"""Issue 18 item 3: a campaign opened and closed and the forms of a batch record who the entry point
verified (on SQLite here; tests/service/survey/test_survey_postgres.py's bulk path on PostgreSQL)."""
import pytest
from sqlalchemy import select

from shared.db import Database
from tests.service.survey.conftest import form

pytestmark = pytest.mark.timeout(60)


def test_a_campaign_and_its_forms_record_the_verified_caller_of_each_step(survey):
    from services.survey import models

    with survey.rpc(as_service="gateway") as rpc:       # the public's form page
        rpc.survey.submit_batch({"campaign_id": "c1", "batch_id": "b1", "forms": [form("F1"), form("F2")]})
    with survey.rpc(as_operator="ops") as rpc:
        rpc.survey.close_campaign({"campaign_id": "c1"})
        rpc.survey.publish_rates({"campaign_id": "c1"})
    database = next(d for d in survey.container("survey").dependencies if isinstance(d, Database))
    with database.sessionmaker() as s:
        camp = s.get(models.CampaignRow, "c1")
        assert (camp.signed_by, camp.closed_signed_by, camp.published_signed_by) == (
            "operator:test", "operator:ops", "operator:ops")
        assert [(f.serial, f.signed_by) for f in s.scalars(select(models.FormRow).order_by(models.FormRow.serial))] == [
            ("F1", "service:gateway"), ("F2", "service:gateway")]
