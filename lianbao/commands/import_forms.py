"""``lianbao import forms FILE --campaign ID``: paper survey forms (CSV or XLSX) into a campaign.

The file has a header row and one form per row: ``serial``, ``subject``, ``group`` (code such as
``parents`` or the Chinese name ``学生家长``) and either an ``answers`` column (one code per item:
S 满意, B 基本满意, D 不满意, N 不了解) or one column per item ``q1`` … ``qN`` holding a code or the
Chinese label (a blank cell is 不了解).  Rows go to ``survey.submit_batch`` in batches with a
progress bar.  Each batch id is derived from the file's content, so importing the same file twice
changes nothing.

* Every fault of a bad form is reported, one per line (file line, serial, field, reason), and the
  good forms taken; exit 1 if any form was refused, 0 if none.
* ``--strict``: every batch is checked first (dry run); if any form would be refused nothing is
  sent (exit 1).  ``--dry-run``: check only.
* A file that cannot be read or lacks columns: exit 2.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

from lianbao.commands._files import BadFile, csv_rows, xlsx_workbook

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT = 0, 1, 2


def register(subparsers) -> None:
    from lianbao.commands._groups import group

    sub = group(subparsers, "import", "import data files (roster, forms, training)")
    p = sub.add_parser("forms", help="satisfaction survey forms (CSV/XLSX) into a campaign",
                       description=__doc__.split("\n\n", 1)[1], formatter_class=_Raw)
    p.add_argument("file", metavar="FILE", help=".csv or .xlsx file")
    p.add_argument("--campaign", required=True, help="campaign id")
    p.add_argument("--strict", action="store_true", help="take no form if any form is refused")
    p.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    p.add_argument("--batch-size", type=int, default=2000, help="forms per RPC call (default 2000)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


class _Raw:  # argparse formatter keeping the description's line breaks
    def __new__(cls, *args, **kwargs):
        import argparse
        return argparse.RawDescriptionHelpFormatter(*args, **kwargs)


def _rows(path: Path):
    """(file line, {column: cell}) for each data row, header names lower-cased."""
    if path.suffix.lower() == ".xlsx":
        wb = xlsx_workbook(path)
        it = wb.worksheets[0].iter_rows(values_only=True)
    elif path.suffix.lower() == ".csv":
        it = iter(csv_rows(path))
    else:
        raise BadFile(path, "only .csv and .xlsx are read")
    header = next(it, None)
    if not header:
        raise BadFile(path, "empty file")
    names = [str(h or "").strip().lower() for h in header]
    for line, cells in enumerate(it, start=2):
        if cells is None or all(c in (None, "") for c in cells):
            continue
        yield line, {n: c for n, c in zip(names, cells) if n}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_forms(path: Path, cells: dict | None = None):
    """Forms of a file: ``([(line, form)], [local problems])``; raises BadFile for a bad layout.

    Local problem: a later row repeating a serial of the file.  A form with cells that are not
    answers is still sent (each such cell as ``?``), so the survey reports every fault of it; the
    message naming the cells as written goes into ``cells`` {line: message}.
    """
    from services.survey.domain.forms import pack_cells
    from services.survey.domain.vocabulary import GROUP_LABELS

    by_label = {label: code for code, label in GROUP_LABELS.items()}
    forms, problems = [], []
    seen: dict[str, int] = {}     # first copy wins inside the file too (SPEC §4)
    columns = None
    for line, row in _rows(path):
        if columns is None:
            keys = set(row)
            missing = [c for c in ("serial", "subject", "group") if c not in keys]
            items = sorted((k for k in keys if k[:1] == "q" and k[1:].isdigit()), key=lambda k: int(k[1:]))
            if "answers" not in keys and not items:
                missing.append("answers (or q1..qN)")
            if missing:
                raise BadFile(path, f"missing column(s): {', '.join(missing)}", 1)
            if items and [int(k[1:]) for k in items] != list(range(1, len(items) + 1)):
                raise BadFile(path, f"item columns must be q1..q{len(items)} without gaps", 1)
            columns = items
        group = _cell(row.get("group"))
        form = {"serial": _cell(row.get("serial")), "subject": _cell(row.get("subject")),
                "group": by_label.get(group, group)}
        if "answers" in row:
            form["answers"] = _cell(row.get("answers")).upper()
        else:
            form["answers"], bad = pack_cells(row.get(k) for k in columns)
            if bad is not None:
                if cells is not None:
                    cells[line] = bad
                forms.append((line, form))      # refused by the survey, with its other faults
                continue
        earlier = seen.get(form["serial"])
        if earlier is not None and form["serial"]:
            problems.append({"line": line, "serial": form["serial"], "field": "serial",
                             "reason": "duplicate_serial",
                             "message": f"serial already given at line {earlier} of this file"})
            continue
        seen[form["serial"]] = line
        forms.append((line, form))
    return forms, problems


def import_forms(path, campaign: str, proxy_factory, strict=False, dry_run=False, batch_size=2000,
                 progress=True) -> dict:
    """Send a file's forms; returns the summary (``errors`` carry the file line)."""
    path = Path(path)
    cells: dict = {}
    forms, problems = read_forms(path, cells)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    chunks = [forms[i:i + batch_size] for i in range(0, len(forms), batch_size)]
    summary = {"file": str(path), "campaign_id": campaign, "forms": len(forms) + len(problems),
               "accepted": 0, "rejected": len(problems), "duplicates": 0, "committed": False,
               "strict": strict, "dry_run": dry_run, "errors": list(problems)}

    def send(proxy, chunk, n, check_only):
        return proxy.survey.submit_batch({
            "campaign_id": campaign, "batch_id": f"file:{digest}:{batch_size}:{n}",
            "strict": strict, "dry_run": check_only, "forms": [f for _, f in chunk]})

    def record(chunk, out):
        """Every fault of each refused form, one error each with the form's line (issue 26)."""
        summary["accepted"] += out["accepted"]
        summary["rejected"] += out["rejected"]
        for err in out["errors"]:
            line = chunk[err["index"]][0]
            for fault in err.get("faults") or [err]:
                field = fault["field"].split(".", 1)[-1]
                message = cells.get(line, fault["message"]) if field == "answers" else fault["message"]
                summary["errors"].append({"line": line, "serial": err["serial"], "field": field,
                                          "reason": fault["reason"], "message": message})

    bar = _bar(len(forms), progress)
    try:
        with proxy_factory() as proxy:
            if strict or dry_run:
                for n, chunk in enumerate(chunks):
                    record(chunk, send(proxy, chunk, n, True))
                    bar.update(len(chunk))
                if strict and summary["errors"]:
                    summary["accepted"] = 0
                send_for_real = not (dry_run or summary["errors"])
                if send_for_real:
                    summary.update(accepted=0, rejected=len(problems))
                    bar.reset()
            else:
                send_for_real = True
            if send_for_real:
                for n, chunk in enumerate(chunks):
                    record(chunk, send(proxy, chunk, n, False))
                    bar.update(len(chunk))
                summary["committed"] = True
    finally:
        bar.close()
    summary["errors"].sort(key=lambda e: e["line"])
    summary["duplicates"] = sum(1 for e in summary["errors"] if e["reason"] == "duplicate_serial")
    return summary


def _bar(total, enabled):
    from tqdm import tqdm
    return tqdm(total=total, unit="form", disable=not enabled, file=sys.stderr, desc="forms")


def run(args) -> int:
    from lianbao.commands._rpc import cluster_proxy

    if args.batch_size < 1:
        sys.stderr.write("--batch-size must be at least 1\n")
        return EXIT_BAD_INPUT
    try:
        summary = import_forms(args.file, args.campaign, cluster_proxy, strict=args.strict,
                               dry_run=args.dry_run, batch_size=args.batch_size,
                               progress=not args.no_progress)
    except (BadFile, OSError, UnicodeDecodeError, csv.Error) as err:
        sys.stderr.write(f"{err}\n")
        return EXIT_BAD_INPUT
    except Exception as err:  # errors of the service (campaign closed or unknown, ...)
        field = getattr(err, "field", None)
        sys.stderr.write(f"{type(err).__name__}: {field + ': ' if field else ''}"
                         f"{getattr(err, 'message', err)}\n")
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        for e in summary["errors"]:
            print(f"line {e['line']}: serial {e['serial']!r}: {e['field']}: {e['reason']}: {e['message']}")
        print(f"{summary['forms']} forms: {summary['accepted']} taken, {summary['rejected']} refused "
              f"({summary['duplicates']} duplicate serials)"
              + ("; strict: nothing taken" if args.strict and summary["errors"] else "")
              + ("; dry run: nothing written" if args.dry_run else ""))
    return EXIT_REFUSED if summary["errors"] else EXIT_OK
