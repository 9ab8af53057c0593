"""Signed-in persons on the routes naming their units (``Scope.at``, issue 21 item 2), on the real
services (embedded): the roster's staff reach every service's read model by its events, and each
service's policy decides by the person's roles on the day and the row's scope.  A person reads his own
unit's members, his body's objections, his agency's packs and ledger; a person of another agency, or
of none, gets exactly what a calling system outside its units gets (404 for the path's unit, 403
naming a query's or a body's unit); an officer reads nothing outside his post's cover; the writes on
these routes stay the policy's (by role: 403 naming ``actor``)."""
from pathlib import Path

import pytest
import requests
import yaml

from tests.service.gateway import city
from tests.service.gateway.conftest import auth, person_bearer
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(240)

DAY = "2026-03-01"
UNITS = city.UNITS + [{"id": "city_office", "name": "委机关", "kind": "section", "parent": "city"},
                      {"id": "m_ps_s1", "name": "治安支队", "kind": "section", "parent": "m_ps"}]
STAFF = city.STAFF + [
    {"id": "k1", "name": "委机关干部", "unit": "city_office", "position": "officer", "joined": "2010-01-01"},
    {"id": "mh", "name": "市局局长", "unit": "m_ps", "position": "head", "joined": "2001-01-01"},
    {"id": "m1", "name": "市局民警", "unit": "m_ps_s1", "position": "officer", "joined": "2019-01-01"},
]


@pytest.fixture
def city_people(start_gateway):
    """The small city in the roster (its events feed scoring, survey, training and rewards), and a
    bearer token of each person signed in (``ghost``: an account of nobody on the roster); the suite."""
    gw, suite = start_gateway(city.classes())
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": UNITS})
        rpc.roster.create_staff({"staff": STAFF})
    who = {p: person_bearer(gw, suite, p) for p in ("h", "l", "o1", "k1", "mh", "m1", "ghost")}
    return gw, who, suite


@pytest.fixture
def people(city_people):
    return city_people[:2]


def call(gw, method, path, who, body=None, **params):
    headers = who if isinstance(who, dict) else auth(who)
    return requests.request(method, f"{gw}{path}", json=body, params=params or None, headers=headers,
                            timeout=60)


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def arrived(gw, method, path, who, body=None, **params):
    """The answer once the roster's events reached the service (its read model knows the person)."""
    r = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(call(gw, method, path, who, body, **params)),
                 timeout=90)
    assert r is not None, (path, call(gw, method, path, who, body, **params).text)
    return r.json()


def as_token(person_answer, token_answer, system, person):
    """The person's refusal is the calling system's, word for word but for who asks."""
    assert person_answer.status_code == token_answer.status_code, (person_answer.text, token_answer.text)
    assert person_answer.json() == {k: (v.replace(system, f"person:{person}") if k == "message" else v)
                                    for k, v in token_answer.json().items()}, (person_answer.text, token_answer.text)
    return person_answer.json()


def test_a_person_reads_his_own_units_and_is_refused_elsewhere_as_a_foreign_token(people):
    gw, who = people
    # (a) the bureau's leader reads its members, its body's objections; the committee's office any unit's
    members = arrived(gw, "GET", "/roster/units/c_ps/members", who["l"], date=DAY, include_subunits="true")
    assert sorted(m["id"] for m in members["members"]) == ["c", "h", "l", "o1"]
    assert ok(call(gw, "GET", "/roster/units/c_ps/members", who["k1"], date=DAY))["unit"] == "c_ps"
    assert ok(call(gw, "GET", "/roster/units/m_ps/members", who["k1"], date=DAY))["unit"] == "m_ps"
    objections = arrived(gw, "GET", "/scoring/objections", who["l"], evaluator="c_ps")
    assert objections["evaluator"] == "c_ps" and objections["objections"] == []
    r = call(gw, "GET", "/roster/agencies/c_ps/people", who["h"], date=DAY)            # streamed, a line each
    assert r.status_code == 200 and len(r.text.splitlines()) == 4, r.text
    # (b) a person of another agency, or of none: the foreign token's answer ("other" sees m_ps only)
    for person in ("m1", "mh", "ghost"):
        as_token(call(gw, "GET", "/roster/units/c_ps/members", who[person], date=DAY),
                 call(gw, "GET", "/roster/units/c_ps/members", "other", date=DAY), "other", person)
        body = as_token(call(gw, "GET", "/scoring/objections", who[person], evaluator="c_ps"),
                        call(gw, "GET", "/scoring/objections", "other", evaluator="c_ps"), "other", person)
        assert body["field"] == "evaluator" and body["error"] == "forbidden"
    missing = call(gw, "GET", "/roster/units/nowhere/members", who["m1"], date=DAY)
    foreign = call(gw, "GET", "/roster/units/c_ps/members", who["m1"], date=DAY)
    assert (missing.status_code, missing.json()) == (foreign.status_code, foreign.json()) == (
        404, {"error": "not_found", "message": "unit not found", "field": "unit"})
    # (c) an officer: his agency (and below), not the committee above it nor another agency
    assert ok(call(gw, "GET", "/roster/units/c_ps/members", who["o1"], date=DAY))["unit"] == "c_ps"
    for unit in ("cnty", "m_ps", "city"):      # the foreign token: one that does not see the unit
        token = "county" if unit == "m_ps" else "other"
        as_token(call(gw, "GET", f"/roster/units/{unit}/members", who["o1"], date=DAY),
                 call(gw, "GET", f"/roster/units/{unit}/members", token, date=DAY), token, "o1")
    ledger = arrived(gw, "GET", "/rewards/units/c_ps/ledger", who["o1"])
    assert ledger["lines"] == []
    for person, unit, token in (("o1", "m_ps", "county"), ("m1", "c_ps", "other")):   # another paying unit's
        as_token(call(gw, "GET", f"/rewards/units/{unit}/ledger", who[person]),
                 call(gw, "GET", f"/rewards/units/{unit}/ledger", token), token, person)
    assert call(gw, "GET", "/rewards/units/cnty/ledger", who["o1"]).status_code == 404   # above his agency
    ok(call(gw, "GET", "/rewards/units/cnty/ledger", who["k1"]))          # the city committee's office
    study = arrived(gw, "GET", "/training/units/c_ps/study", who["h"], month="2026-03")
    assert study["month"] == "2026-03"
    as_token(call(gw, "GET", "/training/units/c_ps/study", who["m1"], month="2026-03"),
             call(gw, "GET", "/training/units/c_ps/study", "other", month="2026-03"), "other", "m1")
    # a route whose policy row does not check its unit stays closed to persons (the gateway's 404)
    assert call(gw, "GET", "/roster/units/c_ps/history", who["k1"]).status_code == 404
    # the overdue daily logs: about the agency named (its row reads the whole city without one, which
    # this route never sends), so its head reads them and another bureau's head gets the foreign 404
    assert ok(call(gw, "GET", "/scoring/agencies/c_ps/unreviewed-logs", who["h"]))["logs"] == []
    as_token(call(gw, "GET", "/scoring/agencies/c_ps/unreviewed-logs", who["m1"]),
             call(gw, "GET", "/scoring/agencies/c_ps/unreviewed-logs", "other"), "other", "m1")


def test_rule_packs_and_the_writes_on_these_routes_stay_the_policy_s(people):
    gw, who = people
    pack = yaml.safe_load((Path(__file__).parents[3] / "docs" / "examples" / "pack.yml").read_text(encoding="utf-8"))
    # (a) the bureau's leading group registers its pack (a policy route) and reads its history
    registered = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
        call(gw, "POST", "/scoring/agencies/c_ps/packs", who["l"], {"pack": pack})), timeout=90)
    assert registered is not None and registered.json()["agency"] == "c_ps"
    history = ok(call(gw, "GET", "/scoring/agencies/c_ps/packs", who["h"]))
    assert [v["version"] for v in history["versions"]] == [1]
    assert ok(call(gw, "GET", "/scoring/agencies/c_ps/packs", who["o1"]))["agency"] == "c_ps"   # a read: anyone's within
    # (d) by role: an officer may not register one; another agency's head: outside his units (the policy's 403)
    for person in ("o1", "mh"):
        r = call(gw, "POST", "/scoring/agencies/c_ps/packs", who[person], {"pack": {**pack, "version": 2}})
        assert r.status_code == 403 and r.json()["field"] == "actor", r.text
        assert r.json()["message"].startswith("scoring.register_pack: ")
    assert ok(call(gw, "GET", "/scoring/agencies/c_ps/packs", "city"))["versions"] == history["versions"]
    # (b) another agency's people read neither its history nor check a pack against it: the foreign token's 404
    for person in ("mh", "m1", "ghost"):
        as_token(call(gw, "GET", "/scoring/agencies/c_ps/packs", who[person]),
                 call(gw, "GET", "/scoring/agencies/c_ps/packs", "other"), "other", person)
        as_token(call(gw, "POST", "/scoring/agencies/c_ps/packs/check", who[person], {"pack": pack}),
                 call(gw, "POST", "/scoring/agencies/c_ps/packs/check", "other", {"pack": pack}), "other", person)
    assert ok(call(gw, "POST", "/scoring/agencies/m_ps/packs/check", who["m1"], {"pack": pack}))["ok"] is True
    # (d) a campaign: the bureau's head opens one of his own units; an officer may not (by role: actor);
    # another agency's head: outside his units, as the foreign token (403 naming `owner`)
    campaign = {"campaign_id": "p1", "period": "2026H1", "owner": "c_ps", "subjects": city.SUBJECTS}
    opened = wait_for(lambda: (lambda r: r if r.status_code == 200 else None)(
        call(gw, "POST", "/survey/campaigns", who["h"], campaign)), timeout=90)
    assert opened is not None, call(gw, "POST", "/survey/campaigns", who["h"], campaign).text
    assert opened.json()["owner"] == "c_ps"
    r = call(gw, "POST", "/survey/campaigns", who["o1"], {**campaign, "campaign_id": "p2"})
    assert r.status_code == 403 and r.json()["field"] == "actor" and "officer" in r.json()["message"], r.text
    body = as_token(call(gw, "POST", "/survey/campaigns", who["mh"], {**campaign, "campaign_id": "p3"}),
                    call(gw, "POST", "/survey/campaigns", "other", {**campaign, "campaign_id": "p3"}), "other", "mh")
    assert body["field"] == "owner"
    for refused in ("p2", "p3"):          # nothing opened
        assert call(gw, "GET", f"/survey/campaigns/{refused}", "city").status_code == 404
    # an objection's answer: a member of the body's leading group; the body of another: 403 naming it
    answer = {"actor": "l", "evaluator": "c_ps", "answer": "已核实", "upheld": False}
    r = call(gw, "POST", "/scoring/objections/obj-nothing/answer", who["l"], answer)
    assert r.status_code == 404 and r.json()["field"] == "objection_id", r.text
    r = call(gw, "POST", "/scoring/objections/obj-nothing/answer", who["o1"], {**answer, "actor": "o1"})
    assert r.status_code == 403 and r.json()["field"] == "actor", r.text
    as_token(call(gw, "POST", "/scoring/objections/obj-nothing/answer", who["mh"], {**answer, "actor": "mh"}),
             call(gw, "POST", "/scoring/objections/obj-nothing/answer", "other", {**answer, "actor": "mh"}), "other", "mh")
    r = call(gw, "POST", "/scoring/objections/obj-nothing/answer", who["mh"], answer)   # acting as another: the policy's
    assert r.status_code == 403 and r.json()["field"] == "actor", r.text


def test_a_departed_person_s_training_records_are_read_within_his_last_unit_only(city_people):
    """m1 left m_ps (transferred out): his training results, certifications and allowances are read by
    his last agency's head and the city committee's office, not by another bureau's leader (before,
    a person who had left was in nobody's units and every reader read them)."""
    gw, who, suite = city_people
    arrived(gw, "GET", "/training/people/m1/results", who["mh"])        # training knows him
    with suite.rpc() as rpc:
        rpc.roster.record_spell({"person": "m1", "kind": "transferred_out", "start": "2026-06-01"})

        def left():
            return rpc.training.get_person({"person": "m1"}).get("left_on") == "2026-06-01"
        assert wait_for(left, timeout=90)
    for path in ("/training/people/m1/results", "/training/people/m1/certifications",
                 "/training/people/m1/allowances"):
        params = {"allowances": {"year": 2026, "as_of": "2026-07-01"}, "certifications": {"as_of": "2026-07-01"}}.get(
            path.rsplit("/", 1)[1], {})
        assert call(gw, "GET", path, who["mh"], **params).status_code == 200, path
        assert call(gw, "GET", path, who["k1"], **params).status_code == 200, path
        outsider = call(gw, "GET", path, who["l"], **params)
        assert outsider.status_code in (403, 404), (path, outsider.text)
