"""Reading a user's file: every problem is a :class:`BadFile` naming the file, line and column.

The commands that read a file (``lianbao packs check|preview|register``, ``lianbao rate``,
``lianbao import roster|forms|training``, ``lianbao calendar load``) go through these readers;
:func:`lianbao.cli.main` turns a
:class:`BadFile` into one line on standard error and exit 2, never a traceback.

* :func:`decode` — UTF-8 (a BOM is allowed); another encoding is refused at the first bad byte,
  and a control character (NUL, ESC, ...; not tab, CR or LF) at its place;
* :func:`load_yaml` — ``yaml.safe_load`` (no ``!!python`` tags, no object construction) with its
  error marks;
* :func:`load_json` — strict JSON (no NaN, no key twice) with its line and column;
* :func:`csv_rows` — CSV rows, strict quoting, with the line where the parser gave up;
  :func:`iter_csv_rows` the same one row at a time (a large import never holds the file).
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

EXIT_BAD_FILE = 2
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadFile(ValueError):
    """A file that cannot be read as what it should be."""

    def __init__(self, path, message: str, line: int | None = None, column: int | None = None):
        self.path, self.message, self.line, self.column = str(path), message, line, column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        column = f", column {self.column}" if self.column is not None else ""
        return f"{self.path}: line {self.line}{column}: {self.message}"


def _line_col(text, offset: int) -> tuple[int, int]:
    newline = b"\n" if isinstance(text, bytes) else "\n"
    line = text.count(newline, 0, offset) + 1
    return line, offset - (text.rfind(newline, 0, offset) + 1) + 1


def read_bytes(path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise BadFile(path, f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, path) -> str:
    """UTF-8 text of ``data`` (BOM dropped), or BadFile at the first bad byte / control character."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_col(data, exc.start)
        raise BadFile(path, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                      line, column) from None
    bad = _CONTROL.search(text)
    if bad is not None:
        line, column = _line_col(text, bad.start())
        raise BadFile(path, f"control character U+{ord(bad.group()):04X}", line, column)
    return text


def read_text(path) -> str:
    return decode(read_bytes(path), path)


def load_yaml(path, text: str | None = None):
    """``yaml.safe_load`` of the file: a syntax error or an unsafe tag (``!!python/...``) is a
    BadFile at the mark YAML gives."""
    import yaml

    text = read_text(path) if text is None else text
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(m) for m in (exc.context, exc.problem) if m) or "not valid YAML"
        raise BadFile(path, f"not valid YAML: {message}",
                      mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise BadFile(path, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise BadFile(path, "not valid YAML: nested too deeply") from None


def load_json(path, text: str | None = None):
    from shared.schemas import strict_json_loads

    text = read_text(path) if text is None else text
    try:
        return strict_json_loads(text)
    except json.JSONDecodeError as exc:
        raise BadFile(path, f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except ValueError as exc:
        raise BadFile(path, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise BadFile(path, "not valid JSON: nested too deeply") from None


def load_document(path):
    """A YAML or JSON document by its suffix (``.json`` is JSON; anything else YAML)."""
    return load_json(path) if str(path).lower().endswith(".json") else load_yaml(path)


def text_lines(path, digest=None):
    """``(number, line)`` of a UTF-8 text file read one line at a time (the file is never held
    whole; a BOM is allowed): the same refusals as :func:`decode`, at the first bad byte or control
    character, with its line and column. ``digest`` (a hashlib object) is fed every byte read."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise BadFile(path, f"cannot read: {exc.strerror or exc}") from None
    with fh:
        for number, raw in enumerate(fh, start=1):
            if digest is not None:
                digest.update(raw)
            shift = 0
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw, shift = raw[3:], 3
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise BadFile(path, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                              number, exc.start + shift + 1) from None
            bad = _CONTROL.search(line)
            if bad is not None:
                raise BadFile(path, f"control character U+{ord(bad.group()):04X}", number, bad.start() + 1)
            yield number, line


def iter_csv_rows(path, digest=None):
    """The rows of a CSV file (UTF-8), strict quoting, read line by line (bounded memory: one row
    at a time); a bad byte, a control character or a parse error is a BadFile at its line."""
    last = [""]

    def lines():
        for _, line in text_lines(path, digest):
            last[0] = line
            yield line

    reader = csv.reader(lines(), strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        text = last[0].rstrip("\r\n")
        raise BadFile(path, f"not valid CSV: {exc}", max(1, reader.line_num), len(text) + 1) from None


def csv_rows(path, text: str | None = None):
    """The rows of a CSV file (UTF-8), strict quoting; a parse error is a BadFile at its line."""
    if text is None:
        return list(iter_csv_rows(path))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        lines = text.splitlines()
        line = max(1, min(reader.line_num, len(lines)))
        raise BadFile(path, f"not valid CSV: {exc}", line, len(lines[line - 1]) + 1 if lines else 1) from None
    return rows


def xlsx_workbook(path):
    """openpyxl's read-only workbook, or BadFile when the file is not one."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(Path(path), read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise BadFile(path, f"not an XLSX workbook: {exc}") from None


def check_rows_file(path, digest=None) -> int:
    """A look at a rows file before anything is sent, in bounded memory: a CSV decodes and parses
    to its end (its rows counted, not kept), an XLSX opens (its cells are read later). Returns the
    number of CSV lines read (0 for a workbook); ``digest`` is fed the CSV's bytes."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        rows = 0
        for _ in iter_csv_rows(path, digest):
            rows += 1
        return rows
    if suffix in (".xlsx", ".xlsm"):
        xlsx_workbook(path).close()
        if digest is not None:
            with open(path, "rb") as fh:
                for piece in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(piece)
        return 0
    raise BadFile(path, "not a .csv or .xlsx file")
