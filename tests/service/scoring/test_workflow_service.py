"""The monthly evaluation over RPC: steps, actors, objections, late filing, errors, idempotency."""
import pytest

from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shared.metrics import metrics_of

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"   # evaluated in March; deadline 2026-03-15 (a Sunday)


def _submit(rpc, subject="o1", actor=None, **kw):
    payload = {"actor": actor or subject, "subject": subject, "month": FEB, "as_of": "2026-03-02",
               "item_scores": {"political.study": 7}}
    payload.update(kw)
    return rpc.scoring.submit_self_assessment(payload)


def test_the_five_steps_with_an_objection_and_the_trail(city):
    with city.rpc() as rpc:
        ev = _submit(rpc)
        assert (ev["state"], ev["score"]) == ("submitted", 99.0)
        with pytest.raises(Forbidden) as err:      # c2 is not o1's mentor
            rpc.scoring.review({"actor": "c2", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
        assert err.value.field == "actor"
        with pytest.raises(Conflict):              # approval before review
            rpc.scoring.approve({"actor": "l1", "subject": "o1", "month": FEB})
        ev = rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02",
                                 "deductions": [{"id": "late-report-1", "points": 3,
                                                 "items": ["performance.daily_log",
                                                           "performance.targets"]}]})
        assert ev["state"] == "reviewed" and ev["score"] == 96.0   # one fact, deducted once
        with pytest.raises(Forbidden):             # a chief is not in the leading group
            rpc.scoring.approve({"actor": "c1", "subject": "o1", "month": FEB})
        ev = rpc.scoring.approve({"actor": "l1", "subject": "o1", "month": FEB, "as_of": "2026-03-03"})
        assert ev["state"] == "approved"
        posted = rpc.scoring.publish_notice({"actor": "l1", "evaluator": "ps", "month": FEB,
                                             "as_of": "2026-03-05"})      # Thursday
        assert {k: posted[k] for k in ("posted", "notice_start", "notice_end")} == \
            {"posted": 1, "notice_start": "2026-03-05", "notice_end": "2026-03-10"}
        # item by item, what ps's February did not have ready (the head is evaluated by cnty, o4
        # joined in March): nobody else self-assessed
        assert {(x["subject"], x["state"]) for x in posted["not_posted"]} == {
            (p, "missing") for p in ("l1", "l2", "l3", "c1", "c2", "c3", "o2", "o3",
                                     "s1", "s2", "s3")}
        objection = {"actor": "o2", "subject": "o1", "month": FEB, "as_of": "2026-03-09",
                     "text": "扣分事实有误"}
        ev = rpc.scoring.raise_objection(objection)
        assert ev["state"] == "submitted" and ev["objections"] == 1
        assert ev["trail"][-1]["action"] == "object" and ev["trail"][-1]["note"] == "扣分事实有误"
        # the old name (it shadowed the builtin) still works for one release: the same objection
        # again, recorded once
        assert rpc.scoring.object(objection) == ev
        rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-10"})
        rpc.scoring.approve({"actor": "l1", "subject": "o1", "month": FEB, "as_of": "2026-03-10"})
        rpc.scoring.publish_notice({"actor": "l1", "evaluator": "ps", "month": FEB,
                                    "as_of": "2026-03-10"})                # Tue → Fri 13th
        early = rpc.scoring.file_month({"actor": "l1", "evaluator": "ps", "month": FEB,
                                        "as_of": "2026-03-13"})
        assert early["filed"] == 0 and early["waiting"] == ["officer:o1:2026-02"]
        done = rpc.scoring.file_month({"actor": "l1", "evaluator": "ps", "month": FEB,
                                       "as_of": "2026-03-14"})
        assert (done["filed"], done["late"]) == (1, 0)
        ev = rpc.scoring.evaluation({"subject": "o1", "month": FEB})
        assert ev["state"] == "filed" and ev["late"] is False
        assert [t["action"] for t in ev["trail"]] == [
            "submit", "review", "approve", "notice", "object", "review", "approve", "notice", "file"]
        with pytest.raises(Conflict, match="already filed"):
            rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB})
        with pytest.raises(Conflict) as err:       # a second evaluation of the month
            _submit(rpc, item_scores={"political.study": 6})
        assert err.value.field == "month"


def test_bad_input_is_refused_and_changes_nothing(city):
    with city.rpc() as rpc:
        with pytest.raises(ValidationFailed) as err:
            _submit(rpc, item_scores={"political.study": 9})            # max 8
        assert err.value.field == "item_scores.political.study"
        with pytest.raises(NotFound):
            rpc.scoring.evaluation({"subject": "o1", "month": FEB})
        with pytest.raises(Forbidden):
            _submit(rpc, subject="o1", actor="o2")
        with pytest.raises(Conflict):                                    # February is not over
            _submit(rpc, as_of="2026-02-27")
        with pytest.raises(ValidationFailed) as err:
            _submit(rpc, month="2026-13")
        assert err.value.field == "month"
        with pytest.raises(NotFound):
            rpc.scoring.raise_objection({"actor": "o2", "subject": "o1", "month": FEB, "text": "x"})
        _submit(rpc)
        with pytest.raises(Conflict):                                    # objection before notice
            rpc.scoring.raise_objection({"actor": "o2", "subject": "o1", "month": FEB, "text": "x"})
        assert rpc.scoring.evaluation({"subject": "o1", "month": FEB})["objections"] == 0


def test_batches_report_each_bad_item_by_index_and_apply_the_good_ones(city):
    with city.rpc() as rpc:
        items = [{"actor": "o1", "subject": "o1", "month": FEB},
                 {"actor": "o1", "subject": "o2", "month": FEB},
                 {"actor": "o3", "subject": "o3", "month": FEB, "item_scores": {"integrity.bans": 11}},
                 {"actor": "c1", "subject": "s1", "kind": "section", "month": FEB}]
        out = rpc.scoring.submit_self_assessments({"items": items, "as_of": "2026-03-01"})
        assert out["done"] == 2
        assert [(e["index"], e["field"], e["error"]) for e in out["errors"]] == [
            (1, "actor", "forbidden"), (2, "item_scores.integrity.bans", "validation_failed")]
        again = rpc.scoring.submit_self_assessments({"items": items[:1], "as_of": "2026-03-01"})
        assert (again["done"], again["unchanged"], again["errors"]) == (0, 1, [])
        reviews = rpc.scoring.review_batch({"items": [
            {"actor": "l1", "subject": "s1", "kind": "section", "month": FEB},
            {"actor": "c2", "subject": "o1", "month": FEB}], "as_of": "2026-03-02"})
        assert reviews["done"] == 1 and reviews["errors"][0]["index"] == 1
        twice = rpc.scoring.review_batch({"items": [
            {"actor": "l1", "subject": "s1", "kind": "section", "month": FEB}], "as_of": "2026-03-02"})
        assert twice["unchanged"] == 1


def test_a_late_filing_is_flagged_and_counts_against_the_implementation_rate(city):
    with city.rpc() as rpc:
        for subject, mentor in (("o1", "c1"), ("o2", "c1")):
            _submit(rpc, subject=subject)
            # reviewed and approved in March (a notice is never dated before the steps it posts)
            rpc.scoring.review({"actor": mentor, "subject": subject, "month": FEB, "as_of": "2026-03-05"})
            rpc.scoring.approve({"actor": "l2", "subject": subject, "month": FEB, "as_of": "2026-03-10"})
        rpc.scoring.publish_notice({"actor": "l2", "evaluator": "ps", "month": FEB,
                                    "as_of": "2026-03-12"})    # Thu: notice Fri, Mon, Tue 17th
        early = rpc.scoring.file_month({"actor": "l2", "evaluator": "ps", "month": FEB,
                                        "as_of": "2026-03-17"})
        assert early["filed"] == 0 and len(early["waiting"]) == 2
        filed = rpc.scoring.file_month({"actor": "l2", "evaluator": "ps", "month": FEB,
                                        "as_of": "2026-03-18"})
        assert (filed["filed"], filed["late"]) == (2, 2)
        assert rpc.scoring.evaluation({"subject": "o1", "month": FEB})["late"] is True
        report = rpc.scoring.overdue_evaluations({"month": FEB, "as_of": "2026-03-20"})
        ps = report["by_agency"]["ps"]
        # due in February: 9 people and 3 sections of ps (o4 joined in March; the head h counts
        # for its evaluator cnty, SPEC §9); none on time
        assert (ps["due"], ps["filed_on_time"], ps["filed_late"], ps["overdue"]) == (12, 0, 2, 12)
        assert report["by_agency"]["cnty"]["due"] == 3      # cs, cl (its own staff) and h
        assert ps["rate"] == 0.0
        assert {"kind": "officer", "subject": "o3", "agency": "ps", "state": "missing",
                "filed_on": None} in report["overdue"]
        text = metrics_of(city.container("scoring")).render().decode()
        assert 'lianbao_scoring_overdue_evaluations{agency="ps"} 12.0' in text
        assert 'lianbao_management_implementation_rate{agency="ps"} 0.0' in text


def test_every_step_of_the_trail_records_who_the_entry_point_verified(city):
    """Issue 18 item 3: beside the actor the payload names, each step keeps the verified identity of
    the call — the person himself, or the calling system that acts for its persons."""
    with city.rpc(as_person="o1") as rpc:
        _submit(rpc)
    with city.rpc(as_persons="ps-office", units={"ps"}) as rpc:   # the bureau's system keys o2's own
        _submit(rpc, subject="o2")
    with city.rpc(as_person="c1") as rpc:
        rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
    with city.rpc() as rpc:
        one = rpc.scoring.evaluation({"subject": "o1", "month": FEB})["trail"]
        two = rpc.scoring.evaluation({"subject": "o2", "month": FEB})["trail"]
    assert [(t["action"], t["actor"], t["signed_by"]) for t in one] == [
        ("submit", "o1", "person:o1"), ("review", "c1", "person:c1")]
    assert [(t["action"], t["actor"], t["signed_by"]) for t in two] == [("submit", "o2", "persons:ps-office")]
