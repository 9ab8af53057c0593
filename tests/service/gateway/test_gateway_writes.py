"""The command routes of issue 21 through HTTP on the real broker: every route reaches its service,
whose policy table decides (a calling system may not do what only persons do: 403 naming `actor`),
and a bad field is a 400 naming it.  The monthly workflow runs end to end over HTTP with the office
system acting for its persons (each command names the person in `actor`)."""
import pytest
import requests

from tests.service.gateway import city, public_city
from tests.service.gateway.conftest import auth

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


def person_bearer(gw, suite, person):
    """A signed-in person's 15-minute bearer token (sign in with a password, then POST /auth/token)."""
    from services.gateway.signin import SignInKit
    from tests.service.gateway.test_console import PASSWORD, signed_in

    kit = next(dep for container in suite.runner.containers for dep in container.dependencies
               if isinstance(dep, SignInKit))
    kit.store.add(f"login-{person}", person, PASSWORD)
    session, csrf = signed_in(gw, f"login-{person}")
    r = session.post(f"{gw}/auth/token", headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


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
