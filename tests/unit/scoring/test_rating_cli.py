"""``lianbao rate``: JSON out and exit 0; bad input: a named field on standard error, exit 2."""
import json
import subprocess
import sys
from pathlib import Path

from lianbao.cli import main
from rating_builders import months, officer, snapshot
from services.scoring.domain.payload import rate_payload
from shared.contracts.rating import loads_snapshot

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "rating"


def test_rate_file_prints_the_result_json_and_exits_0(capsys):
    assert main(["rate", str(DATA / "01-basic.json")]) == 0
    out, err = capsys.readouterr()
    expected = rate_payload(loads_snapshot((DATA / "01-basic.json").read_text(encoding="utf-8")))
    assert json.loads(out) == expected and err == ""


def test_rate_reads_standard_input(capsys, monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(snapshot([officer()]))))
    assert main(["rate", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["officers"][0]["stars"] == 3


def test_rate_bad_input_names_the_field_and_exits_2(tmp_path, capsys):
    bad = snapshot([officer(monthly=months(90) | {"2026-13": 90})])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["rate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "officers[0].monthly.2026-13" in err


def test_rate_key_given_twice_exits_2(tmp_path, capsys):
    path = tmp_path / "twice.json"
    path.write_text('{"period": "2026", "rating_date": "2027-01-08", "rating_date": "2027-01-09"}',
                    encoding="utf-8")
    assert main(["rate", str(path)]) == 2
    assert "rating_date" in capsys.readouterr().err


def test_rate_missing_file_exits_2(tmp_path, capsys):
    assert main(["rate", str(tmp_path / "none.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_rate_table_for_people(capsys):
    assert main(["rate", "--table", str(DATA / "01-basic.json")]) == 0
    out = capsys.readouterr().out
    header, *rows = out.splitlines()
    assert header.split() == ["id", "status", "score", "stars", "reasons"]
    o1 = next(r for r in rows if r.startswith("o1 "))
    assert o1.split() == ["o1", "rated", "96.50", "★★★★", "mentee_disqualified"]
    assert "o2: bonus 1000 (five_stars)" in out


def test_rate_table_shows_agencies(capsys):
    assert main(["rate", "--table", str(DATA / "02-agencies.json")]) == 0
    out = capsys.readouterr().out
    u2 = next(r for r in out.splitlines() if r.startswith("u2 "))
    assert u2.split() == ["u2", "class", "3", "76.50", "rank", "2", "veto_warning,", "veto"]


def test_rate_as_a_subprocess():
    bad = json.dumps(snapshot([officer(unexcused_absence_days=-1)]))
    proc = subprocess.run([sys.executable, "-m", "lianbao", "rate", "-"], input=bad.encode(),
                          capture_output=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert b"officers[0].unexcused_absence_days" in proc.stderr
    assert b"Traceback" not in proc.stderr
    good = (DATA / "02-agencies.json").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "lianbao", "rate", "-"], input=good,
                          capture_output=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["agencies"][0]["id"] == "c1"
