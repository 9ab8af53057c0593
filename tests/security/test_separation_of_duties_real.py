"""Separation of duties beyond the monthly approval, on the real broker (issue 18 items 3 and 8).

Nobody reviews their own daily log, submits or files (approves) a rectification that is not theirs
to, or answers a public objection to their own evaluation; where the evaluator is the leading group
the subject sits in (the bureau's leaders are evaluated by the bureau), another member acts.  Each
attack is tried by the person himself and by the bureau's system keying it for him; each is refused
(``Forbidden`` naming ``actor``), nothing is written (the record and who-signed columns as before),
and a colleague then succeeds (the control), the record keeping who the entry point verified."""
import datetime as dt

import pytest

from services.scoring import repository

from shared.db import Database
from shared.identity import Actor
from shared.errors import Forbidden
from tests.service.scoring.conftest import leaders_assessed_and_approved

pytestmark = [pytest.mark.broker, pytest.mark.timeout(240)]

FEB = "2026-02"
OFFICE = {"as_persons": "ps-office", "units": {"ps"}}      # the bureau's system acting for its persons


def _row(suite, model, key):
    database = next(d for d in suite.container("scoring").dependencies if isinstance(d, Database))
    with database.sessionmaker() as session:
        return session.get(model, key)


def _columns(row, *names):
    return {name: getattr(row, name) for name in names}


def _refused(call, payload, *words):
    with pytest.raises(Forbidden) as refused:
        call(payload)
    assert refused.value.field == "actor", refused.value.message
    for word in words:
        assert word in refused.value.message, refused.value.message


def test_nobody_reviews_their_own_daily_log(city_real):
    from services.scoring.models import DailyLog

    day = {"as_of": "2026-03-06"}
    with city_real.rpc(as_person="c1") as rpc:     # the chief c1 keeps a log; his mentor is l1
        rpc.scoring.write_daily_logs({**day, "logs": [{"person": "c1", "date": "2026-03-05",
                                                       "text": "组织大队学习"}]})
    own = {**day, "reviews": [{"actor": "c1", "person": "c1", "date": "2026-03-05"}]}
    before = _columns(_row(city_real, DailyLog, ("c1", "2026-03-05")),
                      "reviewed_by", "reviewed_on", "reviewed_signed_by", "signed_by")
    assert before == {"reviewed_by": None, "reviewed_on": None, "reviewed_signed_by": None,
                      "signed_by": "person:c1"}
    for identity in ({"as_person": "c1"}, OFFICE):  # himself, and the bureau's system keying it for him
        with city_real.rpc(**identity) as rpc:
            out = rpc.scoring.review_daily_logs(own)
        assert out["done"] == 0 and [(e["error"], e["field"]) for e in out["errors"]] == [
            ("forbidden", "actor")], out
        assert "own" in out["errors"][0]["message"]
        assert _columns(_row(city_real, DailyLog, ("c1", "2026-03-05")), *before) == before
    with city_real.rpc(**OFFICE) as rpc:            # the control: his mentor l1, keyed by the office
        out = rpc.scoring.review_daily_logs({**day, "reviews": [
            {"actor": "l1", "person": "c1", "date": "2026-03-05"}]})
    assert out["done"] == 1 and out["errors"] == []
    assert _columns(_row(city_real, DailyLog, ("c1", "2026-03-05")), "reviewed_by", "reviewed_signed_by") == {
        "reviewed_by": "l1", "reviewed_signed_by": "persons:ps-office"}


def _leaders_approved_and_ranked(suite):
    """l1, l2, l3 of the bureau's leading group assessed (l3 lowest), reviewed by their mentor h,
    each approved by a colleague, and February ranked: l3 is poor and owes a rectification."""
    with suite.rpc() as rpc:
        sc = rpc.scoring
        leaders_assessed_and_approved(sc, FEB)
        ranking = sc.rank_month({"actor": "l1", "evaluator": "ps", "month": FEB})
    assert [(x["subject"], x["class"]) for x in ranking["groups"]["leaders"]] == [
        ("l1", "good"), ("l2", "middle"), ("l3", "poor")]
    assert [(r["subject"], r["state"]) for r in ranking["rectifications"]] == [("l3", "owed")]


def test_a_rectification_is_submitted_by_its_subject_and_filed_by_another_member(city_real):
    from services.scoring.models import Rectification

    _leaders_approved_and_ranked(city_real)
    key = ("ps", FEB, "l3")
    plan = {"evaluator": "ps", "month": FEB, "subject": "l3", "explanation": "分管工作落实不力",
            "plan": "每周督办"}
    watched = ("state", "explanation", "plan", "submitted_by", "submitted_signed_by", "filed_by",
               "filed_signed_by")
    owed = _columns(_row(city_real, Rectification, key), *watched)
    assert owed["state"] == "owed" and owed["submitted_by"] is None
    # the attack: a colleague files l3's explanation and plan for him
    for identity in ({"as_person": "l2"}, OFFICE):
        with city_real.rpc(**identity) as rpc:
            _refused(rpc.scoring.submit_rectification, {**plan, "actor": "l2"})
    assert _columns(_row(city_real, Rectification, key), *watched) == owed
    with city_real.rpc(as_person="l3") as rpc:      # the control: l3's own plan
        assert rpc.scoring.submit_rectification({**plan, "actor": "l3"})["state"] == "submitted"
    submitted = _columns(_row(city_real, Rectification, key), *watched)
    assert (submitted["submitted_by"], submitted["submitted_signed_by"]) == ("l3", "person:l3")
    # the attack: l3, a member of the leading group that evaluates him, files (approves) his own
    for identity in ({"as_person": "l3"}, OFFICE):
        with city_real.rpc(**identity) as rpc:
            _refused(rpc.scoring.file_rectification, {"actor": "l3", "evaluator": "ps", "month": FEB,
                                                      "subject": "l3"}, "own")
    assert _columns(_row(city_real, Rectification, key), *watched) == submitted
    with city_real.rpc(**OFFICE) as rpc:            # the control: another member, l1
        filed = rpc.scoring.file_rectification({"actor": "l1", "evaluator": "ps", "month": FEB,
                                                "subject": "l3"})
    assert filed["state"] == "filed"
    done = _row(city_real, Rectification, key)
    assert (done.filed_by, done.filed_signed_by, done.submitted_signed_by) == (
        "l1", "persons:ps-office", "person:l3")


def test_nobody_answers_a_public_objection_to_their_own_evaluation(city_real, monkeypatch):
    from services.scoring.public_models import PublicObjection

    _leaders_approved_and_ranked(city_real)
    with city_real.rpc(as_person="l2") as rpc:      # l2 posts the month: l1's and l3's evaluations
        posted = rpc.scoring.publish_notice({"actor": "l2", "evaluator": "ps", "month": FEB,
                                             "as_of": "2026-03-05"})
    assert posted["posted"] == 2
    # the public's as_of is not taken (its pages send none): it objects on 9 March, its day today
    monkeypatch.setattr(repository, "today", lambda: dt.date(2026, 3, 9))
    with city_real.rpc(identity=Actor("gateway", "public")) as rpc:   # the public page's form
        rpc.scoring.public_object({"objection_id": "obj-l1-0001", "evaluator": "ps", "month": FEB,
                                   "subject": "l1", "text": "分管工作存在问题", "contact": "13800001111"})
    monkeypatch.undo()
    answer = {"objection_id": "obj-l1-0001", "evaluator": "ps", "answer": "经核实, 不属实",
              "upheld": False, "as_of": "2026-03-10"}
    watched = ("state", "answer", "upheld", "answered_by", "answered_signed_by")
    before = _columns(_row(city_real, PublicObjection, "obj-l1-0001"), *watched)
    assert before["state"] == "open" and before["answered_by"] is None
    for identity in ({"as_person": "l1"}, OFFICE):  # l1 answers the objection to himself
        with city_real.rpc(**identity) as rpc:
            _refused(rpc.scoring.answer_objection, {**answer, "actor": "l1"}, "own")
    assert _columns(_row(city_real, PublicObjection, "obj-l1-0001"), *watched) == before
    with city_real.rpc(as_person="l3") as rpc:      # the control: another member of the group
        done = rpc.scoring.answer_objection({**answer, "actor": "l3"})
    assert (done["state"], done["answered_by"]) == ("answered", "l3")
    row = _row(city_real, PublicObjection, "obj-l1-0001")
    assert (row.answered_by, row.answered_signed_by, row.signed_by) == ("l3", "person:l3", "public:gateway")
