"""Ledger lines: who, what, why and when (SPEC §6: "each line says who, what, why and when").

A line's ``key`` is unique in the ledger: ``<source>|<subject>|<kind>`` where the source is the
rating (``rating_id``) or the allowance month.  Writing a line whose key exists changes nothing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

#: the fields compared by reconciliation and covered by the hash chain (besides seq/recorded_at)
FIELDS = ("key", "source", "period", "subject", "subject_type", "kind", "amount", "paying_unit",
          "reason", "rule", "basis", "effective")


def line_key(source: str, subject: str, kind: str) -> str:
    """The unique key of a line: one per (rating or allowance month, subject, kind)."""
    return f"{source}|{subject}|{kind}"


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

    @property
    def key(self) -> str:
        return line_key(self.source, self.subject, self.kind)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["key"] = self.key
        return {name: out[name] for name in FIELDS}
