"""shared.roster_posts: the posts a service keeps from the roster's staff events, keyed by
(person, start): a post from its ``since``, else the event's ``effective``, else the join date;
a later event for the same start replaces the values; events in any order."""
from datetime import date

from sqlalchemy import Column, Date, String, create_engine, select
from sqlalchemy.orm import Session, declarative_base

from shared.dated import EARLIEST
from shared.roster_posts import chunks, post_start, save_posts, save_unit_versions

Base = declarative_base()


class PersonPost(Base):
    __tablename__ = "person_posts"
    person_id = Column(String, primary_key=True)
    start = Column(Date, primary_key=True)
    unit_id = Column(String)
    agency_id = Column(String)
    position = Column(String)


class UnitVersion(Base):
    __tablename__ = "unit_versions"
    id = Column(String, primary_key=True)
    since = Column(Date, primary_key=True)
    until = Column(Date, nullable=True)
    kind = Column(String)
    parent = Column(String, nullable=True)


def _rows(session):
    return [(r.person_id, r.start, r.unit_id, r.position)
            for r in session.scalars(select(PersonPost).order_by(PersonPost.person_id, PersonPost.start))]


def test_post_start_prefers_since_then_effective_then_joined_then_earliest():
    assert post_start({"since": date(2026, 2, 1), "joined": date(2020, 1, 1)}, date(2026, 3, 1)) == date(2026, 2, 1)
    assert post_start({"joined": date(2020, 1, 1)}, date(2026, 3, 1)) == date(2026, 3, 1)
    assert post_start({"joined": date(2020, 1, 1)}) == date(2020, 1, 1)
    assert post_start({}) == EARLIEST


def test_posts_in_any_order_and_a_repeat_replaces_its_start():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    joined = date(2020, 1, 1)
    with Session(engine) as session:
        # the move of 1 March arrives before the join
        save_posts(session, PersonPost, [{"id": "p", "unit": "k1", "position": "officer", "joined": joined}],
                   effective=date(2026, 3, 1))
        save_posts(session, PersonPost, [{"id": "p", "unit": "s1", "agency": "a1", "position": "officer",
                                          "joined": joined},
                                         {"id": "q", "unit": "a1", "agency": "a1", "position": "head",
                                          "joined": joined}])
        session.flush()
        assert _rows(session) == [("p", joined, "s1", "officer"), ("p", date(2026, 3, 1), "k1", "officer"),
                                  ("q", joined, "a1", "head")]
        # the same post again with other values replaces it, nothing added
        save_posts(session, PersonPost, [{"id": "q", "unit": "a1", "agency": "a1", "position": "deputy",
                                          "joined": joined}])
        session.flush()
        assert _rows(session)[-1] == ("q", joined, "a1", "deputy")
        assert len(_rows(session)) == 3


def test_chunks_cut_at_the_size():
    assert [len(c) for c in chunks(range(1001))] == [500, 500, 1]
    assert list(chunks([], 3)) == []


def test_unit_versions_keyed_by_their_since_a_repeat_replaces_its_values():
    """training's and rewards' ``units_saved``: a unit without ``since`` is kept from EARLIEST; a unit
    saved again from the same day replaces that version's until, kind and parent; another day adds one."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        save_unit_versions(session, UnitVersion, [{"id": "k1", "kind": "committee"},
                                                  {"id": "s1", "kind": "section", "parent": "a1",
                                                   "since": date(2026, 3, 1)}])
        save_unit_versions(session, UnitVersion, [{"id": "s1", "kind": "section", "parent": "a2",
                                                   "since": date(2026, 3, 1), "until": date(2026, 6, 30)},
                                                  {"id": "s1", "kind": "agency", "parent": "k1",
                                                   "since": date(2026, 7, 1)}])
        session.flush()
        rows = [(r.id, r.since, r.until, r.kind, r.parent)
                for r in session.scalars(select(UnitVersion).order_by(UnitVersion.id, UnitVersion.since))]
    assert rows == [("k1", EARLIEST, None, "committee", None),
                    ("s1", date(2026, 3, 1), date(2026, 6, 30), "section", "a2"),
                    ("s1", date(2026, 7, 1), None, "agency", "k1")]
