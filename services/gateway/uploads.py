"""Streamed bulk uploads through the gateway (issue 19): survey forms, roster rows, training rows.

The body (``text/csv`` with a header row, ``application/x-ndjson``: one JSON object per line, or an
XLSX workbook whose first sheet has a header row) is read from the socket in 64 kB pieces into a
spooled temporary file (1 MB in memory, then disk), never as one string; it is then read back row by
row (a workbook with openpyxl's read-only reader, which parses the sheet as it goes) and sent to the
target RPC in batches of ``Upload.batch_size`` rows, so a 1,000,000-form upload holds one batch at a
time. A workbook's row number is its line: its errors name them as a CSV's do.

* ``items`` (forms): each batch on its own, under the batch id ``<upload>:<n>`` (re-sending the same
  upload id replays the first answers: nothing is counted twice); a bad form is reported and the
  others are taken.
* ``all_or_nothing`` (roster, training): every batch is checked first (``dry_run``); only if no row
  is refused are the batches sent again for real. Training's rows go a person's in one batch
  (``Upload.group``, :mod:`shared.grouping`), so the target's rules on one person's results are
  checked in the first pass however far apart the rows are. The imports are idempotent by content, so an
  upload interrupted in its second pass is finished by sending it again.

Errors are reported with the row's line in the file (at most :data:`MAX_ERRORS` listed, all counted).
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import tempfile
from dataclasses import dataclass

from shared.contracts.roster import roster_column
from shared.contracts.training import result_column, result_day
from shared.errors import ValidationFailed
from shared.schemas import find_bad_text, strict_json_loads

MAX_ERRORS = 1000
SPOOL_IN_MEMORY = 1024 * 1024
CSV_TYPES = ("text/csv",)
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/ndjson")
XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


@dataclass(frozen=True)
class Upload:
    """A streamed upload route: rows go to the target under ``rows_key`` in batches."""
    rows_key: str                 # "forms" | "rows"
    mode: str                     # "items" | "all_or_nothing"
    batch_size: int = 5000
    line_key: str | None = None   # "row_numbers": the file's line of each row is sent along
    unique: tuple = ()            # the columns naming a row (a person, a result): once per upload
    unique_field: str | None = None   # the column a repeated row is reported on
    unique_label: str = "row"
    column: object = None         # header -> column name, as the target reads it (工号 → person)
    canonical: tuple = ()         # (column, parse): one value written two ways (a date) is one key;
                                  # parse gives the value (None: not one, the target reports it)
    group: str | None = None      # the column whose rows go in one batch (a person: the target's rules
                                  # on one person's rows see them together; shared.grouping)
    counts: tuple = ()            # the target report's counts, summed over the batches: 0 when the
                                  # file has no good row (no batch sent), as the route's answer says

    def group_of(self, row: dict) -> str:
        """The row's ``group`` column (its header alias resolved), stripped; "" when blank."""
        named = {self.column(k): v for k, v in row.items()} if self.column else row
        value = named.get(self.group)
        return "" if value is None else str(value).strip()


#: the roster's and training's streamed rows (``POST /roster/staff``, ``POST /training/results``, and
#: ``lianbao import roster|training``, which check a file's batches the same way): a person, or a
#: result (person, course and day, however the day is written), once per upload; a person's training
#: results in one batch (the rules on one person's results: a course passed once a year, pre-service
#: once, the rotation and all-round sequences, are checked by the target within a batch)
ROSTER_ROWS = Upload("rows", "all_or_nothing", 5000, "row_numbers", unique=("id",), unique_label="person",
                     column=roster_column, counts=("rows", "created", "changed", "unchanged"))
TRAINING_RESULTS = Upload("rows", "all_or_nothing", 5000, "row_numbers", unique=("person", "course_id", "date"),
                          unique_field="date", unique_label="result", column=result_column,
                          canonical=(("date", result_day),), group="person",
                          counts=("rows", "created", "unchanged"))


class UploadProblem(Exception):
    def __init__(self, status, code, message, field):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def spool(environ, content_length, limit: int, chunk: int = 64 * 1024):
    """The request body in a spooled temporary file (``limit`` 0: no limit)."""
    if limit and content_length is not None and content_length > limit:
        raise UploadProblem(413, "too_large", f"upload over {limit} bytes", "_body")
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    if content_length is None and not chunked:
        return out
    stream, size = environ["wsgi.input"], 0
    while True:
        piece = stream.read(chunk)
        if not piece:
            break
        size += len(piece)
        if limit and size > limit:
            out.close()
            raise UploadProblem(413, "too_large", f"upload over {limit} bytes", "_body")
        out.write(piece)
    out.seek(0)
    return out


def kind_of(content_type: str | None) -> str:
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime in CSV_TYPES:
        return "csv"
    if mime in NDJSON_TYPES:
        return "ndjson"
    if mime in XLSX_TYPES:
        return "xlsx"
    raise UploadProblem(415, "unsupported_media_type",
                        "send text/csv (a header row, then one row per line), application/x-ndjson "
                        "(one JSON object per line) or an XLSX workbook (" + XLSX_TYPES[0] + ": the "
                        "first sheet, a header row)", "Content-Type")


def rows_of(fileobj, kind: str):
    """``(line, row dict or None, problem or None)`` for each data row of the file."""
    if kind == "xlsx":
        yield from _rows_of_xlsx(fileobj)
        return
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", errors="strict", newline="")
    try:
        yield from _rows_of_text(text, kind)
    finally:
        text.detach()          # the spooled file stays open: the second pass reads it again


def _rows_of_text(text, kind: str):
    line = 0
    try:
        if kind == "ndjson":
            for raw in text:
                line += 1
                if not raw.strip():
                    continue
                try:
                    row = strict_json_loads(raw)
                except (ValueError, RecursionError) as exc:
                    yield line, None, ("_line", f"not valid JSON: {exc}")
                    continue
                if not isinstance(row, dict):
                    yield line, None, ("_line", "not a JSON object")
                    continue
                yield line, row, None
            return
        reader = csv.reader(text, strict=True)
        header = None
        for cells in reader:
            line = reader.line_num
            if header is None:
                header = [c.strip() for c in cells]
                bad = find_bad_text(header)
                if bad is not None or not any(header):
                    raise UploadProblem(400, "validation_failed",
                                        "the first row must name the columns" if bad is None
                                        else f"header: {bad[1]}", "_header")
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                yield line, None, ("_line", f"{len(cells)} cells for {len(header)} columns")
                continue
            yield line, {h: c for h, c in zip(header, cells) if h}, None
        if header is None:
            raise UploadProblem(400, "validation_failed", "empty upload: no header row", "_body")
    except UnicodeDecodeError as exc:
        raise UploadProblem(400, "validation_failed", f"not UTF-8 after line {line}: {exc.reason}",
                            "_body") from None
    except csv.Error as exc:
        raise UploadProblem(400, "validation_failed", f"not valid CSV at line {line}: {exc}", "_body") from None


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold: a whole number without ``.0``, a day as
    ``YYYY-MM-DD`` (a date-time at midnight too), empty for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _rows_of_xlsx(fileobj):
    """The rows of the first sheet of a workbook, as CSV rows are read (a header row first)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(fileobj, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError) as exc:
        raise UploadProblem(400, "validation_failed", f"not an XLSX workbook: {exc}", "_body") from None
    line = 0
    try:
        if not book.worksheets:
            raise UploadProblem(400, "validation_failed", "empty upload: the workbook has no sheet", "_body")
        header = None
        for line, cells in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            cells = [_cell_text(c) for c in cells]
            if header is None:
                if not any(c.strip() for c in cells):
                    continue            # blank rows above the header
                header = [c.strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                bad = find_bad_text(header)
                if bad is not None:
                    raise UploadProblem(400, "validation_failed", f"header: {bad[1]}", "_header")
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                yield line, None, ("_line", f"{len(header) + sum(1 for c in cells[len(header):] if c.strip())} "
                                            f"cells for {len(header)} columns")
                continue
            yield line, {h: c for h, c in zip(header, cells) if h}, None
        if header is None:
            raise UploadProblem(400, "validation_failed", "empty upload: no header row", "_body")
    except (BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:   # a damaged sheet, read late
        raise UploadProblem(400, "validation_failed", f"not a readable XLSX workbook after row {line}: {exc}",
                            "_body") from None
    finally:
        book.close()


def _key_values(row: dict, upload: "Upload") -> dict | None:
    """The row's unique columns (their aliases resolved, values canonical), or None when one is blank
    or unreadable: the target reports that row."""
    named = {upload.column(k): v for k, v in row.items()} if upload.column else row
    canonical = dict(upload.canonical)
    out = {}
    for column in upload.unique:
        value = named.get(column)
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if column in canonical:
            parsed = canonical[column](text)
            if parsed is None:
                return None
            text = parsed.isoformat() if hasattr(parsed, "isoformat") else str(parsed)
        out[column] = text
    return out


def _key_of(row: dict, upload: "Upload") -> bytes | None:
    """A short digest of the row's key columns (None when one is blank: the target reports it)."""
    values = _key_values(row, upload)
    if values is None:
        return None
    parts = [values[c] for c in upload.unique]
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _good_rows(fileobj, kind, errors):
    """``(line, row)`` for each good row; a bad one is put in ``errors``."""
    for line, row, problem in rows_of(fileobj, kind):
        if problem is None:
            bad = find_bad_text(row)
            if bad is not None:
                problem = bad
        if problem is not None:
            errors.append({"line": line, "field": problem[0], "reason": "bad_row", "message": problem[1]})
            continue
        yield line, row


def _batches(fileobj, kind, size, errors):
    batch, lines = [], []
    for line, row in _good_rows(fileobj, kind, errors):
        batch.append(row)
        lines.append(line)
        if len(batch) >= size:
            yield batch, lines
            batch, lines = [], []
    if batch:
        yield batch, lines


class _Errors(list):
    """At most MAX_ERRORS kept, all counted."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def append(self, item):
        self.count += 1
        if len(self) < MAX_ERRORS:
            super().append(item)


def _add(totals: dict, report: dict) -> None:
    for key, value in report.items():
        if isinstance(value, int) and not isinstance(value, bool):
            totals[key] = totals.get(key, 0) + value


def run_items(call, upload: Upload, fileobj, kind: str, payload: dict, upload_id: str) -> dict:
    errors, totals, batches = _Errors(), dict.fromkeys(upload.counts, 0), 0
    for n, (batch, lines) in enumerate(_batches(fileobj, kind, upload.batch_size, errors), start=1):
        report = call({**payload, "batch_id": f"{upload_id}:{n}", upload.rows_key: batch})
        batches += 1
        _add(totals, report)
        for err in report.get("errors") or []:
            index = err.get("index")
            known = isinstance(index, int) and 0 <= index < len(lines)
            field = str(err.get("field") or "")
            prefix = f"{upload.rows_key}[{index}]."

            def local(path, prefix=prefix):
                path = str(path or "")
                return path[len(prefix):] if path.startswith(prefix) else path
            out = {**err, "index": None, "line": lines[index] if known else None, "field": local(field)}
            if err.get("faults"):      # every fault of the form, each by its own field (issue 26)
                out["faults"] = [{**f, "field": local(f.get("field"))} for f in err["faults"]]
            errors.append(out)
    totals.pop("index", None)
    return {**totals, "upload": upload_id, "batches": batches, "bad_rows": errors.count,
            "errors": list(errors), "errors_listed": len(errors)}


class _FirstLines:
    """Across the batches of an upload: the line of the first good row naming each person or result
    (``upload.unique``), as a short digest per row (never the rows). The target checks the rows of
    one batch, and so the repeats within it; a good row repeating one of an earlier batch is
    refused here, at its line, naming the first (the target's error shape)."""

    def __init__(self, upload: Upload):
        self.upload, self.first = upload, {}

    def check(self, batch, lines, report, errors) -> None:
        refused = {e.get("row") for e in report.get("errors") or []}
        unique, fresh = self.upload.unique, {}
        for row, line in zip(batch, lines):
            key = _key_of(row, self.upload) if line not in refused else None
            if key is None:
                continue
            first = self.first.get(key)
            if first is None:
                fresh.setdefault(key, line)
                continue
            values = _key_values(row, self.upload)
            named = ", ".join(f"{c} {values[c]!r}" for c in unique)
            errors.append({"row": line, "column": self.upload.unique_field or unique[0],
                           "reason": "duplicate",
                           "message": f"the same {self.upload.unique_label} ({named}) as line {first}"})
        self.first.update(fresh)


def run_all_or_nothing(call, upload: Upload, fileobj, kind: str, payload: dict, dry_run: bool) -> dict:
    """Every batch checked, then (no row refused, not ``dry_run``) every batch written. With
    ``upload.group`` a group's rows (a person's) are sent in one batch, whatever their distance in the
    file (:func:`shared.grouping.grouped_batches`: the body read once into temporary files by the
    person's hash, both passes sending the same batches); its rows' repeats are then told by the
    target, and the errors are listed by line."""
    if upload.group is None:
        def batches(errors):
            fileobj.seek(0)
            return _batches(fileobj, kind, upload.batch_size, errors)

        return _all_or_nothing(call, upload, batches, payload, dry_run)
    from shared.grouping import grouped_batches

    fileobj.seek(0)
    bad_rows: list = []
    with grouped_batches(_good_rows(fileobj, kind, bad_rows), upload.batch_size, upload.group_of) as grouped:
        def batches(errors):
            for err in bad_rows:
                errors.append(err)
            return grouped()

        return _all_or_nothing(call, upload, batches, payload, dry_run, by_line=True)


def _all_or_nothing(call, upload: Upload, batches_of, payload: dict, dry_run: bool, by_line: bool = False) -> dict:
    def one_pass(check_only: bool):
        errors, totals, batches, committed = _Errors(), dict.fromkeys(upload.counts, 0), 0, True
        # a row repeating one of an earlier batch; grouped, a person's rows are in one batch, where the
        # target itself refuses a repeat
        first_lines = (_FirstLines(upload) if check_only and upload.unique and upload.line_key
                       and upload.group is None else None)
        for batch, lines in batches_of(errors):
            body = {**payload, upload.rows_key: batch, "dry_run": check_only}
            if upload.line_key:
                body[upload.line_key] = lines
            report = call(body)
            batches += 1
            committed = committed and bool(report.get("committed"))
            _add(totals, report)
            for err in report.get("errors") or []:
                errors.append(err)
            if first_lines is not None:
                first_lines.check(batch, lines, report, errors)
        return errors, totals, batches, committed

    def listed(errors) -> list:
        out = list(errors)
        if by_line:
            out.sort(key=lambda e: (e.get("line") or e.get("row") or 0))
        return out

    errors, totals, batches, _ = one_pass(True)
    if errors.count or dry_run or not batches:
        return {**totals, "dry_run": dry_run, "committed": False, "batches": batches, "bad_rows": errors.count,
                "errors": listed(errors), "errors_listed": len(errors)}
    errors, totals, batches, committed = one_pass(False)
    return {**totals, "dry_run": False, "committed": committed and not errors.count, "batches": batches,
            "bad_rows": errors.count, "errors": listed(errors), "errors_listed": len(errors)}


def check_upload_id(value) -> str:
    from shared.schemas import id_problem

    problem = id_problem(value, 100) if value is not None else "Missing data for required field."
    if problem is not None:
        raise ValidationFailed(problem, "upload")
    return value
