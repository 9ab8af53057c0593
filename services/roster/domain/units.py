"""The unit tree (SPEC §2; M§二(一)2, M§五(一)): city committee → county committees and city-level
agencies → county agencies → sections.

``units`` everywhere is a mapping ``id -> Unit``.
"""
from __future__ import annotations

from collections.abc import Mapping

from shared.errors import Conflict, NotFound, ValidationFailed

from .model import (AGENCY, AGENCY_TYPES, CITY, COMMITTEE, COUNTY, DEPUTY_DIVISION, RANKS,
                    SECTION, Unit)


def get_unit(units: Mapping[str, Unit], unit_id: str, field: str = "unit") -> Unit:
    unit = units.get(unit_id)
    if unit is None:
        raise NotFound(f"unknown unit {unit_id!r}", field)
    return unit


def owning_body(units: Mapping[str, Unit], unit: Unit) -> Unit:
    """The body with a leading group that owns ``unit``: itself for a committee or agency, the
    parent agency (or committee) for a section. M§二(一)2: sections have no leading group."""
    if unit.kind == SECTION:
        return units[unit.parent]
    return unit


def level_of(units: Mapping[str, Unit], unit: Unit) -> str:
    """city or county: a committee without parent is the city's; a county committee and everything
    under it is county level; agencies under the city committee are city-level units (市直)."""
    body = owning_body(units, unit)
    if body.kind == COMMITTEE:
        return CITY if body.parent is None else COUNTY
    return level_of(units, units[body.parent])


def committee_of(units: Mapping[str, Unit], unit: Unit) -> Unit:
    """The political-legal committee (政法委) over ``unit`` at its own level."""
    body = owning_body(units, unit)
    return body if body.kind == COMMITTEE else units[body.parent]


def city_committee(units: Mapping[str, Unit]) -> Unit:
    for unit in units.values():
        if unit.kind == COMMITTEE and unit.parent is None:
            return unit
    raise NotFound("there is no city committee", "units")


def check_unit(unit: Unit, units: Mapping[str, Unit]) -> None:
    """The tree rule: a unit fits under its parent (SPEC §2 "Units form a tree").

    - the city committee has no parent, and there is one; a county committee's parent is the city
      committee;
    - an agency's parent is a committee; it names its type (public security, procuratorate, court,
      justice bureau, other);
    - only a city-level agency carries a rank (正处级 division / 副处级 deputy_division), and a
      deputy-division unit names the city-level unit it reports to (归口), which is not itself;
    - a section's parent is an agency or a committee.
    """
    if not unit.id or not str(unit.id).strip():
        raise ValidationFailed("a unit needs an id", "id")
    if unit.kind not in (COMMITTEE, AGENCY, SECTION):
        raise ValidationFailed("kind must be one of committee, agency, section", "kind")
    parent = None
    if unit.parent is not None:
        if unit.parent == unit.id:
            raise ValidationFailed("a unit cannot be its own parent", "parent")
        parent = get_unit(units, unit.parent, "parent")
    if unit.kind == COMMITTEE:
        if parent is None:
            existing = [u for u in units.values()
                        if u.kind == COMMITTEE and u.parent is None and u.id != unit.id]
            if existing:
                raise Conflict(f"there is already a city committee ({existing[0].id})", "parent")
        elif not (parent.kind == COMMITTEE and parent.parent is None):
            raise ValidationFailed("a county committee sits under the city committee", "parent")
    elif parent is None:
        raise ValidationFailed(f"a {unit.kind} needs a parent", "parent")
    if unit.kind == AGENCY:
        if parent.kind != COMMITTEE:
            raise ValidationFailed("an agency sits under a committee", "parent")
        if unit.agency_type not in AGENCY_TYPES:
            raise ValidationFailed(f"agency_type must be one of {', '.join(AGENCY_TYPES)}",
                                   "agency_type")
    elif unit.agency_type is not None:
        raise ValidationFailed("only an agency has an agency_type", "agency_type")
    if unit.kind == SECTION and parent.kind not in (AGENCY, COMMITTEE):
        raise ValidationFailed("a section sits under an agency or a committee", "parent")
    _check_rank(unit, parent, units)


def _check_rank(unit: Unit, parent: Unit | None, units: Mapping[str, Unit]) -> None:
    city_level = unit.kind == AGENCY and parent is not None and parent.parent is None
    if unit.rank is not None:
        if unit.rank not in RANKS:
            raise ValidationFailed(f"rank must be one of {', '.join(RANKS)}", "rank")
        if not city_level:
            raise ValidationFailed("only a city-level agency (市直单位) carries a rank", "rank")
    if unit.rank == DEPUTY_DIVISION:
        if not unit.supervising_unit:
            raise ValidationFailed("a deputy-division unit names its supervising (归口) unit",
                                   "supervising_unit")
    if unit.supervising_unit is not None:
        if unit.rank != DEPUTY_DIVISION:
            raise ValidationFailed("only a deputy-division unit has a supervising (归口) unit",
                                   "supervising_unit")
        if unit.supervising_unit == unit.id:
            raise ValidationFailed("a unit cannot supervise itself", "supervising_unit")
        sup = get_unit(units, unit.supervising_unit, "supervising_unit")
        if sup.kind == SECTION or level_of(units, sup) != CITY:
            raise ValidationFailed("the supervising (归口) unit is a city-level agency or the city "
                                   "committee", "supervising_unit")


def check_units_batch(new_units: list[Unit], units: Mapping[str, Unit]) -> dict[str, Unit]:
    """Check a batch in order (a parent may come earlier in the same batch). Returns the merged
    tree; errors name ``units[i].<field>``."""
    merged = dict(units)
    seen: set[str] = set()
    for i, unit in enumerate(new_units):
        if unit.id in seen:
            raise Conflict(f"unit {unit.id!r} given twice", f"units[{i}].id")
        seen.add(unit.id)
        old = merged.get(unit.id)
        if old is not None and old.kind != unit.kind:
            raise Conflict(f"unit {unit.id!r} is a {old.kind}; its kind cannot change",
                           f"units[{i}].kind")
        try:
            check_unit(unit, merged)
        except (ValidationFailed, NotFound, Conflict) as err:
            raise type(err)(err.message, f"units[{i}].{err.field}") from None
        merged[unit.id] = unit
    _check_no_cycle(merged)
    return merged


def _check_no_cycle(units: Mapping[str, Unit]) -> None:
    for unit in units.values():
        seen = {unit.id}
        cur = unit
        while cur.parent is not None:
            if cur.parent in seen:
                raise ValidationFailed(f"unit {unit.id!r} would be its own ancestor", "parent")
            seen.add(cur.parent)
            cur = units[cur.parent]


def units_under(units: Mapping[str, Unit], root: str) -> set[str]:
    """``root`` and every unit below it."""
    children: dict[str, list[str]] = {}
    for unit in units.values():
        if unit.parent is not None:
            children.setdefault(unit.parent, []).append(unit.id)
    out, todo = set(), [root]
    while todo:
        uid = todo.pop()
        if uid in out:
            continue
        out.add(uid)
        todo.extend(children.get(uid, ()))
    return out
