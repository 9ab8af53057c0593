"""A person's posts as a service keeps them from the roster's staff events (``staff_joined`` /
``staff_changed``): each record of an event is a post from its ``since``, else the event's
``effective``, else the person's join date; events of one person may come in any order, so a post
is keyed by (person, start) and a later event for the same start replaces its values.  Used by the
services that keep the roster's people for the policy table (training, rewards); each passes its
own ``PersonPost`` model (columns ``person_id``, ``start``, ``unit_id``, ``agency_id``,
``position``).  Likewise the roster's units through time (``units_saved``): :func:`save_unit_versions`."""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from shared.dated import EARLIEST    # the roster's "as far back as it goes" (a unit without a date)

CHUNK = 500   # ids per IN (…) list


def chunks(items, size: int = CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def post_start(record: dict, effective: date | None = None) -> date:
    return record.get("since") or effective or record.get("joined") or EARLIEST


def save_unit_versions(session, model, units: list) -> None:
    """Keep each unit of a ``units_saved`` event as its version from ``since`` (absent: the unit since
    always, :data:`EARLIEST`), its ``until``, ``kind`` and ``parent`` replacing those of the version
    already kept from that day.  ``model``: the service's own table keyed by (``id``, ``since``)."""
    for unit in units:
        since = unit.get("since") or EARLIEST
        row = session.get(model, (unit["id"], since))
        if row is None:
            row = model(id=unit["id"], since=since)
            session.add(row)
        row.until = unit.get("until")
        row.kind, row.parent = unit["kind"], unit.get("parent")


def save_posts(session, model, staff: list, effective: date | None = None) -> None:
    """Write the posts of one staff event in bulk: one read of the persons' posts, the rows of a
    known (person, start) updated in place, the others inserted at once."""
    have = {}
    for part in chunks({s["id"] for s in staff}):
        for row in session.scalars(select(model).where(model.person_id.in_(part))):
            have[(row.person_id, row.start)] = row
    new = {}
    for s in staff:
        start = post_start(s, effective)
        values = {"unit_id": s["unit"], "agency_id": s.get("agency"), "position": s["position"]}
        row = have.get((s["id"], start))
        if row is not None:
            for k, v in values.items():
                setattr(row, k, v)
        else:
            new[(s["id"], start)] = {"person_id": s["id"], "start": start, **values}
    if new:
        session.execute(insert(model), list(new.values()))
