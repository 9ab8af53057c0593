"""Assembling the rating snapshot from the service's facts (M§四6(5), RATING.md §1)."""
from datetime import date
from decimal import Decimal

import pytest

from shared.errors import ValidationFailed
from services.scoring.domain.agency_eval import agency_entry, previous_class_of, standards_score
from services.scoring.domain.assemble import (Facts, PersonRow, assemble_snapshot, clip_leave,
                                              merge_spells, on_team_in_period, period_bounds,
                                              section_period_score, survey_periods, to_json,
                                              units_under)
from services.scoring.domain.payload import rate_payload

pytestmark = pytest.mark.timeout(10)


def test_period_bounds_half_year_is_january_to_june():
    start, end, months = period_bounds("2026H1")
    assert (start, end, months[0], months[-1], len(months)) == (
        date(2026, 1, 1), date(2026, 6, 30), "2026-01", "2026-06", 6)


def test_period_bounds_refuses_h2():
    with pytest.raises(ValidationFailed):
        period_bounds("2026H2")


def test_survey_periods_annual_pools_both_halves():
    assert survey_periods("2026") == ("2026H1", "2026H2")
    assert survey_periods("2026H1") == ("2026H1",)


def test_units_under_the_scope_and_everything_below():
    parents = {"cnty": "city", "a1": "cnty", "s1": "a1", "a2": "city"}
    assert units_under("cnty", parents) == {"cnty", "a1", "s1"}


def test_on_team_in_period_joined_by_the_end_not_left_before_the_start():
    s, e = date(2026, 1, 1), date(2026, 12, 31)
    assert on_team_in_period(date(2026, 12, 31), None, s, e)
    assert not on_team_in_period(date(2027, 1, 1), None, s, e)
    assert not on_team_in_period(date(2020, 1, 1), date(2025, 12, 31), s, e)


def test_section_period_score_mean_rounded_half_up():
    assert section_period_score([Decimal(90), Decimal(91), Decimal("91.01")]) == Decimal("90.67")
    assert section_period_score([Decimal("90.005")]) == Decimal("90.01")
    assert section_period_score([]) is None


def test_clip_leave_open_spell_runs_to_the_period_end():
    assert clip_leave(date(2026, 11, 1), None, date(2026, 1, 1), date(2026, 12, 31)) == (
        date(2026, 11, 1), date(2026, 12, 31))
    assert clip_leave(date(2025, 1, 1), date(2025, 2, 1), date(2026, 1, 1), date(2026, 12, 31)) is None


def test_merge_spells_overlaps_become_one():
    out = merge_spells([("sick", date(2026, 1, 1), date(2026, 1, 10)),
                        ("personal", date(2026, 1, 5), date(2026, 1, 20))])
    assert out == [("sick", date(2026, 1, 1), date(2026, 1, 20))]


def test_standards_score_six_standards_at_most_100():
    six = dict(structures=15, mentoring=15, joint_work=15, rules_and_bans=15, central_tasks=15,
               effectiveness=11)
    assert standards_score(six) == 86
    with pytest.raises(ValidationFailed):
        standards_score({**six, "effectiveness": 26})
    with pytest.raises(ValidationFailed) as e:
        standards_score({k: v for k, v in six.items() if k != "mentoring"})
    assert e.value.field == "standards.mentoring"


def test_previous_class_of_recorded_wins_over_last_rating():
    assert previous_class_of(2, 3) == 2 and previous_class_of(None, 3) == 3


def test_assemble_snapshot_is_valid_and_rates_with_the_engine():
    people = [PersonRow("c1", "a1", "s1", "chief", date(2010, 1, 1)),
              PersonRow("o1", "a1", "s1", "officer", date(2020, 1, 1), mentor="c1"),
              PersonRow("o2", "a1", "s1", "officer", date(2026, 3, 1), mentor="ghost")]
    facts = Facts(monthly={"c1": {"2026-01": Decimal(96), "2026-02": Decimal(94)},
                           "o1": {"2026-01": Decimal("59.5"), "2026-07": Decimal(90)}},
                  section_monthly={"s1": {"2026-01": Decimal(93)}},
                  honours={"c1": [("省优秀", "provincial")]},
                  leave={"o1": [("sick", date(2025, 12, 1), date(2026, 1, 31))]},
                  absence={"o1": 5}, satisfaction={"o1": (1, 0, 0)}, facts={"o1": ["secret_leak"]})
    ag = agency_entry("a1", "county", dict(structures=15, mentoring=15, joint_work=15,
                                           rules_and_bans=15, central_tasks=15, effectiveness=15))
    snap, skipped = assemble_snapshot("2026H1", date(2026, 7, 8), people, [("s1", "a1"), ("s2", "a1")],
                                      facts, [ag])
    assert skipped == [{"id": "s2", "reason": "no_monthly_scores"}]
    o1 = snap["officers"][1]
    assert o1["monthly"] == {"2026-01": Decimal("59.5")}            # July is not in H1
    assert o1["leave"] == [{"kind": "sick", "from": "2026-01-01", "to": "2026-01-31"}]
    assert "mentor" not in snap["officers"][2]                      # not an officer of the snapshot
    assert snap["sections"][0]["headcount"] == 3
    direct = rate_payload(snap)
    assert rate_payload(to_json(snap)) == direct
    assert [o["status"] for o in direct["officers"]] == ["rated", "disqualified", "not_rated"]
