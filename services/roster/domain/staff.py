"""Staff: one position in one unit, titles, the team join date (SPEC §2, M§四1-3, M§五(二)3)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from shared.errors import Conflict, LianbaoError, NotFound, ValidationFailed

from .model import (AGENCY, CHIEF, CHIEF_PROCURATOR, COMMITTEE, COMMITTEE_SECRETARY,
                    COURT_PRESIDENT, HEAD, LEADER, OFFICER, POLITICAL_COMMISSAR, POSITIONS,
                    PUBLIC_SECURITY_CHIEF, SECTION, TITLES, Staff, Unit)
from .units import get_unit

# the title each head holds by virtue of heading that kind of body (一把手)
_HEAD_TITLE = {
    "public_security": PUBLIC_SECURITY_CHIEF,
    "procuratorate": CHIEF_PROCURATOR,
    "court": COURT_PRESIDENT,
}


def titles_of(staff: Staff, units: Mapping[str, Unit]) -> frozenset:
    """Titles held: the explicit ones plus the one a head holds by office (the head of a committee
    is its secretary, of a public-security bureau its chief, of a procuratorate the chief
    procurator, of a court its president)."""
    out = set(staff.titles)
    unit = units.get(staff.unit)
    if unit is not None and staff.position == HEAD:
        if unit.kind == COMMITTEE:
            out.add(COMMITTEE_SECRETARY)
        elif unit.kind == AGENCY and unit.agency_type in _HEAD_TITLE:
            out.add(_HEAD_TITLE[unit.agency_type])
    return frozenset(out)


# which titles fit which (position, unit kind, agency type)
def _title_fits(title: str, staff: Staff, unit: Unit) -> bool:
    leadership = staff.position in (HEAD, LEADER)
    if title == COMMITTEE_SECRETARY:
        return leadership and unit.kind == COMMITTEE
    if title in (PUBLIC_SECURITY_CHIEF, POLITICAL_COMMISSAR):
        return leadership and unit.kind == AGENCY and unit.agency_type == "public_security"
    if title == CHIEF_PROCURATOR:
        return leadership and unit.kind == AGENCY and unit.agency_type == "procuratorate"
    if title == COURT_PRESIDENT:
        return leadership and unit.kind == AGENCY and unit.agency_type == "court"
    return False


def check_staff(staff: Staff, units: Mapping[str, Unit]) -> None:
    """A staff record fits the tree (SPEC §2, M§四1-3); raises the first of :func:`staff_problems`."""
    for problem in staff_problems(staff, units):
        raise problem


def staff_problems(staff: Staff, units: Mapping[str, Unit]) -> list[LianbaoError]:
    """Every way a staff record does not fit the tree (SPEC §2, M§四1-3), at most one per field:

    - the unit exists;
    - a head or leader (一把手, 班子成员) sits in an agency or committee; a chief or officer
      (中层骨干, 干警) in a section (科、股、庭、所、队、室);
    - titles come from the fixed list and fit the unit (a political commissar is in a
      public-security bureau, a court president in a court, ...);
    - only a leader supervises (分管) sections, and only sections of the leader's own body.
    """
    problems: list[LianbaoError] = []
    if not staff.id or not str(staff.id).strip():
        problems.append(ValidationFailed("a person needs an id", "id"))
    if not staff.name or not str(staff.name).strip():
        problems.append(ValidationFailed("a person needs a name", "name"))
    position_known = staff.position in POSITIONS
    if not position_known:
        problems.append(ValidationFailed(f"position must be one of {', '.join(POSITIONS)}", "position"))
    try:
        unit = get_unit(units, staff.unit, "unit")
    except LianbaoError as err:
        problems.append(err)
        unit = None
    if unit is not None and staff.position in (HEAD, LEADER) and unit.kind == SECTION:
        problems.append(ValidationFailed(
            f"a {staff.position} sits in an agency or a committee, not a section", "unit"))
    if unit is not None and staff.position in (CHIEF, OFFICER) and unit.kind != SECTION:
        problems.append(ValidationFailed(f"a {staff.position} sits in a section", "unit"))
    for title in sorted(staff.titles):
        if title not in TITLES:
            problems.append(ValidationFailed(f"unknown title {title!r}; one of {', '.join(TITLES)}",
                                             "titles"))
            break
        if unit is not None and position_known and not _title_fits(title, staff, unit):
            problems.append(ValidationFailed(
                f"title {title!r} does not fit a {staff.position} of {unit.id}", "titles"))
            break
    if staff.supervises and position_known and staff.position != LEADER:
        problems.append(ValidationFailed("only a leader supervises sections", "supervises"))
    elif unit is not None:
        for sec_id in staff.supervises:
            try:
                sec = get_unit(units, sec_id, "supervises")
            except LianbaoError as err:
                problems.append(err)
                break
            if sec.kind != SECTION or sec.parent != staff.unit:
                problems.append(ValidationFailed(f"{sec_id!r} is not a section of {staff.unit}",
                                                 "supervises"))
                break
    return problems


def check_new_person(staff: Staff, existing: Staff | None) -> None:
    """A person is in one unit only: creating a person who is already on the roster in another
    unit (or with other data) is a conflict; use the change command."""
    if existing is not None and existing != staff:
        field = "unit" if existing.unit != staff.unit else "id"
        raise Conflict(f"person {staff.id!r} is already on the roster in {existing.unit} as "
                       f"{existing.position}; change them instead", field)


def section_of(staff: Staff, units: Mapping[str, Unit]) -> str | None:
    unit = units[staff.unit]
    return unit.id if unit.kind == SECTION else None


def require_person(people: Mapping[str, Staff], person_id: str, field: str = "person") -> Staff:
    person = people.get(person_id)
    if person is None:
        raise NotFound(f"unknown person {person_id!r}", field)
    return person


REMOVED_FROM_POST, TRANSFERRED_OUT_EFFECT = "removed_from_post", "transferred_out"


def retraining_failure(person: Staff, effect: str) -> Staff | str | None:
    """M§三(四)1(3) "补训仍不合格的,中层骨干免职,干警调离政法队伍": a chief who fails the
    retraining is removed from the post (stays in the section as an officer); an officer is
    transferred out of the team. Returns the changed Staff, the exit kind ``transferred_out``, or
    None when nothing applies (the person is no longer a chief)."""
    if effect == REMOVED_FROM_POST:
        return replace(person, position=OFFICER, supervises=()) if person.position == CHIEF \
            else None
    if effect == TRANSFERRED_OUT_EFFECT:
        return "transferred_out"
    raise ValidationFailed(f"unknown effect {effect!r}", "effect")
