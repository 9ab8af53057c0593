"""Ledger lines: who, what, why and when (SPEC §6: "each line says who, what, why and when").

A line's **identity** is what it pays for (SPEC §6, DESIGN §2, §6): ``<period>|<subject>|<kind>`` for
a rating's lines, whatever the scope or version of the rating that produced them, and
``allowance:<month>|<officer>|allowance`` for an allowance.  At most one line per identity is in
force; a correction is a reversal (``reverses`` = the key of the line it cancels, its amount the
negative of that line's) plus a new line, never an edit.

A line's ``key`` is unique in the ledger: ``<identity>|<entry>``, the entry being the line's number
among the lines of its identity (1 = the first grant, 2 = its reversal, 3 = the correction, ...);
an allowance line's key is its identity.  Lines written before reversals existed keep their key
``<rating_id>|<subject>|<kind>``: their identity is read from their fields, never from the key.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

#: the fields compared by reconciliation and covered by the hash chain (besides seq/recorded_at)
FIELDS = ("key", "source", "period", "subject", "subject_type", "kind", "amount", "paying_unit",
          "reason", "rule", "basis", "effective")
#: fields covered by the hash chain only when set (a reversal's ``reverses``): the lines written
#: before reversals existed keep their hashes
OPTIONAL_FIELDS = ("reverses",)
#: what a correction compares: a line whose content is unchanged stays in force untouched
CONTENT = ("subject_type", "amount", "paying_unit", "reason", "rule", "basis")
ALLOWANCE = "allowance"


def identity_of(row) -> str:
    """The identity of a line (a :class:`Line` or a ledger row as a dict): what it pays for."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    if get("kind") == ALLOWANCE:
        return f"{get('source')}|{get('subject')}|{ALLOWANCE}"
    return f"{get('period')}|{get('subject')}|{get('kind')}"


def line_key(identity: str, entry: int | None) -> str:
    """The unique key of a line: its identity and its entry number (none for an allowance)."""
    return identity if entry is None else f"{identity}|{entry}"


@dataclass(frozen=True)
class Line:
    source: str              # rating_id, or "allowance:<YYYY-MM>"
    period: str              # the rating's period, or the allowance's year
    subject: str             # officer, section or agency id
    subject_type: str        # officer | section | agency
    kind: str                # RATING.md §5 kinds, plus "allowance"
    reason: str              # five_stars, two_stars_or_fewer, ..., all_round_officer
    rule: str                # the Method's mark
    effective: str           # ISO date: the rating date, or the allowance month's last day
    amount: int | None = None        # whole yuan; None for lines without money
    paying_unit: str | None = None   # agency paying the money (or the subject's agency)
    basis: str | None = None         # where the amount comes from (city_default, agency schedule, ...)
    entry: int | None = 1            # number among the lines of its identity; None: an allowance
    reverses: str | None = None      # a reversal: the key of the line it cancels

    @property
    def identity(self) -> str:
        return identity_of(self)

    @property
    def key(self) -> str:
        return line_key(self.identity, self.entry)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["key"] = self.key
        return {name: out[name] for name in FIELDS + OPTIONAL_FIELDS}
