"""The roster's unit tree and persons' posts as rewards keeps them, for the policy table only
(issue 22: the committee's office reads its agencies' notice).  Fed by the roster's events:
``units_saved`` (each unit's dated versions), ``staff_joined`` / ``staff_changed`` (a post from its
``since``, the event's ``effective``, else the join date; events of a person may come in any
order: a post is keyed by its start), ``staff_left`` (each departure kept with its day: no post from
then until a post of his begins after it, ``shared.dated.away_on`` as the survey and training read
it); their dates are ``datetime.date`` as the event's schema loads them."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from services.rewards import models
from shared.dated import away_on
from shared.roster_posts import save_posts, save_unit_versions


def units_saved(uow, units: list) -> None:
    save_unit_versions(uow.session, models.UnitVersion, units)


def staff_posts(uow, staff: list, effective: date | None = None) -> None:
    """The posts of a staff event, read and written in bulk (an event holds up to a batch of the
    roster's people); a departure stays: a post beginning after it is a return (:func:`post_on`)."""
    save_posts(uow.session, models.PersonPost, staff, effective)


def staff_left(uow, event: dict) -> None:
    """roster ``staff_left``: a departure from ``date``, kept with its day (the same one again
    changes nothing)."""
    pid, on = event["person"], event["date"]
    if uow.session.get(models.PersonDeparture, (pid, on)) is None:
        uow.session.add(models.PersonDeparture(person_id=pid, left_on=on))


def unit_on(session, unit_id: str, day: date | None):
    """``(kind, parent)`` of the unit's version on ``day`` (its latest without one), or None."""
    V = models.UnitVersion
    q = select(V).where(V.id == unit_id)
    if day is not None:
        q = q.where(V.since <= day, or_(V.until.is_(None), V.until >= day))
    version = session.scalars(q.order_by(V.since.desc()).limit(1)).first()
    return None if version is None else (version.kind, version.parent)


def post_on(session, person_id: str, day: date):
    """``(agency, section or None, position)`` of the person's post on ``day``, or None (none yet,
    or off the team then: ``shared.dated.away_on`` from his latest departure and latest post start
    on or before ``day``)."""
    post = session.scalars(select(models.PersonPost).where(models.PersonPost.person_id == person_id,
                                                           models.PersonPost.start <= day)
                           .order_by(models.PersonPost.start.desc()).limit(1)).first()
    if post is None:
        return None
    D = models.PersonDeparture
    left = session.scalars(select(D.left_on).where(D.person_id == person_id, D.left_on <= day)
                           .order_by(D.left_on.desc()).limit(1)).first()
    if left is not None and away_on([left], [post.start], day):
        return None
    agency = post.agency_id or post.unit_id
    return agency, (post.unit_id if post.unit_id != agency else None), post.position


def under(session, unit_id: str, day: date) -> set:
    """``unit_id`` and the units below it in the tree of ``day``."""
    V = models.UnitVersion
    parents = {}
    for v in session.scalars(select(V).where(V.since <= day, or_(V.until.is_(None), V.until >= day))):
        parents[v.id] = v.parent
    children: dict = {}
    for uid, parent in parents.items():
        children.setdefault(parent, []).append(uid)
    out, todo = set(), [unit_id]
    while todo:
        u = todo.pop()
        if u not in out:
            out.add(u)
            todo.extend(children.get(u, ()))
    return out
