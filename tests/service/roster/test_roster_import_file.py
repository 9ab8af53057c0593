"""``lianbao import roster``: good file (CSV and XLSX), bad rows, re-import (through the service)."""
import csv
from pathlib import Path

import pytest

from lianbao.commands.import_roster import import_file, print_report
from lianbao.cli import main
from shared.errors import NotFound

DATA = Path(__file__).resolve().parents[2] / "data" / "roster"
pytestmark = pytest.mark.timeout(90)


def test_good_csv_imports_and_reimport_changes_nothing(roster_units, tmp_path):
    with roster_units.rpc() as rpc:
        dry = import_file(rpc, DATA / "good.csv", dry_run=True, progress=False)
        assert (dry["created"], dry["committed"], dry["errors"]) == (7, False, [])
        with pytest.raises(NotFound):
            rpc.roster.get_staff({"person": "o1"})   # the dry run wrote nothing
        first = import_file(rpc, DATA / "good.csv", progress=False)
        assert (first["committed"], first["errors"], first["created"]) == (True, [], 7)
        again = import_file(rpc, DATA / "good.csv", progress=False)
        assert (again["created"], again["changed"], again["unchanged"]) == (0, 0, 7)
        assert rpc.roster.get_staff({"person": "o3"})["joined"] == "2025-12-31"
        assert rpc.roster.get_staff({"person": "l2"})["titles"] == ["political_commissar"]
        # one changed row: o2 moves to the other section; the rest stays unchanged
        text = (DATA / "good.csv").read_text(encoding="utf-8")
        moved = tmp_path / "moved.csv"
        moved.write_text(text.replace("o2,孙干警,c_ps_s1", "o2,孙干警,c_ps_s2"), encoding="utf-8")
        report = import_file(rpc, moved, progress=False, effective="2026-03-01")
        assert (report["created"], report["changed"], report["unchanged"]) == (0, 1, 6)
        assert rpc.roster.get_staff({"person": "o2"})["unit"] == "c_ps_s2"


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(roster_units):
    with roster_units.rpc() as rpc:
        for dry_run in (True, False):
            report = import_file(rpc, DATA / "bad.csv", dry_run=dry_run, progress=False)
            assert [(e["row"], e["column"]) for e in report["errors"]] == [
                (3, "unit"), (4, "joined"), (5, "position"), (6, "unit"), (7, "unit"),
                (8, "titles")]
            assert not report["committed"]
        with pytest.raises(NotFound):
            rpc.roster.get_staff({"person": "a1"})  # the good row was not written either
        lines = []

        class Out:
            def write(self, text):
                lines.append(text)
        print_report(report, Out())
        assert "row 3, column unit: unknown unit 'nowhere'" in "".join(lines)


def test_xlsx_with_date_cells_imports(roster_units, tmp_path):
    from datetime import date

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    with (DATA / "good.csv").open(encoding="utf-8-sig") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if i > 0 and row and row[4]:
                row[4] = date.fromisoformat(row[4])   # a real date cell
            sheet.append(row)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    with roster_units.rpc() as rpc:
        report = import_file(rpc, path, progress=False)
        assert report["committed"] and report["errors"] == []
        assert import_file(rpc, path, progress=False)["unchanged"] == 7


def test_cli_refuses_a_missing_file(capsys):
    assert main(["import", "roster", "/nonexistent/roster.csv", "--no-progress"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_file_goes_in_batches_checked_first_all_or_nothing(roster_units, tmp_path):
    """Read as it goes, two rows a call: bad rows in any batch leave every batch unwritten (the
    good batches before them too); a person given again in a later batch is refused at its row;
    a good file goes in whole, and again changes nothing."""
    with roster_units.rpc() as rpc:
        report = import_file(rpc, DATA / "bad.csv", progress=False, batch_size=2)
        # row 7 gives a1 of row 2 again, in another batch: refused as the same person (in one
        # batch the service refuses it for its other unit)
        assert [(e["row"], e["column"]) for e in report["errors"]] == [
            (3, "unit"), (4, "joined"), (5, "position"), (6, "unit"), (7, "id"), (8, "titles")]
        assert not report["committed"]
        with pytest.raises(NotFound):
            rpc.roster.get_staff({"person": "a1"})     # row 2, in the first batch: not written
        lines = (DATA / "good.csv").read_text(encoding="utf-8-sig").splitlines()
        twice = tmp_path / "twice.csv"
        twice.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
        report = import_file(rpc, twice, progress=False, batch_size=2)
        assert [(e["row"], e["column"], e["reason"]) for e in report["errors"]] == [
            (len(lines) + 1, "id", "duplicate")]
        assert "as line 2" in report["errors"][0]["message"] and not report["committed"]
        with pytest.raises(NotFound):
            rpc.roster.get_staff({"person": lines[1].split(",")[0]})
        first = import_file(rpc, DATA / "good.csv", progress=False, batch_size=2)
        assert (first["committed"], first["errors"], first["rows"], first["created"]) == (True, [], 7, 7)
        again = import_file(rpc, DATA / "good.csv", progress=False, batch_size=2)
        assert (again["committed"], again["created"], again["changed"], again["unchanged"]) == (True, 0, 0, 7)


def test_an_import_reads_only_the_people_its_rows_name(roster, tmp_path, monkeypatch):
    """A batch reads the stored staff of its own rows' ids (and, for a changed person, the other side
    of each of his pairs), not the whole roster: an import sent in batches read the roster again for
    every batch (29 Nov 2026: 100,000 staff 18 s → 40 s). A changed person whose mentor is in no
    row still has his broken pair cut (the mentor read from the store)."""
    from services.roster import importing

    asked = []
    real = importing.load_staff

    def load_staff(session, ids):
        ids = set(ids)
        asked.append(ids)
        return real(session, ids)

    monkeypatch.setattr(importing, "load_staff", load_staff)
    with roster.rpc() as rpc:
        rpc.roster.assign_mentor({"mentor": "c", "mentee": "o1", "start": "2026-01-01"})
        path = tmp_path / "one.csv"
        path.write_text("id,name,unit,position,joined\n"
                        "o1,干警1,c_ps_s2,officer,2020-01-01\n"       # moves: out of c's section
                        "o9,干警9,c_ps_s1,officer,2024-01-01\n", encoding="utf-8")
        report = import_file(rpc, path, progress=False, effective="2026-03-01")
        assert (report["committed"], report["created"], report["changed"]) == (True, 1, 1)
        # dry run, then the write: each the rows' ids; the write then o1's mentor, c
        assert asked == [{"o1", "o9"}, {"o1", "o9"}, {"c"}]
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-03-01"})["mentor"] is None
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-02-28"})["mentor"] == "c"
        assert rpc.roster.get_staff({"person": "o2"})["unit"] == "c_ps_s1"    # in no row: untouched
