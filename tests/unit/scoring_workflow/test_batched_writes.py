"""#24 item 5: the workflow's batched writes as Core statements (the trail's rows, new evaluations,
evaluations by primary key) store what the ORM's bulk statements stored, in the same order, and
flush the session's pending ORM changes first as those did; a step's digest is the text it was."""
import hashlib
import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, insert, select, update
from sqlalchemy.orm import Session

from services.scoring import followup_models  # noqa: F401  (their tables on the same Base)
from services.scoring import history, repository
from services.scoring.models import Base, Evaluation, EvaluationLog, Person

D = date(2025, 2, 1)


def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    s = Session(engine)
    s.info["signed_by"] = "persons:office"
    return s


@pytest.fixture
def pair():
    a, b = session(), session()
    yield a, b
    a.close()
    b.close()


def new_evaluation(n, evaluator="a1"):
    return dict(id=f"officer:p{n}:2025-01", kind="officer", subject=f"p{n}", month="2025-01", agency="a1",
                evaluator=evaluator, state="submitted", template_version="v1",
                item_scores={"given": {"a": "1"}, "final": {"a": "1"}}, deductions=[],
                self_score=Decimal("98.5"), score=Decimal("98.5"), submitted_on=D, late=False, objections=0)


LOGS = [dict(evaluation_id="officer:p1:2025-01", action="submit", actor="p1", on_date=D, from_state=None,
             to_state="submitted", note=None, digest="d" * 64),
        dict(evaluation_id="officer:p2:2025-01", action="submit", actor="p2", on_date=D, from_state=None,
             to_state="submitted", note="上报", digest="e" * 64)]
NO_DIGEST = [dict(evaluation_id="officer:p1:2025-01", action="approve", actor="l1", on_date=D,
                  from_state="reviewed", to_state="approved", note=None)]


def rows(s):
    evals = [tuple(r) for r in s.execute(select(*Evaluation.__table__.c).order_by(Evaluation.id)).all()]
    logs = [tuple(r) for r in s.execute(select(*[c for c in EvaluationLog.__table__.c if c.key != "at"])
                                        .order_by(EvaluationLog.id)).all()]
    return evals, logs


def test_core_writes_store_what_the_orm_bulk_statements_stored(pair):
    orm, core = pair
    # the code before: the ORM's bulk insert and update by primary key
    orm.execute(insert(Evaluation), [new_evaluation(1), new_evaluation(2)])
    orm.execute(insert(EvaluationLog), [{**r, "signed_by": "persons:office"} for r in LOGS])
    orm.execute(insert(EvaluationLog), [{**r, "signed_by": "persons:office"} for r in NO_DIGEST])
    orm.execute(update(Evaluation), [{"id": "officer:p1:2025-01", "state": "approved", "approved_by": "l1",
                                      "item_scores": {"given": {"a": "2"}}, "score": Decimal("97")}])
    # now
    repository.insert_evaluations(core, [new_evaluation(1), new_evaluation(2)])
    repository.add_logs(core, LOGS)
    repository.add_logs(core, NO_DIGEST)
    rec = SimpleNamespace(id="officer:p1:2025-01", state="approved", approved_by="l1",
                          item_scores={"given": {"a": "2"}}, score=Decimal("97"))
    repository.save_evaluations(core, [rec, rec], ("state", "approved_by", "item_scores", "score"))
    want, got = rows(orm), rows(core)
    assert got == want
    assert len(got[0]) == 2 and len(got[1]) == 3
    assert {r[4] for r in got[1]} == {"persons:office"}          # signed_by, from the session
    assert got[1][2][-1] is None                                  # a step without a digest: NULL


def test_pending_orm_changes_are_flushed_before_a_core_write_or_read():
    s = session()
    repository.add_log(s, "officer:p1:2025-01", "submit", "p1", D, None, "submitted")     # pending
    repository.add_logs(s, NO_DIGEST)
    assert [a for (a,) in s.execute(select(EvaluationLog.action).order_by(EvaluationLog.id))] == \
        ["submit", "approve"]           # the pending row first, as the ORM's bulk insert flushed it
    s.add(Evaluation(**new_evaluation(3)))                         # pending
    got = repository.load_evaluations(s, [{"kind": "officer", "subject": "p3", "month": "2025-01"}])
    assert got["officer:p3:2025-01"].score == Decimal("98.5")
    s.add(Evaluation(**new_evaluation(4, evaluator="b1")))
    assert [e.id for e in repository.evaluations_of(s, "b1", "2025-01", ("submitted",))] == \
        ["officer:p4:2025-01"]
    s.add(Person(id="p9", agency="a1", position="officer", joined=D))
    h = history.History(s)
    h.load(["p9"])
    assert h.people["p9"].agency == "a1"
    s.close()


@pytest.mark.parametrize("obj", [
    [{"a": 1.5, "b": "x"}, [{"id": "d1", "items": ["a"], "points": "2", "note": None}]],
    [None, []],
    [{"中": 1, "é": "ü"}, {"z": date(2025, 1, 1), "y": Decimal("1.50")}],
    {"b": [1, 2, {"c": float("nan")}], "a": True},
])
def test_a_steps_digest_is_the_text_it_was(obj):
    assert repository.digest(obj) == hashlib.sha256(
        json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()
