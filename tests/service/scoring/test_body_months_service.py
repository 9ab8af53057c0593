"""``publish_notices``, ``file_months`` and ``rank_months`` (#24 item 5): many bodies' months in one
call do what the single calls (``publish_notice``, ``file_month``, ``rank_month``) do, item by item:
the same answers, evaluations, trail (``signed_by`` included), rankings, rectifications and follow-ups;
a refused item is reported by index and leaves nothing of itself written; the same call twice is
``unchanged``; the policy judges every item's body."""
import pytest

from shared.config import embedded_config
from shared.errors import Forbidden
from shared.runner import Suite, reset_memory_broker, service_class
from tests.service.scoring.conftest import (EVALUATORS, PEOPLE, UNITS, evaluator_actor, mentor_of,
                                            resolve_evaluators, self_actor, subjects_of)

pytestmark = pytest.mark.timeout(240)

MONTHS = ("2026-02", "2026-03")
LOW = {"political.study": 0, "political.discipline": 0, "integrity.bans": 0, "integrity.clean": 0,
       "performance.targets": 0}
#: each month's scores: s3 and l3 poor twice running (a referral, a collective talk, rectifications)
SCORES = {"o2": {"performance.targets": 4}, "l2": {"diligence.public": 5}, "l3": LOW,
          "s2": {"quality.staff": 5}, "s3": {"management.rules": 0}}
#: who acts for each body: l1 is evaluated by ps (his own evaluation is left for l2), cs by nobody
#: here (the committee's own staff are not evaluated), so cs acts for cnty alone
ACTORS = {"ps": ("l1", "l2"), "cnty": ("cs", "cl")}


def _start(tmp_path, name):
    reset_memory_broker()
    suite = Suite(embedded_config(tmp_path / name, OUTBOX_POLL_SECONDS=0.2), names=("scoring",),
                  classes=[service_class("scoring")]).start()
    with suite.rpc() as rpc:
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": PEOPLE})
    resolve_evaluators(suite, PEOPLE, EVALUATORS)
    return suite


def _approved(rpc, month, submit_on):
    last = f"{month}-28"
    subjects = [(s, k) for s, k in subjects_of()
                if k == "section" or next(p for p in PEOPLE if p["id"] == s)["joined"] <= last]
    for method, make in (
            ("submit_self_assessments", lambda s, k: {"actor": self_actor(s, k),
                                                      "item_scores": SCORES.get(s, {})}),
            ("review_batch", lambda s, k: {"actor": mentor_of(s, k)}),
            ("approve_batch", lambda s, k: {"actor": evaluator_actor(rpc, s, k)})):
        items = [{"subject": s, "kind": k, "month": month, **make(s, k)} for s, k in subjects]
        assert getattr(rpc.scoring, method)({"items": items, "as_of": submit_on})["errors"] == []
    return subjects


def _single(rpc, method, month, as_of):
    """A body step by the single calls, as the demo did it: the first member, then the second for
    what was left to another member."""
    out = []
    for body, (first, second) in ACTORS.items():
        answer = getattr(rpc.scoring, method)({"actor": first, "evaluator": body, "month": month, "as_of": as_of})
        out.append(answer)
        if answer.get("left_for_another_member"):
            out.append(getattr(rpc.scoring, method)({"actor": second, "evaluator": body, "month": month,
                                            "as_of": as_of}))
    return out


def _batched(rpc, method, month, as_of):
    many = {"publish_notice": "publish_notices", "file_month": "file_months", "rank_month": "rank_months"}
    items = [{"actor": first, "evaluator": body, "month": month} for body, (first, _) in ACTORS.items()]
    first = getattr(rpc.scoring, many[method])({"items": items, "as_of": as_of})
    assert first["errors"] == []
    again = [{"actor": ACTORS[it["evaluator"]][1], "evaluator": it["evaluator"], "month": month}
             for it, answer in zip(items, first["results"]) if answer.get("left_for_another_member")]
    out = []
    second = getattr(rpc.scoring, many[method])({"items": again, "as_of": as_of})["results"] if again else []
    for it, answer in zip(items, first["results"]):
        out.append(answer)
        if answer.get("left_for_another_member"):
            out.append(second.pop(0))
    return out


def _year(suite, step):
    """Two months through every step, the body steps by ``step``; the answers and what is stored."""
    answers, subjects = [], []
    with suite.rpc(as_persons="office") as rpc:       # a system acting for its persons (every unit)
        for n, month in enumerate(MONTHS, start=2):
            subjects += [(s, k, month) for s, k in _approved(rpc, month, f"2026-{n + 1:02d}-02")]
            answers += step(rpc, "publish_notice", month, f"2026-{n + 1:02d}-03")
            answers += step(rpc, "file_month", month, f"2026-{n + 1:02d}-05")    # on notice: waiting
            answers += step(rpc, "file_month", month, f"2026-{n + 1:02d}-10")
            answers += step(rpc, "rank_month", month, f"2026-{n + 1:02d}-10")
        stored = {
            "evaluations": [rpc.scoring.evaluation({"subject": s, "kind": k, "month": m})
                            for s, k, m in subjects],
            "rankings": [rpc.scoring.ranking_of_month({"evaluator": b, "month": m})
                         for m in MONTHS for b in ACTORS],
            "rectifications": rpc.scoring.rectifications({}),
            "referrals": rpc.scoring.referrals({}),
            "tasks": rpc.scoring.followup_tasks({"as_of": "2026-05-01"}),
        }
    return answers, stored, subjects


def test_the_batched_body_steps_do_what_the_single_calls_do(tmp_path):
    single = _start(tmp_path, "single")
    try:
        expected = _year(single, _single)
    finally:
        single.stop()
    batched = _start(tmp_path, "batched")
    try:
        got = _year(batched, _batched)
        assert got == expected
        answers, stored, subjects = got
        # what the months hold, so that the comparison is not of nothing
        assert {e["state"] for e in stored["evaluations"]} == {"filed"}
        assert any(a.get("left_for_another_member") for a in answers)
        assert stored["rankings"][0]["groups"]["units"] and stored["rectifications"]["rectifications"]
        assert stored["referrals"]["referrals"] and stored["tasks"]["tasks"]
        assert {t["signed_by"] for e in stored["evaluations"] for t in e["trail"]} == {"persons:office"}
        with batched.rpc(as_persons="office") as rpc:
            # the same calls again: every item unchanged, nothing written
            for method in ("publish_notices", "file_months", "rank_months"):
                again = getattr(rpc.scoring, method)({"items": [
                    {"actor": "l1", "evaluator": "ps", "month": m} for m in MONTHS], "as_of": "2026-04-10"})
                assert (again["done"], again["unchanged"], again["errors"]) == (0, 2, []), method
            assert [rpc.scoring.evaluation({"subject": s, "kind": k, "month": m})
                    for s, k, m in subjects] == stored["evaluations"]
            assert rpc.scoring.rectifications({}) == stored["rectifications"]
            assert rpc.scoring.referrals({}) == stored["referrals"]
    finally:
        batched.stop()


def test_each_item_is_checked_and_a_refused_one_writes_nothing(tmp_path):
    suite = _start(tmp_path, "refusals")
    try:
        with suite.rpc(as_persons="office") as rpc:
            _approved(rpc, "2026-02", "2026-03-02")
            items = [{"actor": "o1", "evaluator": "ps", "month": "2026-02"},     # not in the leading group
                     {"actor": "cs", "evaluator": "cnty", "month": "2026-02"},
                     {"actor": "cl", "evaluator": "ps", "month": "2026-02"}]     # another body's member
            posted = rpc.scoring.publish_notices({"items": items, "as_of": "2026-03-03"})
            assert [(e["index"], e["field"], e["error"]) for e in posted["errors"]] == [
                (0, "actor", "forbidden"), (2, "actor", "forbidden")]
            assert posted["results"][0] is None and posted["results"][2] is None
            assert (posted["done"], posted["results"][1]["posted"]) == (1, 1)     # h, by cnty
            assert rpc.scoring.evaluation({"subject": "o1", "month": "2026-02"})["state"] == "approved"
            # the single call refuses the same item the same way
            with pytest.raises(Forbidden) as err:
                rpc.scoring.publish_notice({**items[0], "as_of": "2026-03-03"})
            assert err.value.field == "actor"
            assert posted["errors"][0]["message"] == err.value.message
            filed = rpc.scoring.file_months({"items": items, "as_of": "2026-03-10"})
            assert [e["index"] for e in filed["errors"]] == [0, 2] and filed["done"] == 1
            ranked = rpc.scoring.rank_months({"items": items, "as_of": "2026-03-10"})
            assert [e["index"] for e in ranked["errors"]] == [0, 2]
            assert rpc.scoring.ranking_of_month({"evaluator": "ps", "month": "2026-02"})["groups"] == {}
            # the actor's own evaluation is left for another member, item by item
            posted = rpc.scoring.publish_notices({"items": [
                {"actor": "l1", "evaluator": "ps", "month": "2026-02"}], "as_of": "2026-03-03"})
            assert posted["results"][0]["left_for_another_member"] == ["officer:l1:2026-02"]
            assert rpc.scoring.evaluation({"subject": "l1", "month": "2026-02"})["state"] == "approved"
        # the policy judges every item's body: a system of ps's units may not post cnty's month
        with suite.rpc(as_persons="ps-office", units={"ps"}) as rpc:
            with pytest.raises(Forbidden, match="items.evaluator 'cnty'"):
                rpc.scoring.publish_notices({"items": [
                    {"actor": "l2", "evaluator": "ps", "month": "2026-02"},
                    {"actor": "cs", "evaluator": "cnty", "month": "2026-02"}], "as_of": "2026-03-03"})
        # a person acts only as himself, in every item
        with suite.rpc(as_person="l2") as rpc:
            with pytest.raises(Forbidden):
                rpc.scoring.rank_months({"items": [
                    {"actor": "l2", "evaluator": "ps", "month": "2026-02"},
                    {"actor": "cs", "evaluator": "cnty", "month": "2026-02"}], "as_of": "2026-03-10"})
    finally:
        suite.stop()
