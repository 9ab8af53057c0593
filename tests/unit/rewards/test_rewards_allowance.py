"""The all-round officer's monthly allowance (M§三(四)1(5))."""
import pytest

from shared.errors import RuleViolation, ValidationFailed
from services.rewards.domain.allowance import allowance_line

pytestmark = pytest.mark.timeout(10)


def test_allowance_line_50_yuan_keyed_per_officer_and_month():
    line = allowance_line("o1", "a1", "2026-02", 50)
    assert (line.amount, line.paying_unit, line.kind, line.period) == (50, "a1", "allowance", "2026")
    assert line.key == "allowance:2026-02|o1|allowance"
    assert line.effective == "2026-02-28" and line.rule == "M§三(四)1(5)"


def test_same_officer_same_month_same_key():
    assert allowance_line("o1", "a1", "2026-03", 50).key == allowance_line("o1", "a2", "2026-03", 50).key


def test_certified_year_twelve_lines_600_yuan():
    lines = [allowance_line("o1", "a1", f"2026-{m:02d}", 50) for m in range(1, 13)]
    assert len({line.key for line in lines}) == 12 and sum(line.amount for line in lines) == 600


def test_amount_other_than_50_refused():
    with pytest.raises(RuleViolation) as err:
        allowance_line("o1", "a1", "2026-03", 60)
    assert err.value.field == "amount"


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-01"])
def test_bad_month_refused(month):
    with pytest.raises(ValidationFailed) as err:
        allowance_line("o1", "a1", month, 50)
    assert err.value.field == "month"


def test_a_withdrawal_reverses_its_grant_and_a_regrant_is_the_next_entry():
    """Training's ``allowance_withdrawn``: a line of −50 reversing the grant's key (entry 2g); a grant
    g ≥ 2 is entry 2g − 1: grant, withdrawal, grant again nets one 50-yuan line in force."""
    from services.rewards.domain.allowance import allowance_withdrawal
    from services.rewards.domain.revision import ledger_state

    first = allowance_line("o1", "a1", "2026-03", 50)
    back = allowance_withdrawal(first, 1)
    assert (back.key, back.amount, back.reverses, back.identity) == (
        "allowance:2026-03|o1|allowance|2", -50, first.key, first.identity)
    again = allowance_line("o1", "a1", "2026-03", 50, grant=2)
    assert again.key == "allowance:2026-03|o1|allowance|3" and again.identity == first.identity
    rows = [dict(line.to_dict(), seq=n) for n, line in enumerate((first, back, again), 1)]
    state = ledger_state(rows[:2])
    assert (state.in_force, state.net[first.identity], state.problems) == ({}, 0, [])
    state = ledger_state(rows)
    assert state.in_force[first.identity]["key"] == again.key and state.net[first.identity] == 50
    assert state.problems == []
    assert allowance_withdrawal(again, 2).key == "allowance:2026-03|o1|allowance|4"
