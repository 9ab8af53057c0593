"""Separation of duties on the real broker (issue 18 items 3 and 8): a leader whose evaluator is
the leading group he sits in (the bureau's leaders are evaluated by the bureau) may not approve,
post or file his own monthly evaluation; another member does, and the trail records who.

The attack of the issue: three leaders approved their own evaluation.  Here each of l1, l2, l3
tries; each is refused (``Forbidden`` naming ``actor`` and the step), the evaluation and its trail
stay as they were; a colleague then approves (the control).  Posting and filing the month by a
leader leave his own evaluation for another member."""
import pytest

from shared.errors import Forbidden

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]

FEB = "2026-02"
LEADERS = ("l1", "l2", "l3")


def test_a_leader_never_approves_posts_or_files_his_own_evaluation(city_real):
    with city_real.rpc() as rpc:
        sc = rpc.scoring
        for leader in LEADERS:     # self-assessed, reviewed by the mentor (the head h)
            sc.submit_self_assessment({"actor": leader, "subject": leader, "month": FEB,
                                       "as_of": "2026-03-02"})
            sc.review({"actor": "h", "subject": leader, "month": FEB, "as_of": "2026-03-02"})
        before = {lead: sc.evaluation({"subject": lead, "month": FEB}) for lead in LEADERS}
        assert all(ev["state"] == "reviewed" and ev["evaluator"] == "ps" for ev in before.values())
        # the attack: each leader approves his own evaluation, alone and in a batch
        for leader in LEADERS:
            with pytest.raises(Forbidden) as refused:
                sc.approve({"actor": leader, "subject": leader, "month": FEB, "as_of": "2026-03-03"})
            assert refused.value.field == "actor"
            assert "own evaluation" in refused.value.message and refused.value.message.startswith("考核审批")
        out = sc.approve_batch({"items": [{"actor": lead, "subject": lead, "month": FEB} for lead in LEADERS],
                                "as_of": "2026-03-03"})
        assert [(e["index"], e["error"], e["field"]) for e in out["errors"]] == [
            (0, "forbidden", "actor"), (1, "forbidden", "actor"), (2, "forbidden", "actor")]
        # nothing written: state, approver and trail as before
        assert {lead: sc.evaluation({"subject": lead, "month": FEB}) for lead in LEADERS} == before
        # the control: another member of the leading group approves each, and the trail says who
        for leader, colleague in zip(LEADERS, ("l2", "l3", "l1")):
            ev = sc.approve({"actor": colleague, "subject": leader, "month": FEB, "as_of": "2026-03-03"})
            assert ev["state"] == "approved"
            assert [(t["action"], t["actor"]) for t in ev["trail"]] == [
                ("submit", leader), ("review", "h"), ("approve", colleague)]
        # posting the month: l1's own evaluation is left for another member; l2 posts it
        posted = sc.publish_notice({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-04"})
        assert posted["posted"] == 2 and posted["left_for_another_member"] == [
            before["l1"]["id"]]
        assert sc.evaluation({"subject": "l1", "month": FEB})["state"] == "approved"
        again = sc.publish_notice({"actor": "l2", "evaluator": "ps", "month": FEB, "as_of": "2026-03-04"})
        assert again["posted"] == 1 and again["left_for_another_member"] == []
        # filing: the same
        filed = sc.file_month({"actor": "l3", "evaluator": "ps", "month": FEB, "as_of": "2026-03-12"})
        assert filed["filed"] == 2 and filed["left_for_another_member"] == [before["l3"]["id"]]
        assert sc.evaluation({"subject": "l3", "month": FEB})["state"] == "on_notice"
        filed = sc.file_month({"actor": "h", "evaluator": "ps", "month": FEB, "as_of": "2026-03-12"})
        assert filed["filed"] == 1
        trail = sc.evaluation({"subject": "l3", "month": FEB})["trail"]
        assert [(t["action"], t["actor"]) for t in trail][-2:] == [("notice", "l1"), ("file", "h")]
