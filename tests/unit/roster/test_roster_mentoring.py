"""The mentoring chain M§四1-3, one mentor at a time, coverage and the ban flow (SPEC §2)."""
from datetime import date

import pytest
from roster_city import person

from services.roster.domain.bans import ban_violated
from services.roster.domain.coverage import coverage
from services.roster.domain.mentoring import (assign, check_chain, cut_pair, effective_mentor,
                                              pairs_broken_by_change, pairs_to_cut, reassign)
from services.roster.domain.model import Pair, Spell
from services.roster.domain.spells import can_mentor_on, on_team
from shared.errors import Conflict, Forbidden, ValidationFailed

D = date(2026, 3, 1)
HEAD = person("h", "c_ps", "head")
LEADER = person("l", "c_ps", "leader", supervises=["c_ps_s1"])
LEADER2 = person("l2", "c_ps", "leader", supervises=["c_ps_s2"])
CHIEF = person("c", "c_ps_s1", "chief")
CHIEF2 = person("c2", "c_ps_s2", "chief")
OFFICER = person("o", "c_ps_s1", "officer")
OFFICER2 = person("o2", "c_ps_s1", "officer")
PEOPLE = {p.id: p for p in (HEAD, LEADER, LEADER2, CHIEF, CHIEF2, OFFICER, OFFICER2)}


def always(_pid, _day):
    return True


def test_head_mentors_leader(units):
    check_chain(HEAD, LEADER, units)


def test_leader_mentors_chief_of_supervised_section(units):
    check_chain(LEADER, CHIEF, units)


def test_leader_cannot_mentor_chief_of_unsupervised_section(units):
    with pytest.raises(Forbidden) as err:
        check_chain(LEADER, CHIEF2, units)
    assert err.value.field == "mentor"


def test_chief_mentors_officer_of_own_section(units):
    check_chain(CHIEF, OFFICER, units)


def test_chief_of_other_section_cannot_mentor_officer(units):
    with pytest.raises(Forbidden):
        check_chain(CHIEF2, OFFICER, units)


def test_skipping_a_level_is_refused(units):
    with pytest.raises(Forbidden):
        check_chain(HEAD, CHIEF, units)
    with pytest.raises(Forbidden):
        check_chain(LEADER, OFFICER, units)


def test_head_of_another_agency_cannot_mentor_leader(units):
    with pytest.raises(Forbidden):
        check_chain(person("x", "c_court", "head"), LEADER, units)


def test_every_officer_has_exactly_one_mentor_at_a_time(units):
    pairs = [Pair("p1", "c", "o", date(2026, 1, 1))]
    other_chief = person("c3", "c_ps_s1", "chief")
    with pytest.raises(Conflict) as err:
        assign(Pair("p2", "c3", "o", D), other_chief, OFFICER, units, pairs, always, always)
    assert err.value.field == "mentee"


def test_reassign_cuts_the_old_pair_the_day_before(units):
    pairs = [Pair("p1", "c", "o", date(2026, 1, 1))]
    other_chief = person("c3", "c_ps_s1", "chief")
    cuts, new = reassign(Pair("p2", "c3", "o", D), other_chief, OFFICER, units, pairs, always,
                         always)
    assert cuts[0][1].end == date(2026, 2, 28)
    assert new.mentor == "c3"


def test_reassign_outside_the_chain_cuts_nothing(units):
    pairs = [Pair("p1", "c", "o", date(2026, 1, 1))]
    with pytest.raises(Forbidden):
        reassign(Pair("p2", "c2", "o", D), CHIEF2, OFFICER, units, pairs, always, always)


def test_suspended_mentor_cannot_be_assigned(units):
    with pytest.raises(Forbidden):
        assign(Pair("p", "c", "o", D), CHIEF, OFFICER, units, [], lambda p, d: False, always)


def test_cut_pair_starting_on_the_day_vanishes():
    assert cut_pair(Pair("p", "c", "o", D), D) is None
    assert cut_pair(Pair("p", "c", "o", date(2026, 1, 1), date(2026, 1, 31)), D).end == \
        date(2026, 1, 31)


def _status_fns(spells_by_person):
    def counts(pid, day):
        return can_mentor_on(PEOPLE[pid], spells_by_person.get(pid, []), day)

    def team(pid, day):
        return on_team(PEOPLE[pid], spells_by_person.get(pid, []), day)
    return counts, team


def test_coverage_after_mentor_leaves(units):
    pairs = [Pair("p1", "c", "o", date(2026, 1, 1)), Pair("p2", "c", "o2", date(2026, 1, 1))]
    spells = {"c": [Spell("x", "c", "transferred_out", date(2026, 4, 1))]}
    counts, team = _status_fns(spells)

    def mentor_of(pid, day):
        return effective_mentor(pairs, pid, day, counts)

    before = coverage(PEOPLE.values(), date(2026, 3, 31), team, mentor_of)
    assert (before.headline.total, before.headline.covered) == (2, 2)
    after = coverage(PEOPLE.values(), date(2026, 4, 1), team, mentor_of)
    assert (after.headline.total, after.headline.covered) == (2, 0)
    assert after.headline.without == ["o", "o2"]
    assert after.headline.share == 0
    # the cut is explicit, from the exit day on, for the mentees of the mentor
    cuts = pairs_to_cut(pairs, "c", date(2026, 4, 1), None, as_mentor=True, as_mentee=True)
    assert [after_cut.end for _old, after_cut in cuts] == [date(2026, 3, 31)] * 2


def test_coverage_counts_suspended_and_seconded_officers_but_not_leavers(units):
    spells = {"o": [Spell("x", "o", "suspension", date(2026, 1, 1))],
              "o2": [Spell("y", "o2", "dismissed", date(2026, 1, 1))]}
    counts, team = _status_fns(spells)
    result = coverage(PEOPLE.values(), D, team, lambda pid, day: None)
    assert result.headline.total == 1
    assert result.headline.without == ["o"]
    assert result.positions["chief"].total == 2
    assert result.positions["leader"].total == 2


def test_coverage_share_is_none_without_officers(units):
    result = coverage([HEAD], D, always, lambda pid, day: None)
    assert result.headline.share is None


def test_change_of_section_breaks_the_pair(units):
    pairs = [Pair("p1", "c", "o", date(2026, 1, 1))]
    moved = person("o", "c_ps_s2", "officer")
    people = dict(PEOPLE, o=moved)
    cuts = pairs_broken_by_change(pairs, moved, people, units, D)
    assert cuts[0][1].end == date(2026, 2, 28)


def test_ban_violation_suspends_at_once_and_opens_two_cases():
    outcome = ban_violated(violation_id="v1", person="o", ban=2, occurred_on=date(2026, 3, 3),
                           confirmed_on=date(2026, 3, 10), joined=date(2015, 1, 1), mentor="c",
                           suspension_id="s1", case_ids=("k1", "k2"), already_suspended=False,
                           left_team=False)
    assert outcome.suspension.start == date(2026, 3, 10)
    assert outcome.suspension.kind == "suspension" and outcome.suspension.end is None
    assert [(c.person, c.role) for c in outcome.cases] == [("o", "violator"), ("c", "mentor")]
    assert outcome.cases[0].id != outcome.cases[1].id


def test_ban_violation_without_mentor_opens_one_case():
    outcome = ban_violated(violation_id="v1", person="h", ban=10, occurred_on=D, confirmed_on=D,
                           joined=date(2015, 1, 1), mentor=None, suspension_id="s1",
                           case_ids=("k1", "k2"), already_suspended=True, left_team=False)
    assert outcome.suspension is None
    assert len(outcome.cases) == 1


@pytest.mark.parametrize("ban", [0, 11, True])
def test_ban_number_is_one_of_ten(ban):
    with pytest.raises(ValidationFailed) as err:
        ban_violated(violation_id="v", person="o", ban=ban, occurred_on=D, confirmed_on=D,
                     joined=date(2015, 1, 1), mentor=None, suspension_id="s",
                     case_ids=("a", "b"), already_suspended=False, left_team=False)
    assert err.value.field == "ban"


def test_ban_confirmed_before_it_occurred_is_refused():
    with pytest.raises(ValidationFailed) as err:
        ban_violated(violation_id="v", person="o", ban=1, occurred_on=D,
                     confirmed_on=date(2026, 2, 28), joined=date(2015, 1, 1), mentor=None,
                     suspension_id="s", case_ids=("a", "b"), already_suspended=False,
                     left_team=False)
    assert err.value.field == "confirmed_on"


def test_mentees_of_a_mentor_on_a_date():
    from services.roster.domain.mentoring import mentees_on
    pairs = [Pair("p1", "c", "o2", date(2026, 1, 1)),
             Pair("p2", "c", "o", date(2026, 1, 1), date(2026, 2, 28))]
    assert mentees_on(pairs, "c", date(2026, 2, 28)) == ["o", "o2"]
    assert mentees_on(pairs, "c", date(2026, 3, 1)) == ["o2"]


def test_suspended_mentor_stops_counting_from_that_day():
    pairs = [Pair("p1", "c", "o", date(2026, 1, 1))]
    spells = {"c": [Spell("x", "c", "suspension", date(2026, 3, 1), date(2026, 3, 31))]}
    counts, _team = _status_fns(spells)
    assert effective_mentor(pairs, "o", date(2026, 2, 28), counts) == "c"
    assert effective_mentor(pairs, "o", date(2026, 3, 1), counts) is None
    cuts = pairs_to_cut(pairs, "c", date(2026, 3, 1), date(2026, 3, 31))
    assert cuts[0][1].end == date(2026, 2, 28)   # explicit cut: not restored after the suspension
