"""The follow-ups of the monthly ranking (seed 001 §一3, SPEC §3.1): 帮、教、改.

* **Good or poor twice running** (对连续两次考评为"好"和"差"的政法局院和班子成员): the committee
  secretary's office meeting (政法委书记办公会议) takes the subject up; its minutes (会议纪要) are sent
  (抄送) to the organization department and the discipline inspection commission and reported (呈报)
  to all members of the standing committee and to the superior political-legal department.  Two
  consecutive calendar months of ranking, the run carrying over into a new year, a missing month
  breaking it; every month whose class equals the previous month's good or poor class makes a
  referral (three poor months running: two referrals).  Subjects: the ranking's units and
  leading-group members (groups ``units`` and ``leaders``).
* **The poor** (对"差"的单位和个人): besides the explanation and rectification plan
  (:mod:`ranking`), three named helpers (三帮一) and a study class (学习班) they attend.
* **A poor leader** (对"差"的班子成员): talked to collectively by the committee secretary's office
  meeting (集体谈话, 记录在案), tracked as a task due within :data:`TALK_WORKING_DAYS` working days of
  the ranking (the suite's default; the seed sets no time).

Pure: no nameko, no SQLAlchemy.
"""
from __future__ import annotations

from datetime import date

from shared.errors import RuleViolation, ValidationFailed
from services.scoring.domain.ranking import GOOD, POOR
from services.scoring.domain.workdays import DEFAULT, WorkCalendar

#: The ranking groups whose subjects are referred (政法局院和班子成员).
REFERRAL_GROUPS = ("units", "leaders")
#: Addressees of the minutes: 抄送 the first two, 呈报 the last two (001 §一3).
ADDRESSEES = {
    "organization_department": "组织人事部门",
    "discipline_commission": "纪检监察部门",
    "standing_committee": "全体市委常委",
    "superior_political_legal": "上级政法部门",
}
HELPERS = 3                   # 三帮一
TALK_WORKING_DAYS = 10        # default: the collective talk within ten working days of the ranking

OPEN, MINUTED, WITHDRAWN = "open", "minuted", "withdrawn"
TASK_OPEN, TASK_DONE, TASK_WITHDRAWN = "open", "done", "withdrawn"
COLLECTIVE_TALK = "collective_talk"


def twice_running(previous: str | None, current: str) -> bool:
    """This month's class repeats last month's good or poor class (a missing month: None)."""
    return current in (GOOD, POOR) and previous == current


def referrals_due(previous: dict, current: dict) -> dict:
    """``{subject: class}`` of the subjects referred this month, from last month's and this
    month's ``{subject: class}`` (same ranking group)."""
    return {s: k for s, k in current.items() if twice_running(previous.get(s), k)}


def is_referral_group(group: str) -> bool:
    return group in REFERRAL_GROUPS


def owes_helpers(klass: str) -> bool:
    """三帮一 and the study class: every poor unit and person."""
    return klass == POOR


def owes_collective_talk(group: str, klass: str) -> bool:
    """对"差"的班子成员, 由政法委书记办公会议集体谈话: a poor member of a leading group."""
    return group == "leaders" and klass == POOR


def talk_due(ranked_on: date, calendar: WorkCalendar = DEFAULT) -> date:
    """The collective talk's deadline: :data:`TALK_WORKING_DAYS` working days after the ranking."""
    return calendar.add_working_days(ranked_on, TALK_WORKING_DAYS)


def check_addressees(addressees) -> list:
    """The minutes go to all four addressees of the seed (others may be added): the missing one is
    named (:class:`RuleViolation` on ``addressees``)."""
    given = list(addressees)
    for i, a in enumerate(given):
        if not isinstance(a, str) or not a.strip():
            raise ValidationFailed("must be a non-empty text", f"addressees[{i}]")
        if a in given[:i]:
            raise ValidationFailed(f"{a} is listed twice", f"addressees[{i}]")
    missing = [a for a in ADDRESSEES if a not in given]
    if missing:
        raise RuleViolation("the minutes are sent to " + ", ".join(
            f"{a} ({ADDRESSEES[a]})" for a in missing) + " as well (001 §一3)", "addressees")
    return given


def check_meeting_date(meeting: date, ranked_month_end: date) -> None:
    """The office meeting takes up a month's referral after that month's ranking exists, so not
    before the month is over."""
    if meeting <= ranked_month_end:
        raise ValidationFailed(f"the meeting of {meeting} is not after the ranked month "
                               f"(ends {ranked_month_end})", "meeting_date")


def check_helpers(subject: str, helpers, known) -> list:
    """三帮一: exactly three distinct helpers, none of them the subject, each on the roster."""
    helpers = list(helpers)
    if len(helpers) != HELPERS:
        raise ValidationFailed(f"name exactly {HELPERS} helpers (三帮一), not {len(helpers)}",
                               "helpers")
    for i, h in enumerate(helpers):
        if h == subject:
            raise RuleViolation("nobody helps themself", f"helpers[{i}]")
        if h in helpers[:i]:
            raise ValidationFailed(f"{h} is named twice", f"helpers[{i}]")
        if h not in known:
            raise ValidationFailed(f"no person {h} in the roster", f"helpers[{i}]")
    return helpers
