"""The monthly evaluation as a state machine (M§四6(4), M§五(二)4): 自评申报 → 联带责任人审核 →
考核审批 → 公示监督 → 上报备案.

States: ``submitted`` (self-assessed, awaiting the mentor) → ``reviewed`` → ``approved`` →
``on_notice`` → ``filed``.  An objection during the notice sends it back to ``submitted`` (the
review starts again) with the objection recorded; so does a member of the leading group who sends
an evaluation waiting for approval back (退回) with a reason.  Each transition names who may make it.
"""
from __future__ import annotations

from dataclasses import dataclass

from shared.errors import Conflict, Forbidden, ValidationFailed

SUBMITTED, REVIEWED, APPROVED, ON_NOTICE, FILED = (
    "submitted", "reviewed", "approved", "on_notice", "filed")
STATES = (SUBMITTED, REVIEWED, APPROVED, ON_NOTICE, FILED)
SUBMIT, REVIEW, APPROVE, NOTICE, OBJECT, FILE, SEND_BACK = (
    "submit", "review", "approve", "notice", "object", "file", "send_back")
REASON_MAX = 4000

# action -> (states it may start from, state it leads to)
TRANSITIONS = {
    REVIEW: ((SUBMITTED,), REVIEWED),
    APPROVE: ((REVIEWED,), APPROVED),
    NOTICE: ((APPROVED,), ON_NOTICE),
    OBJECT: ((ON_NOTICE,), SUBMITTED),
    FILE: ((ON_NOTICE,), FILED),
    SEND_BACK: ((REVIEWED,), SUBMITTED),
}
#: the steps that reopen the review (back to ``submitted``): the state they leave is undone
REOPENING = (OBJECT, SEND_BACK)
STEP_NAMES = {SUBMIT: "自评申报", REVIEW: "联带责任人审核", APPROVE: "考核审批", NOTICE: "公示监督",
              OBJECT: "公示异议", FILE: "上报备案", "log_review": "工作日志审核",
              "rectification": "整改备案", "answer": "异议答复", "helpers": "三帮一", "study": "学习班",
              SEND_BACK: "退回审核"}
LEADING_POSITIONS = ("head", "leader")


def next_state(state: str | None, action: str) -> str:
    """The order of M§五(二)4: a step out of order is refused (Conflict), nothing changes.

    A second self-assessment of the same month is refused: the month already has an evaluation;
    nothing follows ``filed``."""
    if action == SUBMIT:
        if state is not None:
            raise Conflict(f"this month already has an evaluation ({state})", "month")
        return SUBMITTED
    starts, to = TRANSITIONS[action]
    if state not in starts:
        if state == FILED:
            raise Conflict(f"{STEP_NAMES[action]}: the evaluation is already filed", "state")
        raise Conflict(f"{STEP_NAMES[action]} needs state {' or '.join(starts)}, "
                       f"the evaluation is {state}", "state")
    return to


def reopen_review(state: str | None, action: str) -> dict:
    """An upheld objection (``object``, during the notice) or a send-back (``send_back``, before
    approval) reopens the review: the evaluation goes back to ``submitted`` (refused, Conflict
    naming ``state``, from any other state than the step's own) and what the review, the approval
    and the notice recorded is undone, so the mentor reviews again and another member approves.
    Answers the fields to set."""
    if action not in REOPENING:
        raise ValueError(f"{action} does not reopen the review")
    return {"state": next_state(state, action), "reviewed_by": None, "approved_by": None,
            "notice_start": None, "notice_end": None}


def check_send_back_reason(reason) -> str:
    """退回: a send-back says why (the reason goes to the trail and the mentor reads it): required,
    not blank, at most :data:`REASON_MAX` characters (ValidationFailed naming ``reason``)."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed("退回须写明理由 (a send-back needs its reason)", "reason")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"at most {REASON_MAX} characters", "reason")
    return reason


def is_same_send_back(state: str | None, last_action: str | None, last_actor: str | None,
                      last_note: str | None, actor: str, reason: str) -> bool:
    """The same send-back again (the evaluation is back in review and the last step of its trail
    is this actor's send-back with this reason): answered as done, no second step."""
    return (state == SUBMITTED and last_action == SEND_BACK and last_actor == actor
            and last_note == reason)


@dataclass(frozen=True)
class Person:
    """What the workflow needs of a person (the roster read model)."""
    id: str
    agency: str | None = None
    section: str | None = None
    position: str | None = None
    mentor: str | None = None
    evaluator: str | None = None


def check_self_assessor(actor: str, subject_kind: str, subject_id: str,
                        section_chiefs=()) -> None:
    """自评申报: an officer assesses themself; a section is assessed by its chief (负责人)."""
    if subject_kind == "officer":
        if actor != subject_id:
            raise Forbidden(f"only {subject_id} may submit their own self-assessment", "actor")
        return
    if actor not in section_chiefs:
        raise Forbidden(f"only the chief of section {subject_id} may submit its self-assessment",
                        "actor")


def check_reviewer(actor: str, mentor: str | None, evaluator_members=()) -> None:
    """联带责任人审核 (M§四1-3, M§五(二)4): the subject's mentor reviews; a mentor reviews only
    their own mentees.  A subject without a mentor (an agency head) is reviewed by a member of its
    evaluator's leading group."""
    if mentor is not None:
        if actor != mentor:
            raise Forbidden(f"{actor} is not the mentor (联带责任人) of this subject; {mentor} is",
                            "actor")
        return
    if actor not in evaluator_members:
        raise Forbidden(f"the subject has no mentor and {actor} is not a member of its "
                        "evaluator's leading group", "actor")


def is_leading_group_member(person: Person | None, group: str | None) -> bool:
    """领导小组 (M§二(一)2): the head and leaders (班子成员) of the committee or agency ``group``."""
    return (person is not None and group is not None and person.agency == group
            and person.position in LEADING_POSITIONS)


def check_evaluator_member(actor: Person | None, actor_id: str, group: str | None,
                           step: str = APPROVE) -> None:
    """考核审批 / 公示 / 备案 (M§五(二)3-4): only a member of the subject's evaluator (its leading
    group, resolved by the roster) may approve, post the notice and file."""
    if group is None:
        raise Forbidden("the subject has no evaluator in the roster read model", "actor")
    if not is_leading_group_member(actor, group):
        raise Forbidden(f"{STEP_NAMES[step]}: {actor_id} is not a member of the leading group of "
                        f"{group}", "actor")


def check_approver_is_not_reviewer(actor: str, reviewed_by: str | None, mentor: str | None) -> None:
    """考核审批 is a step of its own after 联带责任人审核 (M§五(二)4): the mentor who shares the
    subject's responsibility (联带) and the member who reviewed do not also approve."""
    if actor == mentor:
        raise Forbidden(f"{actor} is the subject's mentor (联带责任人): another member of the leading "
                        "group approves", "actor")
    if reviewed_by is not None and actor == reviewed_by:
        raise Forbidden(f"{actor} reviewed this evaluation: another member of the leading group "
                        "approves", "actor")


def responsible_reviewer(actor: str, reviewers) -> str | None:
    """Who shares the subject's responsibility (联带责任人) for the approver's check
    (:func:`check_approver_is_not_reviewer`): the actor himself when he is one of the subject's
    reviewers on the date (a section may have several supervising leaders), else the first of
    them; None when the subject has no reviewer."""
    reviewers = tuple(reviewers)
    if actor in reviewers:
        return actor
    return reviewers[0] if reviewers else None


def is_own(actor: str, subject_kind: str, subject_id: str, section_chiefs=()) -> bool:
    """Whether ``subject_id`` is the actor (an officer's, a leader's own evaluation, log or
    rectification) or a section the actor leads (its chief)."""
    if subject_kind == "section":
        return actor in section_chiefs
    return actor == subject_id


def check_not_own(actor: str, subject_kind: str, subject_id: str, step: str, section_chiefs=()) -> None:
    """Separation of duties (SPEC §8, issue 18 item 3): nobody reviews, approves, posts, files or
    rules on an objection to their own evaluation, daily log or rectification; where the evaluator
    is a leading group the subject sits in, another member acts."""
    if is_own(actor, subject_kind, subject_id, section_chiefs):
        what = STEP_NAMES.get(step, step)
        raise Forbidden(f"{what}: {actor} may not act on their own "
                        f"{'evaluation' if subject_kind in ('officer', 'section') else subject_kind}: "
                        "another member of the leading group acts", "actor")


def check_objector(actor: str, subject_id: str) -> None:
    """公示监督: anyone may object during the notice; it is recorded with its author's id."""
    if not actor:
        raise Forbidden("an objection needs its author", "actor")
