"""The city's annual rating when agencies adapt the rules (对接, 000 §二2; DESIGN §3): the public
security bureau has a rule pack (cut-offs, a five-star quota, a ★5 amount), the court a plug-in
(judgments reversed on appeal).  Only their officers and sections change; the explanations name the
pack and plug-in versions; the rating records the pack version it used; the stored (composite)
snapshot rates back to the published result, through the service and through the engine alone."""
import uuid

import pytest

from services.scoring import packs_service
from services.scoring.domain import composite
from services.scoring.domain.payload import rate_payload
from shared.errors import NotFound, RuleViolation
from shared.runner import service_class
from tests.conftest import PG_URL, _drop_databases
from tests.service.scoring.conftest import RatingListener, resolve_evaluators, wait_for

pytestmark = pytest.mark.timeout(240)

PLUGINS = "court-reversals=court"
AGENCIES = {"ps": ["p1", "p2", "p3"], "court": ["j1", "j2"], "pro": ["r1"]}
UNITS = [{"id": "city", "kind": "committee"},
         {"id": "cnty", "kind": "committee", "parent": "city"}]
PEOPLE = [{"id": "cs", "agency": "cnty", "position": "head", "joined": "1995-01-01"},
          {"id": "cl", "agency": "cnty", "position": "leader", "joined": "1996-01-01", "mentor": "cs"}]
for _a, _officers in AGENCIES.items():
    UNITS += [{"id": _a, "kind": "agency", "parent": "cnty"},
              {"id": f"s{_a}", "kind": "section", "parent": _a, "agency": _a}]
    PEOPLE += [
        {"id": f"h{_a}", "agency": _a, "position": "head", "joined": "2000-01-01"},
        {"id": f"l{_a}", "agency": _a, "position": "leader", "joined": "2005-01-01",
         "mentor": f"h{_a}", "supervises": [f"s{_a}"]},
        {"id": f"c{_a}", "agency": _a, "section": f"s{_a}", "position": "chief",
         "joined": "2010-01-01", "mentor": f"l{_a}"}]
    PEOPLE += [{"id": o, "agency": _a, "section": f"s{_a}", "position": "officer",
                "joined": "2020-01-01", "mentor": f"c{_a}"} for o in _officers]
#: the roster's answer: the county committee evaluates the agencies' heads and leaders
EVALUATORS = {p["id"]: "cnty" for p in PEOPLE if p["position"] in ("head", "leader") and p["agency"] != "cnty"}
SCORES = {"p2": {"diligence.public": 5},                 # 95
          "p3": {"performance.targets": 4},              # 92
          "j1": {"diligence.public": 5},                 # 95
          "r1": {"diligence.public": 5}}                 # 95 (everyone else 100)
PACK = {"version": 1, "effective_from": "2026", "title": "公安局星级标准",
        "rules": {"cutoffs": {"5": 96, "4": 91}, "five_star_quota": 0.5},
        "rewards": {"officer": {"5": 1500}}}


def _person(pid):
    return next(p for p in PEOPLE if p["id"] == pid)


def _subjects():
    return [(p["id"], "officer") for p in PEOPLE if p["id"] not in ("cs", "cl")] + \
        [(u["id"], "section") for u in UNITS if u["kind"] == "section"]


def _roles(subject, kind):
    """(self-assessor, reviewer, approver) of a subject in this city: the mentor reviews, another
    member of the subject's leading group approves."""
    if kind == "section":
        agency = subject[1:]
        return f"c{agency}", f"l{agency}", f"h{agency}"
    p = _person(subject)
    if p["position"] == "head":
        return subject, "cs", "cl"
    if p["position"] == "leader":
        return subject, p["mentor"], "cs"
    if p["position"] == "chief":
        return subject, p["mentor"], f"h{p['agency']}"
    return subject, p["mentor"], f"l{p['agency']}"


def drive_year(rpc):
    for n in range(1, 13):
        month, nxt = f"2026-{n:02d}", f"{2026 + (n == 12)}-{n % 12 + 1:02d}"
        # posted on the 2nd; September's notice of 2 October 2026 runs 8, 9 and 10 October (a make-up
        # Saturday) after the National Day holiday, so it is filed on Monday the 12th
        on, filed = f"{nxt}-02", f"{nxt}-{'12' if n == 9 else '09'}"
        subjects = _subjects()
        for step, items in (
                ("submit_self_assessments", [
                    {"actor": _roles(s, k)[0], "subject": s, "kind": k, "month": month,
                     "item_scores": SCORES.get(s, {})} for s, k in subjects]),
                ("review_batch", [{"actor": _roles(s, k)[1], "subject": s, "kind": k,
                                   "month": month, "deductions": []} for s, k in subjects]),
                ("approve_batch", [{"actor": _roles(s, k)[2], "subject": s, "kind": k,
                                    "month": month} for s, k in subjects])):
            out = getattr(rpc.scoring, step)({"items": items, "as_of": on})
            assert out["errors"] == [], (step, out["errors"])
        for body, actor in [(a, f"h{a}") for a in AGENCIES] + [("cnty", "cs")]:
            rpc.scoring.publish_notice({"actor": actor, "evaluator": body, "month": month,
                                        "as_of": on})
            out = rpc.scoring.file_month({"actor": actor, "evaluator": body, "month": month,
                                          "as_of": filed})
            assert out["waiting"] == []


def _agency_evaluation(agency, points):
    return {"agency": agency, "year": 2026, "group": "county",
            "standards": {"structures": points, "mentoring": 15, "joint_work": 14,
                          "rules_and_bans": 16, "central_tasks": 15, "effectiveness": 14},
            "awards": []}


def by_id(result, part="officers"):
    return {r["id"]: r for r in result[part]}


def rules_of(entry_list):
    return [e["rule"] for e in entry_list]


@pytest.fixture(params=["sqlite", "postgresql"])
def adapted_city(request, embedded_suite):
    """The city on the embedded suite, its database SQLite or PostgreSQL (the service's own
    PostgreSQL paths under eventlet: aggregated scores, one-statement result insert)."""
    RatingListener.received = []
    extra = {}
    if request.param == "postgresql":
        tag = "t" + uuid.uuid4().hex[:10]
        extra["DATABASE_URL_TEMPLATE"] = f"{PG_URL}/lianbao_{tag}_{{service}}"
        request.addfinalizer(lambda: _drop_databases(tag))
    suite = embedded_suite(classes=[service_class("scoring"), RatingListener],
                           OUTBOX_POLL_SECONDS=0.2, PLUGINS=PLUGINS, **extra)
    with suite.rpc() as rpc:
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": PEOPLE})
    resolve_evaluators(suite, PEOPLE, EVALUATORS)
    return suite


def test_a_city_rating_with_a_pack_and_a_plugin(adapted_city):
    with adapted_city.rpc() as rpc:
        drive_year(rpc)
        for agency, points in (("ps", 16), ("court", 15), ("pro", 14)):
            rpc.scoring.record_agency_evaluation(_agency_evaluation(agency, points))
        assert rpc.scoring.register_pack({"agency": "ps", "pack": PACK})["created"] is True
        rpc.scoring.record_subject_data({"agency": "court", "period": "2026", "subjects": [
            {"id": "j1", "figures": {"reversed_judgments": 2}}]})

        year = rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                       "rating_date": "2027-01-08"})
        assert year["published"] and year["rating_id"] == "2026:city:1"
        result = year["result"]
        snap = rpc.scoring.snapshot({"rating_id": year["rating_id"]})

        # the stored snapshot: the committee part, then one part per adapted agency
        assert composite.is_composite(snap)
        assert [(p["agency"], p.get("plugins")) for p in snap["parts"]] == [
            (None, None), ("court", ["plugin:court-reversals/0.1.0"]), ("ps", [])]
        parts = {p["agency"]: p for p in snap["parts"]}
        assert parts["ps"]["pack"]["version"] == 1 and parts["court"]["pack"] is None
        assert {o["id"] for o in parts["ps"]["snapshot"]["officers"]} == {
            "hps", "lps", "cps", "p1", "p2", "p3"}
        assert [a["id"] for a in parts[None]["snapshot"]["agencies"]] == ["court", "pro", "ps"]
        assert parts["ps"]["snapshot"]["agencies"] == []
        # each officer's months in calendar order, whatever order the database aggregated them in
        for part in snap["parts"]:
            for o in part["snapshot"]["officers"]:
                assert list(o["monthly"]) == sorted(o["monthly"]), o["id"]

        # re-rating the stored snapshot gives the published result exactly: the service, and the
        # engine alone with the same plug-ins
        assert rpc.scoring.rate_snapshot(snap) == result
        host = packs_service.plugin_host(config={"PLUGINS": PLUGINS})
        assert composite.rate_composite(snap, host)[0] == result
        # ... in the input order of the whole scope
        assert [o["id"] for o in result["officers"]] == snap["order"]["officers"]

        # only the adapted agencies' subjects change against the city's rules
        plain = rate_payload(composite.flatten(snap))
        adapted_ids = {p["id"] for p in PEOPLE if p["agency"] in ("ps", "court")} | {"sps", "sc"}
        for part in ("officers", "sections", "agencies"):
            mine, city_rules = by_id(result, part), by_id(plain, part)
            assert mine.keys() == city_rules.keys()
            for sid, r in mine.items():
                if sid not in adapted_ids:
                    assert r == city_rules[sid], sid
        officers, city_officers = by_id(result), by_id(plain)
        changed = {sid for sid, r in officers.items()
                   if (r["status"], r["stars"], r["score"]) != (
                       city_officers[sid]["status"], city_officers[sid]["stars"],
                       city_officers[sid]["score"])}
        assert changed == {"p1", "p2", "j1"}

        # the pack: cut-offs ★5 >= 96 (p2 95 -> ★4), quota 0.5 of 6 rated (4 at 100: p1 loses)
        assert officers["p2"]["stars"] == 4 and city_officers["p2"]["stars"] == 5
        assert rules_of(officers["p2"]["explanation"]) == ["pack:ps/v1:rules.cutoffs"]
        assert officers["p1"]["stars"] == 4 and officers["p1"]["reasons"] == ["quota"]
        assert "pack:ps/v1:rules.five_star_quota" in rules_of(officers["p1"]["explanation"])
        assert officers["hps"]["stars"] == 5
        # the plug-in: two judgments reversed, -1 point (95 -> 94: ★4)
        assert officers["j1"]["score"] == 94.0 and officers["j1"]["stars"] == 4
        entry = officers["j1"]["explanation"][0]
        assert (entry["rule"], entry["points"]) == (
            "plugin:court-reversals/0.1.0:reversed_on_appeal", -1.0)
        assert entry["text"].startswith("fairness: 2 judgment(s) reversed on appeal")
        # untouched: the procuratorate's officer at 95 keeps the city's ★5
        assert officers["r1"]["stars"] == 5
        assert rules_of(officers["r1"]["explanation"]) == ["SPEC §3.2 default cut-offs"]

        # the pack's amount reaches the settlement lines, the city's elsewhere
        lines = result["settlement"]
        assert {"subject": "hps", "kind": "bonus", "amount": 1500, "reason": "five_stars"} in lines
        assert {"subject": "hcourt", "kind": "bonus", "amount": 1000,
                "reason": "five_stars"} in lines
        assert not any(x["subject"] in ("p1", "p2") and x["kind"] == "bonus" for x in lines)

        # the published event carries the same result; the explanation RPC shows the pack
        events = wait_for(lambda: RatingListener.received)
        assert events[0]["rating_id"] == "2026:city:1" and events[0]["result"] == result
        assert {"subject": "lps", "kind": "bonus", "amount": 1500,
                "reason": "five_stars"} in events[0]["result"]["settlement"]
        why = rpc.scoring.explanation({"subject": "p1", "period": "2026"})
        assert why["reasons"] == ["quota"]

        # the rating recorded the pack version it used
        history = rpc.scoring.pack_history({"agency": "ps"})
        assert history["versions"][0]["used_by"] == [{"rating_id": "2026:city:1",
                                                      "period": "2026"}]

        # the same facts again: nothing new; a new pack version: a new rating
        same = rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                       "rating_date": "2027-01-08"})
        assert same["unchanged"] and same["result"] == result
        rpc.scoring.register_pack({"agency": "ps", "pack": {**PACK, "version": 2,
                                                            "rules": {"cutoffs": {"5": 94}}}})
        again = rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                        "rating_date": "2027-01-08"})
        assert again["rating_id"] == "2026:city:2"
        assert by_id(again["result"])["p2"]["stars"] == 5
        assert rules_of(by_id(again["result"])["p2"]["explanation"]) == [
            "pack:ps/v2:rules.cutoffs"]


def test_a_mentoring_pair_across_adapted_agencies_is_refused(adapted_city):
    with adapted_city.rpc() as rpc:
        rpc.scoring.upsert_people({"people": [{**_person("r1"), "mentor": "cps"}]})
        assert rpc.scoring.register_pack({"agency": "ps", "pack": PACK})["created"] is True
        with pytest.raises(RuleViolation) as err:
            rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                    "rating_date": "2027-01-08"})
        assert err.value.field == "mentor"
        assert "r1 (pro) is mentored by cps" in err.value.details[0]["message"]


def test_the_preview_is_what_run_rating_publishes_and_a_stale_preview_is_refused(adapted_city):
    """The office's preview (issue 22 item 4): the same assembly, pack and plug-in as run_rating,
    nothing stored; run_rating given the preview's digest publishes exactly that, and refuses
    (409, naming digest) once the facts changed since."""
    from shared.errors import Conflict

    with adapted_city.rpc() as rpc:
        drive_year(rpc)
        for agency, points in (("ps", 16), ("court", 15), ("pro", 14)):
            rpc.scoring.record_agency_evaluation(_agency_evaluation(agency, points))
        rpc.scoring.register_pack({"agency": "ps", "pack": PACK})
        query = {"period": "2026", "scope": "city", "rating_date": "2027-01-08"}
        seen = rpc.scoring.preview_rating(query)
        assert seen["published"] is None and seen["unchanged"] is False and len(seen["digest"]) == 64
        assert by_id(seen["result"])["p2"]["stars"] == 4                      # the pack's cut-offs
        assert seen["subjects"]["p2"]["agency"] == "ps"
        with pytest.raises(NotFound):                                         # nothing stored
            rpc.scoring.snapshot({"rating_id": "2026:city:1"})
        assert RatingListener.received == []

        published = rpc.scoring.run_rating({**query, "digest": seen["digest"]})
        assert published["published"] and published["result"] == seen["result"]
        again = rpc.scoring.preview_rating(query)
        assert again["unchanged"] and again["published"] == {"rating_id": "2026:city:1",
                                                             "digest": seen["digest"]}

        rpc.scoring.register_pack({"agency": "ps", "pack": {**PACK, "version": 2,
                                                            "rules": {"cutoffs": {"5": 94}}}})
        with pytest.raises(Conflict) as err:                                  # looked at v1's
            rpc.scoring.run_rating({**query, "digest": seen["digest"]})
        assert err.value.field == "digest"
        assert rpc.scoring.preview_rating(query)["unchanged"] is False
