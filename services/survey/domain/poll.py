"""The committee leaders' recognition poll (公认度测评, seed 001 §一4, SPEC §3.3).

政法委的正、副书记每半年要在政法局院班子成员会议上述职, 接受政法局院班子成员的公认度测评: every half year
the committee's secretary and deputy secretaries report on their work before the agencies'
leading-group members, who rate how far they recognise it.  The suite runs it as a campaign of its
own (kind ``recognition``): its subjects are those leaders (kind ``leader``), its only respondent
group the leading-group members, its questionnaire its own (default :func:`default_questionnaire`,
six items, one per dimension of 德 能 勤 绩 廉 学 as the report covers them; a committee may define
another).  Answers 认可 / 基本认可 / 不认可 / 不了解 use the codes S / B / D / N; the recognition rate is
(认可 + 基本认可) / answered, pooled, null when nothing was answered.  Its result goes to the
half-year (never to the satisfaction rates, which disqualify).

Pure: no nameko, no SQLAlchemy.
"""
from __future__ import annotations

from shared.errors import ValidationFailed

from .questionnaire import Questionnaire
from .vocabulary import DIMENSIONS, POLL_GROUPS, POLL_SUBJECT_KINDS

RECOGNITION_KEY = "recognition"
RECOGNITION_TEXTS = ("政治坚定、作风民主(德)", "领导和协调政法工作的能力(能)", "勤政务实、深入基层(勤)",
                     "半年工作实绩(绩)", "廉洁自律(廉)", "学习和创新(学)")


def default_questionnaire() -> Questionnaire:
    """The default poll: six items, one per dimension (the suite's default; the seed names none)."""
    return Questionnaire(RECOGNITION_KEY, 1, DIMENSIONS, RECOGNITION_TEXTS)


def validate_subjects(subjects) -> dict:
    """The poll's subjects are the committee's leaders (kind ``leader``), each once, at least one."""
    if not isinstance(subjects, (list, tuple)) or not subjects:
        raise ValidationFailed("a recognition poll names the committee's secretary and deputy "
                               "secretaries", "subjects")
    out: dict = {}
    for i, s in enumerate(subjects):
        sid, kind = s.get("id"), s.get("kind")
        if not isinstance(sid, str) or not sid:
            raise ValidationFailed("must be a non-empty string", f"subjects[{i}].id")
        if kind not in POLL_SUBJECT_KINDS:
            raise ValidationFailed("a recognition poll's subjects are of kind leader",
                                   f"subjects[{i}].kind")
        if sid in out:
            raise ValidationFailed(f"subject {sid!r} given twice", f"subjects[{i}].id")
        out[sid] = kind
    return out


def validate_groups(groups) -> tuple:
    """Only the agencies' leading-group members answer (none given: them)."""
    if groups is None:
        return POLL_GROUPS
    for i, g in enumerate(groups):
        if g not in POLL_GROUPS:
            raise ValidationFailed("a recognition poll is answered by leading_group_members only",
                                   f"groups[{i}]")
    return POLL_GROUPS


def results(report: dict) -> list:
    """Per subject: recognised (认可), basic (基本认可), not recognised, the rate and the forms."""
    return [{"subject": r["id"], "recognised": r["satisfied"], "basic": r["basic"],
             "not_recognised": r["dissatisfied"], "answered": r["answered"], "rate": r["rate"],
             "forms": r["forms"]} for r in report["subjects"]]
