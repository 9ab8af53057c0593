"""Rules of the roster read model that scoring keeps (who counts for which agency, who evaluates).

The roster owns the facts; these are the few rules scoring applies when it copies them:

- a unit's agency: the one the roster names; else an agency (or the city) is its own agency and a
  section belongs to its parent's;
- a person's evaluator by default: "其余人员分别由所在局院领导小组考评" (M§五(二)3) — the leading
  group of the person's own agency; an evaluator the roster resolved (source ``roster``) is kept
  when the person moves, the default one follows the person's agency;
- ``left_on``: the start of the person's open exit (transferred out, dismissed); a spell that
  closes that exit (a return) clears it.
"""
from __future__ import annotations

from datetime import date

DEFAULT, ROSTER = "default", "roster"          # where a person's evaluator comes from
EXIT_KINDS = ("transferred_out", "dismissed")


def unit_agency(unit_id: str, kind: str, parent: str | None, agency: str | None = None) -> str | None:
    """The agency a unit counts for (see the module's docstring)."""
    if agency:
        return agency
    return parent if kind == "section" else unit_id


def default_evaluator(agency: str | None) -> str | None:
    """The evaluator when the roster has resolved none: the person's agency's leading group."""
    return agency


def evaluator_after_move(evaluator: str | None, source: str | None, agency: str | None) -> str | None:
    """A person's evaluator after a staff event moved him to ``agency``: the roster's resolution
    stays (it is re-resolved by the roster, never guessed here); a default follows the agency."""
    return evaluator if source == ROSTER else default_evaluator(agency)


def left_on_after_spell(left_on: date | None, kind: str, start: date, end: date | None) -> date | None:
    """``left_on`` once the spell ``kind`` from ``start`` to ``end`` is recorded: an open exit
    sets it to its start; the same exit closed (the person came back) clears it; any other spell
    leaves it."""
    if kind not in EXIT_KINDS:
        return left_on
    if end is None:
        return start
    return None if left_on == start else left_on
