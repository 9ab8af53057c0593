"""The policy table, enforced (shared/access.py): the decision for each kind of actor, with a small
read model standing in for a service's (issue 18 item 2)."""
import datetime as dt

import pytest

from shared import access, policy
from shared.errors import Forbidden, NotFound
from shared.identity import ALL_UNITS, Actor

#: city ─ k1 (committee) ─ a1 (agency) ─ s1 (section); city ─ k2 ─ a2
UNITS = {"city": ("committee", None), "k1": ("committee", "city"), "a1": ("agency", "k1"),
         "s1": ("section", "a1"), "k2": ("committee", "city"), "a2": ("agency", "k2"),
         "s2": ("section", "a2")}
#: person → [(start, agency, section, position)]
POSTS = {
    "o1": [("2020-01-01", "a1", "s1", "officer")],
    "c1": [("2020-01-01", "a1", "s1", "chief")],
    "l1": [("2020-01-01", "a1", None, "leader")],
    "l2": [("2020-01-01", "a2", None, "leader")],
    "h1": [("2020-01-01", "a1", None, "head")],
    "m1": [("2020-01-01", "k1", None, "leader")],       # a member of k1's committee
    "f0": [("2020-01-01", "city", None, "officer")],    # the city committee's office
    "o2": [("2020-01-01", "a2", "s2", "officer")],
    # o1's colleague promoted to leader of a1 on 2026-03-01
    "p1": [("2020-01-01", "a1", "s1", "officer"), ("2026-03-01", "a1", None, "leader")],
}
CAMPAIGNS = {"c-a1": "a1", "c-a2": "a2"}
#: person → the body evaluating him (M§五(二)3): a2's deputy "d2" is evaluated by a1, its 归口 unit
EVALUATORS = {"d2": "a1"}
POSTS["d2"] = [("2020-01-01", "a2", None, "leader")]
#: person → the day he left: no post from then on (g2 left a2; z9 left a unit the tree does not hold)
LEFT = {"g2": "2025-01-01", "z9": "2025-01-01"}
POSTS["g2"] = [("2020-01-01", "a2", "s2", "officer")]
POSTS["z9"] = [("2020-01-01", "zz", None, "officer")]
#: n2 is posted to a2 only from 2999 (before his first post he has no unit)
POSTS["n2"] = [("2999-01-01", "a2", "s2", "officer")]


#: a3 lay under k1 until 30 June 2025 and under k2 since (a dated tree: the resolver's ``day``)
MOVED = {"a3": [("1900-01-01", ("agency", "k1")), ("2025-07-01", ("agency", "k2"))]}


class Model(access.Resolver):
    def unit(self, unit_id):
        if unit_id in MOVED:
            day = self.day or dt.date.today()
            return [v for since, v in MOVED[unit_id] if dt.date.fromisoformat(since) <= day][-1]
        return UNITS.get(unit_id)

    def post_of(self, person_id, day):
        if person_id in LEFT and dt.date.fromisoformat(LEFT[person_id]) <= day:
            return None
        found = [p for p in POSTS.get(person_id, ()) if dt.date.fromisoformat(p[0]) <= day]
        return found[-1][1:] if found else None

    def last_post_of(self, person_id, day):
        posts = POSTS.get(person_id, ())
        found = [p for p in posts if dt.date.fromisoformat(p[0]) <= day] or list(posts[:1])
        return found[-1][1:] if found else None

    def owner_of_campaign(self, campaign_id):
        return CAMPAIGNS.get(campaign_id)

    def evaluator_of(self, person_id, day):
        return EVALUATORS.get(person_id)


def decide(op, actor, payload, **kw):
    return access.decide(op, actor, payload, Model(), **kw)


def refused(op, actor, payload, **kw) -> str:
    with pytest.raises(Forbidden) as err:
        decide(op, actor, payload, **kw)
    assert err.value.field == "actor"
    assert err.value.message.startswith(op)
    return err.value.message


def hidden(op, actor, campaign_id):
    """A campaign outside the actor's units answers exactly as a missing one (issue 19 item 5): the
    survey's NotFound, its message and field, not a Forbidden naming the rule."""
    with pytest.raises(NotFound) as err:
        decide(op, actor, {"campaign_id": campaign_id})
    missing = access.missing_campaign(campaign_id)
    assert (type(err.value), err.value.message, err.value.field) == (NotFound, missing.message, missing.field)
    assert (err.value.message, err.value.field) == (f"no campaign {campaign_id!r}", "campaign_id")


def person(pid):
    return Actor(pid, "person")


APPROVE = {"actor": "l1", "subject": "o1", "month": "2026-02", "as_of": "2026-03-03"}


def test_a_leader_approves_within_his_agency_and_not_in_another():
    assert decide("scoring.approve", person("l1"), APPROVE) == policy.LEADER
    # the boundary: a leader of a1 acting on a2's officer
    text = refused("scoring.approve", person("l1"), {**APPROVE, "subject": "o2"})
    assert "subject 'o2' lies outside" in text
    # the leader of a2 on a1's officer, likewise
    refused("scoring.approve", person("l2"), {**APPROVE, "actor": "l2"})


def test_the_body_that_evaluates_a_person_reaches_him_outside_its_units():
    """A leader of a deputy-division unit is evaluated by its 归口 unit's leading group, which lies
    elsewhere in the tree: that body's members act on him; other outsiders still may not."""
    on_d2 = {**APPROVE, "subject": "d2"}
    assert decide("scoring.approve", person("l1"), on_d2) == policy.LEADER      # a1 evaluates d2
    assert decide("scoring.name_helpers", person("l1"), {**on_d2, "helpers": []}) == policy.LEADER
    assert decide("scoring.approve", person("l2"), {**on_d2, "actor": "l2"}) == policy.LEADER  # his own unit
    text = refused("scoring.approve", person("l1"), {**APPROVE, "subject": "o2"})   # a2's officer: not a1's
    assert "subject 'o2' lies outside" in text


def test_an_officer_or_a_chief_may_not_approve_and_the_message_names_the_rule():
    text = refused("scoring.approve", person("o1"), {**APPROVE, "actor": "o1", "subject": "o1"})
    assert "(officer) may not" in text and "leader" in text
    refused("scoring.approve", person("c1"), {**APPROVE, "actor": "c1"})


def test_a_committee_member_covers_the_units_below_his_committee_only():
    assert decide("scoring.approve", person("m1"), {**APPROVE, "actor": "m1"}) == policy.COMMITTEE_MEMBER
    refused("scoring.approve", person("m1"), {**APPROVE, "actor": "m1", "subject": "o2"})


def test_roles_are_those_of_the_day_of_the_act():
    before = {"actor": "p1", "subject": "o1", "month": "2026-01", "as_of": "2026-02-10"}
    refused("scoring.approve", person("p1"), before)                      # an officer then
    assert decide("scoring.approve", person("p1"), {**before, "as_of": "2026-03-02"}) == policy.LEADER
    # a date after today is today
    assert access.day_of({"as_of": "2999-01-01"}) == dt.date.today()


def test_a_read_is_judged_by_today_s_roles_whatever_day_it_asks_about():
    # x1 led a2 until 2025-06-01, an officer of a1 since: dating a read back lends him nothing of a2
    POSTS["x1"] = [("2020-01-01", "a2", None, "leader"), ("2025-06-01", "a1", "s1", "officer")]
    try:
        for op, payload in (("roster.members_of", {"unit": "a2", "date": "2024-01-01"}),
                            ("scoring.followup_tasks", {"evaluator": "a2", "as_of": "2024-01-01"}),
                            ("scoring.overdue_evaluations", {"agency": "a2", "as_of": "2024-01-01"})):
            assert "lies outside" in refused(op, person("x1"), payload)
            assert decide(op, person("l2"), payload) == policy.LEADER           # a2's leader now
        # his unit of today, on any day asked (p1 led a1 only from 2026-03-01)
        assert decide("roster.members_of", person("x1"), {"unit": "a1", "date": "2021-01-01"}) == policy.OFFICER
        assert decide("roster.members_of", person("p1"), {"unit": "a1", "date": "2021-01-01"}) == policy.LEADER
        # a write stays judged by the roles of its day (the domain's own date checks apply)
        approve = {"actor": "x1", "subject": "o2", "month": "2024-01", "as_of": "2024-02-05"}
        assert decide("scoring.approve", person("x1"), approve) == policy.LEADER
        refused("scoring.approve", person("x1"), {**approve, "as_of": "2025-07-01"})
    finally:
        del POSTS["x1"]


def test_a_read_about_a_person_who_has_left_or_is_not_posted_yet_is_judged_by_his_last_or_first_unit():
    """A person with no post on the day (g2 left a2's s2; n2 is posted there only later) is the target
    of a read in that unit: read by who could read a member of it and the city's callers, by nobody
    else (before: by any reader)."""
    reads = (("scoring.person_history", {"person": "g2"}), ("scoring.explanation", {"subject": "g2"}),
             ("scoring.daily_logs_of", {"person": "g2", "month": "2024-12"}),
             ("training.results_of", {"person": "g2"}), ("training.certifications", {"person": "g2"}),
             ("training.allowances_of", {"person": "g2", "year": 2024}),
             ("scoring.person_history", {"person": "n2"}), ("training.results_of", {"person": "n2"}),
             ("scoring.person_history", {"person": "g2", "as_of": "2024-06-01"}))     # and while in post
    for op, payload in reads:
        for outsider in (person("o1"), person("l1"), person("h1"), person("m1"), Actor("sys-a1", "system", frozenset({"a1"}))):
            assert "lies outside" in refused(op, outsider, payload), (op, payload, outsider)
        for insider, role in ((person("l2"), policy.LEADER), (person("o2"), policy.OFFICER),
                              (person("f0"), policy.COMMITTEE_OFFICE),
                              (Actor("sys-a2", "system", frozenset({"a2"})), policy.SYSTEM),
                              (Actor("sys-k2", "system", frozenset({"k2"})), policy.SYSTEM),
                              (Actor("sys-city", "system", frozenset({"city"})), policy.SYSTEM)):
            assert decide(op, insider, payload) == role, (op, payload, insider)
        assert decide(op, person("a9"), payload, auditors=frozenset({"a9"})) == policy.AUDITOR
    assert decide("scoring.person_history", person("g2"), {"person": "g2"}) == "self"
    # his own roles are still today's: none (he reads nothing of a2's people any more)
    assert "may not" in refused("scoring.person_history", person("g2"), {"person": "o2"})
    # a last unit the tree does not hold: the city's callers only
    assert decide("scoring.person_history", person("f0"), {"person": "z9"}) == policy.COMMITTEE_OFFICE
    refused("scoring.person_history", person("l1"), {"person": "z9"})
    # a write about him is unchanged: about nobody's unit, refused but to the city's systems
    refused("training.record_result", Actor("sys-a2", "system", frozenset({"a2"})),
            {"person": "g2", "course": "x", "date": "2026-01-02", "score": 90})


def test_a_read_about_a_person_in_no_unit_is_the_city_s_and_his_own_only():
    """A person the service knows with no post at all and no unit on his record (u0), or one it does not
    know, lies in no unit: before, anyone verified read what the service keeps of him (the policy left
    the read to the service); now only the city's callers (its committee's office, a system of the root
    or of every unit, auditors, the operator, the services) and himself."""
    reads = (("scoring.person_history", {"person": "u0"}), ("scoring.explanation", {"subject": "u0"}),
             ("scoring.evaluation", {"subject": "u0", "month": "2026-02"}),
             ("scoring.daily_logs_of", {"person": "u0", "month": "2026-02"}),
             ("training.results_of", {"person": "u0"}), ("training.certifications", {"person": "u0"}),
             ("training.get_person", {"person": "u0"}), ("roster.get_staff", {"person": "u0"}),
             ("roster.cases_of", {"person": "u0", "as_of": "2025-01-01"}))
    for op, payload in reads:
        for outsider in (person("o1"), person("l1"), person("h1"), person("m1"), person("l2"),
                         Actor("sys-a1", "system", frozenset({"a1"})), Actor("sys-k2", "system", frozenset({"k2"})),
                         Actor("ps-office", "persons", frozenset({"a1"}))):
            assert "'u0' (in no unit here) lies outside" in refused(op, outsider, payload), (op, outsider)
        for insider, role in ((person("f0"), policy.COMMITTEE_OFFICE),
                              (Actor("sys-city", "system", frozenset({"city"})), policy.SYSTEM),
                              (Actor("sys-all", "system", ALL_UNITS), policy.SYSTEM)):
            assert decide(op, insider, payload) == role, (op, insider)
        assert decide(op, person("a9"), payload, auditors=frozenset({"a9"})) == policy.AUDITOR
        assert decide(op, Actor("ops", "operator"), payload) == policy.OPERATOR
        assert decide(op, Actor("gateway", "service"), payload) == "service:gateway"
    assert decide("scoring.person_history", person("u0"), {"person": "u0"}) == "self"
    # his own reads of others: he has no role anywhere
    assert "may not" in refused("scoring.person_history", person("u0"), {"person": "o1"})


def test_reads_answering_today_s_rows_are_judged_on_today_s_tree_whatever_day_they_ask_about():
    """The overdue evaluations, the unreviewed daily logs and the follow-up tasks answer today's rows
    (their ``as_of`` only says what is overdue): a3 moved from k1 to k2 on 1 July 2025, so k1's
    callers read none of them by dating the call back to when a3 was theirs; k2's do."""
    k1, k2 = Actor("sys-k1", "system", frozenset({"k1"})), Actor("sys-k2", "system", frozenset({"k2"}))
    for op, payload in (("scoring.overdue_evaluations", {"agency": "a3", "month": "2025-05", "as_of": "2025-06-20"}),
                        ("scoring.overdue_evaluations", {"agency": "a3", "as_of": "2025-06-20"}),
                        ("scoring.unreviewed_logs", {"agency": "a3", "as_of": "2025-06-20"}),
                        ("scoring.followup_tasks", {"evaluator": "a3", "as_of": "2025-06-20"})):
        assert "agency 'a3' lies outside" in refused(op, k1, payload) or "evaluator 'a3' lies outside" in \
            refused(op, k1, payload)
        refused(op, person("m1"), payload)                 # k1's committee member
        assert decide(op, k2, payload) == policy.SYSTEM
        assert decide(op, k1, {**payload, "agency": "a1"} if "agency" in payload else {**payload, "evaluator": "a1"}) \
            == policy.SYSTEM
    # a read whose answer is of the day it names is still judged on that day's tree (a3's members then)
    assert decide("roster.members_of", k1, {"unit": "a3", "date": "2025-01-01"}) == policy.SYSTEM
    refused("roster.members_of", k1, {"unit": "a3"})


def test_a_dated_inbox_is_judged_on_the_day_it_names_and_today_its_own_person_included():
    """``scoring.waiting_for`` answers the evaluations waiting today for the leading group the person sat
    in on its ``as_of``: w1 led a2 until 31 May 2025 and leads a1 since, so dated back he (or a1's
    callers) would read a2's evaluations of today, and a2's callers his a1 mentees' logs. Dated, it is
    judged on that day and today, without the own-read pass (fails on the code before: "self" for w1,
    sys-a1 and sys-a2 allowed); undated, or dated within his post of today, as before."""
    POSTS["w1"] = [("2020-01-01", "a2", None, "leader"), ("2025-06-01", "a1", None, "leader")]
    POSTS["w2"] = [("2020-01-01", "a1", "s1", "officer"), ("2999-01-01", "a2", "s2", "officer")]
    sys_a1, sys_a2 = Actor("sys-a1", "system", frozenset({"a1"})), Actor("sys-a2", "system", frozenset({"a2"}))
    try:
        dated = {"person": "w1", "as_of": "2025-03-02"}
        for caller in (person("w1"), sys_a1, sys_a2, person("l2"), person("l1")):
            assert "lies outside" in refused("scoring.waiting_for", caller, dated), caller
        assert decide("scoring.waiting_for", person("w1"), {"person": "w1"}) == "self"
        assert decide("scoring.waiting_for", sys_a1, {"person": "w1"}) == policy.SYSTEM
        refused("scoring.waiting_for", sys_a2, {"person": "w1"})
        # within his post of today: judged by his roles (the own-read pass is for today's date)
        assert decide("scoring.waiting_for", person("w1"), {"person": "w1", "as_of": "2025-07-01"}) == policy.LEADER
        assert decide("scoring.waiting_for", sys_a1, {"person": "w1", "as_of": "2025-07-01"}) == policy.SYSTEM
        for caller in (Actor("sys-city", "system", frozenset({"city"})), Actor("all", "system", ALL_UNITS),
                       person("f0")):
            assert decide("scoring.waiting_for", caller, dated) in (policy.SYSTEM, policy.COMMITTEE_OFFICE)
        # a future day (not bounded to today here): w2 is a2's from 2999, a1's today
        future = {"person": "w2", "as_of": "2999-06-01"}
        for caller in (sys_a1, sys_a2, person("w2")):
            assert "lies outside" in refused("scoring.waiting_for", caller, future), caller
        assert decide("scoring.waiting_for", sys_a1, {"person": "w2"}) == policy.SYSTEM
        # other reads about a person keep the day they ask about (the read is of that day)
        assert decide("roster.mentees_of", sys_a2, {"person": "w1", "date": "2025-03-02"}) == policy.SYSTEM
    finally:
        del POSTS["w1"], POSTS["w2"]


def test_a_committee_s_board_dated_to_another_day_is_the_city_s():
    """``scoring.committee_board`` lists the agencies under the committee in the tree of its ``as_of``,
    each with its latest rating: k1 dating its board back to when a3 was its own would read a3's ratings
    published since it moved to k2. Dated to another day than today it is about the whole city (fails on
    the code before: k1's callers allowed); of today, or undated, k1's own as before."""
    k1, city = Actor("sys-k1", "system", frozenset({"k1"})), Actor("sys-city", "system", frozenset({"city"}))
    today = dt.date.today().isoformat()
    for payload in ({"committee": "k1", "as_of": "2025-06-20"}, {"committee": "k1", "as_of": "2999-01-01"},
                    {"committee": "k1", "month": "2025-05", "as_of": "2025-06-20"}):
        assert "the whole city" in refused("scoring.committee_board", k1, payload)
        refused("scoring.committee_board", person("m1"), payload)          # k1's committee member
        assert decide("scoring.committee_board", city, payload) == policy.SYSTEM
        assert decide("scoring.committee_board", person("f0"), payload) == policy.COMMITTEE_OFFICE
    for payload in ({"committee": "k1"}, {"committee": "k1", "as_of": today}, {"committee": "k1", "month": "2025-05"}):
        assert decide("scoring.committee_board", k1, payload) == policy.SYSTEM
        assert decide("scoring.committee_board", person("m1"), payload) == policy.COMMITTEE_MEMBER
    refused("scoring.committee_board", k1, {"committee": "k2"})


TARGETS = ("roster.targets", "scoring.targets", "survey.targets", "training.targets")


def test_the_owners_targets_dated_to_another_day_are_the_city_s():
    """Each owner's ``targets`` answers for the agencies under the committee (or the agency) in its tree of
    ``as_of``, and not only from what was known then (the survey counts the forms of closed campaigns
    still arriving, an officer in the agency of the period's last day): k1 dating its targets back to when
    a3 was its own read a3's figures of the half-year it served under k2. Dated to another day than today
    they are about the whole city (fails on the code before: k1's callers allowed); of today, or undated
    (the console's board sends none), k1's own as before."""
    k1, city = Actor("sys-k1", "system", frozenset({"k1"})), Actor("sys-city", "system", frozenset({"city"}))
    today = dt.date.today().isoformat()
    for op in TARGETS:
        for payload in ({"committee": "k1", "as_of": "2025-06-20"}, {"agency": "a3", "as_of": "2025-06-20"},
                        {"committee": "k1", "year": 2025, "as_of": "2025-06-30"},
                        {"agency": "a1", "as_of": "2999-01-01"}):
            assert "the whole city" in refused(op, k1, payload), (op, payload)
            refused(op, person("m1"), payload)                         # k1's committee member
            refused(op, Actor("sys-a1", "system", frozenset({"a1"})), payload)
            assert decide(op, city, payload) == policy.SYSTEM
            assert decide(op, person("f0"), payload) == policy.COMMITTEE_OFFICE
            assert decide(op, Actor("ops", "operator"), payload) == policy.OPERATOR
        for payload in ({"committee": "k1"}, {"committee": "k1", "as_of": today}, {"committee": "k1", "year": 2025},
                        {"agency": "a1", "year": 2025}):
            assert decide(op, k1, payload) == policy.SYSTEM, (op, payload)
            assert decide(op, person("m1"), payload) == policy.COMMITTEE_MEMBER
        refused(op, k1, {"committee": "k2"})
        refused(op, k1, {"agency": "a3"})                              # a3 is k2's today
        refused(op, k1, {})                                            # the whole city


def test_a_dated_rotation_report_is_judged_on_its_day_s_tree_and_today_s_roles():
    """``training.rotation_report`` lists the people in the unit on its day (``as_of``, not after the year's
    end) with their results up to that day only (``rotation_status`` drops later ones): an answer of that
    day, as a unit's members on a date, so it is judged on that day's tree (k1 reads a3 of when a3 was its
    own, nothing of a3 since; k2 a3 of today), by today's roles (a leader who left a2 reads nothing of it
    by dating the report back), and undated it is the city's. Pins: passes on the code before."""
    k1, k2 = Actor("sys-k1", "system", frozenset({"k1"})), Actor("sys-k2", "system", frozenset({"k2"}))
    op = "training.rotation_report"
    then, now = {"year": 2025, "unit_id": "a3", "as_of": "2025-06-20"}, {"year": 2025, "unit_id": "a3"}
    assert decide(op, k1, then) == policy.SYSTEM
    assert "unit_id 'a3' lies outside" in refused(op, k2, then)
    assert "unit_id 'a3' lies outside" in refused(op, k1, now)
    assert decide(op, k2, now) == policy.SYSTEM
    assert "the whole city" in refused(op, k1, {"year": 2025, "as_of": "2025-06-20"})
    assert decide(op, Actor("sys-city", "system", frozenset({"city"})), {"year": 2025}) == policy.SYSTEM
    POSTS["x1"] = [("2020-01-01", "a2", None, "leader"), ("2025-06-01", "a1", "s1", "officer")]
    try:
        assert "lies outside" in refused(op, person("x1"), {"year": 2024, "unit_id": "a2", "as_of": "2024-06-01"})
        assert decide(op, person("l2"), {"year": 2024, "unit_id": "a2", "as_of": "2024-06-01"}) == policy.LEADER
        assert decide(op, person("x1"), {"year": 2024, "unit_id": "s1", "as_of": "2024-06-01"}) == policy.OFFICER
    finally:
        del POSTS["x1"]


def test_a_person_acts_only_as_themself_even_inside_a_batch():
    batch = {"items": [{"actor": "l1", "subject": "o1", "month": "2026-02"},
                       {"actor": "h1", "subject": "c1", "month": "2026-02"}]}
    assert "may not act as h1" in refused("scoring.approve_batch", person("l1"), batch)
    own = {"logs": [{"person": "o1", "date": "2026-03-05", "text": "x"},
                    {"person": "o2", "date": "2026-03-05", "text": "y"}]}
    assert "writes only their own" in refused("scoring.write_daily_logs", person("o1"), own)
    assert decide("scoring.write_daily_logs", person("o1"), {"logs": own["logs"][:1]}) == policy.OFFICER


def test_an_auditor_reads_everything_and_writes_nothing():
    auditors = frozenset({"aud"})
    assert decide("scoring.evaluation", person("aud"), {"subject": "o2", "month": "2026-02"},
                  auditors=auditors) == policy.AUDITOR
    assert decide("rewards.reconcile", person("aud"), {}, auditors=auditors) == policy.AUDITOR
    for op in ("scoring.approve", "survey.submit_form", "rewards.set_schedule"):
        assert "reads only" in refused(op, person("aud"), {"actor": "aud", "subject": "o1"},
                                       auditors=auditors)


def test_reads_by_any_role_within_units():
    assert decide("scoring.evaluation", person("o1"), {"subject": "o1", "month": "2026-02"}) == "self"
    assert decide("scoring.evaluation", person("o1"), {"subject": "c1", "month": "2026-02"}) == policy.OFFICER
    refused("scoring.evaluation", person("o1"), {"subject": "o2", "month": "2026-02"})
    assert decide("roster.members_of", person("o1"), {"unit": "s1"}) == policy.OFFICER
    refused("roster.members_of", person("o1"), {"unit": "s2"})
    assert decide("survey.get_campaign", Actor("k1", "system", {"k1"}), {"campaign_id": "c-a1"})
    hidden("survey.get_campaign", Actor("k1", "system", {"k1"}), "c-a2")
    # a read about a person the service does not know (in no unit) is the city's callers' only: a unit's
    # caller is refused as for one outside its units (it cannot tell the two apart); the city's gets the
    # service's NotFound
    refused("scoring.evaluation", Actor("k1", "system", {"k1"}), {"subject": "nobody"})
    assert decide("scoring.evaluation", Actor("city", "system", {"city"}), {"subject": "nobody"})
    # a person the service knows nothing of has no role: not even a read, except about themself
    refused("scoring.evaluation", person("stranger"), {"subject": "o1"})
    assert decide("roster.get_staff", person("stranger"), {"person": "stranger"}) == "self"
    refused("roster.get_staff", person("stranger"), {"person": "o1"})


def test_a_calling_system_writes_only_within_its_units():
    k1 = Actor("k1-sys", "system", {"k1"})
    assert decide("survey.create_campaign", k1, {"owner": "a1"}) == policy.SYSTEM   # below k1
    assert "owner 'a2' lies outside" in refused("survey.create_campaign", k1, {"owner": "a2"})
    assert decide("survey.submit_form", k1, {"campaign_id": "c-a1"}) == policy.SYSTEM
    hidden("survey.submit_form", k1, "c-a2")
    refused("scoring.record_honours", k1, {"honours": [{"subject": "o1"}, {"subject": "o2"}]})
    # a write about a person unknown here is not within its units; an unknown campaign is the service's
    # NotFound
    assert "unknown here" in refused("scoring.record_honours", k1, {"honours": [{"subject": "nobody"}]})
    assert decide("survey.submit_form", k1, {"campaign_id": "c-none"}) == policy.SYSTEM
    # not its role at all
    refused("scoring.run_rating", k1, {"scope": "a1"})
    # the whole city: only a system of every unit (or of the root)
    refused("roster.save_units", Actor("k1-sys", "system", {"k1"}), {"units": []})
    everywhere = Actor("city-sys", "system", ALL_UNITS)
    assert decide("scoring.record_honours", everywhere, {"honours": [{"subject": "o2"}]}) == policy.SYSTEM


def test_a_system_acting_for_persons_covers_them_and_their_subjects():
    office = Actor("k1-office", "persons", {"k1"})
    payload = {"actor": "o1", "subject": "o1", "month": "2026-02"}
    assert decide("scoring.submit_self_assessment", office, payload) == policy.PERSONS
    assert "actor 'o2'" in refused("scoring.submit_self_assessment", office,
                                   {**payload, "actor": "o2", "subject": "o1"})
    refused("scoring.submit_self_assessment", office, {**payload, "actor": "o2", "subject": "o2"})
    refused("scoring.run_rating", office, {"actor": "o1", "scope": "a1"})


def test_services_and_operators_by_their_roles():
    assert decide("scoring.upsert_people", Actor("roster", "service", ALL_UNITS), {}) == "service:roster"
    assert "service survey" in refused("scoring.upsert_people", Actor("survey", "service", ALL_UNITS), {})
    assert "service gateway" in refused("scoring.public_object", Actor("gateway", "service", ALL_UNITS), {})
    assert decide("rewards.settle", Actor("ops", "operator", ALL_UNITS), {}) == policy.OPERATOR
    refused("rewards.settle", Actor("scoring", "service", ALL_UNITS), {})
    # every service reads
    assert decide("survey.get_rates", Actor("scoring", "service", ALL_UNITS), {"campaign_id": "c-a2"})


def test_an_rpc_missing_from_the_table_is_refused_by_name():
    for actor in (Actor("ops", "operator", ALL_UNITS), person("h1"), Actor("roster", "service", ALL_UNITS)):
        text = refused("scoring.drop_everything", actor, {})
        assert "not in the policy table" in text


def test_payload_paths():
    payload = {"items": [{"subject": "a"}, {"subject": "b"}, {"x": 1}], "unit": "u"}
    assert access.values_at(payload, "items[].subject") == ["a", "b"]
    assert access.values_at(payload, "unit") == ["u"]
    assert access.values_at(payload, "missing[].x") == []
    assert access.named_actors({"actor": "a", "items": [{"actor": "b"}, {"actor": None}], "n": 1}) == ["a", "b"]
    assert access.auditors_of({"AUDITORS": "a, b,"}) == {"a", "b"}
    assert access.auditors_of({}) == frozenset()


#: what the gateway's public pages may call: written out again, independently of the table
PUBLIC_ROWS = {"scoring.public_notice", "scoring.public_period_notice", "scoring.public_object",
               "survey.get_campaign", "survey.get_questionnaire", "survey.campaign_subjects",
               "survey.submit_form"}


@pytest.mark.parametrize("op", sorted(policy.TABLE))
def test_the_public_may_call_only_its_rows_reads_included(op):
    public = Actor("gateway", "public")
    if op in PUBLIC_ROWS:
        assert decide(op, public, {}) == policy.PUBLIC
    else:
        message = refused(op, public, {})
        assert message.startswith(f"{op}:") and "public gateway" in message


def test_no_other_role_takes_the_publics_place():
    assert {op for op, r in policy.TABLE.items() if policy.PUBLIC in r.roles} == PUBLIC_ROWS
    assert policy.PUBLIC not in policy.READERS
    assert "service gateway" in refused("survey.submit_form", Actor("gateway", "service", ALL_UNITS),
                                        {"campaign_id": "c-a1"})


def test_the_city_wide_reports_and_tasks_are_read_by_the_city_only():
    """Training's frontline, central-group and pass-rate reports and rewards' tasks cover every unit:
    read by a system of the city (a root unit, or every unit), the city committee's staff, an auditor,
    the operator and the services; a county's system, a county committee's member or an agency's
    officer is refused naming the whole city (before, every verified actor read them)."""
    for op in ("training.frontline_report", "training.central_group_report", "training.pass_rate",
               "rewards.tasks"):      # rewards.tasks naming no paying unit
        assert decide(op, Actor("city-sys", "system", {"city"}), {}) == policy.SYSTEM
        assert decide(op, Actor("city-sys", "system", ALL_UNITS), {}) == policy.SYSTEM
        assert decide(op, person("f0"), {}) == policy.COMMITTEE_OFFICE
        assert decide(op, person("aud"), {}, auditors=frozenset({"aud"})) == policy.AUDITOR
        assert decide(op, Actor("ops", "operator", ALL_UNITS), {}) == policy.OPERATOR
        for actor in (Actor("k1-sys", "system", {"k1"}), person("m1"), person("o1")):
            assert "the whole city" in refused(op, actor, {})


def test_the_targets_are_read_per_committee_and_the_whole_citys_by_the_city_only():
    """Each owner's ``targets`` (M§一) naming neither an agency nor a committee answers every agency of
    the city: read by the city's callers only (a system of the root or of every unit, the city
    committee's office, an auditor, the operator); a county's system, a county committee's office or
    member, an agency's staff is refused naming the whole city.  A county reads its own by naming its
    committee (the board of its office does); another county's committee is refused, naming it, like
    any unit outside one's units (the table's convention: a campaign alone answers as a missing one)."""
    k1_office = {"k1o": [("2020-01-01", "k1", None, "officer")]}
    POSTS.update(k1_office)
    try:
        assert decide("roster.targets", person("k1o"), {"committee": "k1"}) == policy.COMMITTEE_OFFICE
        for op in ("roster.targets", "scoring.targets", "survey.targets", "training.targets"):
            city_wide = {"year": 2026}
            assert decide(op, Actor("city-sys", "system", {"city"}), city_wide) == policy.SYSTEM
            assert decide(op, Actor("all-sys", "system", ALL_UNITS), city_wide) == policy.SYSTEM
            assert decide(op, person("f0"), city_wide) == policy.COMMITTEE_OFFICE
            assert decide(op, person("aud"), city_wide, auditors=frozenset({"aud"})) == policy.AUDITOR
            assert decide(op, Actor("ops", "operator", ALL_UNITS), city_wide) == policy.OPERATOR
            for actor in (Actor("k1-sys", "system", {"k1"}), person("k1o"), person("m1"), person("l1")):
                assert "the whole city" in refused(op, actor, city_wide)
            # one's own committee, or one of its agencies
            own = {"year": 2026, "committee": "k1"}
            assert decide(op, person("k1o"), own) == policy.COMMITTEE_OFFICE
            assert decide(op, person("m1"), own) == policy.COMMITTEE_MEMBER
            assert decide(op, Actor("k1-sys", "system", {"k1"}), own) == policy.SYSTEM
            assert decide(op, person("f0"), own) == policy.COMMITTEE_OFFICE
            assert decide(op, person("k1o"), {"year": 2026, "agency": "a1"}) == policy.COMMITTEE_OFFICE
            # another county's committee or agency: refused, naming it
            for payload, named in (({"year": 2026, "committee": "k2"}, "committee 'k2'"),
                                   ({"year": 2026, "agency": "a2"}, "agency 'a2'"),
                                   ({"year": 2026, "agency": "a1", "committee": "k2"}, "committee 'k2'")):
                for actor in (person("k1o"), Actor("k1-sys", "system", {"k1"})):
                    assert f"{named} lies outside" in refused(op, actor, payload)
            # an agency's staff: its own agency, not its committee
            assert decide(op, person("l1"), {"agency": "a1"}) == policy.LEADER
            assert "committee 'k1' lies outside" in refused(op, person("l1"), {"committee": "k1"})
    finally:
        for pid in k1_office:
            POSTS.pop(pid)


def test_one_agencys_tasks_are_read_within_ones_units():
    """rewards.tasks naming a paying unit is about that unit: read by a system, a committee or the
    staff whose units hold it, refused (naming it) to another county's."""
    one = {"paying_unit": "a1"}
    assert decide("rewards.tasks", Actor("k1-sys", "system", {"k1"}), one) == policy.SYSTEM
    assert decide("rewards.tasks", person("m1"), one) == policy.COMMITTEE_MEMBER
    assert decide("rewards.tasks", person("o1"), one) == policy.OFFICER
    for actor in (Actor("k2-sys", "system", {"k2"}), person("l2")):
        assert "paying_unit 'a1' lies outside" in refused("rewards.tasks", actor, one)


def test_an_old_name_of_an_id_is_checked_as_its_name_now():
    """``person_id`` (training's name until #17, read for one release) reaches the same decision as
    ``person``: an old name is no way around the policy."""
    on_o1 = {"person": "o1", "as_of": "2026-03-03", "year": 2026}
    assert decide("training.allowances_of", person("l1"), on_o1) == policy.LEADER
    assert decide("training.allowances_of", person("l1"), {"person_id": "o1", "as_of": "2026-03-03",
                                                           "year": 2026}) == policy.LEADER
    for payload in ({"person": "o2", "as_of": "2026-03-03", "year": 2026},
                    {"person_id": "o2", "as_of": "2026-03-03", "year": 2026}):
        assert "lies outside" in refused("training.allowances_of", person("l1"), payload)
    study = {"entries": [{"person_id": "o1", "date": "2026-03-02"}, {"person_id": "o2", "date": "2026-03-02"}]}
    assert "lies outside" in refused("training.record_study", person("l1"), study)


def test_a_targets_answer_is_kept_to_the_committee_named():
    """``shared.access.targets_within``, which each owner's ``targets`` applies: the units under the
    committee (itself included) in the service's own tree of the answer's day, no city row; the answer
    as it is when no committee is named; a committee the service does not know: NotFound."""
    rows = [{"target": "t", "agency": a, "value": 1} for a in ("a1", "a2", "k1", "k2", "city", "gone")]
    answer = {"year": 2026, "as_of": "2026-03-03", "targets": rows}
    assert access.targets_within(answer, {"agency": None, "committee": None}, Model()) is answer
    resolver = Model()
    kept = access.targets_within(answer, {"committee": "k1"}, resolver)
    assert [t["agency"] for t in kept["targets"]] == ["a1", "k1"]
    assert resolver.day == dt.date(2026, 3, 3)
    assert [t["agency"] for t in access.targets_within(answer, {"committee": "k2"}, Model())["targets"]] == ["a2", "k2"]
    assert [t["agency"] for t in access.targets_within(answer, {"committee": "city"}, Model())["targets"]] == [
        "a1", "a2", "k1", "k2"]
    with pytest.raises(NotFound) as err:
        access.targets_within(answer, {"committee": "k9"}, Model())
    assert err.value.field == "committee"


class Counting(Model):
    """The model, counting what the decision reads of it."""

    def __init__(self):
        super().__init__()
        self.units_read, self.bodies_read = [], []

    def unit(self, unit_id):
        self.units_read.append(unit_id)
        return super().unit(unit_id)

    def evaluator_of(self, person_id, day):
        self.bodies_read.append(person_id)
        return super().evaluator_of(person_id, day)


def test_the_tree_is_read_upwards_only_as_far_as_the_callers_unit_and_the_body_only_when_needed():
    """Reading less changes no decision: a system of a1 reading o1's evaluation finds a1 as the
    parent of o1's section and reads nothing above it, nor the body evaluating o1; one of k2 reads
    the whole way up (and is refused); d2, outside a1, is reached through the body evaluating him."""
    read = {"subject": "o1", "month": "2026-02", "as_of": "2026-03-03"}
    model = Counting()
    assert access.decide("scoring.evaluation", Actor("a1", "system", {"a1"}), read, model) == policy.SYSTEM
    assert model.units_read == ["s1"] and model.bodies_read == []
    model = Counting()
    with pytest.raises(Forbidden):
        access.decide("scoring.evaluation", Actor("k2", "system", {"k2"}), read, model)
    assert model.units_read == ["s1", "a1", "k1", "city"] and model.bodies_read == ["o1"]
    model = Counting()
    assert access.decide("scoring.evaluation", Actor("a1", "system", {"a1"}), {**read, "subject": "d2"},
                         model) == policy.SYSTEM
    assert model.bodies_read == ["d2"]


def test_the_overdue_daily_logs_are_read_within_the_callers_units_or_the_whole_city_by_the_citys_only():
    """``scoring.unreviewed_logs`` answers every overdue log of the agency it names, or of the whole city
    when it names none (the service does not narrow it to the caller's units): a system of a2, or a2's
    leader, reading a1's or everyone's was allowed while the row looked only at an optional mentor."""
    for actor in (Actor("k2", "system", {"a2"}), person("l2")):
        assert "agency 'a1'" in refused("scoring.unreviewed_logs", actor, {"agency": "a1", "as_of": "2026-03-03"})
        assert "the whole city" in refused("scoring.unreviewed_logs", actor, {"as_of": "2026-03-03"})
        assert "the whole city" in refused("scoring.unreviewed_logs", actor, {"mentor": "o2", "as_of": "2026-03-03"})
        assert decide("scoring.unreviewed_logs", actor, {"agency": "a2", "mentor": "o2", "as_of": "2026-03-03"})
    assert decide("scoring.unreviewed_logs", Actor("city", "system", {"city"}), {"as_of": "2026-03-03"})


#: the reads whose service answers every unit's rows when their field is absent: about the units (or
#: persons) they name, else the whole city — found by an audit of every read row on 29 Nov 2026
CITY_WHEN_ABSENT = {
    "roster.mentoring_coverage": "unit", "roster.discipline_facts": "agency",
    "scoring.overdue_evaluations": "agency", "scoring.rectifications": "evaluator", "scoring.snapshot": "scope",
    "scoring.referrals": "evaluator", "scoring.referrals_export": "evaluator",
    "scoring.poor_followups": "evaluator", "scoring.followup_tasks": "evaluator",
    "scoring.recognition_results": "owner", "scoring.unreviewed_logs": "agency",
    "training.study_report": "unit_id", "training.rotation_report": "unit_id",
    "rewards.ledger": "paying_unit", "rewards.schedules": "agency",
}


@pytest.mark.parametrize("op, field", sorted(CITY_WHEN_ABSENT.items()))
def test_a_read_that_names_no_unit_is_the_whole_citys_and_a_county_reads_only_its_own(op, field):
    day = {"as_of": "2026-03-03"}
    for actor in (Actor("k2", "system", {"a2"}), person("l2")):
        assert "the whole city" in refused(op, actor, day)
        assert f"{field} 'a1'" in refused(op, actor, {**day, field: "a1"})
        assert decide(op, actor, {**day, field: "a2"})
    assert decide(op, Actor("city", "system", {"city"}), day)


def test_certifications_name_a_person_else_they_are_the_whole_citys():
    day = {"as_of": "2026-03-03"}
    k2 = Actor("k2", "system", {"a2"})
    assert "the whole city" in refused("training.certifications", k2, day)
    assert "person 'o1'" in refused("training.certifications", k2, {**day, "person": "o1"})
    assert decide("training.certifications", k2, {**day, "person": "o2"})
