"""``lianbao import roster FILE``: import staff from CSV or XLSX through the roster service.

Columns (row 1; English or Chinese): id 工号, name 姓名, unit 单位, position 职务 (head/leader/chief/
officer or 一把手/班子成员/中层骨干/干警), joined 入队日期 (YYYY-MM-DD), titles 职衔 and supervises
分管科室 (``;``-separated). Units must already exist (``roster.save_units``).

``--dry-run`` reports every bad row by row number and column and writes nothing; a real run is all
or nothing (one transaction in the service); importing the same file again changes nothing.
Exit codes: 0 done, 2 bad file or bad rows (nothing written), 1 the service failed.
"""
from __future__ import annotations

import argparse

import csv
import sys
from datetime import date, datetime
from pathlib import Path

from lianbao.commands._groups import group

IMPORT_TIMEOUT = 900.0


def register(subparsers):
    sub = group(subparsers, "import", "import data files into the services")
    p = sub.add_parser("roster", description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter, help="import staff from a CSV or XLSX roster")
    p.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    p.add_argument("--effective", help="date changes take effect (YYYY-MM-DD; default today)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows_csv(path: Path):
    from lianbao.commands._files import csv_rows

    yield from csv_rows(path)


def _rows_xlsx(path: Path, sheet: str | None):
    from lianbao.commands._files import BadFile, xlsx_workbook

    book = xlsx_workbook(path)
    try:
        if sheet and sheet not in book.sheetnames:
            raise BadFile(path, f"no sheet {sheet!r} (sheets: {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet else book.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def read_rows(path: Path, sheet: str | None = None, progress: bool = True):
    """(header, rows as dicts, their row numbers in the file). Blank rows are skipped; row 1 is
    the header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        source = _rows_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        source = _rows_xlsx(path, sheet)
    else:
        from lianbao.commands._files import BadFile

        raise BadFile(path, "not a .csv or .xlsx file")
    from tqdm import tqdm

    header: list[str] | None = None
    rows, numbers = [], []
    bar = tqdm(desc="reading", unit=" rows", disable=not progress, file=sys.stderr)
    for number, raw in enumerate(source, start=1):
        cells = [_cell(v) for v in raw]
        if header is None:
            header = [c for c in cells]
            while header and not header[-1]:
                header.pop()
            continue
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header):]):
            cells = cells[:len(header)] + ["<extra cells>"]
            row = dict(zip(header + ["_extra"], cells))
        else:
            row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        rows.append(row)
        numbers.append(number)
        bar.update(1)
    bar.close()
    if header is None:
        raise ValueError(f"{path.name}: empty file (no header row)")
    return header, rows, numbers


def import_file(proxy, path: Path, dry_run: bool = False, effective: str | None = None,
                sheet: str | None = None, progress: bool = True) -> dict:
    """Read ``path`` and send it to ``roster.import_roster`` as one all-or-nothing batch."""
    from tqdm import tqdm

    header, rows, numbers = read_rows(path, sheet, progress)
    if not rows:  # a header alone: let the service check the header
        rows, numbers = [dict.fromkeys(header, "")], [2]
    bar = tqdm(total=1, desc="importing" if not dry_run else "checking", unit=" batch",
               disable=not progress, file=sys.stderr)
    report = proxy.roster.import_roster({"rows": rows, "row_numbers": numbers,
                                         "dry_run": dry_run, "effective": effective})
    bar.update(1)
    bar.close()
    return report


def print_report(report: dict, out=None, noun: str = "bad rows") -> None:
    """Every bad row by row number and column, then one line of counts (shared by the imports)."""
    out = out or sys.stdout
    for err in report["errors"]:
        print(f"row {err['row']}, column {err['column']}: {err['message']}", file=out)
    verb = "would create" if report["dry_run"] else "created"
    state = ("dry run, nothing written" if report["dry_run"] else
             "committed" if report["committed"] else "nothing written")
    changed = f", changed {report['changed']}" if "changed" in report else ""
    print(f"{report['rows']} rows: {verb} {report['created']}{changed}, "
          f"unchanged {report['unchanged']}, {len(report['errors'])} {noun} ({state})", file=out)


def run_import(path: str, send, noun: str = "bad rows") -> int:
    """The body of every ``lianbao import`` of rows: ``send(proxy, path)`` returns the service's
    report; a missing file, an unreadable one or a refused call is exit 2 with the reason."""
    from lianbao.commands._rpc import cluster_proxy
    from shared.errors import LianbaoError

    from lianbao.commands._files import BadFile, check_rows_file

    path = Path(path)
    if not path.is_file():
        print(f"error: {path}: no such file", file=sys.stderr)
        return 2
    try:
        check_rows_file(path)      # before any broker: a bad file is told at once
    except BadFile as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        with cluster_proxy(timeout=IMPORT_TIMEOUT) as proxy:
            report = send(proxy, path)
    except (ValueError, OSError, LianbaoError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print_report(report, noun=noun)
    return 2 if report["errors"] else 0


def run(args) -> int:
    return run_import(args.file, lambda proxy, path: import_file(
        proxy, path, args.dry_run, args.effective, args.sheet, progress=not args.no_progress))
