"""M§三(四)1(5): 全能政法干警由所在单位每月发给其50元技能津贴,每三年复查一次,不合格的,取消称号。"""
import pytest

from shared.errors import Conflict, RuleViolation
from services.training.domain.allround import (ALLOWANCE_YUAN, allowance_months, allowance_total,
                                               check_all_round_result, holds_title_in_month,
                                               recheck_date, reminder_due, title_spells)
from services.training.domain.calendar import Month

from .conftest import d, res

pytestmark = pytest.mark.timeout(10)


def cert(on):
    return res("all_round_assessment", on, True)


def recheck(on, passed=True):
    return res("all_round_recheck", on, passed)


def test_allowance_is_50_yuan_a_month():
    assert ALLOWANCE_YUAN == 50


def test_allowance_certified_2026_03_15_earns_10_months_500_yuan_in_2026():
    spells = title_spells([cert("2026-03-15")], d("2026-11-23"))
    assert [str(m) for m in allowance_months(spells, 2026)] == [f"2026-{m:02d}" for m in range(3, 13)]
    assert allowance_total(spells, 2026) == 500


def test_allowance_a_full_certified_year_earns_12_months_600_yuan():
    spells = title_spells([cert("2026-03-15")], d("2027-12-31"))
    assert allowance_total(spells, 2027) == 600


def test_allowance_one_day_held_counts_the_month():
    spells = title_spells([cert("2026-01-31")], d("2026-02-01"))
    assert holds_title_in_month(spells, Month(2026, 1))
    assert not holds_title_in_month(spells, Month(2025, 12))


def test_recheck_on_the_third_anniversary():
    assert recheck_date(d("2026-03-15")) == d("2029-03-15")


def test_recheck_of_29_february_falls_on_28_february():
    assert recheck_date(d("2024-02-29")) == d("2027-02-28")
    spells = title_spells([cert("2024-02-29")], d("2027-02-28"))
    assert spells[0].revoked_on is None
    spells = title_spells([cert("2024-02-29")], d("2027-03-01"))
    assert (spells[0].revoked_on, spells[0].reason) == (d("2027-03-01"), "recheck_expired")


def test_recheck_not_passed_by_its_date_revokes_the_day_after():
    spells = title_spells([cert("2026-03-15")], d("2029-03-15"))
    assert spells[0].revoked_on is None
    spells = title_spells([cert("2026-03-15")], d("2029-03-16"))
    assert (spells[0].revoked_on, spells[0].reason) == (d("2029-03-16"), "recheck_expired")
    assert holds_title_in_month(spells, Month(2029, 3))
    assert not holds_title_in_month(spells, Month(2029, 4))


def test_recheck_passed_exactly_at_three_years_keeps_the_title():
    spells = title_spells([cert("2026-03-15"), recheck("2029-03-15")], d("2030-01-01"))
    assert spells[0].revoked_on is None and spells[0].rechecks == [d("2029-03-15")]


def test_recheck_passed_keeps_the_original_cycle():
    spells = title_spells([cert("2024-02-29"), recheck("2026-06-01")], d("2026-07-01"))
    assert spells[0].next_recheck == d("2030-02-28")
    spells = title_spells([cert("2024-02-29"), recheck("2026-06-01"), recheck("2030-01-10")],
                          d("2030-03-01"))
    assert spells[0].next_recheck == d("2033-02-28") and spells[0].revoked_on is None


def test_recheck_failed_revokes_on_the_day_of_failure():
    spells = title_spells([cert("2026-03-15"), recheck("2028-12-01", passed=False)], d("2029-01-01"))
    assert (spells[0].revoked_on, spells[0].reason) == (d("2028-12-01"), "recheck_failed")
    # revoked from 1 December: not held on any day of December
    assert allowance_months(spells, 2028)[-1] == Month(2028, 11)
    assert allowance_months(spells, 2029) == []
    spells = title_spells([cert("2026-03-15"), recheck("2028-12-02", passed=False)], d("2029-01-01"))
    assert allowance_months(spells, 2028)[-1] == Month(2028, 12)


def test_recheck_before_its_window_is_refused():
    with pytest.raises(RuleViolation) as err:
        title_spells([cert("2026-03-15"), recheck("2028-03-14")], d("2028-04-01"))
    assert err.value.field == "date"
    assert title_spells([cert("2026-03-15"), recheck("2028-03-15")], d("2028-04-01"))[0].rechecks


def test_recheck_without_the_title_is_refused():
    with pytest.raises(RuleViolation):
        check_all_round_result([], recheck("2026-05-01"))
    with pytest.raises(RuleViolation):  # expired: the recheck came too late
        check_all_round_result([cert("2023-03-15")], recheck("2026-03-16"))


def test_assessment_once_a_year_by_the_city_committee():
    with pytest.raises(Conflict):
        check_all_round_result([res("all_round_assessment", "2026-03-15", False)],
                               cert("2026-10-15"))
    check_all_round_result([res("all_round_assessment", "2025-03-15", False)], cert("2026-03-15"))


def test_assessment_of_a_holder_is_refused():
    with pytest.raises(RuleViolation):
        check_all_round_result([cert("2025-03-15")], cert("2026-03-15"))


def test_recertified_after_revocation_starts_a_new_cycle():
    spells = title_spells([cert("2022-03-15"), cert("2026-05-10")], d("2026-11-23"))
    assert [(s.certified_on, s.revoked_on) for s in spells] == [
        (d("2022-03-15"), d("2025-03-16")), (d("2026-05-10"), None)]
    assert spells[1].next_recheck == d("2029-05-10")
    assert allowance_total(spells, 2025) == 150 and allowance_total(spells, 2026) == 400


def test_reminder_within_the_lead_time_before_the_recheck():
    spell = title_spells([cert("2026-03-15")], d("2029-02-13"))[0]
    assert reminder_due(spell, d("2029-02-13"), 30) == d("2029-03-15")
    assert reminder_due(spell, d("2029-02-12"), 30) is None
    assert reminder_due(spell, d("2029-02-12"), 31) == d("2029-03-15")
    assert reminder_due(spell, d("2029-03-15"), 30) == d("2029-03-15")


def test_allowance_stops_with_the_month_the_holder_leaves_the_team():
    from services.training.domain.allround import earns_allowance
    spells = title_spells([cert("2026-03-15")], d("2026-11-23"))
    assert earns_allowance(spells, Month(2026, 6), left_on=d("2026-06-02"))
    assert not earns_allowance(spells, Month(2026, 6), left_on=d("2026-06-01"))
    assert not earns_allowance(spells, Month(2026, 7), left_on=d("2026-06-02"))
    assert earns_allowance(spells, Month(2026, 7))
    assert not earns_allowance(spells, Month(2026, 2))


# -- spells away (SPEC §9: a return is a new spell of service) --------------------------------------
def _months(spells, year, as_of="2027-12-31", left_on=None, away=()):
    from services.training.domain.allround import allowance_statement
    return [str(m) for m, _ in allowance_statement(spells, year, d(as_of), left_on, away)]


def test_away_spells_run_from_each_departure_to_the_first_post_beginning_after_it():
    from services.training.domain.allround import away_spells
    posts = [d("2020-01-01"), d("2026-06-10"), d("2026-10-15"), d("2027-03-01")]
    assert away_spells([], posts) == []
    assert away_spells([d("2026-06-10")], posts) == [(d("2026-06-10"), d("2026-10-15"))]  # same day: not back
    assert away_spells([d("2026-05-20"), d("2026-12-01")], posts) == [
        (d("2026-05-20"), d("2026-06-10")), (d("2026-12-01"), d("2027-03-01"))]
    assert away_spells([d("2027-04-01")], posts) == [(d("2027-04-01"), None)]     # no return: open
    # two departures with no post between: one spell from the first
    assert away_spells([d("2026-07-01"), d("2026-08-01")], [d("2020-01-01"), d("2026-09-01")]) == [
        (d("2026-07-01"), d("2026-09-01"))]


def test_allowance_not_due_for_the_months_away_mid_month_departure_and_return():
    spells = title_spells([cert("2026-03-15")], d("2026-12-31"))
    away = [(d("2026-06-16"), d("2026-09-20"))]
    # June held before the 16th, September from the 20th (the return counts as a new holder's
    # first day); July and August away
    assert _months(spells, 2026, away=away) == ["2026-03", "2026-04", "2026-05", "2026-06",
                                                "2026-09", "2026-10", "2026-11", "2026-12"]
    # away from the 1st of a month: that month not due; back on the last day of one: due
    assert "2026-06" not in _months(spells, 2026, away=[(d("2026-06-01"), d("2026-08-31"))])
    assert "2026-08" in _months(spells, 2026, away=[(d("2026-06-01"), d("2026-08-31"))])
    # away for the whole of the month only through its last day: back on the 1st of the next
    assert _months(spells, 2026, away=[(d("2026-07-01"), d("2026-08-01"))])[3:6] == [
        "2026-06", "2026-08", "2026-09"]


def test_allowance_back_in_a_month_the_title_ended_before_is_not_due():
    # the title revoked on 10 September (a failed recheck), back on the 20th: no day held on the team
    spells = [allround_spell("2023-09-01", revoked="2026-09-10")]
    assert "2026-09" not in _months(spells, 2026, away=[(d("2026-08-15"), d("2026-09-20"))])
    assert "2026-09" in _months(spells, 2026, away=[(d("2026-08-15"), d("2026-09-05"))])


def allround_spell(certified, revoked=None):
    from services.training.domain.allround import TitleSpell
    return TitleSpell("p1", d(certified), [], None if revoked is None else d(revoked))


def test_allowance_away_across_a_year_end_and_two_departures():
    spells = title_spells([cert("2025-02-01")], d("2027-12-31"))
    away = [(d("2025-11-10"), d("2026-02-03")), (d("2026-10-01"), None)]
    assert _months(spells, 2025, away=away) == [f"2025-{m:02d}" for m in range(2, 12)]
    assert _months(spells, 2026, away=away) == [f"2026-{m:02d}" for m in range(2, 10)]
    assert _months(spells, 2027, away=away) == []


def test_a_departure_with_no_return_is_exactly_the_old_left_on():
    from services.training.domain.allround import earns_allowance
    spells = title_spells([cert("2026-03-15")], d("2026-12-31"))
    for left in ("2026-03-14", "2026-03-15", "2026-03-16", "2026-06-01", "2026-06-02", "2026-06-30",
                 "2026-07-01", "2026-12-31"):
        for m in range(1, 13):
            month = Month(2026, m)
            # the rule before the spells away (earns_allowance's left_on until this change)
            before = left_on_rule_before(spells, month, d(left))
            if d(left) <= d("2026-03-15") and m == 3:
                # the one difference: the rule before paid March to one who left by the 15th, the day
                # he was certified (the empty cut spell [15th, 14th or 15th) was read as held); no day
                # of March was held on the team
                assert before and not earns_allowance(spells, month, left_on=d(left))
                continue
            assert earns_allowance(spells, month, away=[(d(left), None)]) == before, (left, m)
            assert earns_allowance(spells, month, left_on=d(left)) == before, (left, m)
        assert _months(spells, 2026, away=[(d(left), None)]) == _months(spells, 2026, left_on=d(left))
    assert _months(spells, 2026, left_on=d("2026-06-02")) == ["2026-03", "2026-04", "2026-05", "2026-06"]


def left_on_rule_before(spells, month, left_on):
    from services.training.domain.allround import TitleSpell
    if left_on <= month.first:
        return False
    cut = [TitleSpell(s.person_id, s.certified_on, s.rechecks, min(s.revoked_on or left_on, left_on),
                      s.reason) for s in spells]
    return holds_title_in_month(cut, month)


def test_an_announced_month_is_withdrawn_when_not_earned_and_granted_anew_when_earned_again():
    """Corrections are reversals: an allowance in force for a month no longer earned is withdrawn
    (that grant), a withdrawn month earned again is the next grant, one grant in force at a time."""
    from services.training.domain.allround import GRANT, WITHDRAW, allowance_correction

    assert allowance_correction(0, True, True) == (GRANT, 1)          # first announcement
    assert allowance_correction(0, True, False) is None
    assert allowance_correction(1, False, True) is None                # in force and earned
    assert allowance_correction(1, False, False) == (WITHDRAW, 1)
    assert allowance_correction(1, True, False) is None                # withdrawn, still away
    assert allowance_correction(1, True, True) == (GRANT, 2)           # back: a new grant
    assert allowance_correction(2, False, False) == (WITHDRAW, 2)
