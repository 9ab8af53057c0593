"""Issue 24 item 5: a row's titles and supervised sections are split once per distinct text
(``conversions.titles_of`` / ``supervised_of``, cached) where every row split its own: the people and
posts read must be exactly those of the code before."""
from datetime import date
from types import SimpleNamespace

import pytest

from services.roster import conversions
from services.roster.domain import history as history_rules
from services.roster.domain.model import Staff

TEXTS = [None, "", ";", "a", "b;a", "a;b", ";a;;b;", "s3;s1;s2", "x" * 40 + ";y", "领导;科长"]


def _old_staff(row):
    split = conversions.split_list
    return Staff(id=row.id, name=row.name, unit=row.unit, position=row.position, joined=row.joined,
                 titles=frozenset(split(row.titles)), supervises=tuple(sorted(split(row.supervises))))


def _old_post(row):
    split = conversions.split_list
    return history_rules.Post(person=row.person, start=row.start, end=row.end, unit=row.unit,
                              position=row.position, titles=frozenset(split(row.titles)),
                              supervises=tuple(sorted(split(row.supervises))))


@pytest.mark.parametrize("titles", TEXTS)
@pytest.mark.parametrize("supervises", TEXTS)
def test_a_row_converts_as_before(titles, supervises):
    row = SimpleNamespace(id="p1", person="p1", name="张三", unit="u1", position="leader",
                          joined=date(2020, 1, 1), start=date(2021, 1, 1), end=None,
                          titles=titles, supervises=supervises)
    for _ in range(2):                  # the first time, and from the cache
        new = conversions.staff_from_row(row)
        assert new == _old_staff(row)
        assert type(new.titles) is frozenset and type(new.supervises) is tuple
        assert conversions.post_from_row(row) == _old_post(row)
