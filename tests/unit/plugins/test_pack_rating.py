"""Rule packs in the rating: cut-offs and quota, extra criteria, stricter thresholds, extra
disqualifications, the reward schedule, history and effective periods, the preview."""
import pytest

from services.scoring.domain import packs
from services.scoring.domain.payload import rate_payload
from shared.errors import Conflict, ValidationFailed
from tests.unit.plugins.builders import by_id, officer, pack, section, snapshot

pytestmark = pytest.mark.timeout(30)

SCORES = {"o1": 97, "o2": 96, "o3": 95, "o4": 93, "o5": 91, "o6": 89, "o7": 85, "o8": 79}
CUT_QUOTA = pack(1, "2026", rules={"cutoffs": {"5": 96, "4": 92, "3": 85}, "five_star_quota": 0.2})


def eight():
    return snapshot([officer(o, score=s) for o, s in SCORES.items()])


def adapted(doc=None, agency="a1", period="2026", data=None, host=None):
    p = packs.parse_pack(doc, agency) if doc is not None else None
    return packs.Adaptation(agency, period, pack=p, data=data or {}, host=host)


def stars(result):
    return {r["id"]: r["stars"] for r in result["officers"]}


def test_cutoffs_and_quota_change_exactly_the_expected_stars():
    before = stars(rate_payload(eight()))
    assert before == {"o1": 5, "o2": 5, "o3": 5, "o4": 4, "o5": 4, "o6": 3, "o7": 3, "o8": 2}
    result = packs.rate_adapted(eight(), adapted(CUT_QUOTA))
    # ★5 ≥ 96 (o1, o2), ★4 ≥ 92 (o3, o4), ★3 ≥ 85 (o5, o6, o7), ★2 ≥ 70 (o8); quota
    # floor(0.2 × 8) = 1 keeps o1 only
    assert stars(result) == {"o1": 5, "o2": 4, "o3": 4, "o4": 4, "o5": 3, "o6": 3, "o7": 3, "o8": 2}
    o2 = by_id(result)["o2"]
    assert o2["reasons"] == ["quota"]
    rules = [e["rule"] for e in o2["explanation"]]
    assert rules == ["pack:a1/v1:rules.cutoffs", "pack:a1/v1:rules.five_star_quota"]


def test_pack_criteria_add_points_from_facts_and_figures_named_by_the_pack():
    doc = pack(facts=[{"id": "model_case", "applies_to": ["officer"], "meaning": "办理精品案件"}],
               figures=[{"id": "overtime_cases", "applies_to": ["officer"],
                         "meaning": "cases closed past the deadline"}],
               criteria=[{"id": "model_case", "applies_to": "officer", "dimension": "performance",
                          "label": "精品案件", "points": 2, "when": {"fact": "model_case"}},
                         {"id": "late", "applies_to": "officer", "dimension": "fairness",
                          "points": -1.5, "when": {"figure": "overtime_cases", "at_least": 3}}])
    data = {"o1": {"facts": ("model_case",), "figures": {}},
            "o2": {"facts": (), "figures": {"overtime_cases": 3}},
            "o3": {"facts": (), "figures": {"overtime_cases": 2}}}
    snap = snapshot([officer("o1", score=94), officer("o2", score=91), officer("o3", score=91)])
    res = by_id(packs.rate_adapted(snap, adapted(doc, data=data)))
    assert (res["o1"]["score"], res["o1"]["stars"]) == (96, 5)
    assert (res["o2"]["score"], res["o2"]["stars"]) == (89.5, 3)
    assert (res["o3"]["score"], res["o3"]["stars"]) == (91, 4)
    assert res["o1"]["explanation"][0] == {"rule": "pack:a1/v1:criteria.model_case",
                                           "points": 2.0, "text": "精品案件 (performance) +2"}


def test_stricter_thresholds_disqualify_and_name_the_pack():
    doc = pack(thresholds={"absence_days": 3, "satisfaction_floor": 0.7})
    snap = snapshot([officer("o1", unexcused_absence_days=3), officer("o2", unexcused_absence_days=2),
                     officer("o3", satisfaction={"satisfied": 6, "basic": 0, "dissatisfied": 4})],
                    [section("s1", satisfaction={"satisfied": 69, "basic": 0, "dissatisfied": 31})])
    result = packs.rate_adapted(snap, adapted(doc))
    res = by_id(result)
    assert res["o1"]["status"] == "disqualified" and res["o1"]["reasons"] == ["absence"]
    assert res["o1"]["explanation"][-1]["rule"] == "pack:a1/v1:thresholds.absence_days"
    assert res["o2"]["status"] == "rated"
    assert res["o3"]["reasons"] == ["low_satisfaction"]
    assert by_id(result, "sections")["s1"]["reasons"] == ["low_satisfaction"]
    # without the pack nobody is disqualified
    assert all(r["status"] == "rated" for r in rate_payload(snap)["officers"])


def test_extra_disqualification_fact_of_the_pack_touches_only_its_agency():
    doc = pack(facts=[{"id": "drunk_driving", "applies_to": ["officer"], "meaning": "酒后驾驶"}],
               disqualify=[{"applies_to": "officer", "when": {"fact": "drunk_driving"}}])
    data = {"o1": {"facts": ("drunk_driving",), "figures": {}},
            "b1": {"facts": ("drunk_driving",), "figures": {}}}
    snap = snapshot([officer("o1"), officer("b1", agency="b")])
    ext = packs.PackExtension(packs.parse_pack(doc, "a1"), data)
    res = by_id(rate_payload(snap, extensions=[ext]))
    assert res["o1"]["reasons"] == ["drunk_driving"]
    assert res["o1"]["explanation"][-1]["rule"] == "pack:a1/v1:disqualify[0]"
    assert res["b1"]["status"] == "rated"


def test_a_pack_cannot_lift_what_the_method_imposes():
    # the pack adds only: an officer disqualified by the Method stays disqualified
    doc = pack(rules={"cutoffs": {"5": 90, "4": 85, "3": 75, "2": 60}},
               criteria=[{"id": "bonus", "applies_to": "officer", "dimension": "performance",
                          "points": 5, "when": {"fact": "secret_leak"}}])
    snap = snapshot([officer("o1", facts=["secret_leak"])])
    res = by_id(packs.rate_adapted(snap, adapted(doc)))["o1"]
    assert res["status"] == "disqualified" and res["reasons"] == ["secret_leak"]


def test_reward_schedule_pays_below_five_stars_on_annual_ratings_only():
    doc = pack(rewards={"officer": {"5": 1200, "4": 400}, "section_per_head": {"4": 100}})
    snap = snapshot([officer("o1", score=96), officer("o2", score=91), officer("o3", score=85)],
                    [section("s1", score=92, headcount=7)])
    lines = packs.rate_adapted(snap, adapted(doc))["settlement"]
    money = [(x["subject"], x["amount"], x["reason"]) for x in lines if "amount" in x]
    assert money == [("o1", 1200, "five_stars"), ("o2", 400, "four_stars"),
                     ("s1", 700, "four_stars")]
    half = snapshot([officer("o2", score=91, months=6)], period="2026H1", rating_date="2026-07-06")
    assert packs.rate_adapted(half, adapted(doc, period="2026H1"))["settlement"] == []


def test_an_agencys_rules_apply_to_its_own_snapshot_only():
    snap = snapshot([officer("o1"), officer("b1", agency="b")])
    with pytest.raises(ValidationFailed) as exc:
        packs.rate_adapted(snap, adapted(CUT_QUOTA))
    assert exc.value.field == "officers[1].agency"


def test_effective_period_resolution_and_history():
    v1 = packs.parse_pack(pack(1, "2026H1"), "a1")
    v2 = packs.parse_pack(pack(2, "2027", rules={"five_star_quota": 0.3}), "a1")
    v3 = packs.parse_pack(pack(3, "2027", rules={"five_star_quota": 0.25}), "a1")
    history = [v1, v2, v3]
    assert packs.effective_pack(history, "2025") is None
    assert packs.effective_pack(history, "2026H1") is v1
    assert packs.effective_pack(history, "2026") is v1
    assert packs.effective_pack(history, "2027H1") is v1      # 2027H1 comes before 2027
    assert packs.effective_pack(history, "2027") is v3        # same period: the later version
    assert packs.effective_pack(history, "2030") is v3
    assert packs.period_key("2027H1") < packs.period_key("2027") < packs.period_key("2028H1")


def test_new_versions_never_rewrite_history():
    v1 = packs.parse_pack(pack(1, "2026"), "a1")
    v2 = packs.parse_pack(pack(2, "2027"), "a1")
    assert packs.check_new_version([], v1) is True
    assert packs.check_new_version([v1, v2], packs.parse_pack(pack(2, "2027"), "a1")) is False
    with pytest.raises(Conflict) as exc:
        packs.check_new_version([v1, v2], packs.parse_pack(pack(2, "2028"), "a1"))
    assert exc.value.field == "pack.version"
    with pytest.raises(Conflict) as exc:
        packs.check_new_version([v1, v2], packs.parse_pack(pack(3, "2026H1"), "a1"))
    assert exc.value.field == "pack.effective_from"
    with pytest.raises(Conflict):
        packs.check_new_version([v2], packs.parse_pack(pack(1, "2027"), "a1"))


def test_preview_lists_who_changes_and_why():
    snap = eight()
    snap["officers"].append(officer("b1", agency="b", score=99))
    out = packs.preview(snap, adapted(None), adapted(CUT_QUOTA))
    assert out["base"] == "city defaults" and out["candidate"] == "pack:a1/v1"
    assert out["rated"] == {"officers": 8, "sections": 0}        # b1 is another agency's
    changes = {c["id"]: c for c in out["changes"]}
    assert set(changes) == {"o2", "o3", "o5"}
    assert changes["o2"]["before"]["stars"] == 5 and changes["o2"]["after"]["stars"] == 4
    assert changes["o2"]["after"]["reasons"] == ["quota"]
    assert {e["rule"] for e in changes["o2"]["why"]} == {"pack:a1/v1:rules.cutoffs",
                                                         "pack:a1/v1:rules.five_star_quota"}
    assert changes["o5"]["changes"] == ["stars"]
    removed = {(x["subject"], x["kind"]) for x in out["settlement"]["removed"]}
    assert removed == {("o2", "bonus"), ("o2", "certificate"), ("o2", "eligibility"),
                       ("o3", "bonus"), ("o3", "certificate"), ("o3", "eligibility")}
    assert out["settlement"]["money"] == {"before": 3000, "after": 1000}


def test_preview_against_the_pack_in_force():
    current = pack(1, "2026", rules={"cutoffs": {"5": 96}})
    out = packs.preview(eight(), adapted(current), adapted(dict(CUT_QUOTA, version=2)))
    assert out["base"] == "pack:a1/v1"
    # o3 (95) is ★4 under both; o2 loses ★5 to the quota, o5 (91) falls to ★3
    assert {c["id"]: (c["before"]["stars"], c["after"]["stars"]) for c in out["changes"]} == \
        {"o2": (5, 4), "o5": (4, 3)}
