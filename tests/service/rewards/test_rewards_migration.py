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


def test_departures_are_kept_with_their_day_by_the_migration(engine):
    """Revision 5d8f0b2c4e61: each ``people_left`` row becomes a departure with its day; from then on
    a person's departures are all kept and read as ``shared.dated`` reads them (a post beginning on
    the day he left is not a return); down again, the latest departure not followed by a post (r is
back)."""
    from datetime import date

    from services.rewards import roster_view
    from services.rewards.access import RewardsAccess

    with engine.begin() as conn:
        command.upgrade(alembic_config("rewards", conn), "4c6e8a0b2d17")
        conn.execute(text("INSERT INTO person_posts (person_id, start, unit_id, agency_id, position) "
                          "VALUES ('p', '2020-01-01', 'a1', 'a1', 'head'), "
                          "('q', '2020-01-01', 'a1', 'a1', 'officer')"))
        conn.execute(text("INSERT INTO people_left (person_id, left_on) VALUES ('p', '2026-04-01')"))
        command.upgrade(alembic_config("rewards", conn), "head")
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        s = uow.session
        assert [(d.person_id, d.left_on) for d in s.scalars(select(models.PersonDeparture))] == \
            [("p", date(2026, 4, 1))]
        assert roster_view.post_on(s, "p", date(2026, 3, 31)) == ("a1", None, "head")
        assert roster_view.post_on(s, "p", date(2026, 4, 1)) is None
        # a post dated on the day he left is his last one; a second departure keeps the first
        roster_view.staff_posts(uow, [{"id": "p", "unit": "a1", "agency": "a1", "position": "officer",
                                       "joined": date(2020, 1, 1)}], effective=date(2026, 4, 1))
        roster_view.staff_left(uow, {"person": "q", "kind": "transferred_out", "date": date(2026, 2, 1)})
        roster_view.staff_posts(uow, [{"id": "q", "unit": "a1", "agency": "a1", "position": "head",
                                       "joined": date(2020, 1, 1)}], effective=date(2026, 5, 1))
        roster_view.staff_left(uow, {"person": "q", "kind": "transferred_out", "date": date(2026, 8, 1)})
        roster_view.staff_left(uow, {"person": "q", "kind": "transferred_out", "date": date(2026, 8, 1)})
        roster_view.staff_left(uow, {"person": "r", "kind": "transferred_out", "date": date(2026, 2, 1)})
        roster_view.staff_posts(uow, [{"id": "r", "unit": "a1", "agency": "a1", "position": "head",
                                       "joined": date(2020, 1, 1)}], effective=date(2026, 3, 1))
        uow.commit()
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        s = uow.session
        assert roster_view.post_on(s, "p", date(2026, 4, 1)) is None
        assert RewardsAccess(s).roles_of("p", date(2026, 6, 1)) == {}
        assert [roster_view.post_on(s, "q", date(2026, m, 1)) for m in (1, 3, 5, 9)] == \
            [("a1", None, "officer"), None, ("a1", None, "head"), None]
    with engine.begin() as conn:
        command.downgrade(alembic_config("rewards", conn), "4c6e8a0b2d17")
        assert sorted(conn.execute(text("SELECT person_id, left_on FROM people_left")).all()) in (
            [("p", date(2026, 4, 1)), ("q", date(2026, 8, 1))],
            [("p", "2026-04-01"), ("q", "2026-08-01")])      # SQLite gives the text it keeps


def test_allowances_received_before_can_be_withdrawn_after_the_migration(engine):
    """Revision 8a2c4e6f1b39 (``withdrawn_allowance``): an allowance paid by the code before stays in
    force through the upgrade; training's ``allowance_withdrawn`` for it then reverses its line once
    (the original untouched, the chain verifying); the models agree with the migrated schema; down
    again, the table is gone."""
    from sqlalchemy import inspect

    from services.rewards.domain.allowance import allowance_line

    with engine.begin() as conn:
        command.upgrade(alembic_config("rewards", conn), "5d8f0b2c4e61")
        line = allowance_line("o1", "a1", "2026-03", 50).to_dict()
        del line["reverses"]
        rows = chain([dict(line, recorded_at="2026-04-01T00:00:00.000000")], prev_hash=GENESIS,
                     first_seq=1)
        conn.execute(insert(table("ledger_line", *(column(c) for c in rows[0]))), rows)
        conn.execute(text("UPDATE ledger_head SET seq = 1, hash = :h WHERE id = 1"), {"h": rows[0]["hash"]})
        conn.execute(text("INSERT INTO received_allowance (allowance_id, officer, month, paying_unit, "
                          "amount, received_at) VALUES ('o1:2026-03', 'o1', '2026-03', 'a1', 50, "
                          "'2026-04-01 00:00:00')"))
        command.upgrade(alembic_config("rewards", conn), "head")
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
        assert diffs == [], diffs
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        assert handlers.reconcile(uow, "2026")["ok"] and handlers.reconcile(uow, "2026")["allowances"] == 1
        event = {"allowance_id": "o1:2026-03", "person": "o1", "month": "2026-03", "grant": 1,
                 "amount": 50, "reason": "not_earned"}
        assert handlers.withdraw_allowance(uow, event)["written"] == 1
        assert handlers.withdraw_allowance(uow, event) == {"allowance_id": "o1:2026-03", "written": 0,
                                                           "already": True}
        uow.commit()
    with UnitOfWork(sessionmaker(engine), models.Base) as uow:
        lines = [handlers._row_dict(r) for r in uow.session.scalars(
            select(models.LedgerLine).order_by(models.LedgerLine.seq))]
        assert lines[0] == dict(rows[0], reverses=None)                     # nothing edited
        assert [(l["key"], l["amount"], l["reverses"]) for l in lines[1:]] == [
            ("allowance:2026-03|o1|allowance|2", -50, "allowance:2026-03|o1|allowance")]
        assert handlers.verify_chain(uow)["ok"]
        report = handlers.reconcile(uow, "2026")
        assert report["ok"] and (report["allowances"], report["ledger"], report["reversals"]) == (0, 0, 1)
    with engine.begin() as conn:
        command.downgrade(alembic_config("rewards", conn), "5d8f0b2c4e61")
        assert "withdrawn_allowance" not in inspect(conn).get_table_names()
