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


def test_the_forms_already_received_are_tallied_once(engine):
    """Revision a1c3e5f7b9d0 (campaign_tallies) on forms written before it: the SQL backfill gives
    the domain's counts (tally_forms over every form), per subject, group and dimension."""
    import json
    import random

    from services.survey import domain
    from services.survey.domain.vocabulary import ALL_GROUPS

    rng = random.Random(7)
    dims = ["morality"] * 3 + ["ability"] * 2 + ["morality"] + ["learning"] * 2   # a split run too
    rows = [{"s": f"f{i}", "subject": rng.choice(["o1", "o2"]), "grp": rng.choice([5, 6]),
             "answers": "".join(rng.choice("SBDN") for _ in dims)} for i in range(60)]
    with engine.begin() as conn:
        command.upgrade(alembic_config("survey", conn), "f7b9d1e3a5c8")
        conn.execute(text("INSERT INTO questionnaires (key, version, items, created_at) "
                          "VALUES ('q', 1, :items, '2026-03-01 00:00:00')"),
                     {"items": json.dumps([{"dimension": d, "text": ""} for d in dims])})
        for cid in ("c1", "c2"):
            conn.execute(text(
                "INSERT INTO campaigns (id, kind, period, owner, title, groups, questionnaire_key, "
                "questionnaire_version, status, created_at) VALUES (:id, 'satisfaction', '2026H1', "
                "'cnty', '', '[\"parents\", \"case_parties\"]', 'q', 1, 'open', '2026-03-01 00:00:00')"),
                {"id": cid})
        conn.execute(text("INSERT INTO forms (campaign_id, serial, subject, grp, answers) "
                          "VALUES ('c1', :s, :subject, :grp, :answers)"), rows)
    with engine.begin() as conn:
        command.upgrade(alembic_config("survey", conn), "head")
    cells, received = domain.tally_forms([(r["subject"], ALL_GROUPS[r["grp"]], r["answers"]) for r in rows],
                                         domain.Questionnaire("q", 1, tuple(dims), ()))
    expected = {(c.subject, c.group, c.dimension):
                (c.satisfied, c.basic, c.dissatisfied) for c in cells}
    with engine.connect() as conn:
        got = conn.execute(text("SELECT campaign_id, subject, grp, dimension, forms, satisfied, basic, "
                                "dissatisfied FROM campaign_tallies")).all()
    assert {r[0] for r in got} == {"c1"}
    assert {(r[1], ALL_GROUPS[r[2]], r[3]): (r[5], r[6], r[7]) for r in got} == expected
    per_subject = {}
    for r in got:
        if r[3] == "morality":
            per_subject[r[1]] = per_subject.get(r[1], 0) + r[4]
    assert per_subject == received
