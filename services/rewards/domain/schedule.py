"""Reward amounts: the city's defaults, an agency's adapted schedule (对接) and the guardrail.

Money is whole yuan (``int``), never float.

* M§五(二)5(2)①: a five-star officer gets 1000 yuan from the unit (由所在单位颁发奖金1000元).
* M§五(二)5(1)①: a five-star section gets 300 yuan per head (按科室人平300元).
* SPEC §6 / 000 §二2 (精细对接奖惩办法): an agency may raise or lower the amounts within the city's
  limits, but "避免…差额设置星级奖金,将奖金作为一种福利来发放": a schedule must grow with the
  stars and pay nothing at two stars or fewer.  The city's limit is twice its five-star default
  (the same bound RATING.md §4 puts on a snapshot's amounts).
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from shared.errors import RuleViolation, ValidationFailed

STARS = (1, 2, 3, 4, 5)
#: schedule name → the city's default amount per star level (index = stars)
CITY_DEFAULTS = MappingProxyType({
    "officer": MappingProxyType({1: 0, 2: 0, 3: 0, 4: 0, 5: 1000}),          # M§五(二)5(2)①
    "section_per_head": MappingProxyType({1: 0, 2: 0, 3: 0, 4: 0, 5: 300}),  # M§五(二)5(1)①
})
#: the highest star level that must pay nothing (SPEC §6: "two stars or fewer")
UNPAID_AT_OR_BELOW = 2


def city_limit(name: str) -> int:
    """The city's limit on any amount of a schedule: twice its five-star default."""
    return 2 * CITY_DEFAULTS[name][5]


@dataclass(frozen=True)
class Schedule:
    """Amounts per star level for officers and per head for sections, and where they come from."""

    officer: MappingProxyType
    section_per_head: MappingProxyType
    basis: str = "city_default"

    def amount(self, name: str, stars: int) -> int:
        return getattr(self, name)[stars]


CITY_SCHEDULE = Schedule(CITY_DEFAULTS["officer"], CITY_DEFAULTS["section_per_head"])


def _levels(name: str, given) -> dict:
    """Fill a partial ``{"5": 1200}`` with the city's defaults for the levels not given."""
    out = dict(CITY_DEFAULTS[name])
    for key, value in (given or {}).items():
        stars = int(key)
        if stars not in STARS:
            raise ValidationFailed("star level must be 1..5", f"{name}.{key}")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed("an amount is whole yuan", f"{name}.{key}")
        out[stars] = value
    return out


def check_nothing_at_two_stars_or_fewer(name: str, levels: dict) -> None:
    """SPEC §6 guardrail (000 §二2): no money at two stars or fewer."""
    for stars in range(1, UNPAID_AT_OR_BELOW + 1):
        if levels[stars] != 0:
            raise RuleViolation(f"a schedule pays nothing at {UNPAID_AT_OR_BELOW} stars or fewer "
                                f"(★{stars} pays {levels[stars]})", f"{name}.{stars}")


def check_within_city_limits(name: str, levels: dict) -> None:
    """SPEC §6: amounts within the city's limits (0 .. twice the city's five-star default)."""
    limit = city_limit(name)
    for stars in STARS:
        if not 0 <= levels[stars] <= limit:
            raise RuleViolation(f"★{stars} amount {levels[stars]} is outside the city's limits "
                                f"0..{limit}", f"{name}.{stars}")


def check_grows_with_stars(name: str, levels: dict) -> None:
    """SPEC §6 guardrail (000 §二2, no flat welfare payment): each star level above two pays at least
    as much as the one below, a paying level strictly more, and five stars strictly more than four."""
    for stars in range(UNPAID_AT_OR_BELOW + 1, 6):
        here, below = levels[stars], levels[stars - 1]
        if here < below or (here > 0 and here == below) or (stars == 5 and here <= below):
            raise RuleViolation(f"the schedule does not grow with the stars: ★{stars} pays {here}, "
                                f"★{stars - 1} pays {below}", f"{name}.{stars}")


def adapted_schedule(given: dict, basis: str) -> Schedule:
    """An agency's adapted schedule, checked against every guardrail; raises ``RuleViolation``."""
    filled = {}
    for name in CITY_DEFAULTS:
        levels = _levels(name, given.get(name))
        check_nothing_at_two_stars_or_fewer(name, levels)
        check_within_city_limits(name, levels)
        check_grows_with_stars(name, levels)
        filled[name] = MappingProxyType(levels)
    return Schedule(filled["officer"], filled["section_per_head"], basis)


def officer_bonus(schedule: Schedule | None, stars: int | None, announced: int | None) -> tuple:
    """M§五(二)5(2)①: the bonus of an officer with ``stars`` → ``(amount, basis)`` or ``(None, None)``.

    The agency's adapted schedule wins; without one, the amount the rating announced (its rule
    pack's, already within the city's limits: ★5, and ★4/★3 where the pack's schedule pays them)
    and else the city default.  Five stars always give a line (even of 0); three or four stars only
    when an adapted schedule or the rating's rule pack pays them; two stars or fewer never."""
    return _bonus("officer", schedule, stars, announced, 1)


def section_bonus(schedule: Schedule | None, stars: int | None, headcount: int,
                  announced: int | None) -> tuple:
    """M§五(二)5(1)①: a section's bonus = amount per head × headcount → ``(amount, basis)``."""
    return _bonus("section_per_head", schedule, stars, announced, headcount)


def _bonus(name, schedule, stars, announced, multiplier):
    if stars is None:
        return None, None
    if schedule is not None:
        amount = schedule.amount(name, stars) * multiplier
        if stars == 5 or amount > 0:
            return amount, schedule.basis
        return None, None
    if stars <= UNPAID_AT_OR_BELOW:
        return None, None
    if announced is not None:
        return announced, "rating_rules"
    if stars != 5:
        return None, None
    return CITY_DEFAULTS[name][5] * multiplier, "city_default"
