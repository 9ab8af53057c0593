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
