"""Scoring's policy lookups in one statement each (``ScoringAccess.post_of`` and ``unit``, issue 24) give
the answers of the statements they replace (the person, his post of the day, any post; the unit's
version of the day, else its latest row), case by case, on SQLite and PostgreSQL."""
from contextlib import nullcontext
from datetime import date

from alembic import command
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.scoring.access import POST_OF, UNIT_ON, ScoringAccess
from services.scoring.models import Person, PersonPost, Unit, UnitVersion
from shared import db
from shared.migrate import alembic_config


class Before(ScoringAccess):
    """The lookups as they were (three statements for a post, two for a unit)."""

    def unit(self, unit_id):
        if not isinstance(unit_id, str):
            return None
        if self.day is not None:
            version = self.session.scalars(
                select(UnitVersion).where(UnitVersion.id == unit_id, UnitVersion.since <= self.day,
                                          or_(UnitVersion.until.is_(None), UnitVersion.until >= self.day))
                .order_by(UnitVersion.since.desc()).limit(1)).first()
            if version is not None:
                return version.kind, version.parent
        row = self.session.get(Unit, unit_id)
        return None if row is None else (row.kind, row.parent)

    def post_of(self, person_id, day):
        if not isinstance(person_id, str):
            return None
        person = self.session.get(Person, person_id)
        if person is not None and person.left_on is not None and person.left_on <= day:
            return None
        post = self.session.scalars(select(PersonPost).where(PersonPost.person == person_id,
                                                             PersonPost.start <= day)
                                    .order_by(PersonPost.start.desc()).limit(1)).first()
        if post is not None:
            return post.agency, post.section, post.position
        if person is None or person.agency is None:
            return None
        has_posts = self.session.scalars(select(PersonPost.start).where(PersonPost.person == person_id)
                                         .limit(1)).first()
        if has_posts is not None:
            return None
        return person.agency, person.section, person.position


def _person(pid, agency="a1", section=None, position="officer", left_on=None):
    return Person(id=pid, agency=agency, section=section, position=position, joined=date(2001, 1, 1),
                  evaluator=agency, evaluator_source="default", reserve=False, left_on=left_on)


def test_one_statement_lookups_answer_as_before(engine_of):
    engine = engine_of("scoring")
    with engine.begin() as conn:
        command.upgrade(alembic_config("scoring", conn), "head")
    with Session(engine) as s:
        s.add_all([
            _person("plain", section="s1"),                                  # no posts: his own row
            _person("none", agency=None),                                    # no agency, no posts
            _person("left", left_on=date(2026, 3, 1)),                       # left on a day
            _person("posted", agency="old"),                                 # posts through time
            PersonPost(person="posted", start=date(2020, 1, 1), agency="a1", section="s1", position="officer"),
            PersonPost(person="posted", start=date(2026, 3, 1), agency="a2", section=None, position="chief"),
            _person("later"),                                                # posted only after the day
            PersonPost(person="later", start=date(2027, 1, 1), agency="a3", section="s3", position="leader"),
            PersonPost(person="ghost", start=date(2020, 1, 1), agency="a4", section=None, position="head"),
            Unit(id="s1", kind="section", parent="a1", agency="a1"),
            Unit(id="a1", kind="agency", parent="k", agency="a1"),
            Unit(id="k", kind="committee", parent=None, agency="k"),
            Unit(id="new", kind="section", parent="a2", agency="a2"),
            UnitVersion(id="s1", since=date(2000, 1, 1), until=date(2025, 12, 31), kind="section",
                        parent="a0", agency="a0"),
            UnitVersion(id="s1", since=date(2026, 1, 1), until=None, kind="section", parent="a1", agency="a1"),
            UnitVersion(id="a1", since=date(2000, 1, 1), until=None, kind="agency", parent="k", agency="a1"),
            UnitVersion(id="gone", since=date(2000, 1, 1), until=date(2020, 6, 30), kind="section",
                        parent="a1", agency="a1"),
            UnitVersion(id="late", since=date(2030, 1, 1), until=None, kind="agency", parent="k", agency="late"),
        ])
        s.commit()
        _answers_as_before(s, s)
        # as the policy reads them (the entry point's lazy reading session): on PostgreSQL prepared
        # statements on a pooled connection in autocommit from their second read, the same answers
        # (SQLite: through the session it opens, here the test's own: its pool holds one connection)
        pg = engine.dialect.name == "postgresql"
        lazy = db._LazySession((lambda: Session(engine)) if pg else (lambda: nullcontext(s)), engine)
        try:
            _answers_as_before(s, lazy)
            _answers_as_before(s, lazy)
            assert (lazy._session is None) == pg        # PostgreSQL: read without opening a session
        finally:
            lazy.close()
        if pg:
            assert isinstance(db._prepared(engine, POST_OF), db._Prepared)
            assert isinstance(db._prepared(engine, UNIT_ON), db._Prepared)
    engine.dispose()


def _answers_as_before(s, reader):
    """Every case of the test: ``ScoringAccess`` over ``reader`` against ``Before`` over the session."""
    days = [date(2019, 1, 1), date(2020, 1, 1), date(2025, 12, 31), date(2026, 2, 28), date(2026, 3, 1),
            date(2027, 6, 1)]
    people = ["plain", "none", "left", "posted", "later", "ghost", "nobody", 7]
    units = ["s1", "a1", "k", "new", "gone", "late", "nowhere", None]
    checked, prefetched = 0, set()
    for day in days + [None]:
        now, before = ScoringAccess(reader), Before(s)
        now.day = before.day = day
        for unit in units:
            assert now.unit(unit) == before.unit(unit), (unit, day)
            checked += 1
        if day is not None:
            for person in people:
                for post_day in (day, date(2026, 3, 1)):
                    fresh = ScoringAccess(reader)
                    fresh.day = day
                    post = fresh.post_of(person, post_day)
                    assert post == before.post_of(person, post_day), (person, post_day, day)
                    # the unit read beside the post is what unit() answers for it on the resolver's day
                    for unit, kept in fresh._units.items():
                        assert post is not None and unit == (post[1] or post[0])
                        assert kept == before.unit(unit), (person, unit, day)
                        prefetched.add((person, kept))
                checked += 1
    assert checked == 7 * len(units) + 6 * len(people)
    # units known and unknown, versions of the day and the latest row, each read beside a post
    assert {kept for _, kept in prefetched} >= {("section", "a1"), ("section", "a0"), ("agency", "k"), None}
    # and the answers are not all alike (the cases above reach every branch)
    now = ScoringAccess(reader)
    now.day = date(2026, 3, 1)
    assert now.post_of("posted", date(2026, 2, 28)) == ("a1", "s1", "officer")
    assert now.post_of("posted", date(2026, 3, 1)) == ("a2", None, "chief")
    assert now.post_of("plain", date(2026, 3, 1)) == ("a1", "s1", "officer")
    assert now.post_of("left", date(2026, 3, 1)) is None
    assert now.post_of("left", date(2026, 2, 28)) == ("a1", None, "officer")
    assert now.post_of("later", date(2026, 3, 1)) is None
    assert now.post_of("ghost", date(2026, 3, 1)) == ("a4", None, "head")
    assert now.unit("s1") == ("section", "a1") and now.unit("new") == ("section", "a2")
    now.day = date(2025, 12, 31)
    assert now.unit("s1") == ("section", "a0")
    now.day = date(2021, 1, 1)
    assert now.unit("gone") is None and now.unit("late") is None
