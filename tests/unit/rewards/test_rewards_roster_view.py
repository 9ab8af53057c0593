"""Rewards' view of the roster (issue 22 item 4), for the policy table only: the posts of a person
through time from the staff events (in any order), no post once he left and again once he is back,
the units under a committee on a day; and the roles the policy reads from them. Dates as the events'
schemas load them."""
from datetime import date
from types import SimpleNamespace

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.rewards import models, roster_view
from services.rewards.access import RewardsAccess

UNITS = [{"id": "city", "kind": "committee", "parent": None},
         {"id": "k1", "kind": "committee", "parent": "city"},
         {"id": "a1", "kind": "agency", "parent": "k1"},
         {"id": "s1", "kind": "section", "parent": "a1"},
         {"id": "a2", "kind": "agency", "parent": "k1", "until": date(2026, 6, 30)},
         {"id": "a2", "kind": "agency", "parent": "city", "since": date(2026, 7, 1)}]


def _staff(pid, unit, agency, position, **extra):
    return {"id": pid, "unit": unit, "agency": agency, "position": position, "joined": date(2020, 1, 1), **extra}


def test_posts_units_and_roles_from_the_roster_events():
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        uow = SimpleNamespace(session=session)
        roster_view.units_saved(uow, UNITS)
        # a move dated 1 March arrives before the join
        roster_view.staff_posts(uow, [_staff("p", "k1", "k1", "officer")], effective=date(2026, 3, 1))
        roster_view.staff_posts(uow, [_staff("p", "s1", "a1", "officer"), _staff("q", "a1", "a1", "head")])
        session.flush()
        assert roster_view.post_on(session, "p", date(2025, 5, 1)) == ("a1", "s1", "officer")
        assert roster_view.post_on(session, "p", date(2026, 3, 1)) == ("k1", None, "officer")
        assert roster_view.post_on(session, "nobody", date(2026, 3, 1)) is None
        roster_view.staff_left(uow, {"person": "q", "date": date(2026, 4, 1)})
        session.flush()
        assert roster_view.post_on(session, "q", date(2026, 3, 31)) == ("a1", None, "head")
        assert roster_view.post_on(session, "q", date(2026, 4, 1)) is None
        roster_view.staff_posts(uow, [_staff("q", "a1", "a1", "leader")], effective=date(2026, 5, 1))
        session.flush()
        assert roster_view.post_on(session, "q", date(2026, 5, 2)) == ("a1", None, "leader")
        # the tree of the day: a2 moved from k1 to the city on 1 July
        assert roster_view.under(session, "k1", date(2026, 6, 1)) == {"k1", "a1", "s1", "a2"}
        assert roster_view.under(session, "k1", date(2026, 7, 1)) == {"k1", "a1", "s1"}
        # the policy's roles: the committee's officer is its office, within the committee
        access = RewardsAccess(session)
        assert access.roles_of("p", date(2026, 3, 2)) == {"committee_office": frozenset({"k1"})}
        assert access.roles_of("p", date(2025, 3, 2)) == {"officer": frozenset({"a1"})}
        access.day = date(2026, 3, 2)
        assert access.ancestry("s1") == ["s1", "a1", "k1", "city"]


def test_off_the_team_as_every_service_reads_it():
    """SPEC §9 as ``shared.dated`` puts it for the survey and training: a person is off the team from
    a departure until a post of his begins AFTER it (the roster's ``return_to_team`` is dated after
    the exit); a post beginning on the day he left is his last post, not a return; each departure
    is kept with its day, in whatever order the events arrive."""
    engine = create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    with Session(engine) as session:
        uow = SimpleNamespace(session=session)
        roster_view.units_saved(uow, UNITS)
        roster_view.staff_posts(uow, [_staff("p", "a1", "a1", "head")])
        # a change of post dated on the day he leaves, arriving after the departure
        roster_view.staff_left(uow, {"person": "p", "kind": "transferred_out", "date": date(2026, 4, 1)})
        roster_view.staff_posts(uow, [_staff("p", "s1", "a1", "officer")], effective=date(2026, 4, 1))
        session.flush()
        assert roster_view.post_on(session, "p", date(2026, 3, 31)) == ("a1", None, "head")
        assert roster_view.post_on(session, "p", date(2026, 4, 1)) is None
        assert roster_view.post_on(session, "p", date(2026, 9, 1)) is None
        assert RewardsAccess(session).roles_of("p", date(2026, 9, 1)) == {}
        # two departures with a return between, the later departure arriving first
        roster_view.staff_posts(uow, [_staff("q", "a1", "a1", "head")])
        roster_view.staff_left(uow, {"person": "q", "kind": "transferred_out", "date": date(2026, 8, 1)})
        roster_view.staff_left(uow, {"person": "q", "kind": "transferred_out", "date": date(2026, 2, 1)})
        roster_view.staff_posts(uow, [_staff("q", "s1", "a1", "officer")], effective=date(2026, 5, 1))
        roster_view.staff_left(uow, {"person": "q", "kind": "transferred_out", "date": date(2026, 8, 1)})
        session.flush()
        assert roster_view.post_on(session, "q", date(2026, 1, 31)) == ("a1", None, "head")
        assert roster_view.post_on(session, "q", date(2026, 3, 1)) is None      # away
        assert roster_view.post_on(session, "q", date(2026, 5, 1)) == ("a1", "s1", "officer")   # back
        assert roster_view.post_on(session, "q", date(2026, 7, 31)) == ("a1", "s1", "officer")
        assert roster_view.post_on(session, "q", date(2026, 8, 1)) is None      # gone again
        assert roster_view.post_on(session, "q", date(2026, 12, 1)) is None
