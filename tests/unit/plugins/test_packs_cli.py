"""``lianbao packs check`` and ``lianbao packs preview --local`` (no services)."""
import json

import pytest

from lianbao.cli import main
from tests.unit.plugins.builders import officer, snapshot

pytestmark = pytest.mark.timeout(30)

GOOD = """
version: 1
effective_from: 2026
title: 严格星级
rules:
  cutoffs: {5: 96, 4: 92, 3: 85}
  five_star_quota: 0.2
rewards:
  officer: {5: 1200, 4: 300}
"""

BAD = """
version: 1
effective_from: 2026
rules:
  cutoffs: {4: 96}
rewards:
  officer: {2: 50}
waive: [mass_incident]
"""


def test_check_accepts_yaml_with_unquoted_keys_and_notes_the_seed(tmp_path, capsys):
    f = tmp_path / "pack.yml"
    f.write_text(GOOD, encoding="utf-8")
    assert main(["packs", "check", str(f), "--agency", "a1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["label"] == "pack:a1/v1"
    assert [n["field"] for n in out["notes"]] == ["pack.rewards.officer.4"]


def test_check_lists_every_violation_by_field_and_exits_2(tmp_path, capsys):
    f = tmp_path / "pack.yml"
    f.write_text(BAD, encoding="utf-8")
    assert main(["packs", "check", str(f), "--agency", "a1"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "pack.rules.cutoffs.4", "pack.rewards.officer.2", "pack.waive[0]"]


def test_preview_local_on_a_snapshot_file(tmp_path, capsys):
    f = tmp_path / "pack.yml"
    f.write_text(GOOD, encoding="utf-8")
    snap = snapshot([officer("o1", score=97), officer("o2", score=96), officer("o3", score=91),
                     officer("o4", score=80), officer("o5", score=75)])
    s = tmp_path / "snap.json"
    s.write_text(json.dumps(snap), encoding="utf-8")
    assert main(["packs", "preview", str(f), "--agency", "a1", "--period", "2026",
                 "--snapshot", str(s), "--local"]) == 0
    out = json.loads(capsys.readouterr().out)
    # quota floor(0.2 × 5) = 1: o2 loses ★5; o3 (91) falls below ★4 92; o4 (80) below ★3 85
    assert {c["id"]: (c["before"]["stars"], c["after"]["stars"]) for c in out["changes"]} == \
        {"o2": (5, 4), "o3": (4, 3), "o4": (3, 2)}
    added = {(x["subject"], x["amount"], x["reason"]) for x in out["settlement"]["added"]}
    assert ("o1", 1200, "five_stars") in added and ("o2", 300, "four_stars") in added


def test_preview_local_needs_a_snapshot(tmp_path, capsys):
    f = tmp_path / "pack.yml"
    f.write_text(GOOD, encoding="utf-8")
    assert main(["packs", "preview", str(f), "--agency", "a1", "--period", "2026",
                 "--local"]) == 2
    assert "--snapshot" in capsys.readouterr().err
