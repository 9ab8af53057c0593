"""What the services' policy tables share in their tests of a read about a person placed in a unit
(``*Access.post_of`` / ``last_post_of``): a service's database migrated to head, and the check that a
read about someone of ``a2`` is refused to those outside it and granted to each role within."""
import pytest
from alembic import command
from sqlalchemy import create_engine

from shared import policy
from shared.errors import Forbidden
from shared.identity import Actor
from shared.migrate import alembic_config

OUTSIDE_A2 = (Actor("l1", "person"), Actor("sys-a1", "system", frozenset({"a1"})))
WITHIN_A2 = ((Actor("l2", "person"), policy.LEADER), (Actor("o2", "person"), policy.OFFICER),
             (Actor("f0", "person"), policy.COMMITTEE_OFFICE),
             (Actor("sys-k2", "system", frozenset({"k2"})), policy.SYSTEM))


def migrated_engine(tmp_path, service: str):
    """A SQLite database of ``service`` in ``tmp_path``, migrated to head (the caller disposes it)."""
    engine = create_engine(f"sqlite:///{tmp_path}/{service}.db")
    with engine.begin() as conn:
        command.upgrade(alembic_config(service, conn), "head")
    return engine


def assert_read_within_a2(decide, op: str, payload: dict, within=WITHIN_A2) -> None:
    """``decide(op, actor, payload)`` refuses each of :data:`OUTSIDE_A2` (the subject "lies outside"
    his scope) and answers each actor of ``within`` with his role."""
    for outsider in OUTSIDE_A2:
        with pytest.raises(Forbidden) as err:
            decide(op, outsider, payload)
        assert "lies outside" in err.value.message
    for actor, role in within:
        assert decide(op, actor, payload) == role
