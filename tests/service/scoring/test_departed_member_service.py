"""A member of a leading group who has left the team (the roster's ``staff_left``) is no member of it
from his departure: he may not approve, post the notice of or file his former body's month dated on
or after it, as himself or named by the operator; dated before it, he may (SPEC §9, M§五(二)3-4)."""
import pytest

from shared.errors import Forbidden

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"


def test_a_leader_who_left_is_refused_the_steps_of_his_former_body(city):
    with city.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": "o1", "subject": "o1", "month": FEB, "as_of": "2026-03-02",
                                            "item_scores": {"political.study": 7}})
        rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
    city.dispatch("roster", "staff_left", {"event_id": "left-l1", "person": "l1", "kind": "transferred_out",
                                           "date": "2026-03-03", "spell_id": "x-l1"})
    city.wait_quiet(timeout=30)
    approve = {"actor": "l1", "subject": "o1", "month": FEB, "as_of": "2026-03-05"}
    with city.rpc(as_person="l1") as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.scoring.approve(approve)
        assert err.value.field == "actor"
    with city.rpc() as rpc:            # named by the operator: the workflow's membership check
        with pytest.raises(Forbidden) as err:
            rpc.scoring.approve(approve)
        assert err.value.field == "actor"
        for step in (rpc.scoring.publish_notice, rpc.scoring.file_month):
            with pytest.raises(Forbidden) as err:
                step({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-05"})
            assert err.value.field == "actor"
        out = rpc.scoring.approve_batch({"items": [{"actor": "l1", "subject": "o1", "kind": "officer",
                                                    "month": FEB}], "as_of": "2026-03-05"})
        assert [e["index"] for e in out["errors"]] == [0], out
        assert rpc.scoring.evaluation({"subject": "o1", "month": FEB})["state"] == "reviewed"
    with city.rpc(as_person="l1") as rpc:      # the control: dated before his departure, he approves
        assert rpc.scoring.approve({**approve, "as_of": "2026-03-02"})["state"] == "approved"
