"""A committee's office has its role in training (issue 18, the policy table): training keeps the
roster's unit tree (``units_saved``), so the county committee's office records a result of an
officer of a bureau below it, the office of another county may not, nor may an officer."""
import eventlet
import pytest

from shared.errors import Forbidden
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)

UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee", "parent": None, "agency": "city", "level": "city"},
    {"id": "k1", "name": "一县委政法委", "kind": "committee", "parent": "city", "agency": "k1", "level": "county"},
    {"id": "k2", "name": "二县委政法委", "kind": "committee", "parent": "city", "agency": "k2", "level": "county"},
    {"id": "a1", "name": "一县公安局", "kind": "agency", "parent": "k1", "agency": "a1", "level": "county"},
    {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "a1", "agency": "a1", "level": "county"},
    {"id": "s2", "name": "治安大队", "kind": "section", "parent": "a1", "agency": "a1", "level": "county"},
]
OFFICES = [
    {"id": "k1-clerk", "unit_id": "k1", "agency_id": "k1", "position": "officer", "joined": "2010-01-01"},
    {"id": "k2-clerk", "unit_id": "k2", "agency_id": "k2", "position": "officer", "joined": "2010-01-01"},
]
RESULT = {"person_id": "off1", "course_id": "drill", "date": "2026-05-01", "result": "pass"}


def test_the_committee_office_records_results_below_it(training):
    suite = training()
    suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
    with suite.rpc(as_operator="ops") as rpc:
        rpc.training.upsert_people({"people": OFFICES})
    suite.wait_quiet(timeout=30)
    for person, words in (("k2-clerk", "outside"), ("off2", "officer")):
        with suite.rpc(as_person=person) as rpc:
            with pytest.raises(Forbidden) as err:
                rpc.training.record_result(RESULT)
            assert err.value.field == "actor" and words in err.value.message, err.value.message
    with suite.rpc(as_operator="ops") as rpc:
        assert rpc.training.results_of({"person_id": "off1"})["results"] == []      # nothing written
    with suite.rpc(as_person="k1-clerk") as rpc:      # the control: the county committee's office
        rpc.training.record_result(RESULT)
    with suite.rpc(as_operator="ops") as rpc:
        assert [r["course_id"] for r in rpc.training.results_of({"person_id": "off1"})["results"]] == ["drill"]


def _staff(pid, unit, agency, position, since):
    return {"id": pid, "name": pid, "unit": unit, "agency": agency, "position": position,
            "joined": "2010-01-01", "since": since, "titles": [], "supervises": []}


def test_a_person_back_on_the_team_has_the_role_of_his_new_post_from_his_return(training):
    """Training kept one ``left_on`` through the roster's ``return_to_team`` (a ``staff_changed`` with
    the new post from the day of the return) and gave no post from it on: a person back on the team had
    no training role again (fails on the code before). Now each departure is kept with its day: no role
    from it until a post begins after it, in whatever order the two events arrive."""
    suite = training()
    suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
    # r9, a section's chief (no head's role), leaves on 1 May 2026 and is back as a1's head on 1 September
    suite.dispatch("roster", "staff_joined", {"event_id": "join-r9",
                                              "staff": [_staff("r9", "s1", "a1", "chief", "2010-01-01")]})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_left", {"event_id": "left-r9", "person": "r9", "kind": "transferred_out",
                                            "date": "2026-05-01", "spell_id": "x-r9"})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_changed", {"event_id": "back-r9", "effective": "2026-09-01",
                                               "staff": [_staff("r9", "a1", "a1", "head", "2026-09-01")]})
    # r8 the same, his return reaching training before his departure
    suite.dispatch("roster", "staff_joined", {"event_id": "join-r8",
                                              "staff": [_staff("r8", "s2", "a1", "chief", "2010-01-01")]})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_changed", {"event_id": "back-r8", "effective": "2026-09-01",
                                               "staff": [_staff("r8", "a1", "a1", "head", "2026-09-01")]})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_left", {"event_id": "left-r8", "person": "r8", "kind": "dismissed",
                                            "date": "2026-05-01", "spell_id": "x-r8"})
    suite.wait_quiet(timeout=30)
    for person, officer in (("r9", "off1"), ("r8", "off2")):
        with suite.rpc(as_person=person) as rpc:       # away in July: no role
            with pytest.raises(Forbidden) as err:
                rpc.training.record_result({**RESULT, "person_id": officer, "date": "2026-07-01",
                                            "course_id": "pre"})
            assert err.value.field == "actor"
        with suite.rpc(as_person=person) as rpc:       # back as a1's head: he records his officer's result
            rpc.training.record_result({**RESULT, "person_id": officer, "date": "2026-10-01"})
    with suite.rpc(as_operator="ops") as rpc:
        for officer in ("off1", "off2"):       # the results of October, nothing of July
            got = [(r["course_id"], r["date"]) for r in rpc.training.results_of({"person_id": officer})["results"]]
            assert got == [("drill", "2026-10-01")]
        assert rpc.training.get_person({"person_id": "r9"})["left_on"] is None       # back on the team


def test_no_allowance_for_the_months_a_returner_was_away(training):
    """Since each departure is kept with its day, a person back through ``return_to_team`` has
    ``left_on`` cleared, and the allowance read him as on the team for the months he was away (fails on
    the code before: February to December, eleven months).  Now a month wholly away is not due; the
    months of the departure and of the return are (held on a day on the team); a departure with no
    return stops the allowance as ``left_on`` did."""
    from tests.service.training.conftest import received
    from shared.contracts import training as training_contract
    suite = training(today="2027-01-15")
    suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
    suite.dispatch("roster", "staff_joined", {"event_id": "join-r7",
                                              "staff": [_staff("r7", "s1", "a1", "officer", "2010-01-01"),
                                                        _staff("r6", "s1", "a1", "officer", "2010-01-01")]})
    suite.wait_quiet(timeout=30)
    with suite.rpc() as rpc:
        for pid in ("r7", "r6"):
            rpc.training.record_result({"person_id": pid, "course_id": "ar", "date": "2026-02-10",
                                        "result": "pass"})
    for pid in ("r7", "r6"):
        suite.dispatch("roster", "staff_left", {"event_id": f"left-{pid}", "person": pid,
                                                "kind": "transferred_out", "date": "2026-05-20",
                                                "spell_id": f"x-{pid}"})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_changed", {"event_id": "back-r7", "effective": "2026-09-10",
                                               "staff": [_staff("r7", "s2", "a1", "officer", "2026-09-10")]})
    suite.wait_quiet(timeout=30)
    r7 = ["2026-02", "2026-03", "2026-04", "2026-05", "2026-09", "2026-10", "2026-11", "2026-12"]
    r6 = ["2026-02", "2026-03", "2026-04", "2026-05"]
    with suite.rpc() as rpc:
        for pid, months in (("r7", r7), ("r6", r6)):
            got = rpc.training.allowances_of({"person_id": pid, "year": 2026, "as_of": "2026-12-31"})
            assert [m["month"] for m in got["months"]] == months, (pid, got["months"])
            assert got["total"] == 50 * len(months)
        for m in range(1, 13):
            rpc.training.run_allowances({"month": f"2026-{m:02d}"})
    expected = sorted([f"r7:{m}" for m in r7] + [f"r6:{m}" for m in r6])
    wait_for(lambda: len(received(training_contract.ALLOWANCE_DUE)) >= len(expected))
    eventlet.sleep(0.3)
    assert sorted(e["allowance_id"] for e in received(training_contract.ALLOWANCE_DUE)) == expected


def test_a_returner_owes_no_study_or_rotation_for_the_time_away(training):
    """The monthly study and the rotation of a year counted a returner (``left_on`` cleared) through his
    time away (fails on the code before): r5, a chief, away from 20 May 2026 to 10 February 2028, owes
    no study in June 2026 nor May (left in it) nor rotation in 2027; he owes October 2025 and 2028's."""
    suite = training(today="2028-06-30")
    suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
    suite.dispatch("roster", "staff_joined", {"event_id": "join-r5",
                                              "staff": [_staff("r5", "s1", "a1", "chief", "2010-01-01")]})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_left", {"event_id": "left-r5", "person": "r5", "kind": "transferred_out",
                                            "date": "2026-05-20", "spell_id": "x-r5"})
    suite.wait_quiet(timeout=30)
    suite.dispatch("roster", "staff_changed", {"event_id": "back-r5", "effective": "2028-02-10",
                                               "staff": [_staff("r5", "s2", "a1", "chief", "2028-02-10")]})
    suite.wait_quiet(timeout=30)

    def owes_study(month):
        report = rpc.training.study_report({"month": month})
        return any(p["person_id"] == "r5" for u in report["units"] for p in u["people"])

    def owes_rotation(year):
        report = rpc.training.rotation_report({"year": year, "as_of": f"{year}-12-31"})
        return any(p["person_id"] == "r5" for p in report["people"])
    with suite.rpc() as rpc:
        assert owes_study("2025-10") and owes_study("2028-03")
        assert not owes_study("2026-05") and not owes_study("2026-06") and not owes_study("2028-02")
        assert owes_rotation(2026) and owes_rotation(2028)
        assert not owes_rotation(2027)


def test_an_announced_allowance_is_withdrawn_for_a_month_later_found_away(training):
    """An allowance already announced for a month that a departure arriving later shows wholly away
    was never withdrawn (fails on the code before: no ``allowance_withdrawn``).  Now the departure's
    arrival withdraws exactly the announced months now away (grant by grant, once); the return's
    arrival grants a month earned again anew (``#2``: one grant in force at a time, paid once net);
    the month's run after both changes nothing more, and re-delivered events nothing either."""
    from tests.service.training.conftest import received
    from shared.contracts import training as training_contract
    due, gone = training_contract.ALLOWANCE_DUE, training_contract.ALLOWANCE_WITHDRAWN
    suite = training(today="2026-07-15")
    suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
    suite.dispatch("roster", "staff_joined", {"event_id": "join-w1",
                                              "staff": [_staff("w1", "s1", "a1", "officer", "2010-01-01"),
                                                        _staff("w2", "s1", "a1", "officer", "2010-01-01")]})
    suite.wait_quiet(timeout=30)
    with suite.rpc() as rpc:
        for pid in ("w1", "w2"):
            rpc.training.record_result({"person_id": pid, "course_id": "ar", "date": "2026-01-10",
                                        "result": "pass"})
        for m in range(1, 8):
            rpc.training.run_allowances({"month": f"2026-{m:02d}"})
    wait_for(lambda: len(received(due)) >= 14)
    # w1 left on 1 March (arriving late): March to July wholly away; back on 10 June: June, July again
    left = {"event_id": "left-w1", "person": "w1", "kind": "transferred_out", "date": "2026-03-01",
            "spell_id": "x-w1"}
    suite.dispatch("roster", "staff_left", left)
    suite.dispatch("roster", "staff_left", dict(left, event_id="left-w1-again"))
    suite.wait_quiet(timeout=30)
    wait_for(lambda: len(received(gone)) >= 5)
    eventlet.sleep(0.3)
    assert sorted(e["allowance_id"] for e in received(gone)) == [f"w1:2026-0{m}" for m in range(3, 8)]
    assert {(e["grant"], e["amount"], e["reason"]) for e in received(gone)} == {(1, 50, "not_earned")}
    for e in received(gone):
        training_contract.AllowanceWithdrawnEvent().load(e)
    suite.dispatch("roster", "staff_changed", {"event_id": "back-w1", "effective": "2026-06-10",
                                               "staff": [_staff("w1", "s2", "a1", "officer", "2026-06-10")]})
    suite.wait_quiet(timeout=30)
    wait_for(lambda: len(received(due)) >= 16)
    with suite.rpc() as rpc:
        outs = [rpc.training.run_allowances({"month": f"2026-{m:02d}"}) for m in range(1, 8)]
    assert [(o["published"], o["withdrawn"]) for o in outs] == [(0, [])] * 7
    suite.wait_quiet(timeout=30)
    eventlet.sleep(0.3)
    w1 = sorted(e["allowance_id"] for e in received(due) if e["person"] == "w1")
    assert w1 == ["w1:2026-01", "w1:2026-02", "w1:2026-03", "w1:2026-04", "w1:2026-05",
                  "w1:2026-06", "w1:2026-06#2", "w1:2026-07", "w1:2026-07#2"]
    assert [e["grant"] for e in received(due) if e["allowance_id"].endswith("#2")] == [2, 2]
    assert len([e for e in received(due) if e["person"] == "w2"]) == 7      # w2 untouched
    assert len(received(gone)) == 5
    # net per month: w1 paid for January, February, June and July (grants minus withdrawals)
    net = {}
    for e in received(due):
        net[(e["person"], e["month"])] = net.get((e["person"], e["month"]), 0) + e["amount"]
    for e in received(gone):
        net[(e["person"], e["month"])] -= e["amount"]
    assert sorted(m for (p, m), v in net.items() if p == "w1" and v) == [
        "2026-01", "2026-02", "2026-06", "2026-07"]
    assert set(net.values()) <= {0, 50}
