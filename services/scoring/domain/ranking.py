"""Monthly ranking per evaluator (001 §一3: 按月考评排队, 分出"好、中、差"三类, 并进行内部公示).

The seed names three classes without proportions; the default is thirds.  Remainders: with
``n = 3q + r`` the poor class has ``q`` (never more than a third), one extra goes to the middle
when ``r >= 1`` and one to the good class when ``r == 2`` (1 → middle; 2 → good, middle;
4 → 1/2/1; 5 → 2/2/1).  Equal scores are never split: a tie across a boundary joins the better
class.  The poor ones owe a written explanation and a rectification plan (责成说明情况和制定整改措施).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

GOOD, MIDDLE, POOR = "good", "middle", "poor"
GROUPS = ("units", "leaders", "reserve", "chiefs", "officers")


# the positions (on the month's last day) of each group of officers ranked by its evaluator
GROUP_POSITIONS = {"leaders": ("head", "leader"), "chiefs": ("chief",), "officers": ("officer",)}


def positions_of(group: str) -> tuple:
    """The positions whose holders form ``group`` (``leaders``: the head and the leaders;
    ``chiefs``; any other group of officers: the plain officers)."""
    return GROUP_POSITIONS.get(group, GROUP_POSITIONS["officers"])


def class_sizes(n: int) -> tuple[int, int, int]:
    """Sizes of good / middle / poor for ``n`` subjects (thirds, remainder to middle then good)."""
    q, r = divmod(n, 3)
    return q + (1 if r == 2 else 0), q + (1 if r >= 1 else 0), q


@dataclass(frozen=True)
class Ranked:
    subject: str
    score: Decimal
    rank: int
    klass: str


def rank_subjects(scores: dict) -> list:
    """Rank ``{subject: score}`` highest first (equal scores share a rank: 1, 2, 2, 4; listed by
    id) and split them into good / middle / poor by :func:`class_sizes`, ties joining the better
    class."""
    order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    good, middle, _ = class_sizes(len(order))
    out, rank = [], 0
    prev_score, prev_class = None, None
    for pos, (subject, score) in enumerate(order):
        if score != prev_score:
            rank = pos + 1
            klass = GOOD if pos < good else MIDDLE if pos < good + middle else POOR
        else:
            klass = prev_class
        out.append(Ranked(subject, score, rank, klass))
        prev_score, prev_class = score, klass
    return out


def owes_rectification(klass: str) -> bool:
    """对"差"的单位和个人, 责成说明情况和制定整改措施 (001 §一3): only the poor owe a plan."""
    return klass == POOR


RECTIFICATION_STATES = ("owed", "submitted", "filed")


def check_submission_day(as_of, approved_on) -> None:
    """A plan is owed from the ranking of the subject's approved score, so its submission is never
    dated before that approval (``approved_on``; None: no approval in the trail, no check): a
    submission is judged by the roles of its day (SPEC §8), and one dated back would let a former
    chief submit, as then, his old section's plan owed after he left.  ``Conflict`` naming ``as_of``."""
    from shared.errors import Conflict

    if approved_on is not None and as_of < approved_on:
        raise Conflict(f"a submission dated {as_of} comes before the approval it follows ({approved_on})",
                       "as_of")


def next_rectification_state(state: str, action: str) -> str:
    """owed → submitted (explanation + plan) → filed (按管理权限报…存入个人执法档案); resubmitting
    before filing replaces the plan."""
    from shared.errors import Conflict

    if action == "submit" and state in ("owed", "submitted"):
        return "submitted"
    if action == "file" and state == "submitted":
        return "filed"
    raise Conflict(f"cannot {action} a rectification that is {state}", "state")
