"""A unit's members read a page at a time by key (issue 21 item 3): on SQLite and on PostgreSQL
(whose collation would otherwise sort ``a_b`` and ``aB`` apart from Python) the pages walked are
the whole list, in the order Python sorts it."""
import datetime as dt

import pytest
from sqlalchemy.orm import Session

from services.roster.models import Base, PostRow
from services.roster.repository import ids_on

pytestmark = pytest.mark.timeout(120)

IDS = ["a_b", "aB", "ab", "Ab", "a-b", "津1", "z", "a.b", "A_B", "a10", "a9"]


def test_pages_by_key_are_the_whole_list_in_pythons_order(engine_of):
    engine = engine_of("roster")
    Base.metadata.create_all(engine, tables=[PostRow.__table__])
    day = dt.date(2026, 1, 1)
    with Session(engine) as s:
        for person in IDS:
            s.add(PostRow(person=person, start=dt.date(2020, 1, 1), unit="u", position="officer"))
        s.add(PostRow(person="gone", start=dt.date(2020, 1, 1), end=dt.date(2025, 1, 1), unit="u",
                      position="officer"))
        s.add(PostRow(person="elsewhere", start=dt.date(2020, 1, 1), unit="v", position="officer"))
        s.commit()
        whole = ids_on(s, ["u"], day)
        assert whole == sorted(IDS)
        for limit in (1, 2, 3, 20):
            seen, after = [], None
            while True:
                page = ids_on(s, ["u"], day, after=after, limit=limit)
                assert len(page) <= limit
                if not page:
                    break
                seen, after = seen + page, page[-1]
            assert seen == whole, limit
