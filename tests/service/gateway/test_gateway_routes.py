"""The gateway's own route table against the real services (embedded): the OpenAPI document is
valid and every route in it answers; a campaign opened, a form batch sent, rates read and exported;
a person's results read; an agency's people exported."""
import json

import pytest
import requests
from openapi_spec_validator import validate

from tests.service.gateway import city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def started(start_gateway):
    return start_gateway(city.classes())


@pytest.fixture
def gw(started):
    return started[0]


def test_openapi_document_is_valid_and_every_route_in_it_answers(gw):
    doc = requests.get(f"{gw}/openapi.json", timeout=10).json()
    validate(doc)
    assert len(doc["paths"]) >= 12
    operations = 0
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            url = gw + path.replace("{", "").replace("}", "")  # a made-up id for each parameter
            r = requests.request(method.upper(), url, headers=auth("city"), timeout=30,
                                 **({"json": {}} if "requestBody" in op else {}))
            operations += 1
            assert str(r.status_code) in op["responses"], (method, path, r.status_code, r.text)
            assert r.status_code < 500, (method, path, r.text)
            if r.status_code != 200:  # an answer of the gateway or a service, not a missing route
                assert r.headers["Content-Type"].startswith("application/json"), (method, path)
                assert r.json()["error"], (method, path)
            if path.startswith("/health/"):
                assert r.status_code == 200 and r.json()["service"] == path.rsplit("/", 1)[1]
    assert operations == sum(len(m) for m in doc["paths"].values())


def test_a_campaign_a_form_batch_its_rates_and_the_workbook(gw):
    county, other = auth("county"), auth("other")
    body = {"campaign_id": "c1", "period": "2026H1", "owner": "cnty", "subjects": city.SUBJECTS}
    r = requests.post(f"{gw}/survey/campaigns", json={**body, "owner": "m_ps"}, headers=county, timeout=30)
    assert r.status_code == 403 and r.json()["field"] == "owner"
    r = requests.post(f"{gw}/survey/campaigns", json=body, headers=county, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["campaign_id"] == "c1" and r.json()["owner"] == "cnty"

    batch = {"batch_id": "office-2026-07", "forms": [city.form("f1"), city.form("f2", answers="D" * 35),
                                                     city.form("f3", subject="nobody")]}
    headers = {**county, "Idempotency-Key": "office-2026-07"}
    first = requests.post(f"{gw}/survey/campaigns/c1/batches", json=batch, headers=headers, timeout=30)
    assert first.status_code == 200, first.text
    assert (first.json()["received"], first.json()["accepted"], first.json()["rejected"]) == (3, 2, 1)
    assert first.json()["errors"][0]["index"] == 2
    again = requests.post(f"{gw}/survey/campaigns/c1/batches", json=batch, headers=headers, timeout=30)
    assert again.json() == first.json()
    r = requests.post(f"{gw}/survey/campaigns/c1/batches", json={**batch, "campaign_id": "c1"}, headers=county,
                      timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "campaign_id"
    r = requests.post(f"{gw}/survey/campaigns/c1/batches", json={"batch_id": "b", "forms": "x"}, headers=county,
                      timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "forms"
    # a campaign outside the token's units answers exactly as a missing one
    foreign = requests.post(f"{gw}/survey/campaigns/c1/batches", json=batch, headers=other, timeout=30)
    missing = requests.post(f"{gw}/survey/campaigns/none/batches", json=batch, headers=other, timeout=30)
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert missing.json() == {"error": "not_found", "message": "campaign_id not found", "field": "campaign_id"}

    rates = requests.get(f"{gw}/survey/campaigns/c1/rates", headers=county, timeout=30)
    assert rates.status_code == 200
    assert rates.json()["totals"]["forms"] == 2
    foreign = requests.get(f"{gw}/survey/campaigns/c1/rates", headers=other, timeout=30)
    missing = requests.get(f"{gw}/survey/campaigns/none/rates", headers=county, timeout=30)
    assert foreign.status_code == missing.status_code == 404 and foreign.content == missing.content
    assert requests.get(f"{gw}/survey/campaigns/none/rates", headers=auth("city"), timeout=30).content \
        == missing.content

    xlsx = requests.get(f"{gw}/survey/campaigns/c1/rates.xlsx", headers=county, timeout=30)
    assert xlsx.status_code == 200
    assert xlsx.content[:2] == b"PK" and len(xlsx.content) == int(xlsx.headers["Content-Length"])
    assert "attachment" in xlsx.headers["Content-Disposition"]


def test_a_persons_training_results(gw, started):
    # the training service's read model (fed by the roster's events in the suite; given here)
    with started[1].rpc() as rpc:
        assert rpc.training.upsert_people({"people": city.PEOPLE})["created"] == 2
    r = requests.get(f"{gw}/training/people/o1/results", headers=auth("county"), timeout=30)
    assert r.status_code == 200 and r.json() == {"person": "o1", "person_id": "o1", "results": [], "next": None}
    foreign = requests.get(f"{gw}/training/people/m1/results", headers=auth("county"), timeout=30)
    assert requests.get(f"{gw}/training/people/m1/results", headers=auth("other"), timeout=30).status_code == 200
    r = requests.get(f"{gw}/training/people/nobody/results", headers=auth("county"), timeout=30)
    assert r.status_code == 404 and r.json()["field"] == "person"
    assert (foreign.status_code, foreign.content) == (r.status_code, r.content)


def test_an_agencys_people_streamed_as_ndjson(gw, started):
    with started[1].rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
    with requests.get(f"{gw}/roster/agencies/c_ps/people", params={"date": "2026-01-01"}, headers=auth("county"),
                      stream=True, timeout=30) as r:
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("application/x-ndjson")
        people = [json.loads(line) for line in r.iter_lines() if line]
    assert sorted(p["id"] for p in people) == ["c", "h", "l", "o1"]
    assert r.headers["X-Items"] == "4"
    r = requests.get(f"{gw}/roster/agencies/c_ps/people", headers=auth("county"), timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "date"
    r = requests.get(f"{gw}/roster/agencies/c_ps/people", params={"date": "2026-02-30"}, headers=auth("county"),
                     timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "date"
    foreign = requests.get(f"{gw}/roster/agencies/m_ps/people", params={"date": "2026-01-01"},
                           headers=auth("county"), timeout=30)
    assert foreign.status_code == 404 and foreign.json() == {"error": "not_found", "message": "agency not found",
                                                             "field": "agency"}
    missing = requests.get(f"{gw}/roster/agencies/nowhere/people", params={"date": "2026-01-01"},
                           headers=auth("city"), timeout=30)
    assert (missing.status_code, missing.content) == (foreign.status_code, foreign.content)


def test_a_rating_snapshot_rated_and_checked_field_by_field(gw):
    from pathlib import Path

    data = Path(__file__).parents[2] / "data" / "rating"
    snapshot = json.loads((data / "01-basic.json").read_text(encoding="utf-8"))
    expected = json.loads((data / "01-basic.expected.json").read_text(encoding="utf-8"))
    r = requests.post(f"{gw}/ratings/preview", json=snapshot, headers=auth("city"), timeout=60)
    assert r.status_code == 200, r.text
    assert r.json() == expected
    # the snapshot's units (agency a1) are not the county's
    r = requests.post(f"{gw}/ratings/preview", json=snapshot, headers=auth("county"), timeout=60)
    assert r.status_code == 403 and r.json()["field"] == "officers[].agency"
    bad = json.loads(json.dumps(snapshot))
    bad["officers"][3]["monthly"]["2026-13"] = 90
    r = requests.post(f"{gw}/ratings/preview", json=bad, headers=auth("city"), timeout=60)
    assert r.status_code == 400 and r.json()["field"] == "officers[3].monthly.2026-13"


def test_a_persons_scoring_history_and_explanation(gw, started):
    with started[1].rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
    county = auth("county")
    r = requests.get(f"{gw}/scoring/people/o1/history?year=2026", headers=county, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["subject"] == "o1" and r.json()["months"] == []
    r = requests.get(f"{gw}/scoring/people/o1/history?year=1700", headers=county, timeout=30)
    assert r.status_code == 400 and r.json()["field"] == "year"
    foreign = requests.get(f"{gw}/scoring/people/o1/history", headers=auth("other"), timeout=30)
    r = requests.get(f"{gw}/scoring/people/nobody/history", headers=county, timeout=30)
    assert r.status_code == 404
    assert (foreign.status_code, foreign.content) == (r.status_code, r.content)
    # a token that sees every unit gets the same 404 for an unknown person, on every person route
    for route in ("scoring/people/nobody/history?year=2026", "scoring/people/nobody/explanation",
                  "training/people/nobody/results"):
        r = requests.get(f"{gw}/{route}", headers=auth("city"), timeout=30)
        assert r.status_code == 404 and r.json()["error"] == "not_found", (route, r.text)
    assert requests.get(f"{gw}/survey/campaigns/none/rates", headers=auth("city"), timeout=30).status_code == 404
    r = requests.get(f"{gw}/scoring/people/o1/explanation?period=2026", headers=county, timeout=30)
    assert r.status_code == 404 and r.json()["error"] == "not_found"      # not rated yet


def test_a_kept_scope_still_refuses_another_countys_token_the_same_way(gw, started, monkeypatch):
    """Issue 21 item 5: the person's agency and the campaign's owner the lookups answered are kept,
    so the next request makes one RPC; another county's token is refused from the kept unit with
    the same 404 as an unknown person or campaign, and a missing one is asked every time."""
    from services.gateway import app

    with started[1].rpc() as rpc:
        rpc.roster.save_units({"units": city.UNITS})
        rpc.roster.create_staff({"staff": city.STAFF})
    calls = []
    real = app._Upstream.call

    def counted(self, target, args=(), **kw):
        calls.append(target)
        return real(self, target, args, **kw)

    monkeypatch.setattr(app._Upstream, "call", counted)
    county, other, everyone = auth("county"), auth("other"), auth("city")
    for headers in (county, everyone, county):
        r = requests.get(f"{gw}/scoring/people/o1/history?year=2026", headers=headers, timeout=30)
        assert r.status_code == 200 and r.json()["subject"] == "o1", r.text
    assert calls == ["roster.get_staff"] + ["scoring.person_history"] * 3
    foreign = requests.get(f"{gw}/scoring/people/o1/history?year=2026", headers=other, timeout=30)
    unknown = [requests.get(f"{gw}/scoring/people/nobody/history?year=2026", headers=other, timeout=30)
               for _ in range(2)]
    assert foreign.status_code == 404 and {(r.status_code, r.content) for r in unknown} == {
        (foreign.status_code, foreign.content)}
    assert calls[4:] == ["roster.get_staff"] * 2          # o1 refused from the kept unit; nobody asked twice

    body = {"campaign_id": "k9", "period": "2026H1", "owner": "cnty", "subjects": city.SUBJECTS}
    assert requests.post(f"{gw}/survey/campaigns", json=body, headers=county, timeout=30).status_code == 200
    del calls[:]
    batch = {"batch_id": "b1", "forms": [city.form("f1")]}
    for n in range(2):
        r = requests.post(f"{gw}/survey/campaigns/k9/batches", headers=county, timeout=30,
                          json={"batch_id": f"b{n}", "forms": [city.form(f"f{n}")]})
        assert r.status_code == 200 and r.json()["accepted"] == 1, r.text
    assert calls == ["survey.campaign_owner", "survey.submit_batch", "survey.submit_batch"]
    foreign = requests.post(f"{gw}/survey/campaigns/k9/batches", json=batch, headers=other, timeout=30)
    unknown = requests.post(f"{gw}/survey/campaigns/none/batches", json=batch, headers=other, timeout=30)
    assert foreign.status_code == 404 and (foreign.status_code, foreign.content) == (unknown.status_code,
                                                                                     unknown.content)
    assert calls[3:] == ["survey.campaign_owner"]          # k9 refused from the kept owner, nothing sent


def test_the_campaigns_of_the_tokens_units_a_page_at_a_time(gw):
    county, other, everyone = auth("county"), auth("other"), auth("city")
    for cid, owner, headers in (("k1", "cnty", county), ("k2", "c_ps", county), ("k3", "m_ps", other),
                                ("k4", "cnty", county)):
        body = {"campaign_id": cid, "period": "2026H1", "owner": owner, "subjects": city.SUBJECTS}
        r = requests.post(f"{gw}/survey/campaigns", json=body, headers=headers, timeout=30)
        assert r.status_code == 200, r.text

    def ids(headers, **params):
        r = requests.get(f"{gw}/survey/campaigns", params=params, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        return [c["campaign_id"] for c in r.json()["campaigns"]], r.json()["next"]

    assert ids(county) == (["k1", "k2", "k4"], None)                 # never another unit's campaign
    assert ids(other) == (["k3"], None)
    assert ids(everyone) == (["k1", "k2", "k3", "k4"], None)         # a "*" token sees every unit's
    # pages: `next` is the `after` of the following page, null on the last
    assert ids(county, limit=2) == (["k1", "k2"], "k2")
    assert ids(county, limit=2, after="k2") == (["k4"], None)
    assert ids(everyone, limit=3, after="k1") == (["k2", "k3", "k4"], None)
    page = requests.get(f"{gw}/survey/campaigns", params={"limit": 1}, headers=county, timeout=30).json()
    assert page["campaigns"][0] == {**page["campaigns"][0], "campaign_id": "k1", "owner": "cnty",
                                    "period": "2026H1", "status": "open"}
    for params, field in (({"limit": "0"}, "limit"), ({"limit": "501"}, "limit"), ({"limit": "x"}, "limit"),
                          ({"limit": "1.5"}, "limit"), ({"after": "a\tb"}, "after"), ({"after": ""}, "after"),
                          ({"owners": "m_ps"}, "owners"), ({"lmit": "2"}, "lmit")):
        r = requests.get(f"{gw}/survey/campaigns", params=params, headers=county, timeout=30)
        assert r.status_code == 400 and r.json()["field"] == field, (params, r.text)
    assert requests.get(f"{gw}/survey/campaigns", timeout=30).status_code == 401
    doc = requests.get(f"{gw}/openapi.json", timeout=10).json()
    op = doc["paths"]["/survey/campaigns"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert set(params) == {"limit", "after"} and all(p["in"] == "query" for p in params.values())
    assert (params["limit"]["schema"]["minimum"], params["limit"]["schema"]["maximum"]) == (1, 500)


def test_the_sign_in_endpoints_are_in_the_openapi_document(gw):
    """Every ``/auth`` entry point of the gateway has its operation in the document (issue 21)."""
    from services.gateway.signin import entry_points

    doc = requests.get(f"{gw}/openapi.json", timeout=10).json()
    served = {(handler.method.lower(), handler.url) for fn in entry_points().values()
              for handler in getattr(fn, "nameko_entrypoints", ())}
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops
                  if path.startswith("/auth/")}
    assert served and served == documented
    assert doc["components"]["securitySchemes"]["session"]["in"] == "cookie"
    login = doc["paths"]["/auth/login"]["post"]
    assert login["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"] == [
        "login", "password", "csrf"]
    assert set(login["responses"]) >= {"200", "303", "400", "401", "403", "429"}
