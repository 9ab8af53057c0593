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
    headers = list(headers)
    ws.append(headers)
    # the last row holding a cell and the widest row so far: what ``ws.max_row``/``ws.max_column``
    # answer (1 on an empty sheet), kept here instead of asked of the sheet, which counts every
    # cell for each (quadratic in the rows: #24 item 5)
    current, last, width = 1, 1, max(1, len(headers))
    for row in rows:
        values = [v for v in row]
        ws.append(values)
        current += 1
        if values:
            last, width = current, max(width, len(values))
        for col in range(1, width + 1):      # the cells of ``ws[last]``, created where missing
            cell = ws.cell(row=last, column=col)
            if is_dangerous(cell.value) or cell.data_type == "f":
                cell.data_type = "s"
                cell.quotePrefix = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
