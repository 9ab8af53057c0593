"""The training service through real RPC and real events on the embedded transport (M§三(四)1)."""
import eventlet
import pytest

from shared.contracts import training as training_contract
from shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from shared.metrics import metrics_of

from .conftest import received, wait_for

pytestmark = pytest.mark.timeout(60)


def result(person, course, day, outcome):
    return {"person_id": person, "course_id": course, "date": day, "result": outcome}   # a file's row too


def test_the_old_name_person_id_is_still_read_for_one_release(training):
    """#17: training's contracts say ``person`` as every other does; ``person_id`` is read as it for
    one release (a payload, a batch's entries), both at once refused naming the old one."""
    suite = training()
    with suite.rpc() as rpc:
        new = {"person": "off1", "course_id": "drill", "date": "2026-05-01", "result": "pass"}
        assert rpc.training.record_result(new)["result"]["person"] == "off1"
        old = {"person_id": "off2", "course_id": "drill", "date": "2026-05-02", "result": "pass"}
        assert rpc.training.record_result(old)["result"]["person"] == "off2"
        for pid, day in (("off1", "2026-05-01"), ("off2", "2026-05-02")):
            assert [r["date"] for r in rpc.training.results_of({"person": pid})["results"]] == [day]
            assert [r["date"] for r in rpc.training.results_of({"person_id": pid})["results"]] == [day]
        with pytest.raises(ValidationFailed) as err:
            rpc.training.results_of({"person": "off1", "person_id": "off1"})
        assert err.value.field == "person_id"
        with pytest.raises(ValidationFailed) as err:
            rpc.training.record_study({"entries": [{"person": "off1", "date": "2026-05-04"},
                                                   {"person_id": "off1", "person": "off1", "date": "2026-05-05"}]})
        assert err.value.field == "entries[1].person_id"


def _people_named(answer) -> list:
    """Every object of an answer that names a person (``person`` or ``person_id``), at any depth."""
    if isinstance(answer, list):
        return [x for item in answer for x in _people_named(item)]
    if not isinstance(answer, dict):
        return []
    own = [answer] if {"person", "person_id"} & set(answer) else []
    return own + [x for value in answer.values() for x in _people_named(value)]


def test_every_answer_naming_a_person_says_person_and_the_old_person_id_beside_it(training):
    """#17 item 3: training's answers name a person ``person``, as every contract does, and carry the
    deprecated ``person_id`` with the same value until 0.2.0 (docs/changes.md)."""
    suite = training(today="2026-11-23")
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off2", "ar", "2026-03-15", "pass"))
        rpc.training.record_result(result("chief1", "rot", "2026-03-10", "pass"))
        rpc.training.record_study({"entries": [{"person": "off1", "date": "2026-10-05"}]})
        answers = {
            "record_result": rpc.training.record_result(result("new1", "pre", "2026-09-20", "pass")),
            "results_of": rpc.training.results_of({"person": "off2"}),
            "certifications": rpc.training.certifications({"person": "off2", "as_of": "2026-11-23"}),
            "allowances_of": rpc.training.allowances_of({"person": "off2", "year": 2026, "as_of": "2026-12-31"}),
            "can_take_post": rpc.training.can_take_post({"person": "new1", "date": "2026-11-23"}),
            "set_frontline_post": rpc.training.set_frontline_post({"person": "new1", "start": "2025-11-23"}),
            "frontline_report": rpc.training.frontline_report({"as_of": "2026-11-23"}),
            "study_report": rpc.training.study_report({"month": "2026-10"}),
            "rotation_report": rpc.training.rotation_report({"year": 2026, "as_of": "2026-11-23"}),
        }
    expected = {"record_result": 1, "results_of": 2, "certifications": 1, "allowances_of": 1,
                "can_take_post": 1, "set_frontline_post": 1, "frontline_report": 1}
    for name, answer in answers.items():
        named = _people_named(answer)
        assert len(named) >= expected.get(name, 2), (name, answer)
        for obj in named:
            assert obj["person"] == obj["person_id"] and obj["person"], (name, obj)
    assert answers["results_of"]["person"] == "off2" and answers["results_of"]["results"][0]["person"] == "off2"
    assert [c["person"] for c in answers["certifications"]["certifications"]] == ["off2"]
    assert answers["record_result"]["result"]["person"] == "new1"


def test_bad_results_are_clear_errors_and_nothing_is_written_twice(training):
    suite = training()
    with suite.rpc() as rpc:
        with pytest.raises(NotFound) as err:
            rpc.training.record_result(result("ghost", "drill", "2026-05-01", "pass"))
        assert err.value.field == "person"
        with pytest.raises(NotFound) as err:
            rpc.training.record_result(result("off1", "nocourse", "2026-05-01", "pass"))
        assert err.value.field == "course_id"
        with pytest.raises(ValidationFailed) as err:
            rpc.training.record_result(result("off1", "drill", "2026-11-24", "pass"))
        assert err.value.field == "date"
        with pytest.raises(ValidationFailed) as err:
            rpc.training.record_result({**result("off1", "drill", "2026-05-01", "pass"), "x": 1})
        assert err.value.field == "x"
        rpc.training.record_result(result("off1", "drill", "2026-05-01", "pass"))
        with pytest.raises(Conflict):
            rpc.training.record_result(result("off1", "drill", "2026-05-01", "pass"))
        with pytest.raises(Conflict):
            rpc.training.record_result(result("off1", "drill", "2026-06-01", "pass"))
        assert len(rpc.training.results_of({"person_id": "off1"})["results"]) == 1


def test_rotation_course_must_carry_the_rule_of_law_module(training):
    suite = training()
    with suite.rpc() as rpc:
        with pytest.raises(RuleViolation) as err:
            rpc.training.register_courses({"courses": [{"id": "x", "kind": "rotation"}]})
        assert err.value.field == "courses[0].modules"
        with pytest.raises(Conflict):
            rpc.training.register_courses({"courses": [{"id": "rot", "kind": "skills"}]})
        assert rpc.training.register_courses({"courses": [COURSE_ROT]})["unchanged"] == 1


COURSE_ROT = {"id": "rot", "kind": "rotation", "title": "轮训", "modules": ["rule_of_law"]}


def test_rotation_failure_then_retraining_pass_publishes_nothing(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("chief1", "rot", "2026-03-10", "fail"))
        report = rpc.training.rotation_report({"year": 2026, "as_of": "2026-04-01"})
        assert {p["person"]: p["status"] for p in report["people"]}["chief1"] == "failed"
        assert report["people"][0]["retraining_due_by"] == "2026-12-31"
        out = rpc.training.record_result(result("chief1", "retrain", "2026-06-01", "pass"))
        assert out["events"] == []
        report = rpc.training.rotation_report({"year": 2026, "as_of": "2026-11-23"})
        assert {p["person"]: p["status"] for p in report["people"]}["chief1"] == "passed"
    eventlet.sleep(0.3)
    assert received(training_contract.RETRAINING_FAILED) == []


def test_failed_retraining_reaches_the_roster_as_an_event(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("chief1", "rot", "2026-03-10", "fail"))
        rpc.training.record_result(result("chief1", "retrain", "2026-09-15", "fail"))
        rpc.training.record_result(result("off1", "rot", "2026-02-01", "fail"))
        out = rpc.training.record_result(result("off1", "retrain", "2026-10-20", "fail"))
        assert out["events"] == [training_contract.RETRAINING_FAILED]
        with pytest.raises(Conflict):  # nothing follows a failed retraining in that year
            rpc.training.record_result(result("off1", "retrain", "2026-11-01", "pass"))
        counts = rpc.training.rotation_report({"year": 2026, "as_of": "2026-11-23"})["counts"]
        assert counts["retraining_failed"] == 2
    events = wait_for(lambda: len(received(training_contract.RETRAINING_FAILED)) == 2
                      and received(training_contract.RETRAINING_FAILED))
    got = {e["person"]: e for e in events}
    for e in events:
        training_contract.RetrainingFailedEvent().load(e)
    assert (got["chief1"]["effect"], got["chief1"]["effective_date"]) == ("removed_from_post",
                                                                          "2026-09-15")
    assert (got["off1"]["effect"], got["off1"]["effective_date"], got["off1"]["position"]) == (
        "transferred_out", "2026-10-20", "officer")


def test_allowance_events_for_a_certified_year_once_per_month(training):
    suite = training(today="2027-01-15")
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off2", "ar", "2026-03-15", "pass"))
        runs = [rpc.training.run_allowances({"month": f"2026-{m:02d}"}) for m in range(1, 13)]
        assert [r["published"] for r in runs] == [0, 0] + [1] * 10
        again = [rpc.training.run_allowances({"month": f"2026-{m:02d}"}) for m in range(1, 13)]
        assert sum(r["published"] for r in again) == 0 and sum(r["already"] for r in again) == 10
        with pytest.raises(ValidationFailed) as err:
            rpc.training.run_allowances({"month": "2027-02"})
        assert err.value.field == "month"
    events = wait_for(lambda: len(received(training_contract.ALLOWANCE_DUE)) >= 10
                      and received(training_contract.ALLOWANCE_DUE))
    eventlet.sleep(0.3)
    events = received(training_contract.ALLOWANCE_DUE)
    assert sorted(e["allowance_id"] for e in events) == [f"off2:2026-{m:02d}" for m in range(3, 13)]
    assert sum(e["amount"] for e in events) == 500
    assert len({e["event_id"] for e in events}) == 10
    assert {e["agency_id"] for e in events} == {"a1"}
    for e in events:
        training_contract.AllowanceDueEvent().load(e)


def test_recheck_not_passed_by_its_date_revokes_once(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off1", "ar", "2023-03-15", "pass"))
        first = rpc.training.check_certifications()
        assert first["revoked"] == ["off1"]
        assert rpc.training.check_certifications()["revoked"] == []
        cert = rpc.training.certifications({"person_id": "off1", "as_of": "2026-11-23"})["certifications"][0]
        assert (cert["revoked_on"], cert["reason"], cert["holds"]) == (
            "2026-03-16", "recheck_expired", False)
        with pytest.raises(RuleViolation):  # too late: nothing left to recheck
            rpc.training.record_result(result("off1", "arr", "2026-04-01", "pass"))
        assert rpc.training.run_allowances({"month": "2026-04"})["published"] == 0
        assert rpc.training.run_allowances({"month": "2026-03"})["published"] == 1
    events = wait_for(lambda: received(training_contract.CERTIFICATION_REVOKED))
    eventlet.sleep(0.3)
    assert len(received(training_contract.CERTIFICATION_REVOKED)) == 1
    assert events[0]["revoked_on"] == "2026-03-16" and events[0]["reason"] == "recheck_expired"


def test_recheck_exactly_at_three_years_keeps_the_title_and_its_cycle(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off2", "ar", "2023-11-23", "pass"))
        out = rpc.training.record_result(result("off2", "arr", "2026-11-23", "pass"))
        assert out["events"] == [training_contract.RECHECK_PASSED]
        cert = rpc.training.certifications({"person_id": "off2", "as_of": "2026-11-23"})["certifications"][0]
        assert (cert["holds"], cert["next_recheck"], cert["revoked_on"]) == (
            True, "2029-11-23", None)
        assert rpc.training.check_certifications()["revoked"] == []
    assert wait_for(lambda: received(training_contract.CERTIFIED) and received(training_contract.RECHECK_PASSED))


def test_failed_recheck_revokes_on_its_date(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off2", "ar", "2024-01-10", "pass"))
        out = rpc.training.record_result(result("off2", "arr", "2026-11-02", "fail"))
        assert out["events"] == [training_contract.CERTIFICATION_REVOKED]
        cert = rpc.training.certifications({"person_id": "off2", "as_of": "2026-11-23"})["certifications"][0]
        assert (cert["revoked_on"], cert["reason"], cert["holds"]) == (
            "2026-11-02", "recheck_failed", False)
        # held on 1 November: November still earns its allowance
        assert rpc.training.run_allowances({"month": "2026-11"})["published"] == 1
    assert wait_for(lambda: received(training_contract.CERTIFICATION_REVOKED))[0]["reason"] == "recheck_failed"


def test_reminder_before_the_recheck_with_configured_lead_time(training):
    suite = training(RECHECK_REMINDER_DAYS=20)
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off1", "ar", "2023-12-13", "pass"))   # due in 20 days
        rpc.training.record_result(result("off2", "ar", "2023-12-14", "pass"))   # due in 21 days
        assert rpc.training.check_certifications()["reminded"] == ["off1"]
        assert rpc.training.check_certifications()["reminded"] == []
    reminder = wait_for(lambda: received(training_contract.RECHECK_REMINDER))[0]
    assert (reminder["person"], reminder["recheck_due"], reminder["lead_days"]) == (
        "off1", "2026-12-13", 20)


def test_import_dry_run_all_or_nothing_and_same_file_twice(training):
    suite = training()
    good = [result("off1", "drill", "2026-03-01", "pass"), result("off2", "rot", "2026-02-01", "fail"),
            result("off2", "retrain", "2026-04-01", "pass")]
    bad = good + [result("ghost", "drill", "2026-03-01", "pass"),
                  result("off1", "drill", "2027-01-01", "合格")]
    with suite.rpc() as rpc:
        dry = rpc.training.import_results({"rows": bad, "dry_run": True})
        assert (dry["committed"], dry["created"]) == (False, 3)
        assert [(e["row"], e["column"]) for e in dry["errors"]] == [(5, "person"), (6, "date")]
        real = rpc.training.import_results({"rows": bad})
        assert real["committed"] is False and len(real["errors"]) == 2
        assert rpc.training.results_of({"person_id": "off1"})["results"] == []
        first = rpc.training.import_results({"rows": good})
        assert (first["committed"], first["created"], first["errors"]) == (True, 3, [])
        again = rpc.training.import_results({"rows": good})
        assert (again["committed"], again["created"], again["unchanged"]) == (True, 0, 3)
        assert len(rpc.training.results_of({"person_id": "off2"})["results"]) == 2


def test_study_exactly_two_days_and_shortfalls_per_unit(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_study({"entries": [
            {"person_id": "off1", "date": "2026-10-05"}, {"person_id": "off1", "date": "2026-10-19"},
            {"person_id": "off2", "date": "2026-10-05"}, {"person_id": "off2", "date": "2026-10-05"},
            {"person_id": "chief1", "date": "2026-10-07"}, {"person_id": "chief1", "date": "2026-10-08"},
            {"person_id": "head1", "date": "2026-10-07"}, {"person_id": "head1", "date": "2026-10-09"}]})
        again = rpc.training.record_study({"entries": [{"person_id": "off1", "date": "2026-10-05"}]})
        assert again == {"recorded": 0, "unchanged": 1}
        report = rpc.training.study_report({"month": "2026-10"})
        assert report["required"] == 5
        short = [{"person": "new1", "person_id": "new1", "position": "officer", "days": 0, "met": False, "missing": 2},
                 {"person": "off2", "person_id": "off2", "position": "officer", "days": 1, "met": False, "missing": 1}]
        assert [u["shortfalls"] for u in report["units"] if u["shortfalls"]] == [short]
        # everyone owing the month is listed with their days, those who meet the rule too
        everyone = {p["person"]: (p["days"], p["met"]) for u in report["units"] for p in u["people"]}
        assert everyone["off1"] == (2, True) and everyone["chief1"] == (2, True)
        assert len(everyone) == report["required"] == report["met_count"] + report["shortfall_count"]
        with pytest.raises(ValidationFailed) as err:
            rpc.training.record_study({"entries": [{"person_id": "ghost", "date": "2026-10-05"}]})
        assert err.value.field == "entries[0].person"
        rpc.training.record_session({"unit_id": "a1", "start": "2026-07-06", "days": 2})
        rpc.training.record_session({"unit_id": "a1", "start": "2026-08-06", "days": 2})
        q3 = rpc.training.central_group_report({"quarter": "2026-Q3"})
        assert q3["units"][0]["unit_id"] == "a1" and q3["units"][0]["met"] is False
        rpc.training.record_session({"unit_id": "a1", "start": "2026-09-28", "days": 3})
        q3 = rpc.training.central_group_report({"quarter": "2026-Q3"})["units"][0]
        assert q3["met"] is True and q3["longest_session_days"] == 3


def test_new_entrant_takes_a_post_only_after_pre_service(training):
    suite = training()
    with suite.rpc() as rpc:
        assert rpc.training.can_take_post({"person_id": "new1", "date": "2026-11-23"})["allowed"] is False
        rpc.training.record_result(result("new1", "pre", "2026-09-20", "pass"))
        assert rpc.training.can_take_post({"person_id": "new1", "date": "2026-09-19"})["allowed"] is False
        ok = rpc.training.can_take_post({"person_id": "new1", "date": "2026-11-23"})
        assert (ok["allowed"], ok["passed_on"]) == (True, "2026-09-20")
        post = rpc.training.set_frontline_post({"person_id": "new1", "start": "2025-11-23"})
        assert (post["status"], post["completes_on"]) == ("completed", "2026-11-23")


def test_pass_rate_19_of_20_by_rpc_and_metric(training):
    suite = training()
    people = [{"id": f"t{i}", "unit_id": "s9", "position": "officer", "joined": "2020-01-01"}
              for i in range(20)]
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": people})
        rpc.training.import_results({"rows": [
            result(f"t{i}", "drill", "2026-05-01", "pass" if i else "fail") for i in range(20)]})
        out = rpc.training.pass_rate({"end": "2026-11-23"})
        assert out["city"] == {"passed": 19, "taken": 20, "rate": "0.9500", "meets_target": True}
        assert out["units"] == [{"unit_id": "s9", "passed": 19, "taken": 20, "rate": "0.9500",
                                 "meets_target": True}]
    text = metrics_of(suite.container("training")).render().decode()
    assert 'lianbao_training_skills_pass_rate{scope="city"} 0.95' in text


def test_roster_staff_events_feed_the_read_model(training):
    suite = training()
    staff = {"id": "r1", "name": "张三", "unit": "s3", "agency": "a2", "section": "s3",
             "position": "chief", "joined": "2020-02-01", "titles": [], "supervises": []}
    suite.dispatch("roster", "staff_joined", {"event_id": "e1", "staff": [staff]})
    with suite.rpc() as rpc:
        person = wait_for(lambda: _get(rpc, "r1"))
        assert (person["unit_id"], person["agency_id"], person["position"]) == ("s3", "a2", "chief")
        suite.dispatch("roster", "staff_left", {"event_id": "e2", "person": "r1",
                                                "kind": "transferred_out", "date": "2026-06-01",
                                                "spell_id": "sp1"})
        left = wait_for(lambda: (_get(rpc, "r1") or {}).get("left_on") and _get(rpc, "r1"))
        assert (left["left_on"], left["status"]) == ("2026-06-01", "transferred_out")


def _get(rpc, person_id):
    try:
        return rpc.training.get_person({"person_id": person_id})
    except NotFound:
        return None


def test_timers_publish_allowances_and_revocations_once(training):
    from nameko.testing.services import entrypoint_hook

    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off2", "ar", "2026-03-15", "pass"))
        rpc.training.record_result(result("off1", "ar", "2023-06-01", "pass"))   # expired 2026-06-02
    container = suite.container("training")
    for _ in range(2):
        with entrypoint_hook(container, "allowances_timer") as tick:
            tick()
        with entrypoint_hook(container, "certifications_timer") as tick:
            tick()
    with suite.rpc() as rpc:
        assert rpc.training.run_allowances({"month": "2026-11"}) == {
            "month": "2026-11", "published": 0, "already": 1, "amount_each": 50, "people": [],
            "withdrawn": []}
    wait_for(lambda: len(received(training_contract.ALLOWANCE_DUE)) >= 2
             and received(training_contract.CERTIFICATION_REVOKED))
    eventlet.sleep(0.3)
    assert sorted(e["allowance_id"] for e in received(training_contract.ALLOWANCE_DUE)) == [
        "off2:2026-10", "off2:2026-11"]
    assert [(e["person"], e["revoked_on"]) for e in received(training_contract.CERTIFICATION_REVOKED)] == [
        ("off1", "2026-06-02")]
    assert 'lianbao_training_skills_pass_rate' in metrics_of(container).render().decode()


def test_queries_take_their_date_from_the_request_not_the_process_clock(training):
    suite = training(today="2026-11-23")
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off1", "ar", "2024-03-15", "pass"))
        # the title as an outside caller sees it on two dates, whatever TRAINING_TODAY says
        then = rpc.training.certifications({"person_id": "off1", "as_of": "2025-06-30"})
        later = rpc.training.certifications({"person_id": "off1", "as_of": "2027-06-30"})
        assert then["certifications"][0]["holds"] is True
        assert (later["certifications"][0]["holds"], later["certifications"][0]["reason"]) == (
            False, "recheck_expired")
        for rpc_name, payload, field in (
                ("certifications", {"person_id": "off1"}, "as_of"),
                ("rotation_report", {"year": 2026}, "as_of"),
                ("frontline_report", {}, "as_of"),
                ("can_take_post", {"person_id": "new1"}, "date"),
                ("pass_rate", {}, "end"),
                ("allowances_of", {"person_id": "off1", "year": 2026}, "as_of"),
                ("allowances_of", {"person_id": "off1", "year": "x", "as_of": "2026-01-01"}, "year")):
            with pytest.raises(ValidationFailed) as err:
                getattr(rpc.training, rpc_name)(payload)
            assert err.value.field == field, rpc_name
        # the clock still bounds what may be recorded
        with pytest.raises(ValidationFailed) as err:
            rpc.training.record_study({"entries": [{"person_id": "off1", "date": "2026-11-24"}]})
        assert err.value.field == "entries[0].date"


def test_allowance_months_and_amounts_of_a_year_read_only(training):
    suite = training(today="2026-11-23")
    with suite.rpc() as rpc:
        rpc.training.record_result(result("off2", "ar", "2026-03-15", "pass"))
        year = rpc.training.allowances_of({"person_id": "off2", "year": 2026, "as_of": "2026-12-31"})
        # certified 15 March: March to December, 10 months, 500 yuan (SPEC §5)
        assert [m["month"] for m in year["months"]][:2] == ["2026-03", "2026-04"]
        assert (len(year["months"]), year["total"], year["amount_each"]) == (10, 500, 50)
        assert not any(m["announced"] for m in year["months"])
        early = rpc.training.allowances_of({"person_id": "off2", "year": 2026, "as_of": "2026-03-14"})
        assert early["months"] == [] and early["total"] == 0          # not yet certified
        assert rpc.training.run_allowances({"month": "2026-03"})["published"] == 1
        again = rpc.training.allowances_of({"person_id": "off2", "year": 2026, "as_of": "2026-12-31"})
        assert [m["announced"] for m in again["months"]][:2] == [True, False]   # asked, not paid
        assert rpc.training.run_allowances({"month": "2026-04"})["published"] == 1  # still due
        with pytest.raises(NotFound):
            rpc.training.allowances_of({"person_id": "ghost", "year": 2026, "as_of": "2026-12-31"})


def test_the_rotation_report_lists_everyone_met_or_not(training):
    suite = training()
    with suite.rpc() as rpc:
        rpc.training.record_result(result("chief1", "rot", "2026-03-10", "pass"))
        report = rpc.training.rotation_report({"year": 2026, "as_of": "2026-11-23"})
        people = {p["person"]: (p["status"], p["met"]) for p in report["people"]}
        assert people["chief1"] == ("passed", True)
        assert sum(report["counts"].values()) == len(report["people"])
        # every chief and officer is listed, the not-due and the passed as well as the others
        assert {"chief1", "off1", "off2", "new1"} <= set(people)
        assert all(met == (status in ("passed", "not_due")) for status, met in people.values())
