"""The roster through real RPC on the embedded transport (SPEC §2)."""
import pytest

from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.waiting import wait_for  # noqa: E402,F401

pytestmark = pytest.mark.timeout(90)


def chain(rpc, start="2026-01-01"):
    rpc.roster.assign_mentor({"mentor": "h", "mentee": "l", "start": start})
    rpc.roster.assign_mentor({"mentor": "l", "mentee": "c", "start": start})
    rpc.roster.assign_mentor({"mentor": "c", "mentee": "o1", "start": start})
    rpc.roster.assign_mentor({"mentor": "c", "mentee": "o2", "start": start})


def test_units_and_staff_are_saved_once(roster):
    with roster.rpc() as rpc:
        again = rpc.roster.create_staff({"staff": [{"id": "o1", "name": "干警1", "unit": "c_ps_s1",
                                                    "position": "officer",
                                                    "joined": "2020-01-01"}]})
        assert (again["created"], again["unchanged"]) == (0, 1)
        units = rpc.roster.save_units({"units": [{"id": "c_ps_s1", "name": "刑侦大队",
                                                  "kind": "section", "parent": "c_ps"}]})
        assert units["unchanged"] == 1
        staff = rpc.roster.get_staff({"person": "o1"})
        assert (staff["agency"], staff["section"]) == ("c_ps", "c_ps_s1")


def test_bad_input_names_the_field_and_writes_nothing(roster):
    with roster.rpc() as rpc:
        with pytest.raises(NotFound) as err:
            rpc.roster.create_staff({"staff": [
                {"id": "n1", "name": "x", "unit": "c_ps_s1", "position": "officer",
                 "joined": "2021-01-01"},
                {"id": "n2", "name": "y", "unit": "nowhere", "position": "officer",
                 "joined": "2021-01-01"}]})
        assert err.value.field == "staff[1].unit"
        with pytest.raises(NotFound):
            rpc.roster.get_staff({"person": "n1"})
        with pytest.raises(Conflict) as err:
            rpc.roster.create_staff({"staff": [{"id": "o1", "name": "干警1", "unit": "c_ps_s2",
                                                "position": "officer", "joined": "2020-01-01"}]})
        assert err.value.field == "staff[0].unit"
        with pytest.raises(ValidationFailed) as err:
            rpc.roster.mentor_of({"person": "o1", "date": "2026-02-30"})
        assert err.value.field == "date"
        with pytest.raises(ValidationFailed) as err:
            rpc.roster.record_spell({"person": "o1", "kind": "leave", "leave_kind": "sick",
                                     "start": "2026-01-01", "colour": "red"})
        assert err.value.field == "colour"


def test_overlapping_spells_are_refused(roster):
    with roster.rpc() as rpc:
        rpc.roster.record_spell({"person": "o1", "kind": "leave", "leave_kind": "sick",
                                 "start": "2026-01-01", "end": "2026-01-31"})
        with pytest.raises(Conflict) as err:
            rpc.roster.record_spell({"person": "o1", "kind": "leave", "leave_kind": "personal",
                                     "start": "2026-01-20", "end": "2026-02-10"})
        assert err.value.field == "start"
        assert len(rpc.roster.spells_of({"person": "o1"})["spells"]) == 1


def test_mentor_outside_the_chain_is_refused(roster):
    with roster.rpc() as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.roster.assign_mentor({"mentor": "c2", "mentee": "o1", "start": "2026-01-01"})
        assert err.value.field == "mentor"
        with pytest.raises(Forbidden):
            rpc.roster.assign_mentor({"mentor": "l2", "mentee": "c", "start": "2026-01-01"})
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-01-02"})["mentor"] is None


def test_assign_reassign_and_mentees(roster):
    with roster.rpc() as rpc:
        chain(rpc)
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-01-01"})["mentor"] == "c"
        assert rpc.roster.mentees_of({"person": "c", "date": "2026-03-01"})["mentees"] == \
            ["o1", "o2"]
        with pytest.raises(Conflict):
            rpc.roster.assign_mentor({"mentor": "c", "mentee": "o1", "start": "2026-02-01"})
        rpc.roster.create_staff({"staff": [{"id": "c3", "name": "副大队长", "unit": "c_ps_s1",
                                            "position": "chief", "joined": "2012-01-01"}]})
        out = rpc.roster.reassign_mentor({"mentor": "c3", "mentee": "o1", "start": "2026-02-01"})
        assert out["unassigned"][0]["end"] == "2026-01-31"
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-01-31"})["mentor"] == "c"
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-02-01"})["mentor"] == "c3"


def test_coverage_after_mentor_leaves(roster):
    with roster.rpc() as rpc:
        chain(rpc)
        before = rpc.roster.mentoring_coverage({"date": "2026-03-01", "unit": "c_ps"})
        assert before["officer"] == {"total": 3, "covered": 2, "share": "0.6667",
                                     "without": ["o3"]}
        out = rpc.roster.record_spell({"person": "c", "kind": "transferred_out",
                                       "start": "2026-04-01"})
        assert {(u["mentor"], u["mentee"], u["reason"]) for u in out["unassigned"]} == {
            ("c", "o1", "mentor_left"), ("c", "o2", "mentor_left"), ("l", "c", "mentee_left")}
        after = rpc.roster.mentoring_coverage({"date": "2026-04-01", "unit": "c_ps"})
        assert after["officer"]["without"] == ["o1", "o2", "o3"]
        assert after["officer"]["share"] == "0.0000"
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-04-01"})["mentor"] is None
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-03-31"})["mentor"] == "c"
        members = rpc.roster.members_of({"unit": "c_ps_s1", "date": "2026-04-01"})
        assert [m["id"] for m in members["members"]] == ["o1", "o2"]


def test_ban_violation_suspends_and_opens_cases(roster):
    with roster.rpc() as rpc:
        chain(rpc)
        out = rpc.roster.record_ban_violation({"person": "o1", "ban": 7,
                                               "occurred_on": "2026-05-02",
                                               "confirmed_on": "2026-05-10"})
        assert out["suspension"]["start"] == "2026-05-10"
        assert [(k["person"], k["role"]) for k in out["cases"]] == [("o1", "violator"),
                                                                     ("c", "mentor")]
        mentor_case = rpc.roster.cases_of({"person": "c"})["cases"]
        assert mentor_case[0]["id"] == out["cases"][1]["id"]
        assert mentor_case[0]["violator"] == "o1"
        people = rpc.roster.people_of_agency({"agency": "c_ps", "date": "2026-05-10"})
        o1 = next(p for p in people["people"] if p["id"] == "o1")
        assert o1["status"] == "suspended"
        # a suspended chief stops mentoring at once
        rpc.roster.record_ban_violation({"person": "c", "ban": 2, "occurred_on": "2026-06-01",
                                         "confirmed_on": "2026-06-01"})
        cov = rpc.roster.mentoring_coverage({"date": "2026-06-01", "unit": "c_ps_s1"})
        assert cov["officer"]["covered"] == 0


def test_evaluator_rules_over_rpc(roster):
    with roster.rpc() as rpc:
        def group(pid, day="2026-03-01"):
            return rpc.roster.evaluator_of({"person": pid, "date": day})["group"]
        assert group("h") == "city"          # county public-security chief
        assert group("l2") == "city"         # political commissar
        assert group("l") == "cnty"          # other county leader
        assert group("jh") == "cnty"         # county justice-bureau head
        assert group("ml") == "city"         # leader of a division-rank city unit
        assert group("dh") == "city"         # head of a deputy-division unit
        assert group("dl") == "m_just"       # other leader of it: the 归口 unit
        assert group("o1") == "c_ps"
        assert rpc.roster.evaluator_of_section({"unit": "c_ps_s1"})["group"] == "c_ps"


def test_secondment_switch_at_six_months_over_rpc(roster):
    with roster.rpc() as rpc:
        rpc.roster.record_spell({"person": "o1", "kind": "secondment", "start": "2026-08-31",
                                 "host_unit": "m_ps_s1"})
        short = rpc.roster.evaluator_of({"person": "o1", "date": "2027-02-27"})
        assert short["group"] == "c_ps"
        assert short["six_month_mark"] == "2027-02-28"
        assert rpc.roster.evaluator_of({"person": "o1", "date": "2027-02-28"})["group"] == "m_ps"


def test_change_of_section_cuts_the_pair(roster):
    with roster.rpc() as rpc:
        chain(rpc)
        out = rpc.roster.change_staff({"person": "o1", "unit": "c_ps_s2", "effective": "2026-03-01"})
        assert out["unassigned"][0]["reason"] == "chain_broken"
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-03-01"})["mentor"] is None


def test_refresh_metrics_reports_coverage_per_agency(roster):
    with roster.rpc() as rpc:
        chain(rpc, start="2020-01-01")
        figures = rpc.roster.refresh_metrics()
        assert figures["coverage"]["c_ps"] == "0.6667"
        assert figures["status"]["active"] == len(rpc.roster.people_of_agency(
            {"agency": "c_ps", "date": "2030-01-01"})["people"]) + 4


def test_failed_retraining_removes_chief_and_transfers_officer(roster):
    with roster.rpc() as rpc:
        chain(rpc)
        base = {"first_failed_on": "2026-03-01", "course_id": "k1", "occurred_at": None}
        roster.dispatch("training", "retraining_failed", dict(
            base, event_id="e1", person_id="c", position="chief", effect="removed_from_post",
            effective_date="2026-06-01"))
        roster.dispatch("training", "retraining_failed", dict(
            base, event_id="e2", person_id="o2", position="officer", effect="transferred_out",
            effective_date="2026-06-01"))
        roster.dispatch("training", "retraining_failed", dict(
            base, event_id="e2", person_id="o2", position="officer", effect="transferred_out",
            effective_date="2026-06-01"))   # redelivered: handled once
        assert wait_for(lambda: rpc.roster.get_staff({"person": "c"})["position"] == "officer")
        assert wait_for(lambda: rpc.roster.spells_of({"person": "o2"})["spells"])
        eventlet_sleep()
        assert len(rpc.roster.spells_of({"person": "o2"})["spells"]) == 1
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-06-01"})["mentor"] is None
        members = rpc.roster.members_of({"unit": "c_ps_s1", "date": "2026-06-01"})
        assert [m["id"] for m in members["members"]] == ["c", "o1"]


def eventlet_sleep(seconds=0.5):
    import eventlet
    eventlet.sleep(seconds)


def test_commands_are_safe_to_run_twice(roster):
    with roster.rpc() as rpc:
        first = rpc.roster.assign_mentor({"mentor": "c", "mentee": "o1", "start": "2026-01-01"})
        again = rpc.roster.assign_mentor({"mentor": "c", "mentee": "o1", "start": "2026-01-01"})
        assert again["pair"] == first["pair"]
        leave = {"person": "o2", "kind": "leave", "leave_kind": "sick", "start": "2026-01-05",
                 "end": "2026-01-09"}
        assert rpc.roster.record_spell(leave)["spell"] == rpc.roster.record_spell(leave)["spell"]
        ban = {"person": "o1", "ban": 3, "occurred_on": "2026-02-01",
               "confirmed_on": "2026-02-02"}
        one, two = rpc.roster.record_ban_violation(ban), rpc.roster.record_ban_violation(ban)
        assert two["violation"]["id"] == one["violation"]["id"]
        assert two["cases"] == one["cases"]
        assert len(rpc.roster.cases_of({"person": "c"})["cases"]) == 1
        assert len(rpc.roster.spells_of({"person": "o1"})["spells"]) == 1


def test_people_of_agency_for_scoring(roster):
    with roster.rpc() as rpc:
        chain(rpc)
        rpc.roster.record_spell({"person": "o2", "kind": "leave", "leave_kind": "sick",
                                 "start": "2026-02-01", "end": "2026-03-15"})
        out = rpc.roster.people_of_agency({"agency": "c_ps", "date": "2026-03-01"})
        by_id = {p["id"]: p for p in out["people"]}
        assert set(by_id) == {"h", "l", "l2", "c", "c2", "o1", "o2", "o3"}
        assert by_id["o2"]["leave"] == [{"kind": "sick", "from": "2026-02-01", "to": "2026-03-15"}]
        assert (by_id["o2"]["status"], by_id["o2"]["mentor"]) == ("on_leave", "c")
        assert (by_id["o1"]["section"], by_id["o1"]["joined"]) == ("c_ps_s1", "2020-01-01")
        committee = rpc.roster.people_of_agency({"agency": "cnty", "date": "2026-03-01"})
        assert committee["people"] == []   # the county's agencies are not the committee's staff


def test_assign_mentors_in_a_batch_applies_the_good_pairs_and_names_the_bad_ones(roster):
    with roster.rpc() as rpc:
        out = rpc.roster.assign_mentors({"pairs": [
            {"mentor": "h", "mentee": "l", "start": "2026-01-01"},
            {"mentor": "c2", "mentee": "o1", "start": "2026-01-01"},     # outside the chain
            {"mentor": "c", "mentee": "o1", "start": "2026-01-01"},
            {"mentor": "c", "mentee": "nobody", "start": "2026-01-01"},  # unknown person
            {"mentor": "c", "mentee": "o2", "start": "2026-01-01"},
            {"mentor": "l", "mentee": "o2", "start": "2026-01-01"},      # o2 has a mentor now
        ]})
        assert out["assigned"] == 3 and out["replayed"] == 0
        assert [(e["index"], e["field"], e["error"]) for e in out["errors"]] == [
            (1, "pairs[1].mentor", "forbidden"), (3, "pairs[3].mentee", "not_found"),
            (5, "pairs[5].mentor", "forbidden")]
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-03-01"})["mentor"] == "c"
        assert rpc.roster.mentor_of({"person": "o2", "date": "2026-03-01"})["mentor"] == "c"
        again = rpc.roster.assign_mentors({"pairs": [{"mentor": "c", "mentee": "o1", "start": "2026-01-01"}]})
        assert again == {"assigned": 0, "replayed": 1, "errors": []}


def test_a_confirmed_ban_violation_counts_as_a_violation_investigated_for_target_7(roster):
    with roster.rpc() as rpc:
        before = {t["target"]: t for t in rpc.roster.targets({"year": 2026, "agency": "c_ps"})["targets"]}
        assert before["7_violations_investigated"]["value"] is None      # nothing reported yet
        rpc.roster.record_ban_violation({"person": "o1", "ban": 3, "occurred_on": "2026-04-01",
                                         "confirmed_on": "2026-04-10"})
        rpc.roster.record_discipline_fact({"kind": "violation", "person": "o2", "occurred_on": "2026-05-01"})
        after = {t["target"]: t for t in rpc.roster.targets({"year": 2026, "agency": "c_ps"})["targets"]}
        seven = after["7_violations_investigated"]
        assert seven["value"] == 0.5 and seven["met"] is False           # 1 investigated of 2 reported
        assert rpc.roster.targets({"year": 2025, "agency": "c_ps"})["targets"][-1]["value"] is None
