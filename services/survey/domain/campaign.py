"""Campaigns: one half-year survey round of a committee over its subjects.

Rules:
* a campaign covers a half year, ``YYYYH1`` or ``YYYYH2`` (001 §一2 "半年调查一次");
* its subjects are agencies, sections and officers, each id once (001 §一2, SPEC §4);
* its respondent groups are drawn from the ten groups (001 §一2), all ten by default;
* forms after a campaign closes are refused (issue 7); closing twice changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.errors import RuleViolation, ValidationFailed

from .vocabulary import RESPONDENT_GROUPS, SUBJECT_KINDS

OPEN = "open"
CLOSED = "closed"

_PERIOD = re.compile(r"^(\d{4})H([12])$")


@dataclass
class Campaign:
    id: str
    period: str
    owner: str
    subjects: dict[str, str]                 # subject id -> kind
    groups: tuple[str, ...] = RESPONDENT_GROUPS
    questionnaire_key: str = "default"
    questionnaire_version: int = 1
    status: str = OPEN
    forms_received: int = 0
    title: str = ""
    subject_names: dict[str, str] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


def validate_period(period) -> str:
    """A campaign's period is a half year: ``YYYYH1`` (Jan–Jun) or ``YYYYH2`` (Jul–Dec).

    Source: 001 §一2 "半年调查一次".  Raises :class:`ValidationFailed` on ``period``.
    """
    if not isinstance(period, str) or not _PERIOD.match(period):
        raise ValidationFailed("must be a half year like 2026H1 or 2026H2", "period")
    year = int(period[:4])
    if not 1900 <= year <= 2999:
        raise ValidationFailed("year out of range", "period")
    return period


def validate_subjects(subjects) -> dict[str, str]:
    """Subjects are agencies, sections and officers (001 §一2), each id once in a campaign.

    ``subjects`` is a list of ``{"id", "kind"}`` (optionally ``"name"``); returns ``{id: kind}`` in
    order.  A repeated id is reported at its later occurrence (``subjects[i].id``).
    """
    if not isinstance(subjects, (list, tuple)) or not subjects:
        raise ValidationFailed("a campaign needs at least one subject", "subjects")
    out: dict[str, str] = {}
    for i, subject in enumerate(subjects):
        sid, kind = subject.get("id"), subject.get("kind")
        if not isinstance(sid, str) or not sid:
            raise ValidationFailed("must be a non-empty string", f"subjects[{i}].id")
        if kind not in SUBJECT_KINDS:
            raise ValidationFailed(f"must be one of {', '.join(SUBJECT_KINDS)}", f"subjects[{i}].kind")
        if sid in out:
            raise ValidationFailed(f"subject {sid!r} given twice", f"subjects[{i}].id")
        out[sid] = kind
    return out


def validate_groups(groups) -> tuple[str, ...]:
    """Respondent groups come from the ten of 001 §一2; none given means all ten, each once."""
    if groups is None:
        return RESPONDENT_GROUPS
    if not isinstance(groups, (list, tuple)) or not groups:
        raise ValidationFailed("give at least one respondent group", "groups")
    seen = []
    for i, group in enumerate(groups):
        if group not in RESPONDENT_GROUPS:
            raise ValidationFailed(f"must be one of {', '.join(RESPONDENT_GROUPS)}", f"groups[{i}]")
        if group in seen:
            raise ValidationFailed(f"group {group!r} given twice", f"groups[{i}]")
        seen.append(group)
    # keep the seed's order whatever order they were given in
    return tuple(g for g in RESPONDENT_GROUPS if g in seen)


def ensure_open_for_forms(campaign: Campaign) -> None:
    """Forms after a campaign closes are refused (issue 7): :class:`RuleViolation` on ``campaign_id``."""
    if not campaign.is_open:
        raise RuleViolation(f"campaign {campaign.id} is closed: forms are refused", "campaign_id")


def public_sees_subjects(status: str) -> bool:
    """Whether the public (the gateway's online form) may read a campaign's subjects: only while the
    campaign is open, as the form needs them only to be filled in (SPEC §4, §8: the subjects are
    officers' ids and names; the public is no reader of the suite). A closed campaign's subjects
    answer the public as a missing campaign's do."""
    return status == OPEN


def close_campaign(campaign: Campaign) -> bool:
    """Close a campaign; returns True if it was open, False if it was already closed (no change).

    Source: issue 7 (rates published when a campaign closes; entry points safe to run twice).
    """
    if campaign.status == CLOSED:
        return False
    campaign.status = CLOSED
    return True
