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
    assert "row 3, column person: unknown person 'ghost'" in out
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


def test_cli_reads_the_old_person_id_column_and_refuses_both(training, cli_env, capsys, tmp_path):
    """#17 item 3: a results file's column is ``person``; the old ``person_id`` is still read until
    0.2.0; a file giving both is refused at its header, naming ``person_id``, nothing written."""
    suite = training()
    both = _file(tmp_path, ["off1,off1,drill,2026-03-01,pass"], header="person,person_id,course_id,date,result")
    assert main(["import", "training", str(both), "--no-progress"]) == 2
    out = capsys.readouterr().out
    assert "row 1, column person_id: 'person_id' is the old name of 'person'" in out and "nothing written" in out
    old = _file(tmp_path, ["off1,drill,2026-03-01,pass", "ghost,drill,2026-03-01,pass"],
                header="person_id,course_id,date,result")
    assert main(["import", "training", str(old), "--no-progress"]) == 2
    assert "row 3, column person: unknown person 'ghost'" in capsys.readouterr().out
    with suite.rpc() as rpc:
        assert rpc.training.results_of({"person": "off1"})["results"] == []
    old.write_text("person_id,course_id,date,result\noff1,drill,2026-03-01,pass\n", encoding="utf-8")
    assert main(["import", "training", str(old), "--no-progress"]) == 0
    assert "created 1" in capsys.readouterr().out
    with suite.rpc() as rpc:
        assert [r["date"] for r in rpc.training.results_of({"person": "off1"})["results"]] == ["2026-03-01"]


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


class _Counting:
    """The proxy with each ``training.import_results`` call noted: (rows, dry_run)."""

    def __init__(self, rpc):
        self.rpc, self.calls = rpc, []
        self.training = self

    def import_results(self, body):
        self.calls.append((len(body["rows"]), body["dry_run"]))
        return self.rpc.training.import_results(body)


GOOD = ["off1,drill,2026-03-01,pass", "off2,drill,2026-03-02,pass", "chief1,drill,2026-03-03,fail",
        "head1,drill,2026-03-04,pass", "off1,drill,2025-03-01,pass"]


def _file(tmp_path, lines, header="person,course_id,date,result"):
    path = tmp_path / "results.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_the_file_goes_in_batches_checked_first_then_written(training, tmp_path):
    """Two rows a call (off1's two rows together): every batch checked (dry runs), then the same
    batches written; again unchanged."""
    path = _file(tmp_path, GOOD)
    suite = training()
    with suite.rpc() as rpc:
        spy = _Counting(rpc)
        report = import_file(spy, path, progress=False, batch_size=2)
        assert [dry for _, dry in spy.calls] == [True] * 3 + [False] * 3
        sizes = [n for n, _ in spy.calls]
        assert sizes[:3] == sizes[3:] and sorted(sizes[:3]) == [1, 2, 2]
        assert (report["committed"], report["errors"], report["rows"], report["created"]) == (True, [], 5, 5)
        assert "changed" not in report
        assert [(r["date"], r["result"]) for r in rpc.training.results_of({"person_id": "off1"})["results"]] == [
            ("2025-03-01", "pass"), ("2026-03-01", "pass")]
        again = import_file(rpc, path, progress=False, batch_size=2)
        assert (again["committed"], again["created"], again["unchanged"]) == (True, 0, 5)


def test_a_bad_row_in_the_last_batch_writes_no_batch(training, tmp_path):
    path = _file(tmp_path, GOOD + ["ghost,drill,2026-03-01,pass"])
    suite = training()
    with suite.rpc() as rpc:
        spy = _Counting(rpc)
        report = import_file(spy, path, progress=False, batch_size=2)
        assert all(dry for _, dry in spy.calls) and len(spy.calls) == 3
        assert [(e["row"], e["column"]) for e in report["errors"]] == [(7, "person")]
        assert report["committed"] is False and report["created"] == 5
        for person in ("off1", "off2", "chief1"):      # rows of the first batches: not written
            assert rpc.training.results_of({"person_id": person})["results"] == []


def test_cli_in_batches_refuses_a_bad_last_line_before_anything_is_written(training, cli_env, capsys,
                                                                           tmp_path, monkeypatch):
    import lianbao.commands.import_roster as imports

    monkeypatch.setattr(imports, "BATCH_ROWS", 2)
    suite = training()
    path = _file(tmp_path, GOOD + ["off2,nocourse,2026-03-05,pass"], header="工号,课程,日期,结果")
    assert main(["import", "training", str(path), "--no-progress"]) == 2
    out = capsys.readouterr().out
    assert "row 7, column course_id" in out and "5 rows: created 5" not in out
    assert "6 rows: created 5, unchanged 0, 1 problems (nothing written)" in out
    path.write_text(path.read_text(encoding="utf-8") + "off1,drill,2026-03-0\x00,pass\n", encoding="utf-8")
    assert main(["import", "training", str(path), "--no-progress"]) == 2
    assert "line 8, column 21: control character U+0000" in capsys.readouterr().err
    with suite.rpc() as rpc:
        assert rpc.training.results_of({"person_id": "off1"})["results"] == []
    path = _file(tmp_path, GOOD, header="工号,课程,日期,结果")
    assert main(["import", "training", str(path), "--no-progress"]) == 0
    assert "5 rows: created 5, unchanged 0, 0 problems (committed)" in capsys.readouterr().out


def test_a_result_given_again_far_apart_is_refused_at_its_line(training, tmp_path):
    """The same person, course and day five rows apart (in batches of one row), the day written
    another way (ISO week), is refused at the later line; nothing written."""
    path = _file(tmp_path, GOOD + ["off1,drill,2026-W09-7,pass"])
    suite = training()
    with suite.rpc() as rpc:
        report = import_file(rpc, path, progress=False, batch_size=1)
        assert [(e["row"], e["column"]) for e in report["errors"]] == [(7, "date")]
        assert "row 2" in report["errors"][0]["message"] and report["committed"] is False
        assert rpc.training.results_of({"person_id": "off1"})["results"] == []
        dry = import_file(rpc, path, dry_run=True, progress=False, batch_size=1)
        assert [(e["row"], e["column"]) for e in dry["errors"]] == [(7, "date")] and dry["dry_run"]


def test_a_rule_on_one_persons_rows_far_apart_is_checked_before_anything_is_written(training, tmp_path):
    """off1 passes drill twice in 2026, rows 2 and 7, in batches of one row: a person's rows go in one
    batch, so the check refuses row 7 and no batch is written (before, the first pass took each row
    alone and the second wrote row 2, then refused row 7)."""
    path = _file(tmp_path, GOOD + ["off1,drill,2026-05-01,pass"])
    suite = training()
    with suite.rpc() as rpc:
        spy = _Counting(rpc)
        report = import_file(spy, path, progress=False, batch_size=1)
        assert all(dry for _, dry in spy.calls)
        assert [(e["row"], e["column"]) for e in report["errors"]] == [(7, "course_id")]
        assert "already passed drill in 2026" in report["errors"][0]["message"]
        for person in ("off1", "off2", "chief1", "head1"):
            assert rpc.training.results_of({"person_id": person})["results"] == []
