"""Plug-ins pinned (#18 item 7): the allow-list names the distribution (and version) that must
provide an entry point; an entry point of an allowed name from another distribution or version is
refused, reported and never imported.  The impostor is a distribution built at test time (a
dist-info folder on sys.path) whose module writes a marker file and raises if it is ever imported."""
import sys

import pytest

from shared import plugins
from tests.unit.plugins.fakedist import make_fake_dist

pytestmark = pytest.mark.timeout(30)

REAL = "lianbao-plugin-court-reversals"
PINNED = f"court-reversals@{REAL}==0.1.0=court"


def never_imported(fake):
    return not fake["marker"].exists() and fake["module"] not in sys.modules


@pytest.fixture
def impostor(tmp_path, monkeypatch):
    fake = make_fake_dist(tmp_path / "site")
    monkeypatch.syspath_prepend(str(fake["path"]))
    return fake


def test_pinned_entries_parse_and_the_old_syntax_still_works():
    allow = plugins.parse_allow_list(f"{PINNED},psb-clearance@lianbao_plugin.PSB-clearance=a1|a2,"
                                     "x=b")
    assert allow["court-reversals"] == plugins.Allowed(frozenset({"court"}), REAL, "0.1.0")
    assert allow["psb-clearance"].distribution == "lianbao_plugin.PSB-clearance"
    assert allow["psb-clearance"].version is None
    assert allow["psb-clearance"] == plugins.Allowed(frozenset({"a1", "a2"}),
                                                     "lianbao-plugin-psb-clearance")
    assert allow["x"] == frozenset({"b"}) and allow["x"].distribution is None
    assert plugins.parse_allow_list({f"court-reversals@{REAL}==0.1.0": "court"}) == {
        "court-reversals": allow["court-reversals"]}
    for bad in ("c@=a1", "c@d==", "c@d===1=a1", "c==1.0=a1", "c@d==1.0", "c@d==1.0=",
                "c@d e=a1", "c@d=a1,c=a2"):
        with pytest.raises(ValueError, match="PLUGINS entry"):
            plugins.parse_allow_list(bad)


def test_the_real_pinned_plugin_loads():
    host = plugins.build_host(PINNED, timeout=0)
    assert set(host.plugins) == {"court-reversals"} and host.refused == []
    assert host.plugins["court-reversals"].version == "0.1.0"


def test_an_impostor_distribution_is_refused_reported_and_never_imported(impostor, caplog):
    host = plugins.build_host(PINNED, timeout=0)
    assert never_imported(impostor)
    # the control: the real one, from its own distribution, is loaded beside the refusal
    assert set(host.plugins) == {"court-reversals"}
    assert host.plugins["court-reversals"].obj.__name__ == "lianbao_court_reversals.plugin"
    [refused] = host.refused
    assert refused["plugin"] == "court-reversals" and refused["distribution"] == impostor["dist"]
    assert refused["version"] == "6.6.6"
    assert REAL in refused["reason"] and "not imported" in refused["reason"]
    assert any("court-reversals" in r.getMessage() and impostor["dist"] in r.getMessage()
               for r in caplog.records if r.name == "lianbao.plugins")


def test_unpinned_and_offered_by_two_distributions_none_is_imported(impostor):
    host = plugins.build_host("court-reversals=court", timeout=0)
    assert never_imported(impostor)
    assert host.plugins == {}
    assert {r["distribution"] for r in host.refused} == {impostor["dist"], REAL}
    assert all("does not pin one" in r["reason"] for r in host.refused)


def test_another_version_of_the_pinned_distribution_is_refused(tmp_path, monkeypatch):
    # the same distribution name, another version, earlier on the path: it shadows the real one
    fake = make_fake_dist(tmp_path / "site", dist=REAL, version="0.2.0")
    monkeypatch.syspath_prepend(str(fake["path"]))
    host = plugins.build_host(PINNED, timeout=0)
    assert never_imported(fake)
    assert host.plugins == {}
    assert [(r["distribution"], r["version"]) for r in host.refused] == [(REAL, "0.2.0")]
    assert "pins version 0.1.0" in host.refused[0]["reason"]
    # the distribution pinned without a version: the same impostor is then accepted by the pin
    # (a version pin is what tells them apart), which is why the shipped examples pin versions
    assert plugins.pin_refusal("court-reversals", plugins.Allowed(frozenset({"c"}), REAL),
                               REAL, "0.2.0") is None


def test_an_entry_point_without_a_distribution_is_refused_when_pinned():
    from importlib.metadata import EntryPoint

    ep = EntryPoint("court-reversals", "lianbao_court_reversals.plugin", "lianbao.plugins")
    host = plugins.build_host(PINNED, entry_points=[ep], timeout=0)
    assert host.plugins == {} and "names no distribution" in host.refused[0]["reason"]
    loose = plugins.build_host("court-reversals=court", entry_points=[ep], timeout=0)
    assert set(loose.plugins) == {"court-reversals"}          # unpinned: as before


def test_a_pinned_version_applies_to_plugins_given_directly():
    class P:
        pass

    ok = plugins.build_host("p@any==1.0=a1", entry_points=[], extra=[("p", "1.0", P())])
    assert set(ok.plugins) == {"p"}
    no = plugins.build_host("p@any==2.0=a1", entry_points=[], extra=[("p", "1.0", P())])
    assert no.plugins == {} and "pins version 2.0" in no.refused[0]["reason"]
