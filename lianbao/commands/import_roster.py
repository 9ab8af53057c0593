"""``lianbao import roster FILE``: import staff from CSV or XLSX through the roster service.

Columns (row 1; English or Chinese): id 工号, name 姓名, unit 单位, position 职务 (head/leader/chief/
officer or 一把手/班子成员/中层骨干/干警), joined 入队日期 (YYYY-MM-DD), titles 职衔 and supervises
分管科室 (``;``-separated). Units must already exist (``roster.save_units``).

The file is read as it goes and sent 5,000 rows at a time. ``--dry-run`` reports every bad row by
row number and column and writes nothing; a real run checks every batch first and writes only if no
row is refused (all or nothing); importing the same file again changes nothing (and finishes an
import that was interrupted).
Exit codes: 0 done, 2 bad file or bad rows (nothing written), 1 the service failed.
"""
from __future__ import annotations

import argparse

import sys
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from lianbao.commands._groups import group

IMPORT_TIMEOUT = 900.0
BATCH_ROWS = 5000          # rows per call, as the gateway's streamed uploads


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
    from lianbao.commands._files import iter_csv_rows

    yield from iter_csv_rows(path)


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


def iter_rows(path: Path, sheet: str | None = None, header: list | None = None):
    """``(row number, row as a dict)`` for each data row, read as it goes (a CSV line by line, a
    workbook with openpyxl's read-only reader): the file is never held whole. Blank rows are
    skipped; row 1 is the header, put into ``header`` (a list) when given; a file without one is a
    ValueError."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        source = _rows_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        source = _rows_xlsx(path, sheet)
    else:
        from lianbao.commands._files import BadFile

        raise BadFile(path, "not a .csv or .xlsx file")
    names: list[str] | None = None
    for number, raw in enumerate(source, start=1):
        cells = [_cell(v) for v in raw]
        if names is None:
            names = [c for c in cells]
            while names and not names[-1]:
                names.pop()
            if header is not None:
                header[:] = names
            continue
        if not any(cells):
            continue
        if len(cells) > len(names) and any(cells[len(names):]):
            cells = cells[:len(names)] + ["<extra cells>"]
            yield number, dict(zip(names + ["_extra"], cells))
        else:
            yield number, dict(zip(names, cells + [""] * (len(names) - len(cells))))
    if names is None:
        raise ValueError(f"{path.name}: empty file (no header row)")


def batches_of(path: Path, sheet: str | None, size: int):
    """``(rows, their numbers)`` ``size`` rows at a time; a header alone gives one row of blanks
    (the service then checks the header)."""
    header: list[str] = []
    rows, numbers, sent = [], [], False
    for number, row in iter_rows(path, sheet, header):
        rows.append(row)
        numbers.append(number)
        if len(rows) >= size:
            yield rows, numbers
            rows, numbers, sent = [], [], True
    if rows or not sent:
        yield (rows, numbers) if rows else ([dict.fromkeys(header, "")], [2])


@contextmanager
def grouped_batches(path: Path, sheet: str | None, size: int, group):
    """A maker of batches (as :func:`batches_of`) keeping every row of one ``group(row)`` (a person)
    in one batch: :func:`shared.grouping.grouped_batches` (the file read once into temporary files by
    the key's hash), a header alone one row of blanks."""
    from shared.grouping import grouped_batches as grouped

    header: list[str] = []
    with grouped(iter_rows(path, sheet, header), size, group) as made:
        def batches():
            sent = False
            for batch in made():
                sent = True
                yield batch
            if not sent:
                yield [dict.fromkeys(header, "")], [2]

        yield batches


def import_in_batches(call, path: Path, upload, dry_run: bool = False, sheet: str | None = None,
                      progress: bool = True, batch_size: int | None = None, extra: dict | None = None,
                      counts: tuple = ("rows", "created", "changed", "unchanged"), group=None) -> dict:
    """Read ``path`` as it goes and send it to ``call`` (a service's all-or-nothing import of rows)
    ``batch_size`` rows at a time (bounded memory): every batch is checked first (dry runs; a row
    naming the same person or result as one of an earlier batch, ``upload.unique`` as the gateway's
    streamed uploads check it, is refused at its later row); only if no row is refused are the
    batches sent again for real. The imports are idempotent by content, so one interrupted in its
    second pass is finished by running it again. ``extra``: more of each call's payload; ``counts``:
    the report's numbers summed over the batches; ``group``: a row's key (a person) whose rows go in
    one batch (:func:`grouped_batches`; the errors are then listed by row)."""
    from tqdm import tqdm

    from services.gateway.uploads import _FirstLines

    size = batch_size or BATCH_ROWS

    def one_pass(check_only: bool, batches) -> dict:
        total = {"dry_run": dry_run, "committed": True, **dict.fromkeys(counts, 0), "errors": []}
        seen = set()
        # a row repeating one of an earlier batch (the gateway's check); grouped, a person's rows
        # are all in one batch, where the service itself refuses a repeat
        first = _FirstLines(upload) if check_only and upload.unique and group is None else None
        bar = tqdm(desc="checking" if check_only else "importing", unit=" rows",
                   disable=not progress, file=sys.stderr)
        for rows, numbers in batches():
            report = call({**(extra or {}), "rows": rows, "row_numbers": numbers, "dry_run": check_only})
            total["committed"] = total["committed"] and bool(report.get("committed"))
            for key in counts:
                total[key] += report.get(key) or 0
            for err in report["errors"]:       # a bad header: told by each batch, listed once
                mark = (err.get("row"), err.get("column"), err.get("message"))
                if mark in seen:
                    continue
                seen.add(mark)
                total["errors"].append(err)
            if first is not None:
                first.check(rows, numbers, report, total["errors"])
            bar.update(len(rows))
        bar.close()
        total["errors"].sort(key=lambda e: (e.get("row") is not None, e.get("row") or 0))
        if check_only or total["errors"]:
            total["committed"] = False
        return total

    if group is None:
        checked = one_pass(True, lambda: batches_of(path, sheet, size))
        return checked if dry_run or checked["errors"] else one_pass(False, lambda: batches_of(path, sheet, size))
    with grouped_batches(path, sheet, size, group) as batches:
        checked = one_pass(True, batches)
        return checked if dry_run or checked["errors"] else one_pass(False, batches)


def import_file(proxy, path: Path, dry_run: bool = False, effective: str | None = None,
                sheet: str | None = None, progress: bool = True, batch_size: int | None = None) -> dict:
    """``path`` to ``roster.import_roster`` in batches, checked in full first
    (:func:`import_in_batches`; a person given twice in the file, in any two batches, is refused at
    the later row)."""
    from services.gateway.uploads import ROSTER_ROWS

    return import_in_batches(lambda body: proxy.roster.import_roster(body), path, ROSTER_ROWS,
                             dry_run, sheet, progress, batch_size, extra={"effective": effective})


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
