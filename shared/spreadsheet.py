"""Cells that are safe to open: CSV and XLSX formula injection neutralised (OWASP's rule).

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide such a start), so a subject named ``=HYPERLINK("http://x",
"click")`` would become a live link in a notice. Every XLSX and CSV the suite writes passes its
values through :func:`safe_cell`: such a text gets a leading apostrophe (``'=HYPERLINK(...)``),
which shows the text as it was given and is never evaluated. Numbers stay numbers (a negative
amount is a number, not a text starting with ``-``).

The same rule serves XLSX: openpyxl turns a text starting with ``=`` into a formula cell, and
with the apostrophe it stays a plain string cell.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged unless it is a text a spreadsheet would read as a formula: then ``'`` + it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    """A row of :func:`safe_cell` values (CSV writers and openpyxl's ``append``)."""
    return [safe_cell(v) for v in values]
