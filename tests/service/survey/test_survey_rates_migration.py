"""The migration that stores rates per version (revision e5b7d9f1a3c5, issue 19) on a survey database
written before it: each campaign's forms are counted once into ``campaign_form_counts`` (none for a
campaign without any: read as 0), ``campaign_rates`` starts empty, and the models agree with the migrated schema."""
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from shared.migrate import alembic_config
from services.survey import models

pytestmark = pytest.mark.timeout(120)
BEFORE = "d4f6a8c0e2b4"


@pytest.fixture
def engine(engine_of):
    return engine_of("survey")


def test_the_forms_of_each_campaign_are_counted_once(engine):
    with engine.begin() as conn:
        command.upgrade(alembic_config("survey", conn), BEFORE)
        for cid in ("c1", "c2"):
            conn.execute(text(
                "INSERT INTO campaigns (id, kind, period, owner, title, groups, questionnaire_key, "
                "questionnaire_version, status, created_at) VALUES (:id, 'satisfaction', '2026H1', "
                "'cnty', '', '[\"parents\"]', 'q', 1, 'open', '2026-03-01 00:00:00')"), {"id": cid})
        conn.execute(text("INSERT INTO forms (campaign_id, serial, subject, grp, answers) "
                          "VALUES ('c1', :s, 'o1', 0, 'SSS')"), [{"s": f"f{i}"} for i in range(7)])
    with engine.begin() as conn:
        command.upgrade(alembic_config("survey", conn), "head")
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
        assert diffs == [], diffs
        assert dict(conn.execute(text("SELECT campaign_id, forms FROM campaign_form_counts")).all()) == {"c1": 7}
        assert conn.execute(text("SELECT count(*) FROM campaign_rates")).scalar() == 0
