"""Checking a file of training results (pure): every bad row by row number and column.

A file has a header row (row 1) with the columns ``person_id``, ``course_id``, ``date`` (ISO) and
``result`` (``pass``/``fail``, or 合格/不合格); data rows are numbered as in a spreadsheet, from 2.
A dry run reports every problem and writes nothing; a real run writes all rows or none. A row that
is on record already, identically, is ``unchanged``, so importing the same file twice changes
nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from shared.errors import LianbaoError

from .model import Result
from .results import check_new_result, consequences, known_course, known_person, same_as_recorded

COLUMNS = ("person_id", "course_id", "date", "result")
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


def missing_columns(header) -> list[str]:
    """The required columns absent from the header (other columns are ignored)."""
    return [c for c in COLUMNS if c not in {str(h).strip() for h in header if h is not None}]


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
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def parse_row(number: int, row: dict) -> tuple[dict | None, list[RowProblem]]:
    """One row's fields, or its problems (each named by row number and column)."""
    problems = []
    values = {c: _text(row.get(c)) for c in COLUMNS}
    for column in ("person_id", "course_id"):
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
    return {"person_id": values["person_id"], "course_id": values["course_id"], "on": day,
            "passed": outcome}, []


def check_import(rows, people: dict, courses: dict, history: dict, today: date) -> ImportCheck:
    """All rows against the rules: ``rows`` are ``(number, dict)``; ``history`` maps a person to
    the results on record. Blank rows are skipped. Rows are applied in date order (then file order), so a retraining may
    follow its training in the same file; each problem keeps its own row number."""
    out = ImportCheck()
    parsed = []
    for number, row in rows:
        if not any(_text(row.get(c)) for c in COLUMNS):
            continue  # a blank line of the file
        fields_, problems = parse_row(number, row)
        out.problems.extend(problems)
        if fields_ is not None:
            parsed.append((number, fields_))
    seen: dict = {}
    working = {pid: list(rs) for pid, rs in history.items()}
    for number, f in sorted(parsed, key=lambda item: (item[1]["on"], item[0])):
        try:
            person = known_person(people, f["person_id"])
            course = known_course(courses, f["course_id"])
        except LianbaoError as err:
            out.problems.append(RowProblem(number, err.field, err.message))
            continue
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
