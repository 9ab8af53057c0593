"""The answers of rewards, training, survey and the roster with their lists filled (issue 21 item 3): the
autouse checker validates every 2xx JSON answer against /openapi.json, but an empty list checks none of
its elements, and an operation no test calls is never checked. Here each of these operations answers
200 with the entities its output contract describes: ledger lines, a notice, tasks, schedules,
courses, sessions, certifications, events, campaigns, rates, a person's cases, a seconded person's
evaluator — and the services' health."""
import sys
from pathlib import Path

import pytest
import requests

from shared.config import SERVICES
from tests.service.gateway import city
from tests.service.gateway.conftest import PASSWORD, auth, sign_in_kit, signed_in

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "rewards"))
from rewards_ratings import agency, officer, rating_payload, section  # noqa: E402

pytestmark = pytest.mark.timeout(240)


def call(gw, method, path, body=None, who="city", **params):
    headers = who if isinstance(who, dict) else auth(who)
    return requests.request(method, f"{gw}{path}", json=body, params=params or None, headers=headers, timeout=60)


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def bearer_of(gw, suite, person):
    kit = sign_in_kit(suite)
    kit.store.add(f"filled-{person}", person, PASSWORD)
    session, csrf = signed_in(gw, f"filled-{person}")
    token = ok(session.post(f"{gw}/auth/token", headers={"X-CSRF-Token": csrf}, timeout=30))["token"]
    return {"Authorization": f"Bearer {token}"}


def test_the_rewards_answers_with_lines_tasks_a_notice_and_a_schedule(small_city):
    gw, suite = small_city
    with suite.rpc(as_operator="ops") as rpc:
        settled = rpc.rewards.settle(rating_payload(
            officers=[officer("o1", stars=5, score=97.0), officer("c", stars=2, score=72.0)],
            sections=[section("c_ps_s1", stars=4, score=90.0)], agencies=[agency("c_ps", klass=1, score=92.0)],
            scope="c_ps", paying_unit="c_ps", headcount=2))
        assert settled["settled"] and settled["written"] > 0
        rpc.rewards.set_schedule({"agency": "c_ps", "effective_from": "2027", "officer": {"5": 1200}})
    lines = ok(call(gw, "GET", "/rewards/ledger", limit="100"))["lines"]
    assert len(lines) == settled["written"] and {line["kind"] for line in lines} >= {"bonus", "warning_talk"}
    assert all(line["hash"] and line["seq"] for line in lines)
    mine = ok(call(gw, "GET", "/rewards/units/c_ps/ledger", who="county", kind="bonus"))["lines"]
    assert mine and {line["paying_unit"] for line in mine} == {"c_ps"}
    notice = ok(call(gw, "GET", "/rewards/periods/2026/notice"))
    assert list(notice["sheets"]) == ["c_ps"] and len(notice["sheets"]["c_ps"]) == 4
    assert notice["summary"][0][0] == "c_ps"
    reconciled = ok(call(gw, "GET", "/rewards/periods/2026/reconciliation"))
    assert reconciled["ok"] and reconciled["ledger"] == len(lines) and reconciled["ratings"] == 1
    chain = ok(call(gw, "GET", "/rewards/chain"))
    assert chain["ok"] and chain["lines"] == len(lines) and chain["problems"] == []
    tasks = ok(call(gw, "GET", "/rewards/tasks", today="2027-03-01"))["tasks"]
    assert [t["subject"] for t in tasks] == ["c"] and tasks[0]["overdue"] and tasks[0]["done"] is None
    schedules = ok(call(gw, "GET", "/rewards/agencies/c_ps/schedules", who="county"))["schedules"]
    assert schedules[0]["effective_from"] == "2027" and schedules[0]["officer"]["5"] == 1200


def test_the_training_answers_with_courses_sessions_events_and_a_pass_rate(small_city):
    gw, _ = small_city
    courses = [{"id": "drill", "kind": "skills", "title": "实战技能"},
               {"id": "allround", "kind": "all_round_assessment", "title": "全能政法干警考核"}]
    assert ok(call(gw, "POST", "/training/courses", {"courses": courses}))["created"] == 2
    assert [c["id"] for c in ok(call(gw, "GET", "/training/courses"))["courses"]] == ["allround", "drill"]
    passed = ok(call(gw, "POST", "/training/people/o1/results",
                     {"course_id": "allround", "date": "2026-02-10", "result": "pass"}, "county"))
    assert passed["events"] == ["certified"]
    ok(call(gw, "POST", "/training/people/o1/results", {"course_id": "drill", "date": "2026-02-11", "result": "pass"},
            "county"))
    certifications = ok(call(gw, "GET", "/training/people/o1/certifications", who="county", as_of="2026-03-01"))
    assert [c["certified_on"] for c in certifications["certifications"]] == ["2026-02-10"]
    ok(call(gw, "POST", "/training/units/c_ps/sessions", {"start": "2026-02-02", "days": 2}, "county"))
    units = ok(call(gw, "GET", "/training/reports/central-group", quarter="2026-Q1"))["units"]
    assert [s["days"] for u in units if u["unit_id"] == "c_ps" for s in u["sessions"]] == [2]
    rates = ok(call(gw, "GET", "/training/reports/pass-rate", end="2026-03-01"))
    assert rates["city"]["taken"] == 1 and [u["passed"] for u in rates["units"]] == [1]


def test_the_survey_answers_with_a_campaign_its_forms_and_its_rates(small_city):
    gw, suite = small_city
    county = "county"
    body = {"campaign_id": "c1", "period": "2026H1", "owner": "cnty", "subjects": city.SUBJECTS}
    ok(call(gw, "POST", "/survey/campaigns", body, county))
    campaigns = ok(call(gw, "GET", "/survey/campaigns", who=county))["campaigns"]
    assert [(c["campaign_id"], c["questionnaire"]["key"]) for c in campaigns] == [("c1", "default")]
    forms = [city.form("s1"), city.form("s2", subject="c_ps", answers="B" * 35), city.form("s3", answers="X")]
    batch = ok(call(gw, "POST", "/survey/campaigns/c1/batches", {"batch_id": "b1", "forms": forms}, county))
    assert batch["accepted"] == 2 and [e["serial"] for e in batch["errors"]] == ["s3"]
    assert batch["errors"][0]["faults"]
    progress = ok(call(gw, "GET", "/survey/campaigns/c1/progress", who=county))
    assert {s["subject"]: s["groups"] for s in progress["subjects"]} == {"c_ps": {"parents": 1}, "o1": {"parents": 1}}
    assert ok(call(gw, "POST", "/survey/campaigns/c1/serials-used", {"serials": ["s1", "s9"]}, county))["used"] == ["s1"]
    rates = ok(call(gw, "GET", "/survey/campaigns/c1/rates", who=county))
    assert rates["totals"]["forms"] == 2 and rates["totals"]["groups"]["parents"]["answered"] == 70
    assert rates["subjects"][0]["groups"]["parents"]["rate"] is not None
    closed = ok(call(gw, "POST", "/survey/campaigns/c1/close", who=county))
    assert closed["status"] == "closed" and closed["final"] and closed["totals"]["rate"] == "1.0000"
    with suite.rpc() as rpc:          # publishing is a committee member's (the policy table)
        rpc.roster.create_staff({"staff": [{"id": "k2", "name": "委员", "unit": "cnty", "position": "leader",
                                            "joined": "2010-01-01"}]})
    published = ok(call(gw, "POST", "/survey/campaigns/c1/publish", who=bearer_of(gw, suite, "k2")))
    assert published["event_id"] and published["totals"] == closed["totals"]


def test_the_rosters_answers_of_a_case_and_a_seconded_person(small_city):
    gw, suite = small_city
    head = bearer_of(gw, suite, "h")
    ok(call(gw, "POST", "/roster/people/o1/spells", {"kind": "secondment", "start": "2026-01-05", "host_unit": "m_ps"},
            "county"))
    evaluator = ok(call(gw, "GET", "/roster/people/o1/evaluator", who="county", date="2026-03-01"))
    assert isinstance(evaluator["secondment"], str) and evaluator["six_month_mark"] == "2026-07-05"
    assert ok(call(gw, "GET", "/roster/people/c/mentees", who="county", date="2026-03-01"))["mentees"] == []
    ok(call(gw, "POST", "/roster/people/c/cases", {"ban": 4, "occurred_on": "2026-03-01", "confirmed_on": "2026-03-02"},
            head))
    cases = ok(call(gw, "GET", "/roster/people/c/cases", who="county"))["cases"]
    assert [(c["role"], c["ban"], c["violator"]) for c in cases] == [("violator", 4, "c")]


def test_the_services_health_through_the_gateway(small_city):
    gw, _ = small_city
    for name in SERVICES:
        health = ok(call(gw, "GET", f"/health/{name}"))
        assert health["service"] == name and health["status"] == "ok", health
    assert ok(requests.get(f"{gw}/health", timeout=30))["status"] == "ok"
