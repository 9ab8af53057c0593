"""``lianbao import training FILE``: import training results from CSV or XLSX.

Columns (row 1; English or Chinese): person 工号, course_id 课程, date 日期 (YYYY-MM-DD) and
result 结果 (pass/fail or 合格/不合格); other columns are ignored. People and courses must be known to
the training service. The old column name person_id is still read as person until 0.2.0 (a file
giving both is refused, naming person_id).

The file is read as it goes and sent 5,000 rows at a time, each person's rows in one batch (so the
rules on one person's results are checked together). ``--dry-run`` reports every bad row by
row number and column and writes nothing; a real run checks every batch first and writes only if no
row is refused (all or nothing; a result, person, course and day, given twice in the file is refused
at its later row, whatever batch each is in and however the day is written); importing the same
file again changes nothing (and finishes an import that was interrupted).
Exit codes: 0 done, 2 bad file or bad rows (nothing written).
"""
from __future__ import annotations

import argparse

from pathlib import Path

from lianbao.commands._groups import group
from lianbao.commands.import_roster import import_in_batches, run_import


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
                progress: bool = True, batch_size: int | None = None) -> dict:
    """``path`` to ``training.import_results`` in batches, every batch checked before any is written
    (:func:`lianbao.commands.import_roster.import_in_batches`, with the gateway's rule of a result
    given twice: ``services.gateway.uploads.TRAINING_RESULTS``). A person's rows go in one batch
    (``TRAINING_RESULTS.group``, as the gateway's upload; the rules on one person's results, a course passed once a year, the rotation and all-round
    sequences, are checked together in the first pass, however far apart the rows are)."""
    from services.gateway.uploads import TRAINING_RESULTS

    return import_in_batches(lambda body: proxy.training.import_results(body), path, TRAINING_RESULTS,
                             dry_run, sheet, progress, batch_size, counts=("rows", "created", "unchanged"),
                             group=TRAINING_RESULTS.group_of)


def run(args) -> int:
    return run_import(args.file, lambda proxy, path: import_file(
        proxy, path, args.dry_run, args.sheet, progress=not args.no_progress), noun="problems")
