"""``lianbao import training FILE`` against the running service (embedded transport)."""
from pathlib import Path

import pytest

from lianbao.cli import main
from lianbao.commands.import_training import import_file

pytestmark = pytest.mark.timeout(60)
DATA = Path(__file__).resolve().parents[2] / "data" / "training"


def test_cli_dry_run_reports_every_bad_row_by_number_and_column(training, cli_env, capsys):
    suite = training()
    assert main(["import", "training", str(DATA / "results_bad.csv"), "--dry-run",
                 "--no-progress"]) == 2
    out = capsys.readouterr().out
    assert "row 3, column person_id: unknown person 'ghost'" in out
    assert "row 4, column course_id" in out and "row 4, column date" in out
    assert "row 4, column result" in out and "row 5, column date" in out
    assert "dry run, nothing written" in out
    with suite.rpc() as rpc:
        assert rpc.training.results_of({"person_id": "off1"})["results"] == []


def test_cli_real_run_all_or_nothing_then_same_file_changes_nothing(training, cli_env, capsys):
    suite = training()
    assert main(["import", "training", str(DATA / "results_bad.csv"), "--no-progress"]) == 2
    assert "nothing written" in capsys.readouterr().out
    assert main(["import", "training", str(DATA / "results.csv"), "--no-progress"]) == 0
    assert "created 3, unchanged 0, 0 problems (committed)" in capsys.readouterr().out
    assert main(["import", "training", str(DATA / "results.csv"), "--no-progress"]) == 0
    assert "created 0, unchanged 3" in capsys.readouterr().out
    with suite.rpc() as rpc:
        assert [r["result"] for r in rpc.training.results_of({"person_id": "off2"})["results"]] == [
            "fail", "pass"]


def test_xlsx_rows_keep_their_spreadsheet_numbers(training, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["person_id", "course_id", "date", "result"])
    sheet.append(["off1", "drill", datetime(2026, 3, 1), "合格"])
    sheet.append([None, None, None, None])
    sheet.append(["off1", "drill", datetime(2027, 3, 1), "pass"])
    path = tmp_path / "results.xlsx"
    book.save(path)
    suite = training()
    with suite.rpc() as rpc:
        report = import_file(rpc, path, dry_run=True, progress=False)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "date")]
    assert report["created"] == 1 and report["committed"] is False
