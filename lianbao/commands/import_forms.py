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
* A file that cannot be read or lacks columns: exit 2, before any form is sent.
* The file is read as it goes (first checked to its end, then read again batch by batch): a
  1,000,000-form file is never held whole; its serials are kept as 20-byte digests for the
  first-copy rule.
"""
from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

from lianbao.commands._files import BadFile, iter_csv_rows, xlsx_workbook

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


def _rows(path: Path, digest=None):
    """(file line, {column: cell}) for each data row, header names lower-cased; ``digest`` (hashlib)
    is fed the file's bytes."""
    if path.suffix.lower() == ".xlsx":
        wb = xlsx_workbook(path)
        it = wb.worksheets[0].iter_rows(values_only=True)
        if digest is not None:
            with open(path, "rb") as fh:
                for piece in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(piece)
    elif path.suffix.lower() == ".csv":
        it = iter_csv_rows(path, digest)
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
    (All at once: :func:`iter_forms` is the same one form at a time.)"""
    problems: list = []
    return list(iter_forms(path, problems, cells)), problems


def _serial_hash(serial: str) -> tuple[int, int]:
    """A serial as the two 64-bit halves of its 128-bit digest (what the file's serials are kept as)."""
    d = hashlib.blake2b(serial.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    return int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")


def _forms_of(path: Path, cells: dict | None = None, digest=None):
    """``(line, form, counted)`` for each row of a file, read as it goes; raises BadFile for a bad
    layout. ``counted``: the row takes part in the file's first-copy rule (its answers are answers
    and its serial is given)."""
    from services.survey.domain.forms import pack_cells
    from services.survey.domain.vocabulary import GROUP_LABELS

    by_label = {label: code for code, label in GROUP_LABELS.items()}
    columns = None
    for line, row in _rows(path, digest):
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
                yield line, form, False   # refused by the survey, with its other faults
                continue
        yield line, form, bool(form["serial"])


def repeated_serials(path: Path, digest=None, rows: list | None = None) -> dict[int, int]:
    """``{line: line of the first copy}`` for every row of the file repeating an earlier row's serial
    (SPEC §4: the first copy wins inside the file too), in bounded memory: one pass keeping each
    serial as a 128-bit digest and its line in flat arrays (about 20 bytes a form), sorted once.
    The pass reads the whole file: a bad byte, CSV fault or layout anywhere is a BadFile here;
    ``digest`` is fed its bytes, ``rows`` (a list) gets the number of rows read."""
    from array import array

    import numpy as np

    lo, hi, lines = array("Q"), array("Q"), array("Q")
    read = 0
    for line, form, counted in _forms_of(path, digest=digest):
        read += 1
        if counted:
            a, b = _serial_hash(form["serial"])
            lo.append(a)
            hi.append(b)
            lines.append(line)
    if rows is not None:
        rows.append(read)
    if len(lines) < 2:
        return {}
    lo, hi = np.frombuffer(lo, dtype=np.uint64), np.frombuffer(hi, dtype=np.uint64)
    at = np.frombuffer(lines, dtype=np.uint64)
    order = np.lexsort((at, lo, hi))                # by serial, then by line
    lo, hi, at = lo[order], hi[order], at[order]
    same = np.concatenate(([False], (lo[1:] == lo[:-1]) & (hi[1:] == hi[:-1])))
    if not same.any():
        return {}
    first = np.maximum.accumulate(np.where(same, 0, np.arange(len(at))))
    return {int(at[i]): int(at[first[i]]) for i in np.nonzero(same)[0]}


def iter_forms(path: Path, problems: list, cells: dict | None = None, repeated: dict | None = None):
    """``(line, form)`` for each form of a file, read as it goes (one row at a time); raises
    BadFile for a bad layout.

    Local problem (appended to ``problems``): a later row repeating a serial of the file
    (``repeated``, from :func:`repeated_serials`; found here when not given). A form with cells that
    are not answers is still given (each such cell as ``?``), so the survey reports every fault of
    it; the message naming the cells as written goes into ``cells`` {line: message}.
    """
    if repeated is None:
        repeated = repeated_serials(path)
    for line, form, counted in _forms_of(path, cells):
        earlier = repeated.get(line) if counted else None
        if earlier is not None:
            problems.append({"line": line, "serial": form["serial"], "field": "serial",
                             "reason": "duplicate_serial",
                             "message": f"serial already given at line {earlier} of this file"})
            continue
        yield line, form


def _chunks(forms, size: int):
    chunk = []
    for item in forms:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_forms(path, campaign: str, proxy_factory, strict=False, dry_run=False, batch_size=2000,
                 progress=True) -> dict:
    """Send a file's forms; returns the summary (``errors`` carry the file line).

    The file is read as it goes, ``batch_size`` forms at a time (a 1,000,000-form file is never
    held whole): first checked to its end without a broker (a bad byte or CSV fault is exit 2,
    nothing sent), then read again and sent batch by batch (``--strict`` and ``--dry-run``: a
    checking pass of dry runs first, then, if nothing was refused, a pass for real)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise BadFile(path, "only .csv and .xlsx are read")
    digest, rows = hashlib.sha256(), []
    repeated = repeated_serials(path, digest, rows)   # the whole file checked before any broker
    digest = digest.hexdigest()[:20]
    summary = {"file": str(path), "campaign_id": campaign, "forms": 0,
               "accepted": 0, "rejected": 0, "duplicates": 0, "committed": False,
               "strict": strict, "dry_run": dry_run, "errors": []}

    def send(proxy, chunk, n, check_only):
        return proxy.survey.submit_batch({
            "campaign_id": campaign, "batch_id": f"file:{digest}:{batch_size}:{n}",
            "strict": strict, "dry_run": check_only, "forms": [f for _, f in chunk]})

    def record(chunk, out, cells):
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

    def one_pass(proxy, check_only):
        """Read the file once more, sending its batches; returns the count of forms read."""
        problems: list = []
        cells: dict = {}
        forms = 0
        for n, chunk in enumerate(_chunks(iter_forms(path, problems, cells, repeated), batch_size)):
            record(chunk, send(proxy, chunk, n, check_only), cells)
            cells.clear()       # the lines of this batch only
            forms += len(chunk)
            bar.update(len(chunk))
        summary["errors"].extend(problems)
        summary["rejected"] += len(problems)
        summary["forms"] = forms + len(problems)
        return forms

    bar = _bar(rows[0], progress)
    try:
        with proxy_factory() as proxy:
            if strict or dry_run:
                one_pass(proxy, True)
                if strict and summary["errors"]:
                    summary["accepted"] = 0
                send_for_real = not (dry_run or summary["errors"])
                if send_for_real:
                    summary.update(accepted=0, rejected=0)
                    bar.reset()
            else:
                send_for_real = True
            if send_for_real:
                one_pass(proxy, False)
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
