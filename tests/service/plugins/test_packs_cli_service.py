"""``lianbao packs register|history|preview`` against the running scoring service (embedded)."""
import json

import pytest

from lianbao.cli import main
from tests.service.plugins.test_packs_service import start
from tests.unit.plugins.builders import officer, snapshot

pytestmark = pytest.mark.timeout(90)

PACK = """
version: 1
effective_from: 2026
rules:
  cutoffs: {5: 96}
"""


def test_register_history_and_preview_through_the_service(embedded_suite, cli_env, tmp_path,
                                                          capsys):
    start(embedded_suite)
    f = tmp_path / "pack.yml"
    f.write_text(PACK, encoding="utf-8")
    assert main(["packs", "register", str(f), "--agency", "a1", "--by", "leading-group"]) == 0
    assert json.loads(capsys.readouterr().out)["created"] is True
    assert main(["packs", "history", "--agency", "a1"]) == 0
    history = json.loads(capsys.readouterr().out)
    assert [(v["version"], v["registered_by"]) for v in history["versions"]] == \
        [(1, "leading-group")]

    v2 = tmp_path / "v2.yml"
    v2.write_text(PACK.replace("version: 1", "version: 2").replace("{5: 96}", "{5: 97}"),
                  encoding="utf-8")
    snap = tmp_path / "snap.json"
    snap.write_text(json.dumps(snapshot([officer("o1", score=96.5), officer("o2", score=97)])),
                    encoding="utf-8")
    assert main(["packs", "preview", str(v2), "--agency", "a1", "--period", "2026",
                 "--snapshot", str(snap)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["base"] == "pack:a1/v1" and out["candidate"] == "pack:a1/v2"
    assert [(c["id"], c["before"]["stars"], c["after"]["stars"]) for c in out["changes"]] == \
        [("o1", 5, 4)]

    bad = tmp_path / "bad.yml"
    bad.write_text(PACK.replace("{5: 96}", "{5: 96, 4: 97}"), encoding="utf-8")
    assert main(["packs", "register", str(bad), "--agency", "a1"]) == 2
    assert "pack.rules.cutoffs.4" in capsys.readouterr().err
