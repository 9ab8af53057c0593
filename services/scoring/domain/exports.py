"""Writing tables for spreadsheets safely: formula injection neutralised (CSV and XLSX).

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read
as a formula (or a DDE call) by a spreadsheet program.  Such text is written as text: in CSV with
a leading apostrophe, in XLSX as a string cell (never a formula) marked with a quote prefix.
Numbers stay numbers.
"""
from __future__ import annotations

import csv
import io

from shared.spreadsheet import FORMULA_STARTS as DANGEROUS   # the suite's one rule (OWASP)


def is_dangerous(value) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS)


def csv_cell(value):
    """The CSV text of a cell: dangerous text gets a leading ``'``; None is empty."""
    if value is None:
        return ""
    return "'" + value if is_dangerous(value) else value


def csv_bytes(headers, rows) -> bytes:
    """UTF-8 with BOM (spreadsheet programs read the Chinese), every cell through :func:`csv_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_cell(h) for h in headers])
    for row in rows:
        w.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, headers, rows) -> bytes:
    """One sheet; dangerous text is stored as a string cell with a quote prefix, never a formula."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(headers))
    for row in rows:
        ws.append([v for v in row])
        for cell in ws[ws.max_row]:
            if is_dangerous(cell.value) or cell.data_type == "f":
                cell.data_type = "s"
                cell.quotePrefix = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
