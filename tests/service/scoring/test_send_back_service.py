"""退回 (issue 22 item 3): a member of the leading group sends an evaluation waiting for approval
back to the mentor's review with a reason, one or a batch; the same checks as the approval (never
his own, his mentee's, one he reviewed), recorded in the trail with who the entry point verified,
idempotent, only from ``reviewed``."""
import pytest

from shared.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"
ON = "2026-03-03"


def _to_approval(rpc, subject, mentor):
    rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": FEB,
                                        "as_of": "2026-03-02", "item_scores": {"political.study": 7}})
    return rpc.scoring.review({"actor": mentor, "subject": subject, "month": FEB, "as_of": "2026-03-02"})


def test_one_sent_back_goes_to_the_mentors_review_recorded_once_and_is_reviewed_again(city):
    with city.rpc() as rpc:
        _to_approval(rpc, "o1", "c1")
    with city.rpc(as_person="l2") as rpc:
        with pytest.raises(ValidationFailed) as err:        # no reason: refused, naming it
            rpc.scoring.send_back({"actor": "l2", "subject": "o1", "month": FEB, "as_of": ON})
        assert err.value.field == "reason"
        with pytest.raises(ValidationFailed) as err:        # a blank one neither
            rpc.scoring.send_back({"actor": "l2", "subject": "o1", "month": FEB, "as_of": ON,
                                   "reason": "   "})
        assert err.value.field == "reason"
        ev = rpc.scoring.send_back({"actor": "l2", "subject": "o1", "month": FEB, "as_of": ON,
                                    "reason": "扣分理由不充分"})
        assert ev["state"] == "submitted"
        again = rpc.scoring.send_back({"actor": "l2", "subject": "o1", "month": FEB, "as_of": ON,
                                       "reason": "扣分理由不充分"})
        assert again == ev                                   # the same send-back: no second step
        out = rpc.scoring.send_back_batch({"as_of": ON, "items": [
            {"actor": "l2", "subject": "o1", "month": FEB, "reason": "扣分理由不充分"}]})
        assert (out["done"], out["errors"]) == (0, []) and out.get("unchanged") == 1, out
        with pytest.raises(Conflict) as err:                 # another reason: it is in review now
            rpc.scoring.send_back({"actor": "l2", "subject": "o1", "month": FEB, "as_of": ON,
                                   "reason": "另一个理由"})
        assert err.value.field == "state" and "submitted" in str(err.value)
    with city.rpc() as rpc:
        trail = rpc.scoring.evaluation({"subject": "o1", "month": FEB})["trail"]
        assert [(t["action"], t["actor"], t["from"], t["to"], t["note"], t["signed_by"])
                for t in trail][-1] == ("send_back", "l2", "reviewed", "submitted", "扣分理由不充分",
                                        "person:l2")
        assert [t["action"] for t in trail] == ["submit", "review", "send_back"]
        # back in the mentor's list, and no longer in the approver's
        review = rpc.scoring.waiting_for({"person": "c1", "as_of": ON})["review"]
        assert [(e["subject"], e["sent_back"]) for e in review] == [
            ("o1", {"by": "l2", "on": ON, "reason": "扣分理由不充分"})]
        assert rpc.scoring.waiting_for({"person": "l2", "as_of": ON})["approve"] == []
        # the mentor reviews again, another member approves
        rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": ON})
        ev = rpc.scoring.approve({"actor": "l2", "subject": "o1", "month": FEB, "as_of": ON})
        assert ev["state"] == "approved"
        with pytest.raises(Conflict) as err:                 # approved: too late to send back
            rpc.scoring.send_back({"actor": "l3", "subject": "o1", "month": FEB, "as_of": ON,
                                   "reason": "x"})
        assert err.value.field == "state" and "approved" in str(err.value)


def test_send_back_keeps_the_separation_of_duties_of_the_approval(city):
    with city.rpc() as rpc:
        _to_approval(rpc, "o1", "c1")          # o1's mentor c1; s1's supervising leader l1
        _to_approval(rpc, "c1", "l1")          # c1's mentor is l1: l1 reviewed it
        _to_approval(rpc, "l1", "h")           # l1's own evaluation, reviewed by the head
        _to_approval(rpc, "o3", "c2")
    with city.rpc(as_person="l1") as rpc:
        with pytest.raises(Forbidden) as err:  # his own
            rpc.scoring.send_back({"actor": "l1", "subject": "l1", "month": FEB, "as_of": ON, "reason": "r"})
        assert err.value.field in ("actor", "subject")
        with pytest.raises(Forbidden) as err:  # his mentee's, which he reviewed
            rpc.scoring.send_back({"actor": "l1", "subject": "c1", "month": FEB, "as_of": ON, "reason": "r"})
        assert err.value.field == "actor"
    with city.rpc(as_person="h") as rpc:
        out = rpc.scoring.send_back_batch({"as_of": ON, "items": [
            {"actor": "h", "subject": "l1", "month": FEB, "reason": "r"},     # he reviewed it
            {"actor": "h", "subject": "o3", "month": FEB, "reason": "请补充扣分依据"}]})
        assert out["done"] == 1 and [(e["index"], e["field"]) for e in out["errors"]] == [(0, "actor")]
    with city.rpc(as_person="o2") as rpc:      # an officer is no member of the leading group
        with pytest.raises(Forbidden):
            rpc.scoring.send_back({"actor": "o2", "subject": "o1", "month": FEB, "as_of": ON, "reason": "r"})
    with city.rpc() as rpc:
        states = {s: rpc.scoring.evaluation({"subject": s, "month": FEB})["state"]
                  for s in ("o1", "c1", "l1", "o3")}
        assert states == {"o1": "reviewed", "c1": "reviewed", "l1": "reviewed", "o3": "submitted"}
        # the refused ones wrote nothing to their trail
        assert [t["action"] for t in rpc.scoring.evaluation({"subject": "l1", "month": FEB})["trail"]] == [
            "submit", "review"]
