"""Rule packs and plug-ins through the scoring service (embedded suite: memory transport, SQLite,
the migrations of the scoring service), with the example plug-ins installed from the repo."""
import pytest

from services.scoring import models, pack_models  # noqa: F401  (registers the pack tables)
from services.scoring.packs_service import PacksMixin
from shared.db import Database
from shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from shared.service import ServiceBase
from tests.unit.plugins.builders import by_id, officer, pack, section, snapshot

pytestmark = pytest.mark.timeout(90)

PLUGINS = "psb-clearance=psb,court-reversals=court"


class PacksScoring(PacksMixin, ServiceBase):
    name = "scoring"
    db = Database(models.Base)


def start(embedded_suite, plugins=PLUGINS):
    return embedded_suite(["scoring"], classes=[PacksScoring], PLUGINS=plugins)


def eight(agency="a1"):
    scores = {"o1": 97, "o2": 96, "o3": 95, "o4": 93, "o5": 91, "o6": 89, "o7": 85, "o8": 79}
    return snapshot([officer(o, agency, score=s) for o, s in scores.items()])


CUT_QUOTA = pack(1, "2026", title="严格星级", rules={"cutoffs": {"5": 96, "4": 92, "3": 85},
                                                 "five_star_quota": 0.2})


def test_register_history_effective_periods(embedded_suite):
    suite = start(embedded_suite)
    with suite.rpc() as rpc:
        first = rpc.scoring.register_pack({"agency": "a1", "pack": CUT_QUOTA, "registered_by": "lg"})
        assert (first["created"], first["label"]) == (True, "pack:a1/v1")
        again = rpc.scoring.register_pack({"agency": "a1", "pack": CUT_QUOTA})
        assert again["created"] is False
        v2 = pack(2, "2027", rewards={"officer": {"5": 1200, "4": 300}})
        second = rpc.scoring.register_pack({"agency": "a1", "pack": v2})
        assert second["notes"][0]["field"] == "pack.rewards.officer.4"
        with pytest.raises(Conflict) as exc:
            rpc.scoring.register_pack({"agency": "a1", "pack": pack(3, "2026H1")})
        assert exc.value.field == "pack.effective_from"
        history = rpc.scoring.pack_history({"agency": "a1"})
        assert [(v["version"], v["effective_from"]) for v in history["versions"]] == \
            [(1, "2026"), (2, "2027")]
        assert history["versions"][0]["title"] == "严格星级"
        assert history["versions"][0]["registered_by"] == "lg"
        assert rpc.scoring.effective_pack({"agency": "a1", "period": "2025"})["pack"] is None
        eff = rpc.scoring.effective_pack({"agency": "a1", "period": "2027H1"})
        assert eff["pack"]["version"] == 1
        assert eff["rules"] == {"cutoffs": {"5": 96, "4": 92, "3": 85}, "five_star_quota": 0.2}
        eff = rpc.scoring.effective_pack({"agency": "a1", "period": "2027"})
        assert eff["pack"]["version"] == 2 and eff["rules"] == {
            "amounts": {"officer_five_star": 1200}}
        assert rpc.scoring.pack_history({"agency": "a2"})["versions"] == []


def test_a_refused_pack_lists_every_violation_and_stores_nothing(embedded_suite):
    suite = start(embedded_suite)
    bad = pack(1, "2026", rules={"cutoffs": {"4": 96}}, rewards={"officer": {"1": 100}},
               thresholds={"absence_days": 8}, waive=["disciplinary_sanction"])
    with suite.rpc() as rpc:
        with pytest.raises(RuleViolation) as exc:
            rpc.scoring.register_pack({"agency": "a1", "pack": bad})
        assert [d["field"] for d in exc.value.details] == [
            "pack.rules.cutoffs.4", "pack.rewards.officer.1", "pack.thresholds.absence_days",
            "pack.waive[0]"]
        with pytest.raises(ValidationFailed) as exc:
            rpc.scoring.register_pack({"agency": "a1", "pack": {"version": "one"}})
        assert {d["field"] for d in exc.value.details} == {"pack.version", "pack.effective_from"}
        assert rpc.scoring.pack_history({"agency": "a1"})["versions"] == []
        with pytest.raises(RuleViolation):
            rpc.scoring.validate_pack({"agency": "a1", "pack": bad})
        assert rpc.scoring.validate_pack({"agency": "a1", "pack": CUT_QUOTA})["ok"] is True


def test_preview_over_rpc_lists_who_changes(embedded_suite):
    suite = start(embedded_suite)
    with suite.rpc() as rpc:
        out = rpc.scoring.preview_pack({"agency": "a1", "period": "2026", "pack": CUT_QUOTA,
                                        "snapshot": eight()})
        assert out["base"] == "city defaults"
        assert {c["id"]: (c["before"]["stars"], c["after"]["stars"]) for c in out["changes"]} == \
            {"o2": (5, 4), "o3": (5, 4), "o5": (4, 3)}
        assert rpc.scoring.pack_history({"agency": "a1"})["versions"] == []   # nothing adopted
        with pytest.raises(NotFound) as exc:                                   # no stored rating
            rpc.scoring.preview_pack({"agency": "a1", "period": "2026", "pack": CUT_QUOTA})
        assert exc.value.field == "snapshot"


def test_both_example_plugins_through_the_service(embedded_suite):
    suite = start(embedded_suite)
    months = {f"2026-{m:02d}": 0.93 for m in range(1, 13)}
    with suite.rpc() as rpc:
        eff = rpc.scoring.effective_pack({"agency": "psb", "period": "2026"})
        assert eff["plugins"] == [{"name": "psb-clearance", "version": "0.1.0",
                                   "label": "plugin:psb-clearance/0.1.0"}]
        rpc.scoring.record_subject_data({"agency": "psb", "period": "2026", "subjects": [
            {"id": "p1", "figures": {"clearance_rate": months}}]})
        out = rpc.scoring.rate_adapted({
            "agency": "psb", "period": "2026",
            "snapshot": snapshot([officer("p1", "psb", score=93)], [section("ps", "psb")])})
        p1 = by_id(out["result"])["p1"]
        assert (p1["score"], p1["stars"]) == (95, 5)
        assert p1["explanation"][0]["rule"] == "plugin:psb-clearance/0.1.0:case_clearance_rate"
        assert out["adaptation"]["plugins"][0]["name"] == "psb-clearance"

        with pytest.raises(ValidationFailed) as exc:      # psb has no such fact
            rpc.scoring.record_subject_data({"agency": "psb", "period": "2026", "subjects": [
                {"id": "p1", "facts": ["wrongful_judgment_liability"]}]})
        assert exc.value.field == "subjects[0].facts[0]"
        rpc.scoring.register_pack({"agency": "court", "pack": pack(1, "2026", rewards={
            "officer": {"5": 1500}})})
        rpc.scoring.record_subject_data({"agency": "court", "period": "2026", "subjects": [
            {"id": "j1", "figures": {"reversed_judgments": 2}},
            {"id": "j2", "facts": ["wrongful_judgment_liability"]}]})
        out = rpc.scoring.rate_adapted({
            "agency": "court", "period": "2026",
            "snapshot": snapshot([officer("j1", "court", score=97), officer("j2", "court")])})
        res = by_id(out["result"])
        assert (res["j1"]["score"], res["j1"]["stars"]) == (96, 5)
        assert res["j2"]["reasons"] == ["wrongful_judgment_liability"]
        assert {"subject": "j1", "kind": "bonus", "amount": 1500, "reason": "five_stars"} in \
            out["result"]["settlement"]
        assert out["adaptation"]["pack"]["label"] == "pack:court/v1"
        # a read records nothing: a rating's pack is recorded by the rating (run_rating) only, so no
        # reader of the agency can put a made-up rating in its pack's history (issue 18)
        with pytest.raises(ValidationFailed) as exc:
            rpc.scoring.rate_adapted({"agency": "court", "period": "2026", "rating_id": "r-court-2026",
                                      "snapshot": snapshot([officer("j1", "court", score=97)])})
        assert exc.value.field == "rating_id"
        history = rpc.scoring.pack_history({"agency": "court"})
        assert history["versions"][0]["used_by"] == []


def test_an_unlisted_plugin_is_not_loaded_by_the_service(embedded_suite):
    suite = start(embedded_suite, plugins="psb-clearance=psb")
    with suite.rpc() as rpc:
        assert rpc.scoring.effective_pack({"agency": "court", "period": "2026"})["plugins"] == []
        with pytest.raises(ValidationFailed):
            rpc.scoring.record_subject_data({"agency": "court", "period": "2026", "subjects": [
                {"id": "j2", "facts": ["wrongful_judgment_liability"]}]})
        out = rpc.scoring.rate_adapted({"agency": "court", "period": "2026", "snapshot": snapshot(
            [officer("j1", "court", score=97)])})
        assert out["result"]["officers"][0]["score"] == 97
        assert out["adaptation"]["plugins"] == []
