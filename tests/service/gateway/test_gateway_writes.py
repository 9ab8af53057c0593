"""The command routes of issue 21 through HTTP on the real broker: every route reaches its service,
whose policy table decides (a calling system may not do what only persons do: 403 naming `actor`),
and a bad field is a 400 naming it.  The monthly workflow runs end to end over HTTP with the office
system acting for its persons (each command names the person in `actor`)."""
import pytest
import requests

from tests.service.gateway import city, public_city
from tests.service.gateway.conftest import auth, person_bearer

pytestmark = pytest.mark.timeout(240)

MONTH, ON = "2026-01", "2026-02-02"


@pytest.fixture
def scoring_city(start_gateway):
    gw, suite = start_gateway(city.classes())
    public_city.load(suite, campaign=False, notices=False)
    return gw, suite


def post(gw, path, body=None, who="office", key=None):
    headers = auth(who)
    if key:
        headers["Idempotency-Key"] = key
    return requests.post(f"{gw}{path}", json=body, headers=headers, timeout=60)


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def refused(r, field="actor"):
    assert r.status_code == 403 and r.json()["field"] == field, r.text
    return r.json()


def bad(r, field):
    assert r.status_code == 400 and r.json()["field"] == field, r.text
    return r.json()


def test_the_monthly_workflow_over_http(scoring_city):
    gw, _ = scoring_city
    ev = "/scoring/people/o1/evaluations/" + MONTH
    own = {"actor": "o1", "as_of": ON, "item_scores": {"political.study": 7}}
    # self-assessment: a person's own (the office acts for o1); a calling system may not; a bad field
    refused(post(gw, ev + "/self-assessment", own, who="county"))
    bad(post(gw, "/scoring/people/o1/evaluations/2026-13/self-assessment", own), "month")
    bad(post(gw, ev + "/self-assessment", {**own, "kind": "robot"}), "kind")
    first = ok(post(gw, ev + "/self-assessment", own, key="sa-o1"))
    assert first["state"] == "submitted" and first["subject"] == "o1"
    assert ok(post(gw, ev + "/self-assessment", own, key="sa-o1")) == first     # the retry: the first answer
    assert post(gw, ev + "/self-assessment", {**own, "note": "x"}, key="sa-o1").json()["field"] == "idempotency_key"
    # review by the mentor, approval by another leader
    refused(post(gw, ev + "/review", {"actor": "c1", "as_of": ON}, who="county"))
    bad(post(gw, ev + "/review", {"actor": "c1", "as_of": "2026-02-30"}), "as_of")
    assert ok(post(gw, ev + "/review", {"actor": "c1", "as_of": ON}))["state"] == "reviewed"
    refused(post(gw, ev + "/approval", {"actor": "l1", "as_of": ON}, who="county"))
    bad(post(gw, ev + "/approval", {"as_of": ON}), "actor")
    assert ok(post(gw, ev + "/approval", {"actor": "l1", "as_of": ON}))["state"] == "approved"
    # the same steps in batches for o2
    item = {"actor": "o2", "subject": "o2", "month": MONTH, "item_scores": {"political.study": 7}}
    refused(post(gw, "/scoring/self-assessments", {"items": [item], "as_of": ON}, who="county"))
    bad(post(gw, "/scoring/self-assessments", {"items": "o2", "as_of": ON}), "items")
    ok(post(gw, "/scoring/self-assessments", {"items": [item], "as_of": ON}))
    step = {"subject": "o2", "month": MONTH}
    refused(post(gw, "/scoring/reviews", {"items": [{**step, "actor": "c1"}], "as_of": ON}, who="county"))
    bad(post(gw, "/scoring/reviews", {"items": [{**step, "actor": "c1", "month": "jan"}], "as_of": ON}),
        "items[0].month")
    ok(post(gw, "/scoring/reviews", {"items": [{**step, "actor": "c1"}], "as_of": ON}))
    refused(post(gw, "/scoring/approvals", {"items": [{**step, "actor": "l1"}], "as_of": ON}, who="county"))
    bad(post(gw, "/scoring/approvals", {"items": [{**step}], "as_of": ON}), "items[0].actor")
    ok(post(gw, "/scoring/approvals", {"items": [{**step, "actor": "l1"}], "as_of": ON}))
    # the public notice, an objection, filing and ranking
    body = {"actor": "l1", "as_of": ON}
    refused(post(gw, f"/scoring/evaluators/ps/notices/{MONTH}", body, who="county"))
    bad(post(gw, f"/scoring/evaluators/ps/notices/{MONTH}", {**body, "groups": ["everyone"]}), "groups[0]")
    notice = ok(post(gw, f"/scoring/evaluators/ps/notices/{MONTH}", body))
    assert notice["posted"] >= 2, notice
    objection = {"actor": "o1", "as_of": ON, "text": "分数偏高"}
    refused(post(gw, f"/scoring/people/o2/evaluations/{MONTH}/objections", objection, who="county"))
    bad(post(gw, f"/scoring/people/o2/evaluations/{MONTH}/objections", {**objection, "text": ""}), "text")
    ok(post(gw, f"/scoring/people/o2/evaluations/{MONTH}/objections", objection))
    later = {"actor": "l1", "as_of": "2026-02-20"}
    refused(post(gw, f"/scoring/evaluators/ps/filings/{MONTH}", later, who="county"))
    bad(post(gw, f"/scoring/evaluators/ps/filings/{MONTH}", {**later, "as_of": "soon"}), "as_of")
    filed = ok(post(gw, f"/scoring/evaluators/ps/filings/{MONTH}", later))
    assert filed["filed"] >= 1, filed
    refused(post(gw, f"/scoring/evaluators/ps/rankings/{MONTH}", later, who="county"))
    bad(post(gw, f"/scoring/evaluators/ps/rankings/{MONTH}", {"as_of": "2026-02-20"}), "actor")
    ok(post(gw, f"/scoring/evaluators/ps/rankings/{MONTH}", later))


# -- the roster's commands --------------------------------------------------------------------------
COMMITTEE_UNITS = [{"id": "city_office", "name": "委机关", "kind": "section", "parent": "city"}]
COMMITTEE_STAFF = [
    {"id": "k1", "name": "委机关干部", "unit": "city_office", "position": "officer", "joined": "2010-01-01"},   # its office
    {"id": "k2", "name": "委员", "unit": "city", "position": "leader", "joined": "2010-01-01"},          # a member
    {"id": "c9", "name": "教导员", "unit": "c_ps_s1", "position": "chief", "joined": "2012-01-01"},     # another mentor
]


def call(gw, method, path, body=None, who="city", **params):
    headers = who if isinstance(who, dict) else auth(who)
    return requests.request(method, f"{gw}{path}", json=body, params=params or None, headers=headers, timeout=60)


@pytest.fixture
def roster_city(start_gateway):
    gw, suite = start_gateway(city.classes())
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS + COMMITTEE_UNITS})
        rpc.roster.create_staff({"staff": city.STAFF + COMMITTEE_STAFF})
    return gw, suite


def test_the_roster_commands_over_http(roster_city):
    gw, suite = roster_city
    office, member, head = (person_bearer(gw, suite, p) for p in ("k1", "k2", "h"))
    # the unit tree: the committee's office only (a calling system, even of the whole city, may not)
    unit = {"id": "c_ps_s2", "name": "治安大队", "kind": "section", "parent": "c_ps"}
    refused(call(gw, "POST", "/roster/units", {"units": [unit], "effective": "2026-01-01"}))
    bad(call(gw, "POST", "/roster/units", {"units": [{**unit, "kind": "robot"}], "effective": "2026-01-01"}, office),
        "units[0].kind")
    ok(call(gw, "POST", "/roster/units", {"units": [unit], "effective": "2026-01-01"}, office))
    rename = {"name": "巡特警大队", "effective": "2026-05-01"}
    refused(call(gw, "POST", "/roster/units/c_ps_s2/rename", rename, "county"))
    bad(call(gw, "POST", "/roster/units/c_ps_s2/rename", {**rename, "effective": "May"}, office), "effective")
    ok(call(gw, "POST", "/roster/units/c_ps_s2/rename", rename, office))
    move = {"parent": "m_ps", "effective": "2026-06-01"}
    refused(call(gw, "POST", "/roster/units/c_ps_s2/move", move, "county"))
    bad(call(gw, "POST", "/roster/units/c_ps_s2/move", {"effective": "2026-06-01"}, office), "parent")
    ok(call(gw, "POST", "/roster/units/c_ps_s2/move", move, office))
    dissolve = {"effective": "2026-07-01"}
    refused(call(gw, "POST", "/roster/units/c_ps_s2/dissolve", dissolve, "other"))
    bad(call(gw, "POST", "/roster/units/c_ps_s2/dissolve", {}, office), "effective")
    ok(call(gw, "POST", "/roster/units/c_ps_s2/dissolve", dissolve, office))
    history = ok(call(gw, "GET", "/roster/units/c_ps_s2/history"))
    assert len(history["versions"]) >= 3, history
    assert call(gw, "GET", "/roster/units/c_ps_s1/history", who="other").status_code == 404
    bad(call(gw, "GET", "/roster/units/x%00y/history"), "unit")
    assert ok(call(gw, "GET", "/roster/units/c_ps_s1/evaluator", date="2026-03-01"))["group"] == "c_ps"
    assert call(gw, "GET", "/roster/units/c_ps_s1/evaluator", who="other", date="2026-03-01").status_code == 404
    bad(call(gw, "GET", "/roster/units/c_ps_s1/evaluator", date="2026-02-30"), "date")
    # people, posts and spells: a calling system within its units
    o2 = {"id": "o2", "name": "干警2", "unit": "c_ps_s1", "position": "officer", "joined": "2021-01-01"}
    refused(call(gw, "POST", "/roster/people", {"staff": [o2]}, "other"))
    bad(call(gw, "POST", "/roster/people", {"staff": [{**o2, "position": "boss"}]}, "county"), "staff[0].position")
    ok(call(gw, "POST", "/roster/people", {"staff": [o2]}, "county"))
    change = {"effective": "2026-04-01", "name": "干警二"}
    refused(call(gw, "POST", "/roster/people/o2/changes", change, "other"))
    bad(call(gw, "POST", "/roster/people/o2/changes", {**change, "position": "boss"}, "county"), "position")
    ok(call(gw, "POST", "/roster/people/o2/changes", change, "county"))
    leave = {"kind": "leave", "leave_kind": "sick", "start": "2026-03-01"}
    refused(call(gw, "POST", "/roster/people/o1/spells", leave, "other"))
    bad(call(gw, "POST", "/roster/people/o1/spells", {**leave, "kind": "holiday"}, "county"), "kind")
    spell = ok(call(gw, "POST", "/roster/people/o1/spells", leave, "county"))
    spell_id = (spell.get("spell") or spell)["id"]
    refused(call(gw, "POST", f"/roster/spells/{spell_id}/end", {"end": "2026-03-05"}, "other"))
    bad(call(gw, "POST", f"/roster/spells/{spell_id}/end", {"end": "soon"}, "county"), "end")
    ok(call(gw, "POST", f"/roster/spells/{spell_id}/end", {"end": "2026-03-05"}, "county"))
    # mentors
    refused(call(gw, "POST", "/roster/people/o1/mentor", {"mentor": "c", "start": "2026-01-01"}, "other"))
    bad(call(gw, "POST", "/roster/people/o1/mentor", {"mentor": "c"}, "county"), "start")
    ok(call(gw, "POST", "/roster/people/o1/mentor", {"mentor": "c", "start": "2026-01-01"}, "county"))
    refused(call(gw, "POST", "/roster/people/o1/mentor/reassign", {"mentor": "c9", "start": "2026-02-01"}, "other"))
    bad(call(gw, "POST", "/roster/people/o1/mentor/reassign", {"mentor": "", "start": "2026-02-01"}, "county"),
        "mentor")
    ok(call(gw, "POST", "/roster/people/o1/mentor/reassign", {"mentor": "c9", "start": "2026-02-01"}, "county"))
    refused(call(gw, "POST", "/roster/people/o1/mentor/end", {"date": "2026-05-01"}, "other"))
    bad(call(gw, "POST", "/roster/people/o1/mentor/end", {"date": "2026-05-01", "why": "x"}, "county"), "why")
    ok(call(gw, "POST", "/roster/people/o1/mentor/end", {"date": "2026-05-01"}, "county"))
    pairs = {"pairs": [{"mentor": "c", "mentee": "o2", "start": "2026-01-01"}]}
    refused(call(gw, "POST", "/roster/mentors", pairs, "other"))
    bad(call(gw, "POST", "/roster/mentors", {"pairs": [{"mentor": "c", "mentee": "o2"}]}, "county"), "pairs[0].start")
    ok(call(gw, "POST", "/roster/mentors", pairs, "county"))
    # the ten bans, discipline facts and a return to the team: the head, the committee (never a system)
    ban = {"ban": 4, "occurred_on": "2026-03-01", "confirmed_on": "2026-03-02"}
    refused(call(gw, "POST", "/roster/people/o1/cases", ban, "county"))
    bad(call(gw, "POST", "/roster/people/o1/cases", {**ban, "ban": 11}, head), "ban")
    ok(call(gw, "POST", "/roster/people/o1/cases", ban, head))
    fact = {"kind": "violation", "unit": "c_ps", "occurred_on": "2026-03-01"}
    refused(call(gw, "POST", "/roster/discipline-facts", fact, "county"))
    bad(call(gw, "POST", "/roster/discipline-facts", {**fact, "kind": "rumour"}, member), "kind")
    fact_id = ok(call(gw, "POST", "/roster/discipline-facts", fact, member))["fact"]["id"]
    refused(call(gw, "POST", f"/roster/discipline-facts/{fact_id}/investigation", {"investigated_on": "2026-03-09"},
                 head))
    bad(call(gw, "POST", f"/roster/discipline-facts/{fact_id}/investigation", {}, member), "investigated_on")
    ok(call(gw, "POST", f"/roster/discipline-facts/{fact_id}/investigation", {"investigated_on": "2026-03-09"}, member))
    ok(call(gw, "POST", "/roster/people/o2/spells", {"kind": "transferred_out", "start": "2026-06-01"}, "county"))
    back = {"date": "2026-09-01", "unit": "c_ps_s1", "position": "officer"}
    refused(call(gw, "POST", "/roster/people/o2/return-to-team", back, "county"))
    bad(call(gw, "POST", "/roster/people/o2/return-to-team", {**back, "position": "boss"}, head), "position")
    ok(call(gw, "POST", "/roster/people/o2/return-to-team", back, head))


# -- training, survey and rewards -------------------------------------------------------------------
def test_the_training_commands_over_http(small_city):
    gw, _ = small_city
    course = {"id": "drill", "kind": "skills", "title": "实战技能"}
    refused(call(gw, "POST", "/training/courses", {"courses": [course]}, "county"))     # a system of the whole city only
    bad(call(gw, "POST", "/training/courses", {"courses": [{**course, "kind": "chess"}]}), "courses[0].kind")
    ok(call(gw, "POST", "/training/courses", {"courses": [course]}))
    result = {"course_id": "drill", "date": "2026-03-02", "result": "pass"}
    refused(call(gw, "POST", "/training/people/o1/results", result, "other"))
    bad(call(gw, "POST", "/training/people/o1/results", {**result, "result": "maybe"}, "county"), "result")
    ok(call(gw, "POST", "/training/people/o1/results", result, "county"))
    assert ok(call(gw, "GET", "/training/people/o1/results", who="county"))["results"]
    study = {"entries": [{"person_id": "o1", "date": "2026-03-03"}]}
    refused(call(gw, "POST", "/training/study-days", study, "other"))
    bad(call(gw, "POST", "/training/study-days", {"entries": [{"person_id": "o1"}]}, "county"), "entries[0].date")
    ok(call(gw, "POST", "/training/study-days", study, "county"))
    session = {"start": "2026-03-09", "days": 2}
    refused(call(gw, "POST", "/training/units/c_ps/sessions", session, "other"))
    bad(call(gw, "POST", "/training/units/c_ps/sessions", {**session, "days": "two"}, "county"), "days")
    ok(call(gw, "POST", "/training/units/c_ps/sessions", session, "county"))
    post = {"start": "2026-01-05"}
    refused(call(gw, "POST", "/training/people/o1/frontline-post", post, "other"))
    bad(call(gw, "POST", "/training/people/o1/frontline-post", {"start": "2026-01-32"}, "county"), "start")
    ok(call(gw, "POST", "/training/people/o1/frontline-post", post, "county"))


def test_the_survey_commands_over_http(small_city):
    gw, suite = small_city
    items = [{"dimension": d, "text": f"{d}题"} for d in ("morality", "ability", "diligence", "results",
                                                          "integrity", "learning")]
    refused(call(gw, "POST", "/survey/questionnaires", {"key": "q2026", "items": items}, "county"))
    bad(call(gw, "POST", "/survey/questionnaires", {"key": "q2026", "items": "none"}), "items")
    defined = ok(call(gw, "POST", "/survey/questionnaires", {"key": "q2026", "items": items}))
    body = {"campaign_id": "c1", "period": "2026H1", "owner": "cnty", "subjects": city.SUBJECTS}
    ok(call(gw, "POST", "/survey/campaigns", body, "county"))
    chosen = {"questionnaire": {"key": "q2026", "version": defined["version"]}}
    r = call(gw, "POST", "/survey/campaigns/c1/questionnaire", chosen, "other")   # not its units' campaign: missing
    assert r.status_code == 404 and r.json()["field"] == "campaign_id", r.text
    refused(call(gw, "POST", "/survey/campaigns/c1/questionnaire", chosen, person_bearer(gw, suite, "o1")))  # an officer
    bad(call(gw, "POST", "/survey/campaigns/c1/questionnaire", {"questionnaire": {"key": "q2026", "version": 0}},
             "county"), "questionnaire.version")
    assert ok(call(gw, "POST", "/survey/campaigns/c1/questionnaire", chosen, "county"))["questionnaire"]["key"] == "q2026"


def test_daily_logs_facts_agency_evaluations_ratings_and_rule_packs_over_http(scoring_city):
    from pathlib import Path

    import yaml

    gw, suite = scoring_city
    with suite.rpc() as rpc:       # an officer of the county committee's office (委机关) in scoring's read model
        rpc.scoring.upsert_people({"people": [{"id": "k1", "agency": "cnty", "position": "officer",
                                               "joined": "2010-01-01"}]})
    o1, cs, h, k1 = (person_bearer(gw, suite, p) for p in ("o1", "cs", "h", "k1"))
    # daily logs: a person writes their own (a persons system must name an actor: logs have none)
    logs = {"as_of": ON, "logs": [{"person": "o1", "date": "2026-02-02", "text": "走访群众"}]}
    refused(call(gw, "POST", "/scoring/daily-logs", logs, "county"))
    bad(call(gw, "POST", "/scoring/daily-logs", {**logs, "logs": [{"person": "o1", "date": "2026-02-02"}]}, o1),
        "logs[0].text")
    ok(call(gw, "POST", "/scoring/daily-logs", logs, o1))
    reviews = {"as_of": ON, "reviews": [{"actor": "c1", "person": "o1", "date": "2026-02-02"}]}
    refused(call(gw, "POST", "/scoring/daily-logs/reviews", reviews, "county"))
    bad(call(gw, "POST", "/scoring/daily-logs/reviews", {"as_of": ON, "reviews": [{"actor": "c1", "person": "o1"}]},
             "office"), "reviews[0].date")
    ok(call(gw, "POST", "/scoring/daily-logs/reviews", reviews, "office"))
    # rating facts: the bureau's head, the committee's office or a calling system within its units
    honours = {"honours": [{"id": "h1", "subject": "o1", "title": "省优秀政法干警", "level": "provincial",
                            "date": "2026-05-01"}]}
    refused(call(gw, "POST", "/scoring/honours", honours, "other"))
    bad(call(gw, "POST", "/scoring/honours", {"honours": [{**honours["honours"][0], "level": "galactic"}]}, "county"),
        "honours[0].level")
    ok(call(gw, "POST", "/scoring/honours", honours, "county"))
    facts = {"facts": [{"id": "f1", "subject": "s3", "subject_kind": "section", "kind": "failed_inspection",
                        "date": "2026-04-10"}]}
    refused(call(gw, "POST", "/scoring/facts", facts, "other"))
    bad(call(gw, "POST", "/scoring/facts", {"facts": [{**facts["facts"][0], "kind": "secret_leak"}]}, "county"),
        "facts[0].kind")
    ok(call(gw, "POST", "/scoring/facts", facts, "county"))
    absences = {"absences": [{"person": "o2", "date": "2026-03-03"}]}
    refused(call(gw, "POST", "/scoring/absences", absences, "other"))
    bad(call(gw, "POST", "/scoring/absences", {"absences": [{"person": "o2"}]}, "county"), "absences[0].date")
    ok(call(gw, "POST", "/scoring/absences", absences, "county"))
    # the agency's evaluation and the half-year rating: the committee (a member signed in)
    evaluation = {"actor": "cs", "year": 2026, "group": "county", "awards": [],
                  "standards": {"structures": 16, "mentoring": 15, "joint_work": 14, "rules_and_bans": 16,
                                "central_tasks": 15, "effectiveness": 14}}
    refused(call(gw, "POST", "/scoring/agencies/ps/evaluations", evaluation, "county"))
    bad(call(gw, "POST", "/scoring/agencies/ps/evaluations", {**evaluation, "group": "city"}, cs), "group")
    ok(call(gw, "POST", "/scoring/agencies/ps/evaluations", evaluation, cs))
    rating = {"period": "2026H1", "scope": "ps", "rating_date": "2026-07-08"}
    refused(call(gw, "POST", "/scoring/ratings", rating, "city"))
    bad(call(gw, "POST", "/scoring/ratings", {**rating, "period": "2026H2"}, cs), "period")
    assert ok(call(gw, "POST", "/scoring/ratings", rating, cs))["published"]
    snapshot = ok(call(gw, "GET", "/scoring/units/ps/snapshots/2026H1"))
    assert call(gw, "GET", "/scoring/units/ps/snapshots/2026H1", who="other").status_code == 404
    bad(call(gw, "GET", "/scoring/units/ps/snapshots/2026H1", rating_date="July"), "rating_date")
    # rule packs: the bureau's leading group registers its own; criteria: the committee's office
    pack = yaml.safe_load((Path(__file__).parents[3] / "docs" / "examples" / "pack.yml").read_text(encoding="utf-8"))
    refused(call(gw, "POST", "/scoring/agencies/ps/packs", {"pack": pack}, "county"))
    bad(call(gw, "POST", "/scoring/agencies/ps/packs", {"pack": {**pack, "version": "one"}}, h), "pack.version")
    ok(call(gw, "POST", "/scoring/agencies/ps/packs", {"pack": pack}, h))
    assert ok(call(gw, "GET", "/scoring/agencies/ps/packs"))["versions"]
    criteria = {"kind": "officer", "version": 1, "effective_from": "2026-03",
                "items": [{"dimension": "performance", "id": "ps.cases", "label": "办案", "max": 4}],
                "maxima": {"performance.targets": 8}}
    refused(call(gw, "POST", "/scoring/agencies/ps/criteria-packs", criteria, h))
    bad(call(gw, "POST", "/scoring/agencies/ps/criteria-packs", {**criteria, "kind": "dog"}, k1), "kind")
    assert ok(call(gw, "POST", "/scoring/agencies/ps/criteria-packs", criteria, k1))["version"] == "city-1+ps.1"
    data = {"subjects": [{"id": "o1", "figures": {"cases_closed": 12}}]}
    refused(call(gw, "POST", "/scoring/agencies/ps/subject-data/2026", data, "other"))
    bad(call(gw, "POST", "/scoring/agencies/ps/subject-data/2026", {"subjects": "o1"}, "county"), "subjects")
    r = call(gw, "POST", "/scoring/agencies/ps/subject-data/2026", data, "county")
    assert r.status_code in (200, 422), r.text      # 422: a figure the agency's pack does not define
    rate = {"period": "2026H1", "snapshot": snapshot.get("snapshot", snapshot)}
    assert call(gw, "POST", "/scoring/agencies/ps/packs/rate", rate, "other").status_code == 404
    bad(call(gw, "POST", "/scoring/agencies/ps/packs/rate", {**rate, "period": "H1"}), "period")
    ok(call(gw, "POST", "/scoring/agencies/ps/packs/rate", rate))


def test_follow_ups_rectifications_and_referrals_over_http(scoring_city):
    """What a poor month or a referral sets off: refused to a calling system by the policy, a bad field
    named, and the service's own answer for a record that does not exist (a ranked poor month is the
    service tests' part: tests/service/scoring)."""
    gw, suite = scoring_city
    cs = person_bearer(gw, suite, "cs")
    rect = {"actor": "c3", "evaluator": "ps", "month": MONTH, "subject": "s3", "explanation": "制度执行不到位",
            "plan": "每周检查"}
    refused(call(gw, "POST", "/scoring/rectifications", rect, "county"))
    bad(call(gw, "POST", "/scoring/rectifications", {**rect, "plan": ""}, "office"), "plan")
    r = call(gw, "POST", "/scoring/rectifications", rect, "office")
    assert r.status_code in (404, 409) and r.json()["field"], r.text       # nothing owed: no ranking yet
    filing = {k: rect[k] for k in ("evaluator", "month", "subject")} | {"actor": "l1"}
    refused(call(gw, "POST", "/scoring/rectifications/filings", filing, "county"))
    bad(call(gw, "POST", "/scoring/rectifications/filings", {**filing, "month": "2026-00"}, "office"), "month")
    r = call(gw, "POST", "/scoring/rectifications/filings", filing, "office")
    assert r.status_code in (404, 409) and r.json()["field"], r.text
    helpers = {"actor": "l1", "evaluator": "ps", "helpers": ["l2", "c1", "h"]}
    refused(call(gw, "POST", f"/scoring/people/o1/evaluations/{MONTH}/helpers", helpers, "county"))
    bad(call(gw, "POST", f"/scoring/people/o1/evaluations/{MONTH}/helpers", {**helpers, "as_of": "soon"}, "office"),
        "as_of")
    r = call(gw, "POST", f"/scoring/people/o1/evaluations/{MONTH}/helpers", helpers, "office")
    assert r.status_code in (404, 409, 422) and r.json()["field"], r.text   # o1 was not poor
    study = {"actor": "l1", "evaluator": "ps", "class_id": "xxb-1", "class_name": "学习班", "held_on": "2026-02-20",
             "attended": True}
    refused(call(gw, "POST", f"/scoring/people/o1/evaluations/{MONTH}/study-classes", study, "county"))
    bad(call(gw, "POST", f"/scoring/people/o1/evaluations/{MONTH}/study-classes", {**study, "attended": "maybe"},
             "office"), "attended")
    r = call(gw, "POST", f"/scoring/people/o1/evaluations/{MONTH}/study-classes", study, "office")
    assert r.status_code in (404, 409, 422) and r.json()["field"], r.text
    minutes = {"actor": "cs", "meeting_date": "2026-03-02", "minutes": "专题研究"}
    refused(call(gw, "POST", "/scoring/referrals/r1/minutes", minutes, "county"))
    bad(call(gw, "POST", "/scoring/referrals/r1/minutes", {**minutes, "meeting_date": "March"}, cs), "meeting_date")
    r = call(gw, "POST", "/scoring/referrals/r1/minutes", minutes, cs)
    assert r.status_code == 404 and r.json()["field"] == "referral_id", r.text
    task = {"actor": "l1", "held_on": "2026-03-02", "record": "集体谈话"}
    refused(call(gw, "POST", "/scoring/tasks/t1/done", task, "county"))
    bad(call(gw, "POST", "/scoring/tasks/t1/done", {**task, "record": ""}, "office"), "record")
    r = call(gw, "POST", "/scoring/tasks/t1/done", task, "office")
    assert r.status_code == 404 and r.json()["field"] == "task_id", r.text
    workbook = call(gw, "GET", "/scoring/evaluators/ps/referrals.xlsx", year="2026")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK", workbook.text
    assert call(gw, "GET", "/scoring/evaluators/ps/referrals.xlsx", who="other").status_code == 404
    bad(call(gw, "GET", "/scoring/evaluators/ps/referrals.xlsx", year="soon"), "year")


def test_a_reward_task_done_over_http(small_city):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "rewards"))
    from rewards_ratings import agency, officer, rating_payload

    gw, suite = small_city
    with suite.rpc(as_operator="ops") as rpc:
        rpc.rewards.settle(rating_payload(officers=[officer("o1", stars=5, score=97.0),
                                                    officer("o2", stars=2, score=72.0)],
                                          agencies=[agency("a1", klass=1, score=92.0)], headcount=10))
    key = next(t["key"] for t in ok(call(gw, "GET", "/rewards/tasks"))["tasks"] if t["subject"] == "o2")
    refused(call(gw, "POST", "/rewards/tasks/done", {"key": key, "done": "2027-02-01"}, "county"))  # not its unit
    bad(call(gw, "POST", "/rewards/tasks/done", {"key": key, "done": "February"}), "done")
    assert ok(call(gw, "POST", "/rewards/tasks/done", {"key": key, "done": "2027-02-01"}))["done"] == "2027-02-01"
