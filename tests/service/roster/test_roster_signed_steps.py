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
