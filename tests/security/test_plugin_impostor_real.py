"""Attack (#18 item 7): a package declaring the entry-point name of an allowed plug-in
(``court-reversals``) from another distribution, installed beside the real one.  The allow-list pins
the real distribution and version; the scoring service runs on RabbitMQ + PostgreSQL.

Asserted: the impostor is refused and reported (the scoring service's health, ``lianbao plugins``
exit 1) and never imported (its module would write a marker file and raise); the real plug-in is
the one the service uses (control), and without the impostor ``lianbao plugins`` exits 0."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.scoring import packs_service
from shared.runner import Suite
from tests.unit.plugins.fakedist import make_fake_dist

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]

REAL = "lianbao-plugin-court-reversals"
PINNED = f"court-reversals@{REAL}==0.1.0=court"
ROOT = Path(__file__).resolve().parents[2]


def never_imported(fake):
    return not fake["marker"].exists() and fake["module"] not in sys.modules


def test_the_scoring_service_refuses_the_impostor_and_uses_the_real_plugin(real_config, tmp_path,
                                                                         monkeypatch):
    fake = make_fake_dist(tmp_path / "site")
    monkeypatch.syspath_prepend(str(fake["path"]))
    monkeypatch.setattr(packs_service, "_HOSTS", {})          # loaded afresh, with the impostor
    real_config["PLUGINS"] = PINNED
    suite = Suite(real_config, names=["scoring"]).start()
    try:
        with suite.rpc() as rpc:
            health = rpc.scoring.health()
            eff = rpc.scoring.effective_pack({"agency": "court", "period": "2026"})
    finally:
        suite.stop()
    assert never_imported(fake)
    [refused] = health["plugins_refused"]
    assert (refused["plugin"], refused["distribution"]) == ("court-reversals", fake["dist"])
    assert any("court-reversals" in w and fake["dist"] in w for w in health["warnings"])
    # the control: the real plug-in, from its pinned distribution, is the one bound to the court
    assert [p["label"] for p in eff["plugins"]] == ["plugin:court-reversals/0.1.0"]


def plugins_command(tmp_path, *extra_path):
    env = dict(os.environ, LIANBAO_PLUGINS=PINNED,
               PYTHONPATH=os.pathsep.join([*map(str, extra_path), str(ROOT)]))
    return subprocess.run([sys.executable, "-m", "lianbao", "plugins", "--json"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60)


def test_lianbao_plugins_lists_the_impostor_and_exits_1(tmp_path):
    fake = make_fake_dist(tmp_path / "site")
    out = plugins_command(tmp_path, fake["path"])
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    assert [(r["plugin"], r["distribution"], r["version"]) for r in doc["refused"]] == [
        ("court-reversals", fake["dist"], "6.6.6")]
    assert not fake["marker"].exists()                        # never imported by the command
    assert [p["plugin"] for p in doc["loaded"]] == ["court-reversals"]
    control = plugins_command(tmp_path)
    assert control.returncode == 0, control.stdout + control.stderr
    assert json.loads(control.stdout)["refused"] == []
