"""Scoring's answers read through the gateway with their entities in them (issue 21 item 3): three
ranked months (poor subjects, referrals twice running, follow-ups, collective talks, rectifications),
a rule pack, a half-year rating under it, and a month in review, so that every scoring route whose
answer holds an entity (``shared.contracts.scoring``'s output contracts) answers a non-empty one.
The autouse ``answers_as_documented`` checks each 2xx answer against the served /openapi.json: a
contract that says other than the service answers fails here; the last assertion checks every such
route was read."""
from pathlib import Path

import pytest
import requests
import yaml

from tests.service.gateway import city, public_city
from tests.service.gateway.conftest import auth
from tests.service.gateway.test_console_board import load_roster
from tests.service.gateway.test_gateway_writes import person_bearer
from tests.service.scoring.conftest import drive_month

pytestmark = pytest.mark.timeout(300)

LOW = {"performance.targets": 2}
PACK = yaml.safe_load((Path(__file__).parents[3] / "docs" / "examples" / "pack.yml").read_text(encoding="utf-8"))

#: the routes whose answer holds scoring's entities, each read below with a 200
ENTITY_ROUTES = {
    ("GET", "/scoring/people/{person}/waiting"), ("GET", "/scoring/people/{person}/explanation"),
    ("GET", "/scoring/people/{person}/history"), ("GET", "/scoring/people/{person}/evaluations/{month}"),
    ("GET", "/scoring/evaluators/{evaluator}/referrals"), ("POST", "/scoring/referrals/{referral_id}/minutes"),
    ("POST", "/scoring/people/{person}/evaluations/{month}/helpers"),
    ("POST", "/scoring/people/{person}/evaluations/{month}/study-classes"),
    ("GET", "/scoring/evaluators/{evaluator}/poor-followups/{month}"),
    ("GET", "/scoring/evaluators/{evaluator}/followup-tasks"), ("POST", "/scoring/tasks/{task_id}/done"),
    ("GET", "/scoring/evaluators/{evaluator}/rectifications"), ("POST", "/scoring/rectifications"),
    ("POST", "/scoring/rectifications/filings"), ("GET", "/scoring/agencies/{agency}/unreviewed-logs"),
    ("GET", "/scoring/agencies/{agency}/packs"), ("POST", "/scoring/agencies/{agency}/packs"),
    ("GET", "/scoring/agencies/{agency}/packs/{period}"), ("POST", "/scoring/agencies/{agency}/packs/check"),
    ("POST", "/scoring/agencies/{agency}/packs/preview"), ("POST", "/scoring/agencies/{agency}/packs/rate"),
    ("POST", "/scoring/ratings"), ("POST", "/scoring/ratings/preview"), ("POST", "/ratings/preview"),
    ("GET", "/scoring/units/{unit}/results/{period}"), ("GET", "/scoring/committees/{committee}/board"),
    ("GET", "/scoring/units/{scope}/snapshots/{period}"),
    # the evaluation sent back, one and in a batch; a public objection answered
    ("POST", "/scoring/people/{person}/evaluations/{month}/send-back"), ("POST", "/scoring/send-backs"),
    ("POST", "/scoring/objections/{objection_id}/answer"),
}


@pytest.fixture
def ranked(start_gateway):
    """Scoring's small city (the roster knows h and o1): January to March ranked, l3 and s3 poor
    throughout, l1 and l2 good in January and February."""
    gw, suite = start_gateway(city.classes())
    public_city.load(suite, campaign=False, notices=False, periods=False)
    with suite.rpc() as rpc:
        load_roster(rpc)
        rpc.roster.create_staff({"staff": [{"id": "o1", "name": "干警1", "unit": "s1", "position": "officer",
                                            "joined": "2020-01-01"}]})
        for n, l1_scores in ((1, {}), (2, {}), (3, {"political.study": 7})):
            month, nxt = f"2026-{n:02d}", f"2026-{n + 1:02d}"
            drive_month(rpc, month, {"l1": l1_scores, "l3": LOW, "s3": {"management.rules": 0}},
                        submit_on=f"{nxt}-02", file_on=f"{nxt}-09", skip=("h",))
            rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": month, "as_of": f"{nxt}-10"})
    return gw, suite


def ok(r):
    assert r.status_code == 200, r.text
    return r.json()


def call(gw, method, path, body=None, who="city", **params):
    headers = who if isinstance(who, dict) else auth(who)
    return requests.request(method, f"{gw}{path}", json=body, params=params or None, headers=headers,
                            timeout=60)


def test_every_scoring_entity_answer_is_as_documented(ranked, answers_as_documented):
    gw, suite = ranked
    cs, h = person_bearer(gw, suite, "cs"), person_bearer(gw, suite, "h")
    # referrals and their minutes; a poor leader's follow-up: helpers, a study class, the talk
    referrals = ok(call(gw, "GET", "/scoring/evaluators/ps/referrals", year="2026"))["referrals"]
    assert {"leaders:l3:2026-02", "leaders:l2:2026-03"} <= {r["id"] for r in referrals}
    minuted = ok(call(gw, "POST", "/scoring/referrals/leaders:l3:2026-02/minutes",
                      {"actor": "cs", "meeting_date": "2026-03-20", "as_of": "2026-03-21", "minutes": "责成整改"}, cs))
    assert minuted["state"] == "minuted" and minuted["addressees"]
    poor = {"actor": "l1", "evaluator": "ps", "as_of": "2026-03-12"}
    ok(call(gw, "POST", "/scoring/people/l3/evaluations/2026-02/helpers", {**poor, "helpers": ["l1", "l2", "h"]},
            "office"))
    followup = ok(call(gw, "POST", "/scoring/people/l3/evaluations/2026-02/study-classes",
                       {**poor, "as_of": "2026-03-25", "class_id": "xxb-1", "class_name": "第一期学习班",
                        "held_on": "2026-03-20", "attended": True}, "office"))
    assert followup["study_classes"] and followup["collective_talk"]["state"] == "open"
    listed = ok(call(gw, "GET", "/scoring/evaluators/ps/poor-followups/2026-02"))["poor"]
    assert {p["subject"] for p in listed} >= {"l3", "s3"}
    tasks = ok(call(gw, "GET", "/scoring/evaluators/ps/followup-tasks", as_of="2026-03-25"))["tasks"]
    assert tasks and all("overdue" in t for t in tasks)
    done = ok(call(gw, "POST", f"/scoring/tasks/{followup['collective_talk']['id']}/done",
                   {"actor": "cs", "held_on": "2026-03-18", "record": "集体谈话", "as_of": "2026-03-25"}, cs))
    assert done["state"] == "done" and done["done_on"] == "2026-03-18"
    # the section's rectification: submitted by its chief, filed by a member of the bureau
    rect = {"evaluator": "ps", "month": "2026-03", "subject": "s3"}
    ok(call(gw, "POST", "/scoring/rectifications", {**rect, "actor": "c3", "explanation": "制度执行不到位",
                                                    "plan": "每周检查", "as_of": "2026-04-12"}, "office"))
    filed = ok(call(gw, "POST", "/scoring/rectifications/filings", {**rect, "actor": "l1", "as_of": "2026-04-13"},
                    "office"))
    assert filed["filed_on"] == "2026-04-13"
    assert ok(call(gw, "GET", "/scoring/evaluators/ps/rectifications"))["rectifications"]
    # April in review: h reviews l1 (his mentee) and may approve o1's; l2's sent back; l1's log waits
    with suite.rpc() as rpc:
        for subject, mentor in (("l1", "h"), ("l2", "h"), ("o1", "c1")):
            rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": "2026-04",
                                                "as_of": "2026-05-02", "item_scores": {},
                                                "deductions": [{"id": "d1", "items": ["political.study"],
                                                                "points": 0.5, "note": None}]})
        for subject, mentor in (("l2", "h"), ("o1", "c1")):
            rpc.scoring.review({"actor": mentor, "subject": subject, "month": "2026-04", "as_of": "2026-05-03"})
    # l2's sent back in a batch, reviewed again, sent back alone
    back = {"actor": "l1", "as_of": "2026-05-04", "reason": "请补充材料"}
    batch = ok(call(gw, "POST", "/scoring/send-backs", {"items": [{"actor": "l1", "reason": "请补充材料",
                                                                  "subject": "l2", "month": "2026-04"}],
                                                       "as_of": "2026-05-04"}, "office"))
    assert batch["done"] == 1 and not batch["errors"], batch
    with suite.rpc() as rpc:
        rpc.scoring.review({"actor": "h", "subject": "l2", "month": "2026-04", "as_of": "2026-05-04"})
    sent = ok(call(gw, "POST", "/scoring/people/l2/evaluations/2026-04/send-back", back, "office"))
    assert sent["state"] == "submitted" and sent["trail"], sent
    with suite.rpc() as rpc:
        rpc.scoring.write_daily_logs({"as_of": "2026-05-04", "logs": [{"person": "l1", "date": "2026-05-04",
                                                                        "text": "督导检查"}]})
    waiting = ok(call(gw, "GET", "/scoring/people/h/waiting", as_of="2026-05-05"))
    assert {e["subject"] for e in waiting["review"]} == {"l1", "l2"} and waiting["logs"]
    assert next(e for e in waiting["review"] if e["subject"] == "l2")["sent_back"]["reason"] == "请补充材料"
    assert [e["subject"] for e in waiting["approve"]] == ["o1"]
    assert ok(call(gw, "GET", "/scoring/agencies/ps/unreviewed-logs", as_of="2026-06-30"))["logs"]
    evaluation = ok(call(gw, "GET", "/scoring/people/o1/evaluations/2026-04"))
    assert evaluation["deductions"][0]["points"] == "0.5" and evaluation["trail"][0]["from"] is None
    assert ok(call(gw, "GET", "/scoring/people/o1/history", year="2026"))["months"]
    # a rule pack, the half-year rated under it, its preview and the pack's own rating
    ok(call(gw, "POST", "/scoring/agencies/ps/packs/check", {"pack": PACK}))
    ok(call(gw, "POST", "/scoring/agencies/ps/packs", {"pack": PACK}, h))
    rating = {"period": "2026H1", "scope": "cnty", "rating_date": "2026-07-08"}
    preview = ok(call(gw, "POST", "/scoring/ratings/preview", rating))
    assert preview["result"]["officers"] and preview["published"] is None
    ok(call(gw, "POST", "/scoring/ratings", rating, cs))
    assert ok(call(gw, "POST", "/scoring/ratings/preview", rating))["published"]["rating_id"] == "2026H1:cnty:1"
    versions = ok(call(gw, "GET", "/scoring/agencies/ps/packs"))["versions"]
    assert versions[0]["used_by"] and versions[0]["document"]["agency"] == "ps"
    effective = ok(call(gw, "GET", "/scoring/agencies/ps/packs/2026H1"))
    assert effective["pack"]["version"] == 1 and effective["rules"]["cutoffs"]
    snapshot = ok(call(gw, "GET", "/scoring/units/ps/snapshots/2026H1"))
    changes = ok(call(gw, "POST", "/scoring/agencies/ps/packs/preview", {
        "period": "2026H1", "snapshot": snapshot, "pack": {**PACK, "version": 2, "rules": {"cutoffs": {"5": 99}, "five_star_quota": 0.2}}}))
    assert changes["rated"]["officers"] and changes["changes"]
    adapted = ok(call(gw, "POST", "/scoring/agencies/ps/packs/rate", {"period": "2026H1", "snapshot": snapshot}))
    assert adapted["adaptation"]["pack"]["version"] == 1
    assert ok(call(gw, "POST", "/ratings/preview", snapshot))["officers"][0]["explanation"]
    assert ok(call(gw, "GET", "/scoring/units/ps/results/2026H1"))["officers"]
    with suite.rpc() as rpc:       # the year: the agencies rated too
        rpc.scoring.record_agency_evaluation({
            "agency": "ps", "year": 2026, "group": "county",
            "standards": {"structures": 16, "mentoring": 15, "joint_work": 14, "rules_and_bans": 16,
                          "central_tasks": 15, "effectiveness": 14}})
        rpc.scoring.run_rating({"period": "2026", "scope": "cnty", "rating_date": "2026-11-20"})
    results = ok(call(gw, "GET", "/scoring/units/ps/results/2026"))
    assert results["officers"] and results["agencies"]
    explained = ok(call(gw, "GET", "/scoring/people/o1/explanation", period="2026H1"))
    assert explained["id"] == "o1" and explained["kind"] == "officer" and explained["explanation"]
    board = ok(call(gw, "GET", "/scoring/committees/cnty/board", "county", month="2026-03", as_of="2026-11-25"))
    ps = next(a for a in board["agencies"] if a["agency"] == "ps")
    assert ps["rating"]["rating_id"] == "2026:cnty:1" and ps["rating"]["agency"]["class"]
    assert ps["filing"]["due"] and ps["target_1"]["detail"]["due"]
    # May: l3's evaluation on notice (posted 2 June), an objection of the public to it, answered
    with suite.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": "l3", "subject": "l3", "month": "2026-05", "as_of": "2026-06-02",
                                            "item_scores": {}})
        rpc.scoring.review({"actor": "h", "subject": "l3", "month": "2026-05", "as_of": "2026-06-02"})
        rpc.scoring.approve({"actor": "l1", "subject": "l3", "month": "2026-05", "as_of": "2026-06-02"})
        rpc.scoring.publish_notice({"actor": "h", "evaluator": "ps", "month": "2026-05", "as_of": "2026-06-02"})
        rpc.scoring.public_object({"objection_id": "obj-0001-l3", "evaluator": "ps", "month": "2026-05",
                                   "subject": "l3", "text": "该同志本月有迟到情况", "contact": "13800000000",
                                   "as_of": "2026-06-03"})
    answered = ok(call(gw, "POST", "/scoring/objections/obj-0001-l3/answer",
                       {"actor": "l1", "evaluator": "ps", "answer": "经核实, 已按规定扣分", "upheld": False},
                       "office"))
    assert answered["state"] == "answered" and answered["upheld"] is False and not answered["reopened"]
    assert ENTITY_ROUTES <= answers_as_documented.checked, ENTITY_ROUTES - answers_as_documented.checked
