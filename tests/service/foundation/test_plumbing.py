"""The plumbing on the embedded transport: RPC errors by name, outbox, inbox, dead letters,
idempotency keys, metrics."""
import eventlet
import pytest

from shared.errors import Conflict, ValidationFailed

from tests.service.foundation.probe_services import ReceiverService, SenderService
from tests.waiting import wait_for  # noqa: E402,F401

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def probes(embedded_suite):
    return embedded_suite(classes=[SenderService, ReceiverService], EVENT_MAX_ATTEMPTS=3,
                          OUTBOX_POLL_SECONDS=0.2)


def test_rpc_errors_arrive_as_named_exceptions_naming_the_field(probes):
    with probes.rpc() as rpc:
        with pytest.raises(ValidationFailed) as err:
            rpc.probe_sender.write({"text": "a", "colour": "red"})
        assert err.value.field == "colour"
        with pytest.raises(ValidationFailed) as err:
            rpc.probe_sender.write({"text": 5})
        assert err.value.field == "text"
        rpc.probe_sender.write({"text": "a"})
        with pytest.raises(Conflict) as err:
            rpc.probe_sender.write({"text": "a"})
        assert err.value.field == "text"


def test_an_error_after_writing_rolls_everything_back(probes):
    with probes.rpc() as rpc:
        with pytest.raises(Exception):
            rpc.probe_sender.write({"text": "half", "fail_after_write": True})
        assert rpc.probe_sender.count() == 0
        eventlet.sleep(0.5)
        assert rpc.probe_receiver.tally() == 0, "a rolled-back change must publish no event"


def test_outbox_events_reach_the_handler_once(probes):
    with probes.rpc() as rpc:
        for i in range(5):
            rpc.probe_sender.write({"text": f"n{i}"})
        assert wait_for(lambda: rpc.probe_receiver.tally() == 5)
        assert rpc.probe_sender.health()["outbox_backlog"] == 0


def test_inbox_the_same_event_twice_changes_state_once(probes):
    event = {"event_id": "fixed-id-1", "text": "dup"}
    probes.dispatch("probe_sender", "noted", event)
    probes.dispatch("probe_sender", "noted", event)
    probes.dispatch("probe_sender", "noted", {"event_id": "fixed-id-2", "text": "other"})
    with probes.rpc() as rpc:
        assert wait_for(lambda: rpc.probe_receiver.tally() == 2)
        eventlet.sleep(0.3)
        assert rpc.probe_receiver.tally() == 2


def test_poison_event_goes_to_the_dead_letter_queue_and_the_service_keeps_serving(probes):
    from shared.dlq import list_dead_letters

    probes.dispatch("probe_sender", "noted", {"event_id": "p1", "text": "poison!"})
    with probes.rpc() as rpc:
        rpc.probe_sender.write({"text": "after"})
        assert wait_for(lambda: rpc.probe_receiver.tally() == 1)
    letters = wait_for(lambda: list_dead_letters(probes.config))
    assert len(letters) == 1
    letter = letters[0]
    assert letter["body"]["event_id"] == "p1"
    assert letter["attempts"] == 3
    assert "poison event" in letter["error"]
    metrics = probes.container("probe_receiver")
    from shared.metrics import metrics_of

    text = metrics_of(metrics).render().decode()
    assert 'lianbao_events_dead_lettered_total{method="on_noted",service="probe_receiver"} 1.0' in text
    assert 'lianbao_events_redelivered_total{method="on_noted",service="probe_receiver"} 2.0' in text


def test_idempotency_key_gives_one_effect_and_the_first_answer(probes):
    with probes.rpc(context_data={"idempotency_key": "k-1"}) as rpc:
        first = rpc.probe_sender.write({"text": "once"})
        second = rpc.probe_sender.write({"text": "once"})
    assert first == second == {"text": "once", "count": 1}
    with probes.rpc() as rpc:
        assert rpc.probe_sender.count() == 1


def test_idempotency_key_reused_for_another_request_is_a_conflict_and_nothing_runs(probes):
    with probes.rpc(context_data={"idempotency_key": "k-2"}, as_system="office") as rpc:
        assert rpc.probe_sender.write({"text": "first"})["count"] == 1
        with pytest.raises(Conflict) as reused:
            rpc.probe_sender.write({"text": "second"})
        assert reused.value.field == "idempotency_key" and "k-2" in reused.value.message
        assert rpc.probe_sender.write({"text": "first"}) == {"text": "first", "count": 1}   # a retry
    with probes.rpc() as rpc:
        assert rpc.probe_sender.count() == 1


def test_idempotency_keys_are_the_callers_own(probes):
    """Two callers sending the same key: two calls, each answered with its own result."""
    with probes.rpc(context_data={"idempotency_key": "shared"}, as_system="k1") as rpc:
        assert rpc.probe_sender.write({"text": "k1's"}) == {"text": "k1's", "count": 1}
    with probes.rpc(context_data={"idempotency_key": "shared"}, as_system="k2") as rpc:
        assert rpc.probe_sender.write({"text": "k2's"}) == {"text": "k2's", "count": 2}
    with probes.rpc(context_data={"idempotency_key": "shared"}, as_system="k1") as rpc:
        assert rpc.probe_sender.write({"text": "k1's"}) == {"text": "k1's", "count": 1}   # k1's retry
    with probes.rpc() as rpc:
        assert rpc.probe_sender.count() == 2


def test_idempotency_concurrent_twin_with_another_request_is_refused_after_its_commit_fails(probes,
                                                                                          monkeypatch):
    """The concurrent path: both calls pass the recall before either committed (forced here), the
    second's commit meets the first's key (IntegrityError) and its request's hash is compared: another
    request is a Conflict and its write is rolled back; the same request gets the first answer."""
    from shared.db import Database

    real, calls = Database.recall, []

    def late(self, caller, key):      # the first look of each call finds nothing yet
        calls.append(key)
        return None if len(calls) <= 2 else real(self, caller, key)

    monkeypatch.setattr(Database, "recall", late)
    with probes.rpc(context_data={"idempotency_key": "twin"}, as_system="office") as rpc:
        assert rpc.probe_sender.write({"text": "one"})["count"] == 1
        with pytest.raises(Conflict) as reused:
            rpc.probe_sender.write({"text": "two"})
        assert reused.value.field == "idempotency_key"
        assert len(calls) == 3                 # two forced misses, then the look after the failed commit
        monkeypatch.setattr(Database, "recall", real)
        assert rpc.probe_sender.write({"text": "one"}) == {"text": "one", "count": 1}
    with probes.rpc() as rpc:
        assert rpc.probe_sender.count() == 1


def test_expired_stored_answers_are_pruned_and_fresh_ones_kept(embedded_suite):
    """The pruning timer of every service (IDEMPOTENCY_PRUNE_SECONDS) deletes the answers older than
    IDEMPOTENCY_RETENTION_DAYS and keeps the others; an expired key then runs again."""
    from datetime import timedelta

    from shared.db import Database, utcnow
    from sqlalchemy import select, update

    suite = embedded_suite(classes=[SenderService, ReceiverService], IDEMPOTENCY_RETENTION_DAYS=7,
                           IDEMPOTENCY_PRUNE_SECONDS=0.2)
    with suite.rpc(context_data={"idempotency_key": "old"}, as_system="office") as rpc:
        rpc.probe_sender.write({"text": "old"})
    with suite.rpc(context_data={"idempotency_key": "fresh"}, as_system="office") as rpc:
        rpc.probe_sender.write({"text": "fresh"})
    database = next(d for d in suite.container("probe_sender").dependencies if isinstance(d, Database))
    table = database.base.Idempotency.__table__
    with database.sessionmaker() as s, s.begin():
        s.execute(update(table).where(table.c.key == "probe_sender.write:old")
                  .values(created_at=utcnow() - timedelta(days=7, minutes=1)))
        s.execute(update(table).where(table.c.key == "probe_sender.write:fresh")
                  .values(created_at=utcnow() - timedelta(days=6, hours=23)))

    def keys():
        with database.sessionmaker() as s:
            return sorted(s.execute(select(table.c.caller, table.c.key)).all())

    wait_for(lambda: len(keys()) == 1, timeout=10)
    assert keys() == [("system:office", "probe_sender.write:fresh")]
    with suite.rpc(context_data={"idempotency_key": "old"}, as_system="office") as rpc:
        with pytest.raises(Conflict) as again:        # the expired key runs again: the note exists
            rpc.probe_sender.write({"text": "old"})
        assert again.value.field == "text"


def test_metrics_count_calls_errors_and_latency(probes):
    from shared.metrics import metrics_of

    with probes.rpc() as rpc:
        rpc.probe_sender.count()
        with pytest.raises(ValidationFailed):
            rpc.probe_sender.write({})
    text = metrics_of(probes.container("probe_sender")).render().decode()
    assert 'lianbao_entrypoint_calls_total{method="count",service="probe_sender"} 1.0' in text
    assert 'lianbao_entrypoint_calls_total{method="write",service="probe_sender"} 1.0' in text
    with probes.rpc() as rpc:       # the second call counts in the instruments labelled at the first
        rpc.probe_sender.count()
    again = metrics_of(probes.container("probe_sender")).render().decode()
    assert 'lianbao_entrypoint_calls_total{method="count",service="probe_sender"} 2.0' in again
    assert 'lianbao_entrypoint_latency_seconds_count{method="count",service="probe_sender"} 2.0' in again
    assert ('lianbao_entrypoint_errors_total{error="ValidationFailed",method="write",'
            'service="probe_sender"} 1.0') in text
    assert 'lianbao_entrypoint_latency_seconds_count{method="count",service="probe_sender"} 1.0' in text
    assert 'lianbao_outbox_backlog{service="probe_sender"}' in text


def test_undecodable_body_goes_to_the_dead_letter_queue_and_the_service_keeps_serving(probes):
    from kombu import Connection, Exchange

    from shared.dlq import list_dead_letters

    queue = "evt-probe_sender-noted--probe_receiver.on_noted"
    with Connection(probes.config["AMQP_URI"]) as conn:
        conn.Producer().publish(b"\x00not json{", exchange=Exchange("", type="direct"), routing_key=queue,
                                content_type="application/json", content_encoding="utf-8")
    letters = wait_for(lambda: list_dead_letters(probes.config))
    assert len(letters) == 1
    assert letters[0]["queue"] == queue
    assert "undecodable" in letters[0]["error"]
    with probes.rpc() as rpc:
        rpc.probe_sender.write({"text": "still serving"})
        assert wait_for(lambda: rpc.probe_receiver.tally() == 1)


def test_dead_letters_replayed_reach_their_handler_once_fixed(probes, monkeypatch):
    from shared.dlq import list_dead_letters, replay_dead_letters

    probes.dispatch("probe_sender", "noted", {"event_id": "p9", "text": "poison-then-fixed"})
    assert wait_for(lambda: list_dead_letters(probes.config))
    # the operator fixes the cause: this text is no longer poison
    monkeypatch.setattr("tests.service.foundation.probe_services.POISON_PREFIX", "never")
    assert replay_dead_letters(probes.config) == 1
    with probes.rpc() as rpc:
        assert wait_for(lambda: rpc.probe_receiver.tally() == 1)
    assert list_dead_letters(probes.config) == []


def test_a_reply_that_cannot_be_sent_does_not_kill_the_service(probes, monkeypatch):
    """The broker goes away while a service replies: nameko would kill the container. The work is
    committed; the caller's retry with the same idempotency key gets the first answer."""
    from nameko.exceptions import RpcTimeout

    from shared.entrypoints import SuiteRpcConsumer

    original = SuiteRpcConsumer.handle_result       # where the suite's services reply
    failures = []

    def flaky(self, message, result, exc_info):
        if not failures:
            failures.append(result)
            raise ConnectionResetError("broker went away")
        return original(self, message, result, exc_info)

    monkeypatch.setattr(SuiteRpcConsumer, "handle_result", flaky)
    with probes.rpc(timeout=2, context_data={"idempotency_key": "lost-reply"}) as rpc:
        with pytest.raises(RpcTimeout):
            rpc.probe_sender.write({"text": "kept"})
    with probes.rpc(context_data={"idempotency_key": "lost-reply"}) as rpc:
        assert rpc.probe_sender.write({"text": "kept"}) == failures[0] == {"text": "kept", "count": 1}
    with probes.rpc() as rpc:
        assert rpc.probe_sender.count() == 1
        assert rpc.probe_sender.health()["status"] == "ok"
