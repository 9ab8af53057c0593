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


def test_metrics_count_calls_errors_and_latency(probes):
    from shared.metrics import metrics_of

    with probes.rpc() as rpc:
        rpc.probe_sender.count()
        with pytest.raises(ValidationFailed):
            rpc.probe_sender.write({})
    text = metrics_of(probes.container("probe_sender")).render().decode()
    assert 'lianbao_entrypoint_calls_total{method="count",service="probe_sender"} 1.0' in text
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
    from nameko import rpc as nameko_rpc
    from nameko.exceptions import RpcTimeout

    original = nameko_rpc.Responder.send_response
    failures = []

    def flaky(self, result, exc_info):
        if not failures:
            failures.append(result)
            raise ConnectionResetError("broker went away")
        return original(self, result, exc_info)

    monkeypatch.setattr(nameko_rpc.Responder, "send_response", flaky)
    with probes.rpc(timeout=2, context_data={"idempotency_key": "lost-reply"}) as rpc:
        with pytest.raises(RpcTimeout):
            rpc.probe_sender.write({"text": "kept"})
    with probes.rpc(context_data={"idempotency_key": "lost-reply"}) as rpc:
        assert rpc.probe_sender.write({"text": "kept"}) == failures[0] == {"text": "kept", "count": 1}
    with probes.rpc() as rpc:
        assert rpc.probe_sender.count() == 1
        assert rpc.probe_sender.health()["status"] == "ok"
