"""The read routes of issue 21 against the real services (embedded): the roster's people, mentors,
members and coverage; scoring's evaluations, rankings and overdue months; training's people,
certifications and allowances; survey's questionnaires, subjects, closing; rewards' ledger (a page at
a time), chain and tasks — each visible only to the units it concerns (foreign = missing)."""
import pytest
import requests

from services.gateway.coverage import REASONS, rpcs, unrouted
from services.gateway.routes import ROUTES
from tests.service.gateway import city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(120)


def get(gw, path, who="county", **params):
    return requests.get(f"{gw}{path}", params=params or None, headers=auth(who), timeout=30)


def test_roster_reads_answer_within_the_tokens_units(small_city):
    gw, _ = small_city
    r = get(gw, "/roster/people/o1")
    assert r.status_code == 200 and r.json()["id"] == "o1"
    foreign, missing = get(gw, "/roster/people/o1", "other"), get(gw, "/roster/people/nobody", "other")
    assert foreign.status_code == 404 and (foreign.status_code, foreign.content) == (missing.status_code,
                                                                                      missing.content)
    assert get(gw, "/roster/people/o1/spells").status_code == 200
    for what in ("mentor", "mentees", "evaluator"):
        r = get(gw, f"/roster/people/o1/{what}", date="2026-03-01")
        assert r.status_code == 200, (what, r.text)
        r = get(gw, f"/roster/people/o1/{what}")
        assert r.status_code == 400 and r.json()["field"] == "date", what
    r = get(gw, "/roster/units/c_ps/members", date="2026-03-01", include_subunits="true")
    assert r.status_code == 200, r.text
    assert sorted(m["id"] for m in r.json()["members"]) == ["c", "h", "l", "o1"]
    assert get(gw, "/roster/units/m_ps/members", date="2026-03-01").status_code == 404
    assert get(gw, "/roster/units/c_ps/coverage", date="2026-03-01").status_code == 200
    r = get(gw, "/roster/agencies/c_ps/discipline-facts", year="2026")
    assert r.status_code == 200, r.text
    r = get(gw, "/roster/agencies/c_ps/discipline-facts", year="twenty")
    assert r.status_code == 400 and r.json()["field"] == "year"
    r = get(gw, "/roster/units", "city")
    assert r.status_code == 200 and "c_ps" in str(r.json())


def test_scoring_reads(small_city):
    gw, _ = small_city
    r = get(gw, "/scoring/people/o1/evaluations/2026-03")
    assert r.status_code == 404 and r.json()["error"] == "not_found"      # nothing submitted yet
    r = get(gw, "/scoring/people/o1/evaluations/2026-13")
    assert r.status_code == 400 and r.json()["field"] == "month"
    assert get(gw, "/scoring/people/o1/evaluations/2026-03", "other").status_code == 404
    r = get(gw, "/scoring/evaluators/c_ps/rankings/2026-03")
    assert r.status_code == 200 and r.json()["evaluator"] == "c_ps" and r.json()["groups"] == {}
    r = get(gw, "/scoring/evaluators/m_ps/rankings/2026-03")
    assert r.status_code == 404 and r.json()["field"] == "evaluator"
    r = get(gw, "/scoring/evaluators/c_ps/rectifications", state="owed")
    assert r.status_code == 200, r.text
    r = get(gw, "/scoring/evaluators/c_ps/rectifications", state="lost")
    assert r.status_code == 400 and r.json()["field"] == "state"
    r = get(gw, "/scoring/agencies/c_ps/overdue", month="2026-03", as_of="2026-04-20")
    assert r.status_code == 200 and r.json()["month"] == "2026-03", r.text
    r = get(gw, "/scoring/agencies/c_ps/overdue", as_of="2026-02-30")
    assert r.status_code == 400 and r.json()["field"] == "as_of"
    r = get(gw, "/scoring/agencies/c_ps/overdue", month="0000-01")      # found by schemathesis: was a 502
    assert r.status_code == 400 and r.json()["field"] == "month"
    assert get(gw, "/scoring/agencies/c_ps/unreviewed-logs", as_of="2026-04-01").status_code == 200
    r = get(gw, "/scoring/units/c_ps/results/2026")
    assert r.status_code == 404 and r.json()["field"] == "unit"            # not rated yet
    assert get(gw, "/scoring/units/m_ps/results/2026").status_code == 404


def test_scoring_calendar_template_followups_and_packs(small_city):
    from pathlib import Path

    import yaml

    gw, _ = small_city
    r = get(gw, "/scoring/template", kind="officer")
    assert r.status_code == 200 and r.json()["kind"] == "officer" and r.json()["total"] == 100.0
    r = get(gw, "/scoring/calendar", year="2026")
    assert r.status_code == 200 and {"date": "2026-01-01", "name": "New Year's Day"} in r.json()["holidays"]
    assert get(gw, "/scoring/calendar", year="1").json()["field"] == "year"
    r = get(gw, "/scoring/calendar/status", as_of="2026-03-01")
    assert r.status_code == 200 and r.json()["as_of"] == "2026-03-01"
    r = get(gw, "/scoring/working-days", start="2026-10-01", end="2026-10-09")
    assert r.status_code == 200 and r.json()["working_days"] == ["2026-10-08", "2026-10-09"], r.text   # National Day week
    assert get(gw, "/scoring/working-days", start="2026-10-01").json()["field"] == "end"
    assert get(gw, "/scoring/evaluators/c_ps/referrals", year="2026").json() == {"count": 0, "referrals": [], "next": None}
    assert get(gw, "/scoring/evaluators/m_ps/referrals").status_code == 404
    assert get(gw, "/scoring/evaluators/c_ps/poor-followups/2026-03").json()["poor"] == []
    r = get(gw, "/scoring/evaluators/c_ps/followup-tasks")
    assert r.status_code == 400 and r.json()["field"] == "as_of"
    assert get(gw, "/scoring/evaluators/c_ps/followup-tasks", as_of="2026-03-01").json()["tasks"] == []
    assert get(gw, "/scoring/owners/cnty/recognition/2026H1").json() == {"period": "2026H1", "results": [], "next": None}
    assert get(gw, "/scoring/owners/cnty/recognition/2026").json()["field"] == "period"
    assert get(gw, "/scoring/agencies/c_ps/packs").json() == {"agency": "c_ps", "versions": [], "next": None}
    r = get(gw, "/scoring/agencies/c_ps/packs/2026")
    assert r.status_code == 200 and r.json()["pack"] is None
    pack = yaml.safe_load((Path(__file__).parents[3] / "docs" / "examples" / "pack.yml").read_text(encoding="utf-8"))
    r = requests.post(f"{gw}/scoring/agencies/c_ps/packs/check", json={"pack": pack}, headers=auth("county"),
                      timeout=30)
    assert r.status_code == 200, r.text
    r = requests.post(f"{gw}/scoring/agencies/c_ps/packs/check", json={"pack": {**pack, "version": "one"}},
                      headers=auth("county"), timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "pack.version", r.text
    r = requests.post(f"{gw}/scoring/agencies/m_ps/packs/check", json={"pack": pack}, headers=auth("county"),
                      timeout=30)
    assert r.status_code == 404 and r.json()["field"] == "agency"
    assert get(gw, "/scoring/agencies/c_ps/packs").json()["versions"] == []      # checking stores nothing


def test_city_wide_training_reports_need_a_token_for_every_unit(small_city):
    gw, _ = small_city
    r = get(gw, "/training/reports/pass-rate", "city", end="2026-03-01")
    assert r.status_code == 200 and r.json()["start"] == "2026-01-01"
    assert get(gw, "/training/reports/pass-rate", "county", end="2026-03-01").status_code == 403
    assert get(gw, "/training/reports/frontline", "city", as_of="2026-03-01").json()["people"] == []
    r = get(gw, "/training/reports/central-group", "city", quarter="2026Q1")
    assert r.status_code == 400 and r.json()["field"] == "quarter"
    assert get(gw, "/training/reports/central-group", "city", quarter="2026-Q1").status_code == 200


def test_training_reads(small_city):
    gw, _ = small_city
    r = get(gw, "/training/people/o1")
    assert r.status_code == 200 and r.json()["id"] == "o1" and r.json()["agency_id"] == "c_ps"
    assert get(gw, "/training/people/m1").status_code == 404
    assert get(gw, "/training/courses").status_code == 200
    r = get(gw, "/training/people/o1/certifications", as_of="2026-03-01")
    assert r.status_code == 200, r.text
    r = get(gw, "/training/people/o1/allowances", year="2026", as_of="2026-03-01")
    assert r.status_code == 200, r.text
    r = get(gw, "/training/people/o1/allowances", as_of="2026-03-01")
    assert r.status_code == 400 and r.json()["field"] == "year"
    r = get(gw, "/training/people/o1/can-take-post", date="2026-03-01")
    assert r.status_code == 200, r.text
    r = get(gw, "/training/units/c_ps/study", month="2026-03")
    assert r.status_code == 200, r.text
    r = get(gw, "/training/units/c_ps/rotation", year="2026", as_of="2026-12-31")
    assert r.status_code == 200, r.text
    assert get(gw, "/training/units/m_ps/study", month="2026-03").status_code == 404


def test_survey_subjects_closing_and_publishing(small_city):
    gw, suite = small_city
    county = auth("county")
    body = {"campaign_id": "c1", "period": "2026H1", "owner": "cnty", "subjects": city.SUBJECTS}
    assert requests.post(f"{gw}/survey/campaigns", json=body, headers=county, timeout=30).status_code == 200
    r = get(gw, "/survey/campaigns/c1/subjects")
    assert r.status_code == 200, r.text
    assert get(gw, "/survey/campaigns/c1/subjects", "other").status_code == 404
    questionnaire = get(gw, "/survey/campaigns/c1").json()["questionnaire"]
    r = get(gw, f"/survey/questionnaires/{questionnaire['key']}", version=str(questionnaire["version"]))
    assert r.status_code == 200 and r.json()["key"] == questionnaire["key"], r.text
    assert get(gw, "/survey/questionnaires/nothing-such").status_code == 404
    r = get(gw, "/survey/questionnaires/satisfaction", version="x")
    assert r.status_code == 400 and r.json()["field"] == "version"
    assert requests.post(f"{gw}/survey/campaigns/c1/close", headers=auth("other"), timeout=30).status_code == 404
    r = requests.post(f"{gw}/survey/campaigns/c1/close", headers=county, timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "closed", r.text
    # publishing rates is the committee's (or the operator's), never a calling system's: the policy
    # table, enforced by the survey service, answers 403 through the gateway
    r = requests.post(f"{gw}/survey/campaigns/c1/publish", headers=county, timeout=30)
    assert r.status_code == 403 and r.json()["field"] == "actor", r.text
    assert r.json()["message"].startswith("survey.publish_rates: system county"), r.text
    with suite.rpc(as_operator="ops") as rpc:      # the control: the operator publishes
        assert rpc.survey.publish_rates({"campaign_id": "c1"})["campaign_id"] == "c1"


def test_rewards_reads_a_page_at_a_time_for_a_city_token(small_city):
    gw, _ = small_city
    r = get(gw, "/rewards/ledger", "city", limit="10", offset="0")
    assert r.status_code == 200 and r.json() == {"total": 0, "lines": []}, r.text
    r = get(gw, "/rewards/ledger", "city", limit="0")
    assert r.status_code == 400 and r.json()["field"] == "limit"
    assert get(gw, "/rewards/ledger", "county").status_code == 403          # every unit: a "*" token only
    assert get(gw, "/rewards/units/c_ps/ledger", "county").status_code == 200
    assert get(gw, "/rewards/units/m_ps/ledger", "county").status_code == 404   # outside: as if missing
    assert get(gw, "/rewards/chain", "city").status_code == 200
    assert get(gw, "/rewards/tasks", "city", status="open").status_code == 200
    r = get(gw, "/rewards/tasks", "city", today="tomorrow")
    assert r.status_code == 400 and r.json()["field"] == "today"
    assert get(gw, "/rewards/periods/2026/reconciliation", "city").status_code == 200
    r = get(gw, "/rewards/periods/2026/notice", "city")
    assert r.status_code == 404 and r.json()["error"] == "not_found"          # nothing settled for 2026
    assert get(gw, "/rewards/agencies/c_ps/schedules", "county").status_code == 200


def test_every_rpc_has_a_route_or_a_reason_and_the_reasons_are_not_stale():
    names = set(rpcs())
    assert len(names) > 100
    routed = {route.target for route in ROUTES}
    assert all(route.target in names or route.target.endswith(".health") for route in ROUTES)
    for name in REASONS:
        assert name in names, f"{name} is listed without being an RPC"
        assert name not in routed, f"{name} has a route and a reason not to"
    listed = dict(unrouted(ROUTES))
    assert set(listed) == names - routed


def test_a_committees_board_and_a_rating_preview(small_city):
    """The two RPCs scoring gained last (committee_board, preview_rating): routed, the service's
    policy deciding (a county system sees its committee's board of today, not another's; a board
    dated to another day is the city's: its tree of that day may hold agencies moved away since)."""
    gw, _ = small_city
    r = get(gw, "/scoring/committees/cnty/board", month="2026-03")
    assert r.status_code == 200, r.text
    assert r.json()["committee"] == "cnty" and r.json()["month"] == "2026-03" and r.json()["next"] is None
    assert isinstance(r.json()["agencies"], list)
    r = get(gw, "/scoring/committees/cnty/board", month="2026-03", as_of="2026-03-20")
    assert r.status_code == 403 and r.json()["field"] == "actor", r.text
    r = get(gw, "/scoring/committees/cnty/board", "city", month="2026-03", as_of="2026-03-20")
    assert r.status_code == 200 and r.json()["as_of"] == "2026-03-20", r.text
    r = get(gw, "/scoring/committees/city/board", month="2026-03")
    assert r.status_code in (403, 404) and r.json()["field"], r.text
    r = get(gw, "/scoring/committees/cnty/board", month="2026-13")
    assert r.status_code == 400 and r.json()["field"] == "month"
    r = requests.post(f"{gw}/scoring/ratings/preview", json={"period": "2026", "scope": "c_ps"},
                      headers=auth("city"), timeout=60)
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "c_ps" and len(r.json()["digest"]) == 64 and r.json()["published"] is None
    r = requests.post(f"{gw}/scoring/ratings/preview", json={"period": "2026", "scope": "c_ps", "x": 1},
                      headers=auth("city"), timeout=60)
    assert r.status_code == 400 and r.json()["field"] == "x"
