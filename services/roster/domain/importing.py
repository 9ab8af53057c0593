"""Importing a roster (CSV/XLSX rows): every bad row is reported by row number and column, and
the plan says what is new, what changed and what is unchanged, so re-importing the same file
changes nothing.

A row is a mapping column → text. Columns (English or the Chinese label):
``id`` 工号, ``name`` 姓名, ``unit`` 单位, ``position`` 职务, ``joined`` 入队日期,
``titles`` 职衔 (separated by ``;``), ``supervises`` 分管科室 (separated by ``;``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared.contracts.roster import ROSTER_HEADER_ALIASES, roster_column
from shared.errors import LianbaoError

from .dates import parse_date
from .model import Staff, Unit
from .staff import staff_problems

COLUMNS = ("id", "name", "unit", "position", "joined", "titles", "supervises")
REQUIRED = ("id", "name", "unit", "position", "joined")
ALIASES = ROSTER_HEADER_ALIASES
POSITION_ALIASES = {"一把手": "head", "班子成员": "leader", "中层骨干": "chief", "干警": "officer"}
MAX_ERRORS = 1000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportPlan:
    new: list = field(default_factory=list)        # Staff not on the roster yet
    changed: list = field(default_factory=list)    # (old, new) Staff
    unchanged: int = 0
    errors: list = field(default_factory=list)     # RowError, in row order

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_header(header: Iterable) -> list[str]:
    """Column names: stripped, lower-cased, Chinese labels mapped to the English names."""
    return [roster_column(name) for name in header]


def check_header(header: list[str]) -> list[RowError]:
    """Row 1: every required column present, no unknown or repeated column."""
    errors = []
    for name in REQUIRED:
        if name not in header:
            errors.append(RowError(1, name, "missing column"))
    seen = set()
    for name in header:
        if name and name not in COLUMNS:
            errors.append(RowError(1, name, "unknown column"))
        if name in seen:
            errors.append(RowError(1, name, "column given twice"))
        seen.add(name)
    return errors


def _split(value) -> tuple:
    if value is None:
        return ()
    parts = [p.strip() for p in str(value).replace("；", ";").split(";")]
    return tuple(p for p in parts if p)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_row(row: Mapping, units: Mapping[str, Unit]) -> Staff:
    """One row → Staff, or the first of :func:`row_problems` raised (its ``field`` is the column)."""
    staff, problems = row_problems(row, units)
    if problems:
        raise problems[0]
    return staff


def row_problems(row: Mapping, units: Mapping[str, Unit]) -> tuple[Staff | None, list[LianbaoError]]:
    """One row → ``(Staff, [])``, or ``(None, every problem)``: each column at fault once, in the
    order of the columns (a cell outside the known columns, a required cell left empty, a date
    that is not one, then the record against the tree)."""
    problems: list[LianbaoError] = []
    for name in row:
        if name not in COLUMNS and _text(row[name]):
            problems.append(LianbaoError("a cell outside the known columns", str(name)))
    for name in REQUIRED:
        if not _text(row.get(name)):
            problems.append(LianbaoError("required", name))
    joined = None
    if _text(row.get("joined")):
        try:
            joined = parse_date(_text(row["joined"]), "joined")
        except LianbaoError as err:
            problems.append(err)
    position = _text(row.get("position"))
    staff = Staff(id=_text(row.get("id")), name=_text(row.get("name")), unit=_text(row.get("unit")),
                  position=POSITION_ALIASES.get(position, position), joined=joined,
                  titles=frozenset(_split(row.get("titles"))),
                  supervises=tuple(sorted(_split(row.get("supervises")))))
    blank = {p.field for p in problems}
    problems += [p for p in staff_problems(staff, units)
                 if p.field not in blank and not (p.field == "unit" and not staff.unit)]
    if not problems:
        return staff, []
    problems.sort(key=lambda p: _COLUMN_ORDER.get(p.field, -1))
    return None, problems


#: a column's place among :data:`COLUMNS` (a row's problems are told in this order)
_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}


def ids_named(rows: Iterable[Mapping]) -> set[str]:
    """The person ids the (normalised) rows give, as :func:`row_problems` reads them: the people
    :func:`plan_import` looks up in ``existing``."""
    return {pid for pid in (_text(row.get("id")) for row in rows) if pid}


def plan_import(rows: Iterable[tuple[int, Mapping]], units: Mapping[str, Unit],
                existing: Mapping[str, Staff]) -> ImportPlan:
    """Check every row (``(row number, mapping)``) and sort the good ones into new / changed /
    unchanged. A person given twice is an error at the later row (column ``unit`` when the units
    differ — a person is in one unit only — else ``id``). Errors stop at MAX_ERRORS."""
    plan = ImportPlan()
    first_row: dict[str, tuple[int, Staff]] = {}
    for number, row in rows:
        if len(plan.errors) >= MAX_ERRORS:
            break
        staff, problems = row_problems(row, units)
        if problems:
            plan.errors.extend(RowError(number, err.field or "_row", err.message) for err in problems)
            continue
        seen = first_row.get(staff.id)
        if seen is not None:
            column = "unit" if seen[1].unit != staff.unit else "id"
            plan.errors.append(RowError(number, column, f"person {staff.id!r} is already on row "
                                        f"{seen[0]} (in {seen[1].unit}); a person is in one unit"))
            continue
        first_row[staff.id] = (number, staff)
        old = existing.get(staff.id)
        if old is None:
            plan.new.append(staff)
        elif old == staff:
            plan.unchanged += 1
        else:
            plan.changed.append((old, staff))
    return plan
