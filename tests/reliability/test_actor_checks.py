"""The actor checks of the monthly workflow, through scoring's RPCs: each refusal is a Forbidden
naming ``actor`` and leaves the evaluation and its trail as they were."""
import pytest

from shared.errors import Forbidden
from tests.service.scoring.conftest import city  # noqa: F401  (the fixture)

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"


def _refused(call, payload):
    with pytest.raises(Forbidden) as err:
        call(payload)
    assert err.value.field == "actor", err.value
    return 1


def test_the_wrong_actor_never_moves_an_evaluation(city, figures):  # noqa: F811
    refused = 0
    with city.rpc() as rpc:
        sc = rpc.scoring
        sc.submit_self_assessment({"actor": "o1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
        sc.submit_self_assessment({"actor": "c1", "subject": "c1", "month": FEB, "as_of": "2026-03-02"})
        before = sc.evaluation({"subject": "o1", "month": FEB})
        # an officer cannot submit for another, nor review their own evaluation
        refused += _refused(sc.submit_self_assessment, {"actor": "o2", "subject": "o3", "month": FEB,
                                                        "as_of": "2026-03-02"})
        refused += _refused(sc.review, {"actor": "o1", "subject": "o1", "month": FEB})
        # only the mentor reviews: another chief, a leader of the agency, a colleague are refused
        for actor in ("c2", "o2", "cs"):
            refused += _refused(sc.review, {"actor": actor, "subject": "o1", "month": FEB})
        assert sc.evaluation({"subject": "o1", "month": FEB}) == before
        sc.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
        # o1's mentor c1 (a chief, not of the leading group) cannot approve; nor the officer,
        # nor the head of another body (the county committee's head evaluates the bureau's head only)
        for actor in ("c1", "o1", "cs"):
            refused += _refused(sc.approve, {"actor": actor, "subject": "o1", "month": FEB})
        # the chief's mentor (leader l1) reviews the chief; the chief cannot review himself
        refused += _refused(sc.review, {"actor": "c1", "subject": "c1", "month": FEB})
        sc.review({"actor": "l1", "subject": "c1", "month": FEB, "as_of": "2026-03-02"})
        # the leader who mentored and reviewed the chief belongs to the leading group, yet may not
        # also approve: 审核 and 审批 are separate steps (M§五(二)4); another member approves
        refused += _refused(sc.approve, {"actor": "l1", "subject": "c1", "month": FEB})
        sc.approve({"actor": "l2", "subject": "c1", "month": FEB, "as_of": "2026-03-03"})
        reviewed = sc.evaluation({"subject": "o1", "month": FEB})
        assert reviewed["state"] == "reviewed"
        assert [t["action"] for t in reviewed["trail"]] == ["submit", "review"]
        # batches: the refused items are reported by index, the others applied
        out = sc.approve_batch({"items": [{"actor": "c1", "subject": "o1", "month": FEB},
                                          {"actor": "l2", "subject": "o1", "month": FEB}],
                                "as_of": "2026-03-03"})
        assert [(e["index"], e["error"], e["field"]) for e in out["errors"]] == [(0, "forbidden", "actor")]
        refused += 1
        assert sc.evaluation({"subject": "o1", "month": FEB})["state"] == "approved"
    figures.update(messages_sent=refused + 6, faults_injected=f"{refused} wrong actors",
                   refused=refused, moved_by_a_wrong_actor=0)
