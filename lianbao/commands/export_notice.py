"""``lianbao export notice --period PERIOD``: the public notice (公示) of a period's results and rewards.

Asks the rewards service (``rewards.notice``) and writes, in ``--out`` (default ``.``):
* ``notice_<PERIOD>.xlsx`` — one sheet per unit (the paying agency) and a ``发放汇总`` sheet with the
  payout summary per paying unit;
* ``notice_<PERIOD>_<unit>.csv`` per unit and ``notice_<PERIOD>_payout.csv`` (UTF-8 with BOM, so
  spreadsheet programs read the Chinese).
Exit 0; a service error prints ``field: message`` on standard error and exits 2.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from lianbao.commands._groups import group
from shared.spreadsheet import safe_row
from lianbao.commands._period import add_period, period_of

SUMMARY_SHEET = "发放汇总"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def register(subparsers):
    p = group(subparsers, "export", "export documents (notices for posting)").add_parser(
        "notice", help="public notice (公示) of a period's results and rewards, XLSX and CSV")
    add_period(p, positional=True)
    p.add_argument("--out", default=".", help="folder for the files (created if missing)")
    p.add_argument("--format", choices=("xlsx", "csv", "both"), default="both")
    p.add_argument("--timeout", type=float, default=60.0)
    p.set_defaults(func=run)


def sheet_title(unit: str, taken: set) -> str:
    """An Excel sheet title for a unit: no []:*?/\\, at most 31 characters, unique."""
    base = _BAD_SHEET_CHARS.sub("_", unit)[:31] or "_"
    title, n = base, 1
    while title.lower() in taken or title == SUMMARY_SHEET:
        n += 1
        title = f"{base[:28]}~{n}"
    taken.add(title.lower())
    return title


def write_xlsx(notice: dict, path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    taken: set = set()
    for unit, rows in notice["sheets"].items():
        ws = wb.create_sheet(sheet_title(unit, taken))
        ws.append(safe_row([f"{notice['period']} 公示 — {unit}"]))
        ws.append(safe_row(notice["headers"]))
        for row in rows:
            ws.append(safe_row(row))
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.append(safe_row(notice["summary_headers"]))
    for row in notice["summary"]:
        ws.append(safe_row(row))
    partial = path.with_name(path.name + ".partial")
    wb.save(partial)            # a failure never leaves a half-written or foreign file under the name
    partial.replace(path)
    return path


def _safe_file_part(unit: str) -> str:
    return re.sub(r"[^\w.-]", "_", unit)


def write_csv(notice: dict, folder: Path) -> list[Path]:
    paths = []
    tables = [(f"notice_{notice['period']}_{_safe_file_part(unit)}.csv", notice["headers"], rows)
              for unit, rows in notice["sheets"].items()]
    tables.append((f"notice_{notice['period']}_payout.csv", notice["summary_headers"],
                   notice["summary"]))
    for name, headers, rows in tables:
        path = folder / name
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(safe_row(headers))
            writer.writerows(safe_row("" if v is None else v for v in row) for row in rows)
        paths.append(path)
    return paths


def write_notice(notice: dict, folder: Path, fmt: str = "both") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    if fmt in ("xlsx", "both"):
        paths.append(write_xlsx(notice, folder / f"notice_{notice['period']}.xlsx"))
    if fmt in ("csv", "both"):
        paths.extend(write_csv(notice, folder))
    return paths


def run(args, proxy_factory=None) -> int:
    from lianbao.commands._rpc import cluster_proxy
    from shared.errors import LianbaoError

    period = period_of(args, "lianbao export notice")
    try:
        with (proxy_factory or cluster_proxy)(timeout=args.timeout) as proxy:
            notice = proxy.rewards.notice({"period": period})
    except LianbaoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for path in write_notice(notice, Path(args.out), args.format):
        print(path)
    return 0
