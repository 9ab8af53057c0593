"""Scoring's answer to the policy's "who evaluates this person on the day" (ScoringAccess.evaluator_of):
the roster's answer whose span covers the day, else the read model's own evaluator."""
from datetime import date

from alembic import command
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.scoring.access import ScoringAccess
from services.scoring.models import EvaluatorSpan, Person
from shared.migrate import alembic_config


def test_the_evaluator_of_the_day_from_the_roster_else_the_read_model(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/scoring.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "head")
    with Session(engine) as s:
        s.add_all([
            Person(id="dl", agency="m_dd", position="leader", joined=date(2001, 1, 1), evaluator="m_dd",
                   evaluator_source="default", reserve=False),
            Person(id="o", agency="a1", position="officer", joined=date(2001, 1, 1), evaluator="a1",
                   evaluator_source="default", reserve=False),
            EvaluatorSpan(person="dl", start=date(2001, 1, 1), end=date(2026, 2, 28), grp="m_dd",
                          rule="own", resolved_at="2026-01-01T00:00:00"),
            EvaluatorSpan(person="dl", start=date(2026, 3, 1), end=None, grp="m_just",
                          rule="supervising_unit", resolved_at="2026-01-01T00:00:00"),
        ])
        s.commit()
        resolver = ScoringAccess(s)
        assert resolver.evaluator_of("dl", date(2026, 2, 28)) == "m_dd"
        assert resolver.evaluator_of("dl", date(2026, 3, 1)) == "m_just"
        assert resolver.evaluator_of("o", date(2026, 3, 1)) == "a1"          # no span: the read model's
        assert resolver.evaluator_of("nobody", date(2026, 3, 1)) is None
    engine.dispose()
