"""Checking a file of training results (pure): every bad row by row number and column.

A file has a header row (row 1) with the columns ``person``, ``course_id``, ``date`` (ISO) and
``result`` (``pass``/``fail``, or 合格/不合格); data rows are numbered as in a spreadsheet, from 2.
The old column name ``person_id`` is still read as ``person`` for one release (#17); a header giving
both is refused at row 1, naming ``person_id``.
A dry run reports every problem and writes nothing; a real run writes all rows or none. A row that
is on record already, identically, is ``unchanged``, so importing the same file twice changes
nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from shared.contracts.training import (OLD_RESULT_COLUMNS, PERSON_ID_GOES_IN, RESULT_COLUMNS,
                                       RESULT_HEADER_ALIASES, result_column, result_day)
from shared.errors import LianbaoError

from .model import Result
from .results import check_new_result, consequences, known_course, known_person, same_as_recorded

COLUMNS = RESULT_COLUMNS
HEADER_ALIASES = RESULT_HEADER_ALIASES
PASS_WORDS = {"pass": True, "passed": True, "合格": True,
              "fail": False, "failed": False, "不合格": False}


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str

    def to_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportCheck:
    created: list = field(default_factory=list)     # (row, Result)
    unchanged: list = field(default_factory=list)   # (row, Result)
    problems: list = field(default_factory=list)    # RowProblem
    events: list = field(default_factory=list)      # domain events of the created results

    @property
    def ok(self) -> bool:
        return not self.problems


def column_name(header: str) -> str:
    """A header cell as a column name: English, or its Chinese alias (工号, 课程, 日期, 结果...)."""
    return result_column(header)


def missing_columns(header) -> list[str]:
    """The required columns absent from the header (other columns are ignored)."""
    return [c for c in COLUMNS if c not in {column_name(h) for h in header if h is not None}]


def both_names(header) -> list[RowProblem]:
    """A deprecated column (``person_id``) given beside a column read as its new name (``person``,
    工号, 人员编号): refused at row 1, naming the old one (which value would count is not the file's
    to leave unsaid)."""
    header = {h for h in header if h is not None}
    out = []
    for old, new in OLD_RESULT_COLUMNS.items():
        others = sorted(h for h in header if h != old and column_name(h) == new)
        if old in header and others:
            out.append(RowProblem(1, old, f"{old!r} is the old name of {new!r} (read until "
                                          f"{PERSON_ID_GOES_IN}) and the file gives {others[0]!r} too: "
                                          f"give {new!r} only"))
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _parse_date(raw, text: str) -> date | None:
    if isinstance(raw, datetime):  # a spreadsheet cell
        return raw.date()
    if isinstance(raw, date):
        return raw
    return result_day(text)


def parse_row(number: int, row: dict) -> tuple[dict | None, list[RowProblem]]:
    """One row's fields, or its problems (each named by row number and column)."""
    problems = []
    values = {c: _text(row.get(c)) for c in COLUMNS}
    for column in ("person", "course_id"):
        if not values[column]:
            problems.append(RowProblem(number, column, "missing"))
    day = _parse_date(row.get("date"), values["date"])
    if day is None:
        problems.append(RowProblem(number, "date", f"not a date (YYYY-MM-DD): {values['date']!r}"))
    outcome = PASS_WORDS.get(values["result"].lower())
    if outcome is None:
        problems.append(RowProblem(number, "result", f"not pass/fail: {values['result']!r}"))
    if problems:
        return None, problems
    return {"person": values["person"], "course_id": values["course_id"], "on": day,
            "passed": outcome}, []


def normalise(rows) -> list[tuple[int, dict]]:
    """``(number, row)`` pairs with the row's headers as column names (aliases resolved)."""
    return [(number, {column_name(k): v for k, v in row.items()}) for number, row in rows]


def person_ids(rows) -> set[str]:
    """The people a file names (to load only them)."""
    return {_text(row.get("person")) for _, row in normalise(rows)} - {""}


def check_import(rows, people: dict, courses: dict, history: dict, today: date) -> ImportCheck:
    """All rows against the rules: ``rows`` are ``(number, dict)``; ``history`` maps a person to
    the results on record. A required column absent from every row is reported once, at row 1
    (the header), and no row is checked; so is a header giving ``person`` and its old name
    ``person_id`` both (:func:`both_names`). Blank rows are skipped. Every problem of a row is
    reported (format, unknown person, unknown course); rows are then applied in date order (then
    file order), so a retraining may follow its training in the same file."""
    out = ImportCheck()
    clash = both_names({k for _, row in rows for k in row})
    if clash:
        out.problems.extend(clash)
        return out
    rows = normalise(rows)
    header = {k for _, row in rows for k in row}
    if rows and missing_columns(header):
        out.problems.extend(RowProblem(1, col, "missing column") for col in missing_columns(header))
        return out
    parsed = []
    for number, row in rows:
        if not any(_text(row.get(c)) for c in COLUMNS):
            continue  # a blank line of the file
        fields_, problems = parse_row(number, row)
        found = []
        for lookup, table, key in ((known_person, people, "person"),
                                   (known_course, courses, "course_id")):
            if _text(row.get(key)):
                try:
                    found.append(lookup(table, _text(row.get(key))))
                except LianbaoError as err:
                    problems.append(RowProblem(number, key, err.message))   # by column
        out.problems.extend(problems)
        if not problems:
            parsed.append((number, fields_, *found))
    seen: dict = {}
    working = {pid: list(rs) for pid, rs in history.items()}
    for number, f, person, course in sorted(parsed, key=lambda item: (item[1]["on"], item[0])):
        result = Result(person.id, course.id, course.kind, f["on"], f["passed"])
        if result.key in seen:
            out.problems.append(RowProblem(number, "date", f"the same result as row "
                                                           f"{seen[result.key]}"))
            continue
        seen[result.key] = number
        past = working.setdefault(person.id, [])
        if same_as_recorded(past, result):
            out.unchanged.append((number, result))
            continue
        try:
            check_new_result(past, result, today)
        except LianbaoError as err:
            out.problems.append(RowProblem(number, err.field or "row", err.message))
            continue
        out.events.extend(consequences(past, result, person))
        past.append(result)
        out.created.append((number, result))
    out.problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else 9))
    return out
