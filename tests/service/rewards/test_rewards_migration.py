"""The migration to "money once per person, period and kind" (revision 7f3a9c2d5b1e) on a ledger
written by the code before it: the city's 2025 rating, then scope k2's 2025 rating over the same
people (8 paid twice, as issue 18 found).  After the upgrade: k2's rating is refused and its lines
reversed at the end of the chain, the chain verifies, reconciliation is clean, nobody is paid twice,
the duplicate talks are revoked, and the models agree with the migrated schema."""
import json

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import column, insert, select, table, text
from sqlalchemy.orm import sessionmaker

from shared.contracts.scoring_events import dump_rating
from shared.db import UnitOfWork
from shared.migrate import alembic_config
from services.rewards import handlers, models
from services.rewards.domain.chain import GENESIS, chain
from services.rewards.domain.settlement import settle
from services.rewards.domain.tasks import task_for
from rewards_ratings import agency, officer, rating, section

pytestmark = pytest.mark.timeout(120)
BEFORE = "03cbd58068b8"
PEOPLE = dict(officers=[officer(f"o{i}", stars=5 if i < 8 else 2) for i in range(10)],
              sections=[section("s1", stars=2)], agencies=[agency("a1")], period="2025")


def old_lines(r):
    """The lines as the code before the revision keyed them: ``<rating_id>|<subject>|<kind>``."""
    out = []
    for line in settle(r):
        row = line.to_dict()
        del row["reverses"]
        row["key"] = f"{r['rating_id']}|{line.subject}|{line.kind}"
        out.append((row, line))
    return out


def write_old_ledger(conn):
    rows, prev, seq = [], GENESIS, 0
    for n, r in enumerate((rating(**PEOPLE, scope="city"), rating(**PEOPLE, scope="k2"))):
        lines = old_lines(r)
        chained = chain([dict(row, recorded_at=f"2026-01-1{n}T00:00:00.000000")
                         for row, _ in lines], prev_hash=prev, first_seq=seq + 1)
        prev, seq = chained[-1]["hash"], chained[-1]["seq"]
        rows += chained
        stored = dump_rating(r)
        conn.execute(text(
            "INSERT INTO received_rating (rating_id, period, kind, scope, content_hash, payload, "
            "schedules, paying_units, disagreements, received_at) VALUES (:id, :p, 'annual', :s, "
            "'h', :payload, '{}', '[\"a1\"]', '[]', :at)"),
            {"id": r["rating_id"], "p": "2025", "s": r["scope"], "at": f"2026-01-1{n} 00:00:00",
             "payload": json.dumps(stored, ensure_ascii=False, sort_keys=True)})
        for row, line in lines:
            task = task_for(line)
            if task is not None:
                conn.execute(text("INSERT INTO reward_task (key, subject, kind, period, opened, due)"
                                  " VALUES (:k, :s, :kind, '2025', :o, :d)"),
                             {"k": row["key"], "s": task.subject, "kind": task.kind,
                              "o": task.opened, "d": task.due})
    # the columns of the ledger before the revision (the model's later ones, signed_by, not yet)
    columns = [c for c in rows[0] if c in models.LedgerLine.__table__.c]
    conn.execute(insert(table("ledger_line", *(column(c) for c in columns))),
                 [{c: r[c] for c in columns} for r in rows])
    conn.execute(text("UPDATE ledger_head SET seq = :s, hash = :h WHERE id = 1"),
                 {"s": seq, "h": prev})
    return rows


@pytest.fixture
def engine(engine_of):
    return engine_of("rewards")


def test_existing_double_payments_are_reversed_by_the_migration(engine):
    with engine.begin() as conn:
        command.upgrade(alembic_config("rewards", conn), BEFORE)
        old = write_old_ledger(conn)
    paid = sum(r["amount"] or 0 for r in old)
    assert paid == 2 * 8 * 1000                        # the attack: 8 people paid twice
    with engine.begin() as conn:
        command.upgrade(alembic_config("rewards", conn), "head")
    with engine.connect() as conn:                     # the models are the migrated schema
        diffs = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
        assert diffs == [], diffs
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        assert handlers.verify_chain(uow)["ok"]
        report = handlers.reconcile(uow, "2025")
        assert report["ok"], report
        assert (report["ratings"], report["reversals"]) == (1, len(old) // 2)
        s = uow.session
        lines = [handlers._row_dict(r) for r in s.scalars(
            select(models.LedgerLine).order_by(models.LedgerLine.seq))]
        assert lines[:len(old)] == [dict(r, reverses=None) for r in old]     # nothing edited
        added = lines[len(old):]
        assert {x["reason"] for x in added} == {"refused_overlap"}
        assert [x["reverses"] for x in added] == [r["key"] for r in old if r["source"] == "2025:k2:1"]
        assert added[0]["key"] == "2025|o0|bonus|3" and added[0]["amount"] == -1000
        net = {}
        for x in lines:
            net[(x["subject"], x["kind"])] = net.get((x["subject"], x["kind"]), 0) + (x["amount"] or 0)
        assert net[("o0", "bonus")] == 1000 and sum(net.values()) == 8 * 1000
        status = dict(s.execute(select(models.ReceivedRating.rating_id,
                                       models.ReceivedRating.status)).all())
        assert status == {"2025:city:1": "settled", "2025:k2:1": "refused"}
        owners = set(s.execute(select(models.RatingSubject.rating_id)).scalars())
        assert owners == {"2025:city:1"}
        revoked = {t.key for t in s.scalars(select(models.RewardTask)) if t.revoked}
        assert revoked == {"2025:k2:1|o8|warning_talk", "2025:k2:1|o9|warning_talk",
                           "2025:k2:1|s1|warning_talk", "2025:k2:1|s1|rectification"}
        # and now the suite's own rule holds: k2 again is refused, the city may re-rate
        from shared.errors import Conflict
        with pytest.raises(Conflict):
            handlers.settle_rating(uow, rating(**PEOPLE, scope="k2", version=2))
        out = handlers.settle_rating(uow, rating(**{**PEOPLE, "officers": [
            officer(f"o{i}", stars=5 if i < 7 else 2) for i in range(10)]}, scope="city",
            version=2))
        assert (out["reversed"], out["written"]) == (3, 4)     # o7: −1000, revoked ×2, talk
        uow.commit()
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        assert handlers.verify_chain(uow)["ok"] and handlers.reconcile(uow, "2025")["ok"]
