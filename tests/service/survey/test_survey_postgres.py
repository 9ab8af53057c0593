"""The intake's PostgreSQL path (unnest … ON CONFLICT DO NOTHING RETURNING, savepoints) on a real
database, through the handlers with the suite's unit of work."""
import functools
import uuid

import eventlet
import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from shared.db import UnitOfWork, ensure_database, make_engine
from shared.errors import Conflict

from services.survey import handlers, models
from tests.service.survey.conftest import SUBJECTS, form

pytestmark = [pytest.mark.timeout(60), pytest.mark.broker]

PG = "postgresql://postgres@127.0.0.1:5432"


@pytest.fixture
def pg():
    name = "lianbao_t" + uuid.uuid4().hex[:10] + "_survey"
    ensure_database(f"{PG}/{name}")
    engine = make_engine(f"{PG}/{name}")
    models.Base.metadata.create_all(engine)
    sm = sessionmaker(engine, expire_on_commit=False)
    run(sm, handlers.create_campaign, {"campaign_id": "c1", "period": "2026H1", "owner": "k",
                                       "subjects": SUBJECTS, "groups": None, "questionnaire": None})
    yield sm
    engine.dispose()
    admin = make_engine(f"{PG}/postgres")
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def run(sm, handler, data):
    with UnitOfWork(sm, models.Base) as uow:
        out = handler(uow, data)
        uow.commit()
    return out


def intake(caller="system:k"):
    return functools.partial(handlers.submit_batch, caller=caller)


def batch(batch_id, forms, strict=False):
    return {"campaign_id": "c1", "batch_id": batch_id, "forms": forms, "strict": strict, "dry_run": False}


def test_postgres_duplicates_across_batches_and_strict_rollback(pg):
    first = run(pg, intake(), batch("b1", [form("F1"), form("F2"), form("F1")]))
    assert (first["accepted"], first["duplicates"]) == (2, 1)
    second = run(pg, intake(), batch("b2", [form("F2"), form("F3")]))
    assert (second["accepted"], second["errors"][0]["serial"]) == (1, "F2")
    strict = run(pg, intake(), batch("b3", [form("F4"), form("F3")], strict=True))
    assert (strict["accepted"], strict["committed"]) == (0, False)
    again = run(pg, intake(), batch("b1", [form("F1"), form("F2"), form("F1")]))
    assert again["replayed"] is True and again["accepted"] == 2
    with pytest.raises(Conflict) as reused:          # the batch id again, with other forms: refused
        run(pg, intake(), batch("b1", [form("F9")]))
    assert reused.value.field == "batch_id"
    other = run(pg, intake("system:k2"), batch("b1", [form("F9")]))   # another caller's b1
    assert (other["accepted"], other.get("replayed")) == (1, None)
    rates = run(pg, handlers.get_rates, {"campaign_id": "c1"})
    assert rates["totals"]["forms"] == 4 and rates["totals"]["rate"] == "1.0000"
    handlers.RATES.clear()                          # the stored version (json), read back
    assert run(pg, handlers.get_rates, {"campaign_id": "c1"}) == rates
    with pg() as s:
        assert s.execute(text("SELECT json_typeof(rates) FROM campaign_rates")).scalar() == "object"


def test_postgres_the_same_batch_sent_twice_at_once_is_taken_once(pg):
    payload = batch("twin", [form(f"T{i}") for i in range(200)])
    outs = [gt.wait() for gt in [eventlet.spawn(run, pg, intake(), payload)
                                 for _ in range(2)]]
    assert sorted(o["accepted"] for o in outs) == [200, 200]
    assert sorted(bool(o.get("replayed")) for o in outs) == [False, True]
    assert run(pg, handlers.get_campaign, {"campaign_id": "c1"})["forms_received"] == 200


def test_postgres_one_batch_id_two_requests_at_once_one_taken_one_refused(pg):
    """The concurrent path: the second claim meets the first at the unique key, then compares the
    request's hash: other forms under the same batch id are refused, not answered as the first."""
    def attempt(forms):
        try:
            return run(pg, intake(), batch("race", forms))
        except Conflict as err:
            return err
    first, second = [form(f"A{i}") for i in range(200)], [form(f"B{i}") for i in range(200)]
    outs = [gt.wait() for gt in [eventlet.spawn(attempt, f) for f in (first, second)]]
    taken = [o for o in outs if isinstance(o, dict)]
    refused = [o for o in outs if isinstance(o, Conflict)]
    assert len(taken) == 1 and len(refused) == 1, outs
    assert taken[0]["accepted"] == 200 and refused[0].field == "batch_id"
    assert run(pg, handlers.get_campaign, {"campaign_id": "c1"})["forms_received"] == 200


def test_the_bulk_intake_records_who_the_entry_point_verified_on_each_form(pg):
    """Issue 18 item 3 on PostgreSQL's unnest path: each new form keeps the unit of work's verified
    caller (``signed_by``), the forms of another caller's batch theirs."""
    from sqlalchemy import select

    for caller, serials in (("system:k", ("F1", "F2")), ("public:gateway", ("F3",))):
        with UnitOfWork(pg, models.Base) as uow:
            uow.signed_by = caller
            intake(caller)(uow, batch(f"b-{caller}", [form(s) for s in serials]))
            uow.commit()
    with pg() as s:
        rows = s.execute(select(models.FormRow.serial, models.FormRow.signed_by)
                         .order_by(models.FormRow.serial)).all()
    assert [tuple(r) for r in rows] == [("F1", "system:k"), ("F2", "system:k"), ("F3", "public:gateway")]


def test_postgres_concurrent_batches_of_one_campaign_keep_tallies_equal_to_a_recount(pg):
    """Batches of one campaign committing at once add to the same tally rows (each in its own
    transaction, rows taken in key order: no deadlock, nothing lost)."""
    subjects = [s["id"] for s in SUBJECTS]

    def send(n):
        return run(pg, intake(), batch(f"c{n}", [form(f"C{n}-{i}", subjects[i % 4], answers="SBDN" * 8 + "SSB")
                                                 for i in range(150)]))
    outs = [gt.wait() for gt in [eventlet.spawn(send, n) for n in range(6)]]
    assert [o["accepted"] for o in outs] == [150] * 6
    with UnitOfWork(pg, models.Base) as uow:
        row = handlers._campaign(uow, "c1")
        tallied, recounted = handlers.tallied(uow, row), handlers.recounted(uow, row)
    assert sorted(tallied[0], key=repr) == sorted(recounted[0], key=repr) and tallied[1] == recounted[1]
    assert sum(tallied[1].values()) == 900


def test_serials_with_the_array_literals_own_characters_are_stored_as_sent(pg):
    """The PostgreSQL path binds each column as one array literal (issue 24 item 4): a serial with a
    comma, a quote, a backslash, braces, a blank or the word NULL is stored as it was sent, and a
    second batch repeating one of them (the unique violation: the ON CONFLICT path) keeps the first."""
    from sqlalchemy import select

    odd = ['a,b', 'x"y', 'back\\slash', '{br}', 'sp ace', 'NULL', '"', '\\', '""']
    first = run(pg, intake(), batch("odd", [form(s) for s in odd]))
    assert (first["accepted"], first["rejected"]) == (len(odd), 0)
    again = run(pg, intake(), batch("odd2", [form('x"y', answers="D" * 35), form("new")]))
    assert again["accepted"] == 1 and [e["serial"] for e in again["errors"]] == ['x"y']
    with pg() as s:
        rows = dict(s.execute(select(models.FormRow.serial, models.FormRow.answers)).all())
    assert sorted(rows) == sorted(odd + ["new"]) and rows['x"y'] == "S" * 35
    rates = run(pg, handlers.get_rates, {"campaign_id": "c1"})
    assert rates["totals"]["forms"] == len(odd) + 1


def test_postgres_a_new_batch_takes_six_statements_and_its_answer_reads_back_the_same(pg):
    """Round trips of a batch (issue 24 item 4), the campaign's subjects and questionnaire cached
    by the service (its provider): its recall, the campaign, the claim (no savepoint of its own), the
    forms' insert (its savepoint and release in the same query), the tally part with the count, the
    answer; the answer stored is the answer given (a replay returns it)."""
    from types import SimpleNamespace

    from sqlalchemy import event

    provider = SimpleNamespace()

    def submit(batch_id, forms):
        with UnitOfWork(pg, models.Base, provider=provider) as uow:
            out = handlers.submit_batch(uow, batch(batch_id, forms), caller="system:k")
            uow.commit()
        return out

    submit("warm", [form("W0")])
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement.split(None, 1)[0].upper())

    engine = pg.kw["bind"]
    event.listen(engine, "before_cursor_execute", listener)
    try:
        out = submit("rt", [form(f"R{i}") for i in range(50)])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert out["accepted"] == 50 and out["committed"] is True
    assert seen == ["SELECT", "SELECT", "INSERT", "SAVEPOINT", "WITH", "UPDATE"], seen
    with pg() as s:
        stored = s.execute(text("SELECT response, request_hash, created_at FROM idempotency "
                                "WHERE caller = 'system:k' AND key = 'survey.batch:c1:rt'")).one()
    assert stored.response == out and stored.request_hash and stored.created_at is not None
    assert submit("rt", [form(f"R{i}") for i in range(50)]) == {**out, "replayed": True}
    assert run(pg, handlers.get_campaign, {"campaign_id": "c1"})["forms_received"] == 51
