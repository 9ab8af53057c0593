"""``lianbao import training FILE``: import training results from CSV or XLSX.

Columns (row 1; English or Chinese): person_id 工号, course_id 课程, date 日期 (YYYY-MM-DD) and
result 结果 (pass/fail or 合格/不合格); other columns are ignored. People and courses must be known to
the training service.

``--dry-run`` reports every bad row by row number and column and writes nothing; a real run is all
or nothing (one transaction in the service); importing the same file again changes nothing.
Exit codes: 0 done, 2 bad file or bad rows (nothing written).
"""
from __future__ import annotations

import argparse

from pathlib import Path

from lianbao.commands._groups import group
from lianbao.commands.import_roster import read_rows, run_import


def register(subparsers):
    sub = group(subparsers, "import", "import data files into the services")
    p = sub.add_parser("training", description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter, help="import training results from a CSV or XLSX file")
    p.add_argument("file", help="a .csv (UTF-8) or .xlsx file")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def import_file(proxy, path: Path, dry_run: bool = False, sheet: str | None = None,
                progress: bool = True) -> dict:
    """Read ``path`` and send it to ``training.import_results`` as one all-or-nothing batch."""
    header, rows, numbers = read_rows(path, sheet, progress)
    if not rows:  # a header alone: let the service check the header
        rows, numbers = [dict.fromkeys(header, "")], [2]
    return proxy.training.import_results({"rows": rows, "row_numbers": numbers,
                                          "dry_run": dry_run})


def run(args) -> int:
    return run_import(args.file, lambda proxy, path: import_file(
        proxy, path, args.dry_run, args.sheet, progress=not args.no_progress), noun="problems")
