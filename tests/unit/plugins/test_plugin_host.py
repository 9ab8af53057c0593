"""Code plug-ins: discovery through entry points, the allow-list, read-only views, bounded calls,
failures recorded and skipped per subject, refusal of another agency's subjects."""
import time

import pytest

from services.scoring.domain import packs
from services.scoring.domain import agency_eval, criteria, defaults
from shared import plugins
from shared.contracts import packs as contract
from shared.hookspecs import hookimpl
from tests.unit.plugins.builders import by_id, officer, section, snapshot

pytestmark = pytest.mark.timeout(30)


class Points:
    """Gives +1 (performance) to every officer it is asked about; remembers whom it saw."""

    def __init__(self, pts=1):
        self.seen, self.pts = [], pts

    @hookimpl
    def lianbao_propose(self, kind, subject, agency):
        self.seen.append((kind, subject["id"], agency))
        if kind != "officer":
            return None
        return {"points": [{"criterion": "extra", "dimension": "performance", "points": self.pts,
                            "text": "extra work"}]}


class Boom:
    @hookimpl
    def lianbao_propose(self, subject):
        if subject["id"] == "o2":
            raise RuntimeError("database of the bureau unreachable")
        return None


class Sleepy:
    def __init__(self):
        self.calls = 0

    @hookimpl
    def lianbao_propose(self, subject):
        self.calls += 1
        time.sleep(3)


class Junk:
    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def lianbao_propose(self):
        return self.answer


class Grabber:
    """Bound to a1, answers about b1 (an agency it is not bound to)."""

    @hookimpl
    def lianbao_propose(self, subject):
        return {"subject": "b1", "disqualify": [{"fact": "other_mechanism", "text": "grabbed"}]}


class Mutator:
    @hookimpl
    def lianbao_propose(self, subject):
        subject["monthly"]["2026-01"] = 100


class Typo:
    @hookimpl
    def lianbao_propse(self, subject):  # a hook that does not exist
        return None


class MethodFact:
    @hookimpl
    def lianbao_facts(self):
        return [{"id": "mass_incident", "applies_to": ["officer"], "meaning": "redefined"}]


def host(allow, *extra, timeout=1.0):
    return plugins.build_host(allow, entry_points=[], extra=[(n, "1.0", o) for n, o in extra],
                              timeout=timeout)


def rate(snap, h, agency="a1"):
    adaptation = packs.Adaptation(agency, snap["period"], host=h)
    return packs.rate_adapted(snap, adaptation), adaptation


def three():
    return snapshot([officer("o1"), officer("o2"), officer("o3")])


def test_allow_list_parsing():
    assert plugins.parse_allow_list("court=a1|a2, psb=a3") == {
        "court": frozenset({"a1", "a2"}), "psb": frozenset({"a3"})}
    assert plugins.parse_allow_list("") == {} and plugins.parse_allow_list(None) == {}
    for bad in ("court", "court=", "=a1", "court=a1,court=a2"):
        with pytest.raises(ValueError):
            plugins.parse_allow_list(bad)
    assert plugins.allow_list_from_config({"PLUGINS": "x=a"}) == {"x": frozenset({"a"})}


def test_an_installed_but_unlisted_plugin_is_not_loaded():
    h = plugins.build_host("psb-clearance=a1")                 # the real installed entry points
    assert set(h.plugins) == {"psb-clearance"}
    assert h.plugins["psb-clearance"].version == "0.1.0"
    reasons = {r["plugin"]: r["reason"] for r in h.rejected}
    assert "not in the allow-list" in reasons["court-reversals"]
    assert h.pm.get_plugin("court-reversals") is None
    nothing = plugins.build_host("")
    assert nothing.plugins == {} and {r["plugin"] for r in nothing.rejected} >= {
        "psb-clearance", "court-reversals"}


def test_a_listed_plugin_that_is_not_installed_is_reported():
    h = plugins.build_host("ghost=a1")
    assert h.plugins == {}
    assert {"plugin": "ghost", "reason": "listed in PLUGINS but not installed"} in h.rejected


def test_unknown_hooks_and_method_facts_reject_that_plugin_only():
    h = host("typo=a1,fact=a1,good=a1", ("typo", Typo()), ("fact", MethodFact()),
             ("good", Points()))
    assert set(h.plugins) == {"good"}
    reasons = {r["plugin"]: r["reason"] for r in h.rejected}
    assert "lianbao_propse" in reasons["typo"]
    assert "fact of the Method" in reasons["fact"]


def test_explanation_names_the_plugin_and_version():
    result, adaptation = rate(three(), host("good=a1", ("good", Points())))
    o1 = by_id(result)["o1"]
    assert o1["score"] == 91
    assert o1["explanation"][0] == {"rule": "plugin:good/1.0:extra", "points": 1.0,
                                    "text": "performance: extra work +1"}
    assert adaptation.used["plugins"] == [{"name": "good", "version": "1.0",
                                           "label": "plugin:good/1.0"}]


def test_a_plugin_that_raises_is_recorded_and_skipped_for_that_subject():
    good = Points()
    result, adaptation = rate(three(), host("boom=a1,good=a1", ("boom", Boom()), ("good", good)))
    res = by_id(result)
    assert [r["score"] for r in result["officers"]] == [91, 91, 91]   # the good one still applies
    failure = res["o2"]["explanation"][0]
    assert failure["rule"] == "extension:plugin:boom/1.0" and failure["points"] is None
    assert "database of the bureau unreachable" in failure["text"]
    assert "skipped for this subject" in failure["text"]
    assert not any("boom" in e["rule"] for e in res["o1"]["explanation"] + res["o3"]["explanation"])
    assert [(i["plugin"], i["subject"], i["what"]) for i in adaptation.used["incidents"]] == [
        ("plugin:boom/1.0", "o2", "raised")]


def test_a_plugin_that_times_out_is_skipped_and_not_asked_again_in_that_rating():
    sleepy = Sleepy()
    start = time.monotonic()
    result, adaptation = rate(three(), host("sleepy=a1,good=a1", ("sleepy", sleepy),
                                            ("good", Points()), timeout=0.3))
    assert time.monotonic() - start < 2.5
    assert sleepy.calls == 1
    texts = [r["explanation"][0]["text"] for r in result["officers"]]
    assert "no answer within 0.3 s" in texts[0]
    assert all("timed out earlier" in t for t in texts[1:])
    assert [r["score"] for r in result["officers"]] == [91, 91, 91]
    assert {i["what"] for i in adaptation.used["incidents"]} == {"timed out"}


@pytest.mark.parametrize("answer,why", [
    ("hello", "not a dict"),
    ([{"points": [{"criterion": "c", "dimension": "performance", "points": float("nan")}]}],
     "not finite"),
    ({"points": [{"criterion": "c", "dimension": "cooperation", "points": 1}]}, "not a dimension"),
    ({"points": [{"criterion": "c", "dimension": "performance", "points": 21}]}, "more than the 20"),
    ({"points": [{"criterion": "c", "dimension": "performance", "points": "2"}]}, "not a number"),
    ({"disqualify": [{"fact": "made_up"}]}, "not a fact it declared"),
    ({"settlement": [{"kind": "bonus", "reason": "x", "amount": 500}]}, "adds no money"),
    ({"colour": "red"}, "unknown keys"),
])
def test_a_plugin_that_returns_junk_is_skipped(answer, why):
    result, adaptation = rate(three(), host("junk=a1", ("junk", Junk(answer))))
    for r in result["officers"]:
        assert r["score"] == 90 and r["status"] == "rated"
        assert why in r["explanation"][0]["text"]
    assert {i["what"] for i in adaptation.used["incidents"]} == {"returned junk"}


def test_hooks_receive_only_their_agencys_subjects():
    seen = Points()
    snap = snapshot([officer("o1"), officer("b1", agency="b")],
                    [section("s1"), section("bs", agency="b")])
    snap["agencies"] = [{"id": "a1", "group": "county", "score": 85},
                        {"id": "b", "group": "county", "score": 85}]
    result, _ = rate(snap, host("seen=a1", ("seen", seen)))
    assert seen.seen == [("officer", "o1", "a1"), ("section", "s1", "a1"), ("agency", "a1", "a1")]
    assert by_id(result)["b1"]["score"] == 90 and by_id(result)["o1"]["score"] == 91


def test_a_plugin_bound_to_a_given_bs_subjects_gets_nothing_of_bs():
    snap = snapshot([officer("o1"), officer("b1", agency="b")])
    grab = host("grab=a1", ("grab", Grabber()))
    # the engine asks about every subject of the snapshot, but the plug-in only about a1's
    result, adaptation = rate(snap, grab, agency="a1")
    res = by_id(result)
    assert res["b1"]["status"] == "rated" and res["b1"]["explanation"][0]["rule"].startswith("SPEC")
    assert res["o1"]["status"] == "rated"
    refusal = res["o1"]["explanation"][0]["text"]
    assert "PluginRefused" in refusal and "'b1'" in refusal and "agency b" in refusal
    assert [i["what"] for i in adaptation.used["incidents"]] == ["refused"]
    # asked directly about b's subject, the host refuses without calling it
    view = plugins.freeze({"id": "b1", "agency": "b"})
    with pytest.raises(plugins.PluginRefused):
        grab.propose(grab.plugins["grab"], "officer", view, "b", "2026")


def test_subjects_are_read_only_views():
    snap = three()
    result, adaptation = rate(snap, host("mut=a1", ("mut", Mutator())))
    assert all(r["score"] == 90 for r in result["officers"])
    assert "does not support item assignment" in result["officers"][0]["explanation"][0]["text"]
    assert snap["officers"][0]["monthly"]["2026-01"] == 90
    frozen = plugins.freeze({"a": [1, {"b": 2}]})
    with pytest.raises(TypeError):
        frozen["a"][1]["b"] = 3


def test_bounded_call_without_eventlet_threads(monkeypatch):
    monkeypatch.setattr(plugins, "_green", lambda: False)
    assert plugins.call_bounded(lambda x: x + 1, {"x": 1}, 1.0) == 2
    with pytest.raises(plugins.PluginTimedOut):
        plugins.call_bounded(lambda: time.sleep(2), {}, 0.1)
    with pytest.raises(ZeroDivisionError):
        plugins.call_bounded(lambda: 1 / 0, {}, 1.0)


def test_contract_vocabulary_matches_the_scoring_domain():
    assert contract.DIMENSIONS["officer"] == tuple(
        d.id for d in criteria.city_template("officer").dimensions)
    assert contract.DIMENSIONS["section"] == tuple(
        d.id for d in criteria.city_template("section").dimensions)
    assert contract.DIMENSIONS["agency"] == agency_eval.STANDARDS
    assert contract.METHOD_FACTS == {"officer": defaults.OFFICER_FACTS,
                                     "section": defaults.SECTION_FACTS}
