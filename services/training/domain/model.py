"""The plain data the training rules work on: people (the read model), courses, results."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.errors import RuleViolation

POSITIONS = ("head", "leader", "chief", "officer")
# people who are no longer on the political-legal team
OFF_TEAM = ("transferred_out", "dismissed")

PRE_SERVICE = "pre_service"
ROTATION = "rotation"
SKILLS = "skills"
ALL_ROUND_ASSESSMENT = "all_round_assessment"
ALL_ROUND_RECHECK = "all_round_recheck"
COURSE_KINDS = (PRE_SERVICE, ROTATION, SKILLS, ALL_ROUND_ASSESSMENT, ALL_ROUND_RECHECK)
RULE_OF_LAW = "rule_of_law"  # 社会主义法治理念, the mandatory content of rotation training


@dataclass(frozen=True)
class Person:
    """What training knows of a member of the team (fed by the roster's events)."""

    id: str
    unit_id: str
    position: str
    agency_id: str | None = None
    joined: date | None = None
    left_on: date | None = None  # first day off the team (transferred out / dismissed)
    status: str = "active"

    def on_team_whole_month(self, first: date, last: date) -> bool:
        """On the team from the month's first day to its last (joined by the 1st, not left)."""
        if self.joined is not None and self.joined > first:
            return False
        if self.left_on is not None:
            return self.left_on > last
        return self.status not in OFF_TEAM  # off the team, date unknown: not counted


@dataclass(frozen=True)
class Course:
    id: str
    kind: str
    title: str = ""
    modules: frozenset = field(default_factory=frozenset)


@dataclass(frozen=True)
class Result:
    """One assessment result of one person in one course on one day."""

    person_id: str
    course_id: str
    kind: str
    on: date
    passed: bool

    @property
    def key(self) -> tuple:
        return (self.person_id, self.course_id, self.on)


def rotation_course_has_rule_of_law(course: Course) -> Course:
    """M§三(四)1(3): 将社会主义法治理念作为必训内容 — a rotation course must carry the
    socialist rule-of-law module; any other course may."""
    if course.kind not in COURSE_KINDS:
        raise RuleViolation(f"unknown course kind {course.kind!r}", "kind")
    if course.kind == ROTATION and RULE_OF_LAW not in course.modules:
        raise RuleViolation("rotation training must include the socialist rule-of-law module "
                            "(社会主义法治理念, M§三(四)1(3))", "modules")
    return course
