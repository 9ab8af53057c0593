"""Status spells (SPEC §2): leave, secondment, suspension, transferred out, dismissed."""
from datetime import date

import pytest
from roster_city import person

from services.roster.domain.model import Spell
from services.roster.domain.spells import can_mentor_on, check_spell, on_team, status_on
from shared.errors import Conflict, NotFound, ValidationFailed

P = person("o", "c_ps_s1", "officer", joined=date(2020, 1, 1))


def leave(sid, start, end, kind="sick"):
    return Spell(sid, "o", "leave", start, end, leave_kind=kind)


def test_overlapping_leave_spells_are_refused(units):
    existing = [leave("a", date(2026, 1, 1), date(2026, 1, 31))]
    with pytest.raises(Conflict) as err:
        check_spell(leave("b", date(2026, 1, 31), date(2026, 2, 5)), P, units, existing)
    assert err.value.field == "start"


def test_adjacent_leave_spells_are_fine(units):
    existing = [leave("a", date(2026, 1, 1), date(2026, 1, 31))]
    check_spell(leave("b", date(2026, 2, 1), date(2026, 2, 5)), P, units, existing)


def test_leave_during_secondment_overlaps(units):
    existing = [Spell("s", "o", "secondment", date(2026, 1, 1), None, host_unit="m_ps")]
    with pytest.raises(Conflict):
        check_spell(leave("b", date(2026, 3, 1), date(2026, 3, 5)), P, units, existing)


def test_suspension_may_fall_during_a_leave(units):
    existing = [leave("a", date(2026, 1, 1), date(2026, 3, 31))]
    check_spell(Spell("x", "o", "suspension", date(2026, 2, 1)), P, units, existing)
    spells = existing + [Spell("x", "o", "suspension", date(2026, 2, 1))]
    assert status_on(P, spells, date(2026, 2, 1)) == "suspended"
    assert status_on(P, spells, date(2026, 1, 31)) == "on_leave"


def test_end_before_start_names_end(units):
    with pytest.raises(ValidationFailed) as err:
        check_spell(leave("a", date(2026, 2, 1), date(2026, 1, 1)), P, units, [])
    assert err.value.field == "end"


def test_leave_kind_is_required(units):
    with pytest.raises(ValidationFailed) as err:
        check_spell(leave("a", date(2026, 2, 1), None, kind="holiday"), P, units, [])
    assert err.value.field == "leave_kind"


def test_secondment_needs_a_known_host_outside_own_agency(units):
    with pytest.raises(NotFound) as err:
        check_spell(Spell("s", "o", "secondment", date(2026, 1, 1), host_unit="zz"), P, units, [])
    assert err.value.field == "host_unit"
    with pytest.raises(ValidationFailed) as err:
        check_spell(Spell("s", "o", "secondment", date(2026, 1, 1), host_unit="c_ps_s2"),
                    P, units, [])
    assert err.value.field == "host_unit"


def test_spell_before_joining_is_refused(units):
    with pytest.raises(ValidationFailed) as err:
        check_spell(leave("a", date(2019, 12, 31), None), P, units, [])
    assert err.value.field == "start"


def test_nothing_starts_after_an_exit(units):
    existing = [Spell("x", "o", "transferred_out", date(2026, 6, 1))]
    with pytest.raises(Conflict):
        check_spell(leave("a", date(2026, 6, 1), None), P, units, existing)
    with pytest.raises(Conflict):
        check_spell(Spell("y", "o", "dismissed", date(2026, 7, 1)), P, units, existing)


def test_status_precedence_and_exit(units):
    spells = [Spell("x", "o", "transferred_out", date(2026, 6, 1))]
    assert status_on(P, spells, date(2026, 5, 31)) == "active"
    assert status_on(P, spells, date(2026, 6, 1)) == "transferred_out"
    assert status_on(P, [], date(2019, 12, 31)) == "not_joined"
    assert not on_team(P, spells, date(2026, 6, 1))
    assert on_team(P, spells, date(2026, 5, 31))


def test_mentor_on_leave_or_seconded_still_counts_suspended_does_not(units):
    on_leave = [leave("a", date(2026, 1, 1), None)]
    assert can_mentor_on(P, on_leave, date(2026, 2, 1))
    suspended = [Spell("x", "o", "suspension", date(2026, 1, 1))]
    assert not can_mentor_on(P, suspended, date(2026, 1, 1))
    assert can_mentor_on(P, suspended, date(2025, 12, 31))
