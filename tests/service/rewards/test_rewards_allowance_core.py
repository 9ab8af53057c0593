"""The allowance path writes by Core statements (#24 item 5): the chain's head it advances is the
head every later append of the same transaction reads, an ORM copy read before it included (fails
when that copy is not expired: the next append reuses a sequence number); the lines, their chain
and ``signed_by`` are those of the ORM path (the service tests hold the lines and their order)."""
import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.rewards import handlers, models
from services.rewards.domain import chain as chain_rules
from services.rewards.domain.allowance import allowance_line
from shared.db import UnitOfWork
from shared.migrate import alembic_config

pytestmark = pytest.mark.timeout(120)


def due(person, month, grant=1):
    key = f"{person}:{month}" + ("" if grant == 1 else f"#{grant}")
    return {"event_id": f"alw-{key}", "allowance_id": key, "person": person, "unit_id": "s1",
            "agency_id": "a1", "month": month, "amount": 50, "reason": "all_round_officer", "grant": grant}


def test_the_head_advanced_by_core_is_the_one_the_orm_reads_next(engine_of):
    engine = engine_of("rewards")
    with engine.begin() as conn:
        command.upgrade(alembic_config("rewards", conn), "head")
    uow = UnitOfWork(sessionmaker(engine), models.Base)
    uow.signed_by = "service:training"
    with uow:
        held = uow.session.get(models.LedgerHead, 1)           # the ORM's copy, read first
        assert held.seq == 0
        assert handlers.record_allowance(uow, due("o1", "2026-03"))["written"] == 1
        assert handlers.record_allowance(uow, due("o1", "2026-04"))["written"] == 1
        # an ORM append in the same transaction (as a settlement's) continues the chain
        head = handlers._lock_head(uow.session)
        assert (head.seq, head.hash) == (2, uow.session.scalars(
            select(models.LedgerLine.hash).where(models.LedgerLine.seq == 2)).one())
        handlers._append(uow.session, head, [allowance_line("o2", "a1", "2026-05", 50)])
        assert handlers.record_allowance(uow, due("o1", "2026-04", grant=2))["written"] == 2
        uow.commit()
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        rows = [{name: getattr(r, name) for name in handlers.LINE_COLUMNS} for r in uow.session.scalars(
            select(models.LedgerLine).order_by(models.LedgerLine.seq))]
        head = uow.session.get(models.LedgerHead, 1)
        assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5]
        assert [(r["key"], r["amount"], r["reverses"]) for r in rows] == [
            ("allowance:2026-03|o1|allowance", 50, None),
            ("allowance:2026-04|o1|allowance", 50, None),
            ("allowance:2026-05|o2|allowance", 50, None),
            ("allowance:2026-04|o1|allowance|3", 50, None),
            ("allowance:2026-04|o1|allowance|2", -50, "allowance:2026-04|o1|allowance")]
        assert chain_rules.verify(rows, (head.seq, head.hash))["ok"]
        assert set(uow.session.scalars(select(models.LedgerLine.signed_by))) == {"service:training"}
        assert set(uow.session.scalars(select(models.ReceivedAllowance.signed_by))) == {"service:training"}
        assert set(uow.session.scalars(select(models.WithdrawnAllowance.allowance_id))) == {"o1:2026-04"}
