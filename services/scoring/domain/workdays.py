"""China's working-day calendar (SPEC §3.1): public holidays and make-up working days (调休).

The notice's three working days and every deadline counted in working days follow the State
Council's yearly arrangement, not Monday–Friday: a public holiday is not a working day even on a
weekday, and a make-up working day (调休上班) is one even on a Saturday or Sunday.  The arrangement
comes from the ``chinese-calendar`` package (pinned in ``requirements.lock``) for the years it
covers; a year it does not cover yet can be loaded by the committee's office from a file
(:func:`parse_year`), and a loaded year takes precedence over the package (the office may correct
it).  A year nobody has published falls back to Monday–Friday, and :meth:`WorkCalendar.missing`
says which years those are, so that the suite can warn.

Pure: no nameko, no SQLAlchemy.  The "15th" filing deadline is a calendar day and never moves
(:mod:`services.scoring.domain.deadlines`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from chinese_calendar import constants as _package

from shared.errors import ValidationFailed

ONE_DAY = timedelta(days=1)
PACKAGE = "package"
LOADED = "loaded"
WEEKDAYS = "weekdays"        # no arrangement known: Monday to Friday

#: Years whose arrangement the package carries (it raises for the others).
PACKAGE_YEARS = frozenset(d.year for d in _package.holidays)


@dataclass(frozen=True)
class YearCalendar:
    """One year's arrangement: ``holidays`` and make-up ``workdays``, each ``{date: name}``."""
    year: int
    holidays: dict = field(default_factory=dict)
    workdays: dict = field(default_factory=dict)
    source: str = LOADED

    def to_dict(self) -> dict:
        return {"year": self.year, "source": self.source,
                "holidays": [{"date": d.isoformat(), "name": n} for d, n in sorted(self.holidays.items())],
                "workdays": [{"date": d.isoformat(), "name": n} for d, n in sorted(self.workdays.items())]}


def package_year(year: int) -> YearCalendar | None:
    """The package's arrangement of ``year``, or None when it does not cover the year."""
    if year not in PACKAGE_YEARS:
        return None
    pick = lambda table: {d: _name(v) for d, v in table.items() if d.year == year}  # noqa: E731
    return YearCalendar(year, pick(_package.holidays), pick(_package.workdays), PACKAGE)


def _name(value) -> str:
    return getattr(value, "value", None) or str(value)


def _date(value, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(f"not a date (YYYY-MM-DD): {value!r}", where) from None


def _entries(items, key: str, year: int) -> dict:
    """``[{"date"} | {"from", "to"}, "name"]`` → ``{date: name}``; each day once, all in ``year``."""
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValidationFailed("must be a list", key)
    out: dict = {}
    for i, it in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(it, dict):
            raise ValidationFailed("must be an object with date (or from and to) and name", where)
        name = it.get("name") or ""
        if not isinstance(name, str) or len(name) > 100:
            raise ValidationFailed("must be a text of at most 100 characters", f"{where}.name")
        if "date" in it:
            first = last = _date(it["date"], f"{where}.date")
        elif "from" in it and "to" in it:
            first, last = _date(it["from"], f"{where}.from"), _date(it["to"], f"{where}.to")
            if last < first:
                raise ValidationFailed(f"{last} comes before {first}", f"{where}.to")
        else:
            raise ValidationFailed("give date, or from and to", f"{where}.date")
        d = first
        while d <= last:
            if d.year != year:
                raise ValidationFailed(f"{d} is not in {year}", f"{where}.date" if "date" in it else f"{where}.to")
            if d in out:
                raise ValidationFailed(f"{d} is listed twice", f"{where}.date" if "date" in it else f"{where}.from")
            out[d] = name
            d += ONE_DAY
    return out


def parse_year(doc) -> YearCalendar:
    """A year's arrangement as the office loads it (JSON or YAML, already parsed)::

        {"year": 2027,
         "holidays": [{"date": "2027-01-01", "name": "元旦"},
                      {"from": "2027-02-05", "to": "2027-02-11", "name": "春节"}, ...],
         "workdays": [{"date": "2027-02-14", "name": "春节"}, ...]}

    Rules: every date in the year, each once; a make-up working day is a Saturday or Sunday (a
    weekday is a working day anyway) and never also a holiday; a year has at least one holiday.
    Raises :class:`ValidationFailed` naming the field (``holidays[2].date``)."""
    if not isinstance(doc, dict):
        raise ValidationFailed("the calendar file must hold an object with year, holidays, workdays",
                               "year")
    year = doc.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2999:
        raise ValidationFailed("must be a year (an integer, 1949–2999)", "year")
    unknown = sorted(set(doc) - {"year", "holidays", "workdays"})
    if unknown:
        raise ValidationFailed("unknown field", unknown[0])
    holidays = _entries(doc.get("holidays"), "holidays", year)
    if not holidays:
        raise ValidationFailed("a year's arrangement names its public holidays", "holidays")
    workdays = _entries(doc.get("workdays"), "workdays", year)
    for i, d in enumerate(sorted(workdays)):
        if d in holidays:
            raise ValidationFailed(f"{d} is both a holiday and a make-up working day", "workdays")
        if d.weekday() < 5:
            raise ValidationFailed(f"{d} is a weekday: only a Saturday or Sunday is a make-up "
                                   "working day", "workdays")
    return YearCalendar(year, holidays, workdays, LOADED)


class WorkCalendar:
    """Working days from the loaded years, else the package, else Monday–Friday."""

    def __init__(self, loaded=(), use_package: bool = True):
        self._loaded = {y.year: y for y in loaded}
        self._use_package = use_package
        self._years: dict = {}

    def year(self, year: int) -> YearCalendar | None:
        if year not in self._years:
            self._years[year] = self._loaded.get(year) or (
                package_year(year) if self._use_package else None)
        return self._years[year]

    def source(self, year: int) -> str:
        y = self.year(year)
        return y.source if y is not None else WEEKDAYS

    def is_working_day(self, d: date) -> bool:
        y = self.year(d.year)
        if y is None:
            return d.weekday() < 5
        if d in y.holidays:
            return False
        return d.weekday() < 5 or d in y.workdays

    def holiday_name(self, d: date) -> str | None:
        y = self.year(d.year)
        return None if y is None else y.holidays.get(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself never counts; n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        d, left = start, n
        while True:
            d += ONE_DAY
            if self.is_working_day(d):
                left -= 1
                if left == 0:
                    return d

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in ``[first, last]``."""
        n, d = 0, first
        while d <= last:
            n += self.is_working_day(d)
            d += ONE_DAY
        return n

    def missing(self, years) -> list:
        """The years among ``years`` with no arrangement (Monday–Friday applies to them)."""
        return [y for y in years if self.year(y) is None]


def years_to_watch(today: date) -> tuple:
    """This year and the coming one: the suite warns when either has no arrangement."""
    return today.year, today.year + 1


#: The package's calendar, no year loaded (tests and pure callers).
DEFAULT = WorkCalendar()
