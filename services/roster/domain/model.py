"""The roster's entities: units, staff, status spells, mentoring pairs, ban violations and cases.

Plain frozen dataclasses; rules live in the sibling modules.  Ids of units and staff are the
callers' own codes (the HR roster's); ids of spells, pairs, violations and cases are given by the
application layer (the domain never invents identifiers).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# -- vocabulary ------------------------------------------------------------------------------
COMMITTEE, AGENCY, SECTION = "committee", "agency", "section"
UNIT_KINDS = (COMMITTEE, AGENCY, SECTION)
CITY, COUNTY = "city", "county"

# 局院: public security, procuratorate, court, justice bureau, other city-level units
AGENCY_TYPES = ("public_security", "procuratorate", "court", "justice_bureau", "other")
# 市直政法正处级 / 副处级 (only city-level agencies carry a rank)
DIVISION, DEPUTY_DIVISION = "division", "deputy_division"
RANKS = (DIVISION, DEPUTY_DIVISION)

HEAD, LEADER, CHIEF, OFFICER = "head", "leader", "chief", "officer"
POSITIONS = (HEAD, LEADER, CHIEF, OFFICER)

# titles the evaluator rules of M§五(二)3 name
COMMITTEE_SECRETARY = "committee_secretary"      # 政法委书记
PUBLIC_SECURITY_CHIEF = "public_security_chief"  # 公安局长
POLITICAL_COMMISSAR = "political_commissar"      # 政委
CHIEF_PROCURATOR = "chief_procurator"            # 检察长
COURT_PRESIDENT = "court_president"              # 法院院长
TITLES = (COMMITTEE_SECRETARY, PUBLIC_SECURITY_CHIEF, POLITICAL_COMMISSAR, CHIEF_PROCURATOR,
          COURT_PRESIDENT)

LEAVE, SECONDMENT, SUSPENSION = "leave", "secondment", "suspension"
TRANSFERRED_OUT, DISMISSED = "transferred_out", "dismissed"
SPELL_KINDS = (LEAVE, SECONDMENT, SUSPENSION, TRANSFERRED_OUT, DISMISSED)
EXIT_KINDS = (TRANSFERRED_OUT, DISMISSED)
LEAVE_KINDS = ("sick", "personal", "annual", "maternity", "other")

# statuses on a date, in order of precedence
NOT_JOINED, ACTIVE, ON_LEAVE, SECONDED, SUSPENDED = (
    "not_joined", "active", "on_leave", "seconded", "suspended")
STATUSES = (ACTIVE, ON_LEAVE, SECONDED, SUSPENDED, TRANSFERRED_OUT, DISMISSED, NOT_JOINED)

BANS = tuple(range(1, 11))  # 政法干警禁令 M§三(三) 1..10
VIOLATOR, MENTOR_ROLE = "violator", "mentor"


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str                          # committee | agency | section
    parent: str | None = None          # None only for the city committee
    agency_type: str | None = None     # agencies only
    rank: str | None = None            # city-level agencies only: division | deputy_division
    supervising_unit: str | None = None  # 归口单位 of a city-level deputy-division unit


@dataclass(frozen=True)
class Staff:
    id: str
    name: str
    unit: str
    position: str
    joined: date                       # joined the political-legal team
    titles: frozenset = field(default_factory=frozenset)
    supervises: tuple = ()             # sections a leader supervises (分管)


@dataclass(frozen=True)
class Spell:
    id: str
    person: str
    kind: str                          # leave | secondment | suspension | transferred_out | dismissed
    start: date
    end: date | None = None            # inclusive; None = open (always None for exits)
    leave_kind: str | None = None      # leave only
    host_unit: str | None = None       # secondment only
    note: str | None = None


@dataclass(frozen=True)
class Pair:
    """A mentoring pair (联带): ``mentor`` is the 联带责任人 of ``mentee`` on [start, end]."""
    id: str
    mentor: str
    mentee: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class Case:
    id: str
    violation: str
    person: str
    role: str                          # violator | mentor


@dataclass(frozen=True)
class BanViolation:
    id: str
    person: str
    ban: int
    occurred_on: date
    confirmed_on: date
    mentor: str | None
    note: str | None = None
