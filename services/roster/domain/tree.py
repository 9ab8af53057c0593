"""The unit tree through time (SPEC §9): a unit's name, kind, parent, type, rank and supervising
(归口) unit kept as dated versions, never overwritten, and its existence (created, dissolved).

- A version holds from ``start`` to ``end`` (inclusive; None = open). A unit's versions never
  overlap; a gap after a closed version is a dissolution (the unit does not exist from the day after
  ``end``), a later version after the gap a re-creation.
- A unit saved without a date has existed "as far back as the roster goes" (``EARLIEST``): the
  existing tree when this history began, and every unit created without a date.
- A change from ``effective`` closes the version covering it the day before and opens a new one;
  a change dated on the latest version's start replaces that version (a correction of the same
  day); a change dated before the latest version's start is refused (history is not rewritten).
- The tree of a day is every unit with a version covering it; the tree must hold its rules (SPEC §2)
  on every day from the change on, so a unit is never left under a parent that no longer exists.
- SPEC §9's reading of a mid-month change, as for a person's transfer: a month is read on its last
  day. The month of a section counts for the agency the section belongs to on that day; a unit
  dissolved during a month does not exist on its last day, so it is not evaluated for that month
  (earlier months stand).
"""
from __future__ import annotations

from collections.abc import Iterable
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import date

from shared.dated import EARLIEST, change_from
from shared.errors import Conflict, NotFound, ValidationFailed

from .dates import ONE_DAY, covers
from .model import COMMITTEE, SECTION, Unit
from .units import _check_no_cycle, check_unit, owning_body

CONTENT = ("name", "kind", "parent", "agency_type", "rank", "supervising_unit")


@dataclass(frozen=True)
class UnitVersion:
    """``unit`` as it was from ``start`` to ``end`` (inclusive; None = open)."""
    unit: Unit
    start: date
    end: date | None = None

    @property
    def id(self) -> str:
        return self.unit.id


def same_content(a: Unit, b: Unit) -> bool:
    return all(getattr(a, k) == getattr(b, k) for k in CONTENT)


class Tree:
    """Every version of every unit; ``on(day)`` is the tree of that day (``id -> Unit``).

    The tree is constant between two change days, so the tree of a day is built once per such
    stretch (a batch of people with thousands of join dates reads a handful of trees)."""

    SEGMENTS_KEPT = 64

    def __init__(self, versions: Iterable[UnitVersion]):
        self.versions: dict[str, list[UnitVersion]] = {}
        # committees first: the city committee is looked up for every person (a tree of a day
        # keeps this order)
        for v in sorted(versions, key=lambda v: (v.unit.kind != COMMITTEE, v.id, v.start)):
            self.versions.setdefault(v.id, []).append(v)
        self._days: list[date] | None = None
        self._segments: dict = {}

    def _segment(self, day: date) -> int:
        return bisect_right(self.change_days(), day) - 1

    def _cached(self, key, build):
        if key not in self._segments:
            if len(self._segments) >= self.SEGMENTS_KEPT:
                self._segments.pop(next(iter(self._segments)))
            self._segments[key] = build()
        return self._segments[key]

    def _tree_on(self, day: date) -> dict[str, Unit]:
        out = {}
        for uid, versions in self.versions.items():
            for v in versions:
                if covers(v.start, v.end, day):
                    out[uid] = v.unit
                    break
        return out

    def on(self, day: date) -> dict[str, Unit]:
        """The tree of ``day`` (shared between callers: never change it)."""
        return self._cached(("on", self._segment(day)), lambda: self._tree_on(day))

    def latest(self) -> dict[str, Unit]:
        """Every unit as its latest version says (dissolved ones included): for display only."""
        return self._cached("latest", lambda: {uid: versions[-1].unit
                                               for uid, versions in self.versions.items()})

    def view(self, day: date) -> dict[str, Unit]:
        """The tree of ``day`` over the latest versions (a record of a unit that did not exist on
        ``day`` is still shown, never a KeyError): for display only, never for a rule."""
        return self._cached(("view", self._segment(day)),
                            lambda: {**self.latest(), **self.on(day)})

    def dissolved(self, unit_id: str) -> date | None:
        """The day a unit stopped existing (its latest version is closed), None when it exists."""
        versions = self.versions.get(unit_id) or []
        if versions and versions[-1].end is not None:
            return versions[-1].end + ONE_DAY
        return None

    def change_days(self) -> list[date]:
        """The days on which the tree may differ from the day before (computed once: a tree is
        never changed in place, :meth:`with_changes` makes a new one)."""
        if self._days is None:
            self._days = self._change_days()
        return list(self._days)

    def _change_days(self) -> list[date]:
        days = set()
        for versions in self.versions.values():
            for v in versions:
                days.add(v.start)
                if v.end is not None:
                    days.add(v.end + ONE_DAY)
        return sorted(days)

    def history(self, unit_id: str) -> list[UnitVersion]:
        return list(self.versions.get(unit_id) or [])

    def with_changes(self, closed: Iterable[UnitVersion], opened: Iterable[UnitVersion]) -> "Tree":
        """The tree after replacing ``closed`` (matched by id and start) and adding ``opened``."""
        gone = {(v.id, v.start) for v in closed} | {(v.id, v.start) for v in opened}
        keep = [v for vs in self.versions.values() for v in vs if (v.id, v.start) not in gone]
        return Tree(keep + list(closed) + list(opened))


def get_on(tree: Tree, unit_id: str, day: date, field: str = "unit") -> Unit:
    """The unit as it was on ``day``; NotFound naming ``field`` when it did not exist then."""
    unit = tree.on(day).get(unit_id)
    if unit is None:
        if unit_id in tree.versions:
            raise NotFound(f"unit {unit_id!r} did not exist on {day}", field)
        raise NotFound(f"unknown unit {unit_id!r}", field)
    return unit


def change_unit(versions: list[UnitVersion], new: Unit, effective: date | None
                ) -> tuple[list[UnitVersion], list[UnitVersion]]:
    """The versions to save after ``new`` is saved from ``effective``: ``(closed or replaced,
    opened)``, both empty when nothing changes. A new unit without a date exists from
    ``EARLIEST``; a dissolved unit saved again is re-created from ``effective`` (required).
    Refused: a kind change (Conflict ``kind``: a unit of another kind is a new unit), a change
    dated before the latest version's start (Conflict ``effective``), a change of an existing unit
    without a date (ValidationFailed ``effective``). The dating rule is
    :func:`shared.dated.change_from`, which scoring's read model applies too."""
    ordered = sorted(versions, key=lambda v: v.start)
    last = ordered[-1] if ordered else None
    if last is not None and last.unit.kind != new.kind:
        raise Conflict(f"unit {new.id!r} is a {last.unit.kind}; its kind cannot change (a unit of "
                       "another kind is a new unit: dissolve this one, create the other)", "kind")
    step, start = change_from(new.id, last and last.start, last and last.end, effective,
                              last is not None and same_content(last.unit, new))
    if step == "same":
        return [], []
    if step == "replace":
        return [last], [UnitVersion(new, start, last.end)]
    if step == "end":
        return [replace(last, end=start - ONE_DAY)], [UnitVersion(new, start)]
    return [], [UnitVersion(new, start)]        # create, recreate


def dissolve(versions: list[UnitVersion], day: date) -> UnitVersion | None:
    """The version closed by dissolving the unit from ``day`` (it exists until the day before);
    None when it is already dissolved from that very day (the same command again). Refused: an
    unknown unit (NotFound ``unit``), a unit dissolved on another day (Conflict ``unit``), a day
    not after the latest version's start (Conflict ``effective``)."""
    ordered = sorted(versions, key=lambda v: v.start)
    if not ordered:
        raise NotFound("unknown unit", "unit")
    last = ordered[-1]
    if last.end is not None:
        if last.end + ONE_DAY == day:
            return None
        raise Conflict(f"unit {last.id!r} was dissolved on {last.end + ONE_DAY}", "unit")
    if day <= last.start:
        raise Conflict(f"unit {last.id!r} changed on {last.start}; it can be dissolved from the "
                       "day after", "effective")
    return replace(last, end=day - ONE_DAY)


def check_tree_from(tree: Tree, day: date, changed: Iterable[str] = ()) -> None:
    """The tree rules (SPEC §2) on ``day`` and on every later day the tree changes: each unit fits
    under its parent, the parent exists then, no cycle. An error about a unit other than the
    ``changed`` ones (a child left under a moved or dissolved parent) names it in the field."""
    changed = set(changed)
    for d in [day] + [d for d in tree.change_days() if d > day]:
        units = tree.on(d)
        order = sorted(units.values(), key=lambda u: (u.id not in changed, u.id))
        for unit in order:
            if unit.parent is not None and unit.parent not in units:
                raise _named(NotFound(f"on {d}: {unit.id!r} would sit under {unit.parent!r}, "
                                      "which does not exist then", "parent"), unit, changed)
        try:
            _check_no_cycle(units)
        except ValidationFailed as err:
            raise ValidationFailed(f"on {d}: {err.message}", "parent") from None
        for unit in order:
            try:
                check_unit(unit, units)
            except (ValidationFailed, NotFound, Conflict) as err:
                raise _named(type(err)(f"on {d}: {err.message}", err.field), unit,
                             changed) from None


def _named(err, unit: Unit, changed: set):
    if unit.id in changed:
        return err
    return type(err)(f"{err.message} (unit {unit.id!r})", f"{unit.id}.{err.field}")


def children_on(tree: Tree, unit_id: str, day: date) -> list[str]:
    """The units directly under ``unit_id`` on ``day`` or later (the ones a dissolution strands)."""
    out = set()
    for d in [day] + [d for d in tree.change_days() if d > day]:
        out.update(u.id for u in tree.on(d).values() if u.parent == unit_id)
    return sorted(out)


def agency_on(tree: Tree, unit_id: str, day: date) -> str | None:
    """The committee or agency owning ``unit_id`` on ``day`` (itself unless a section); None when
    the unit did not exist then."""
    units = tree.on(day)
    unit = units.get(unit_id)
    if unit is None:
        return None
    if unit.kind == SECTION and unit.parent not in units:
        return None
    return owning_body(units, unit).id


def month_agency(tree: Tree, unit_id: str, last_day: date) -> str | None:
    """SPEC §9: the month counts for the agency the unit belongs to on the month's last day
    (``last_day``); None when the unit was dissolved during the month (not evaluated for it)."""
    return agency_on(tree, unit_id, last_day)


__all__ = ["CONTENT", "EARLIEST", "Tree", "UnitVersion", "agency_on", "change_unit",
           "check_tree_from", "children_on", "dissolve", "get_on", "month_agency",
           "same_content"]
