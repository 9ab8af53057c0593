"""The roster through time (SPEC §9): posts as dated history, the month's evaluator on its last
day, leaving during a month, a return after a transfer out. One test per rule and boundary."""
from dataclasses import replace
from datetime import date

import pytest
from roster_city import person

from services.roster.domain.history import (change_posts, evaluator_timeline, month_evaluator,
                                            post_of, return_to_team, staff_on)
from services.roster.domain.model import Spell
from shared.errors import Conflict, ValidationFailed

JOINED = date(2015, 3, 1)


def history_of(staff, *changes):
    """Posts of ``staff`` after each ``(effective, Staff)`` change, in order."""
    posts = [post_of(staff, staff.joined)]
    for effective, new in changes:
        closed, opened = change_posts(posts, new, effective)
        keep = [p for p in posts if all(p.start != c.start for c in closed)]
        posts = sorted(keep + [c for c in closed if all(c.start != o.start for o in opened)]
                       + opened, key=lambda p: p.start)
    return posts


def moved(day):
    """o1 moves from the county bureau's section to the city bureau's section on ``day``."""
    o1 = person("o1", "c_ps_s1", "officer")
    return o1, history_of(o1, (day, replace(o1, unit="m_ps_s1")))


def test_a_change_closes_the_post_the_day_before_and_never_overwrites_it():
    o1, posts = moved(date(2026, 3, 15))
    assert [(p.start, p.end, p.unit) for p in posts] == [
        (JOINED, date(2026, 3, 14), "c_ps_s1"), (date(2026, 3, 15), None, "m_ps_s1")]
    assert staff_on(o1, posts, date(2026, 3, 14)).unit == "c_ps_s1"
    assert staff_on(o1, posts, date(2026, 3, 15)).unit == "m_ps_s1"


@pytest.mark.parametrize("day, march, april", [
    (date(2026, 3, 1), "m_ps", "m_ps"),      # moved on the 1st: March is the new post's
    (date(2026, 3, 15), "m_ps", "m_ps"),     # mid-month: the post held on the 31st decides
    (date(2026, 3, 31), "m_ps", "m_ps"),     # on the last day: still the new post's month
    (date(2026, 4, 1), "c_ps", "m_ps"),      # the day after: March stays with the old post
])
def test_the_month_is_evaluated_by_the_evaluator_of_the_post_on_its_last_day(units, day, march,
                                                                            april):
    o1, posts = moved(day)
    spans = evaluator_timeline(o1, posts, units, [])
    assert month_evaluator(spans, "2026-03").group == march
    assert month_evaluator(spans, "2026-04").group == april
    assert month_evaluator(spans, "2026-02").group == "c_ps"


def test_a_promotion_to_leader_mid_year_switches_to_the_committee_from_that_month(units):
    # a chief of the city bureau becomes one of its leaders (division rank: the city committee
    # evaluates its leaders) on 10 June: June is the committee's month, May the bureau's
    chief = person("c", "m_ps_s1", "chief")
    posts = history_of(chief, (date(2026, 6, 10), replace(chief, unit="m_ps", position="leader")))
    spans = evaluator_timeline(chief, posts, units, [])
    assert month_evaluator(spans, "2026-05").group == "m_ps"
    assert month_evaluator(spans, "2026-06").group == "city"
    assert month_evaluator(spans, "2026-06").rule == "division_leader_by_city"
    assert month_evaluator(spans, "2026-12").group == "city"


def test_a_secondment_passing_its_six_month_mark_in_march(units):
    # seconded from the county bureau to the city bureau from 2025-09-20: the mark is 2026-03-20,
    # so March (its last day after the mark) is the host's month, February the home unit's
    o1 = person("o1", "c_ps_s1", "officer")
    spell = Spell("sec1", "o1", "secondment", date(2025, 9, 20), date(2026, 8, 31),
                  host_unit="m_ps_s1")
    spans = evaluator_timeline(o1, [post_of(o1, JOINED)], units, [spell])
    assert month_evaluator(spans, "2026-02").group == "c_ps"
    assert month_evaluator(spans, "2026-03").group == "m_ps"
    assert month_evaluator(spans, "2026-03").rule == "seconded_six_months_by_host"
    assert month_evaluator(spans, "2026-08").group == "m_ps"
    assert month_evaluator(spans, "2026-09").group == "c_ps"     # back home after the end


def test_a_secondment_whose_mark_falls_on_a_month_end(units):
    # from 2025-08-31 the mark is 2026-02-28 (a missing day becomes the month's last): February
    # is already the host's
    o1 = person("o1", "c_ps_s1", "officer")
    spell = Spell("sec1", "o1", "secondment", date(2025, 8, 31), None, host_unit="m_ps_s1")
    spans = evaluator_timeline(o1, [post_of(o1, JOINED)], units, [spell])
    assert month_evaluator(spans, "2026-01").group == "c_ps"
    assert month_evaluator(spans, "2026-02").group == "m_ps"


@pytest.mark.parametrize("left, june_evaluated", [
    (date(2026, 6, 1), False), (date(2026, 6, 15), False), (date(2026, 6, 30), False),
    (date(2026, 7, 1), True)])
def test_leaving_during_a_month_means_no_evaluation_for_it(units, left, june_evaluated):
    o1 = person("o1", "c_ps_s1", "officer")
    exit_ = Spell("x", "o1", "transferred_out", left)
    spans = evaluator_timeline(o1, [post_of(o1, JOINED)], units, [exit_])
    assert (month_evaluator(spans, "2026-06") is not None) is june_evaluated
    assert month_evaluator(spans, "2026-05").group == "c_ps"           # earlier months stand


def test_a_return_after_a_transfer_out_is_a_new_spell_and_joined_stays(units):
    o1 = person("o1", "c_ps_s1", "officer")
    exit_ = Spell("x", "o1", "transferred_out", date(2026, 2, 10))
    ended = return_to_team([exit_], date(2026, 5, 20))
    assert ended.end == date(2026, 5, 19)
    back = replace(o1, unit="m_ps_s1")
    posts = history_of(o1, (date(2026, 5, 20), back))
    spans = evaluator_timeline(back, posts, units, [ended])
    assert month_evaluator(spans, "2026-01").group == "c_ps"
    assert month_evaluator(spans, "2026-03") is None                   # off the team
    assert month_evaluator(spans, "2026-05").group == "m_ps"
    assert back.joined == JOINED                                        # the one-year rule


def test_a_return_needs_a_transfer_out_before_it():
    with pytest.raises(Conflict):
        return_to_team([], date(2026, 5, 20))
    with pytest.raises(Conflict):
        return_to_team([Spell("x", "o1", "dismissed", date(2026, 2, 10))], date(2026, 5, 20))
    with pytest.raises(ValidationFailed) as err:
        return_to_team([Spell("x", "o1", "transferred_out", date(2026, 2, 10))], date(2026, 2, 10))
    assert err.value.field == "date"


def test_history_is_not_rewritten_by_a_change_dated_before_the_latest_post():
    o1, posts = moved(date(2026, 3, 15))
    with pytest.raises(Conflict) as err:
        change_posts(posts, replace(o1, unit="c_ps_s2"), date(2026, 3, 1))
    assert err.value.field == "effective"
    with pytest.raises(ValidationFailed):
        change_posts(posts, o1, date(2010, 1, 1))


def test_a_change_on_the_same_day_replaces_that_post_and_no_change_adds_nothing():
    o1, posts = moved(date(2026, 3, 15))
    closed, opened = change_posts(posts, replace(o1, unit="c_ps_s2"), date(2026, 3, 15))
    assert [p.start for p in closed] == [date(2026, 3, 15)]
    assert [(p.start, p.unit) for p in opened] == [(date(2026, 3, 15), "c_ps_s2")]
    assert change_posts(posts, replace(o1, unit="m_ps_s1"), date(2026, 4, 1)) == ([], [])
