"""The monthly evaluation workflow (M§五(二)4, M§四1-3, M§五(二)3)."""
import pytest

from shared.errors import Conflict, Forbidden
from services.scoring.domain.workflow import (APPROVE, APPROVED, FILE, FILED, NOTICE, OBJECT,
                                              ON_NOTICE, REVIEW, REVIEWED, SUBMIT, SUBMITTED,
                                              Person, check_evaluator_member, check_reviewer,
                                              check_self_assessor, is_leading_group_member,
                                              next_state)

pytestmark = pytest.mark.timeout(10)


def test_next_state_follows_the_five_steps_in_order():
    s = next_state(None, SUBMIT)
    assert s == SUBMITTED
    for action, expected in ((REVIEW, REVIEWED), (APPROVE, APPROVED), (NOTICE, ON_NOTICE),
                             (FILE, FILED)):
        s = next_state(s, action)
        assert s == expected


def test_next_state_an_objection_sends_it_back_to_review():
    assert next_state(ON_NOTICE, OBJECT) == SUBMITTED


def test_next_state_out_of_order_is_a_conflict():
    with pytest.raises(Conflict) as e:
        next_state(SUBMITTED, APPROVE)
    assert e.value.field == "state"


def test_next_state_a_second_evaluation_of_the_month_is_a_conflict():
    with pytest.raises(Conflict) as e:
        next_state(REVIEWED, SUBMIT)
    assert e.value.field == "month"


def test_next_state_nothing_after_filing():
    for action in (REVIEW, APPROVE, NOTICE, OBJECT, FILE):
        with pytest.raises(Conflict, match="already filed"):
            next_state(FILED, action)


def test_next_state_no_objection_before_the_notice():
    with pytest.raises(Conflict):
        next_state(APPROVED, OBJECT)


def test_check_self_assessor_officer_only_themself():
    check_self_assessor("o1", "officer", "o1")
    with pytest.raises(Forbidden):
        check_self_assessor("o2", "officer", "o1")


def test_check_self_assessor_section_by_its_chief():
    check_self_assessor("c1", "section", "s1", section_chiefs={"c1"})
    with pytest.raises(Forbidden):
        check_self_assessor("o1", "section", "s1", section_chiefs={"c1"})


def test_check_reviewer_a_mentor_reviews_only_their_own_mentees():
    check_reviewer("c1", "c1")
    with pytest.raises(Forbidden) as e:
        check_reviewer("c2", "c1")
    assert e.value.field == "actor"


def test_check_reviewer_without_mentor_a_leading_group_member_reviews():
    check_reviewer("l1", None, {"l1"})
    with pytest.raises(Forbidden):
        check_reviewer("o1", None, {"l1"})


def test_is_leading_group_member_heads_and_leaders_of_the_group():
    assert is_leading_group_member(Person("h", agency="a1", position="head"), "a1")
    assert is_leading_group_member(Person("l", agency="a1", position="leader"), "a1")
    assert not is_leading_group_member(Person("c", agency="a1", position="chief"), "a1")
    assert not is_leading_group_member(Person("l", agency="a2", position="leader"), "a1")


def test_check_evaluator_member_refuses_a_wrong_actor():
    check_evaluator_member(Person("l", agency="a1", position="leader"), "l", "a1")
    with pytest.raises(Forbidden):
        check_evaluator_member(Person("c", agency="a1", position="chief"), "c", "a1")
    with pytest.raises(Forbidden):
        check_evaluator_member(None, "x", "a1")
    with pytest.raises(Forbidden):
        check_evaluator_member(Person("l", agency="a1", position="leader"), "l", None)


def test_check_approver_the_mentor_or_the_reviewer_does_not_also_approve():
    from services.scoring.domain.workflow import check_approver_is_not_reviewer

    check_approver_is_not_reviewer("l2", "l1", "l1")          # another member approves
    with pytest.raises(Forbidden) as err:
        check_approver_is_not_reviewer("l1", "l1", "l1")      # the mentor who reviewed
    assert err.value.field == "actor"
    with pytest.raises(Forbidden):
        check_approver_is_not_reviewer("l1", None, "l1")      # the mentor, even before a review
    with pytest.raises(Forbidden):
        check_approver_is_not_reviewer("cs", "cs", None)      # a head's reviewer (no mentor)


# -- 退回: a member of the leading group sends an evaluation waiting for approval back to review ----

def test_send_back_leads_from_waiting_for_approval_back_to_review():
    from services.scoring.domain.workflow import SEND_BACK
    assert next_state(REVIEWED, SEND_BACK) == SUBMITTED


@pytest.mark.parametrize("state", [SUBMITTED, APPROVED, ON_NOTICE, FILED, None])
def test_send_back_only_from_waiting_for_approval_a_conflict_naming_the_state(state):
    from services.scoring.domain.workflow import SEND_BACK
    with pytest.raises(Conflict) as e:
        next_state(state, SEND_BACK)
    assert e.value.field == "state"
    assert (state or "None") in str(e.value) or "already filed" in str(e.value)


def test_reopen_review_undoes_review_approval_and_notice_for_both_reopening_steps():
    from services.scoring.domain.workflow import SEND_BACK, reopen_review
    assert reopen_review(REVIEWED, SEND_BACK) == reopen_review(ON_NOTICE, OBJECT) == {
        "state": SUBMITTED, "reviewed_by": None, "approved_by": None,
        "notice_start": None, "notice_end": None}
    with pytest.raises(Conflict):
        reopen_review(APPROVED, SEND_BACK)      # approved: too late to send back
    with pytest.raises(Conflict):
        reopen_review(REVIEWED, OBJECT)         # no objection before the notice
    with pytest.raises(ValueError):
        reopen_review(REVIEWED, APPROVE)


@pytest.mark.parametrize("reason", [None, "", "   \n", 7])
def test_send_back_needs_a_reason_a_field_error_naming_reason(reason):
    from shared.errors import ValidationFailed
    from services.scoring.domain.workflow import check_send_back_reason
    with pytest.raises(ValidationFailed) as e:
        check_send_back_reason(reason)
    assert e.value.field == "reason"


def test_send_back_reason_trimmed_and_limited():
    from shared.errors import ValidationFailed
    from services.scoring.domain.workflow import REASON_MAX, check_send_back_reason
    assert check_send_back_reason("  扣分理由不充分 ") == "扣分理由不充分"
    with pytest.raises(ValidationFailed) as e:
        check_send_back_reason("x" * (REASON_MAX + 1))
    assert e.value.field == "reason"


def test_the_same_send_back_again_is_recognised_another_is_not():
    from services.scoring.domain.workflow import SEND_BACK, is_same_send_back
    assert is_same_send_back(SUBMITTED, SEND_BACK, "l2", "why", "l2", "why")
    assert not is_same_send_back(SUBMITTED, SEND_BACK, "l2", "why", "l3", "why")       # another member
    assert not is_same_send_back(SUBMITTED, SEND_BACK, "l2", "why", "l2", "other")     # another reason
    assert not is_same_send_back(SUBMITTED, OBJECT, "l2", "why", "l2", "why")          # an objection
    assert not is_same_send_back(REVIEWED, SEND_BACK, "l2", "why", "l2", "why")        # reviewed again since
