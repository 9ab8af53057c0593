"""Issue 18 item 3: a roster write records who the entry point verified, the last writer's on an update."""
import pytest
from sqlalchemy import select

from shared.db import Database

pytestmark = pytest.mark.timeout(60)


def test_units_staff_and_spells_record_the_verified_caller(roster):
    from services.roster import models

    with roster.rpc(as_system="cnty-hr", units={"cnty"}) as rpc:   # the county's personnel system
        rpc.roster.record_spell({"person": "o1", "kind": "leave", "leave_kind": "sick",
                                 "start": "2026-01-01", "end": "2026-01-31"})
    database = next(d for d in roster.container("roster").dependencies if isinstance(d, Database))
    with database.sessionmaker() as s:
        assert [(r.person, r.signed_by) for r in s.scalars(select(models.SpellRow))] == [
            ("o1", "system:cnty-hr")]
        assert {r.signed_by for r in s.scalars(select(models.StaffRow))} == {"operator:test"}
        assert {r.signed_by for r in s.scalars(select(models.UnitVersionRow))} == {"operator:test"}


def test_an_import_records_the_verified_caller_on_each_new_person_and_post(roster):
    """``roster.import_roster`` writes its new staff and their first posts with the verified caller in
    ``signed_by`` (given with the rows, as the column's default would fill it), the rows loaded before
    keeping their own."""
    from services.roster import models

    rows = [{"id": "n1", "name": "新警1", "unit": "c_ps_s1", "position": "officer", "joined": "2024-01-01"},
            {"id": "n2", "name": "新警2", "unit": "m_ps_s1", "position": "officer", "joined": "2024-02-01"}]
    with roster.rpc(as_system="city-hr", units={"city"}) as rpc:   # the city's personnel system
        report = rpc.roster.import_roster({"rows": rows, "first_row": 2, "dry_run": False})
    assert report["committed"] and report["created"] == 2, report
    database = next(d for d in roster.container("roster").dependencies if isinstance(d, Database))
    with database.sessionmaker() as s:
        staff = {r.id: r.signed_by for r in s.scalars(select(models.StaffRow))}
        posts = {r.person: r.signed_by for r in s.scalars(select(models.PostRow))}
    assert staff["n1"] == staff["n2"] == posts["n1"] == posts["n2"] == "system:city-hr"
    assert staff["o1"] == posts["o1"] == "operator:test"


def test_an_import_publishes_its_new_peoples_evaluators_as_read_back_from_their_rows(roster):
    """The import computes the ``evaluators_resolved`` timelines of its new people from the records it
    has just written (not read back): the same spans as computed from the stored staff, posts and
    spells (a leader supervising two sections with a title, a chief, an officer)."""
    import json
    from types import SimpleNamespace

    from services.roster.evaluators import publish_evaluators
    from services.roster.repository import load_tree
    from shared.contracts import roster as contract

    rows = [{"id": "n1", "name": "新副局长", "unit": "c_ps", "position": "leader", "joined": "2024-01-01",
             "titles": "political_commissar", "supervises": "c_ps_s2;c_ps_s1"},
            {"id": "n2", "name": "新大队长", "unit": "m_ps_s1", "position": "chief", "joined": "2023-05-02"},
            {"id": "n3", "name": "新警", "unit": "c_ps_s1", "position": "officer", "joined": "2025-02-01"}]
    with roster.rpc(as_operator="ops") as rpc:
        report = rpc.roster.import_roster({"rows": rows, "first_row": 2, "dry_run": False})
    assert report["committed"] and report["created"] == 3, report
    database = next(d for d in roster.container("roster").dependencies if isinstance(d, Database))
    Outbox = database.base.Outbox
    with database.sessionmaker() as s:
        published = {p["person"]: p["spans"]
                     for r in s.scalars(select(Outbox).where(Outbox.event_type == contract.EVALUATORS_RESOLVED))
                     for p in json.loads(r.payload)["people"] if p["person"] in ("n1", "n2", "n3")}
        again = []
        read_back = SimpleNamespace(session=s, publish=lambda _kind, payload: again.append(payload))
        publish_evaluators(read_back, load_tree(s), ["n1", "n2", "n3"])
    assert published == {p["person"]: p["spans"] for e in again for p in e["people"]}
    assert set(published) == {"n1", "n2", "n3"} and all(published.values())
