"""The suite's RPC entry point around nameko's: where a call is admitted, the signature check, the
reply (shared.entrypoints, issue 24 item 2).  No broker: the consumer's producer is a fake."""
import inspect
import json
from contextlib import contextmanager

import pytest
from nameko.constants import PERSISTENT
from nameko.exceptions import IncorrectSignature, UnserializableValueError, serialize
from nameko.messaging import QueueConsumer
from nameko.rpc import Responder, get_rpc_exchange

from shared import entrypoints, wire
from shared.entrypoints import SuiteQueueConsumer, SuiteRpc, SuiteRpcConsumer


class Container:
    def __init__(self, service_cls=None):
        self.service_cls = service_cls
        self.spawned = []

    def spawn_managed_thread(self, fn, identifier=None):
        self.spawned.append(fn)


class Message:
    def __init__(self):
        self.delivery_info = {"routing_key": "probe.read"}
        self.properties = {"content_type": "application/json", "reply_to": "reply-rk", "correlation_id": "c-1"}
        self.content_type = "application/json"


def test_the_queue_consumer_gives_each_delivery_a_green_thread_of_its_own():
    """What SuiteRpc.handle_message relies on to admit a call without holding up the consumer."""
    consumer = SuiteQueueConsumer()
    consumer.container = Container()
    handled = []

    class Provider:
        def handle_message(self, body, message):
            handled.append(body)

    QueueConsumer.handle_message(consumer, Provider(), {"args": []}, Message())
    assert handled == [] and len(consumer.container.spawned) == 1     # not in the consumer's thread
    consumer.container.spawned[0]()
    assert handled == [{"args": []}]


class Service:
    def read(self, payload, page=None):
        return payload


@pytest.mark.parametrize("args, kwargs", [(["p"], {}), ([], {"payload": "p"}), (["p", 2], {}),
                                          (["p"], {"page": 1})])
def test_a_call_that_fits_the_method_is_accepted(args, kwargs):
    entry = SuiteRpc()
    entry.container, entry.method_name = Container(Service), "read"
    entry.check_signature(args, kwargs)
    entry.check_signature(args, kwargs)      # the signature read once, used again


@pytest.mark.parametrize("args, kwargs", [([], {}), (["p", 1, 2], {}), (["p"], {"nope": 1}),
                                          (["p"], {"payload": "q"})])
def test_a_call_that_does_not_fit_is_refused_in_nameko_s_words(args, kwargs):
    entry = SuiteRpc()
    entry.container, entry.method_name = Container(Service), "read"
    entry.check_signature(["p"], {})
    with pytest.raises(TypeError) as theirs:
        inspect.getcallargs(Service.read, None, *args, **kwargs)
    with pytest.raises(IncorrectSignature) as mine:
        entry.check_signature(args, kwargs)
    assert str(mine.value) == str(theirs.value)


@pytest.mark.parametrize("args, kwargs", [([], {}), (["p", 1, 2], {}), (["p"], {"nope": 1}),
                                          (["p"], {"payload": "q"}), ([], {"page": 1}), (["p", 1], {"page": 2})])
def test_a_call_that_does_not_fit_is_refused_after_every_shape_that_fits(args, kwargs):
    """The shapes that bound are remembered (how many positional arguments, which named ones), and
    nothing else: a call of another shape is still bound, and refused, however often it comes."""
    entry = SuiteRpc()
    entry.container, entry.method_name = Container(Service), "read"
    for fits in ((["p"], {}), ([], {"payload": "p"}), (["p", 2], {}), (["p"], {"page": 1}),
                 ([], {"payload": "p", "page": 1})):
        entry.check_signature(*fits)
        entry.check_signature(*fits)
    for _ in range(2):
        with pytest.raises(IncorrectSignature):
            entry.check_signature(args, kwargs)


def test_the_context_data_holds_the_verified_actor_only_and_is_each_caller_s_own():
    """The headers are stripped once a message; every caller gets its own dict, a verified actor
    sent over the wire is dropped, the one the entry point verified is there once it is set."""
    from nameko.messaging import HeaderDecoder

    from shared.identity import VERIFIED_KEY, Actor

    message = Message()
    message.headers = {"nameko.call_id_stack": ["proxy.call.1"], "nameko.lianbao.auth": "token",
                       "nameko.idempotency_key": "k-1", f"nameko.{VERIFIED_KEY}": "forged", "other": 1}
    entry = SuiteRpc()
    first = entry.unpack_message_headers(message)
    theirs = HeaderDecoder().unpack_message_headers(message)
    del theirs[VERIFIED_KEY]
    assert first == theirs
    first["lianbao.auth"] = "changed"
    first[VERIFIED_KEY] = "planted"
    assert entry.unpack_message_headers(message) == theirs
    message._lianbao_actor = actor = Actor("p1", "person")
    data = entry.unpack_message_headers(message)
    assert data == dict(theirs, **{VERIFIED_KEY: actor}) and data[VERIFIED_KEY] is actor
    assert VERIFIED_KEY not in entry.unpack_message_headers(_with_headers({VERIFIED_KEY: "x"}))


def _with_headers(headers):
    message = Message()
    message.headers = headers
    return message


class Replies:
    """kombu's producer pool, faked: what each reply published."""

    def __init__(self, fail=False):
        self.published, self.fail = [], fail

    def __getitem__(self, connection):
        return self

    @contextmanager
    def acquire(self, block):
        yield self

    def publish(self, body, **kwargs):
        if self.fail:
            raise ConnectionResetError("broker went away")
        self.published.append((body, kwargs))


class Acks:
    def __init__(self, replies):
        self.replies, self.acked = replies, []

    def ack_message(self, message):
        self.acked.append((message, len(self.replies.published)))


def consumer(monkeypatch, replies):
    wire.install()
    monkeypatch.setattr(entrypoints, "producers", replies)
    reply = SuiteRpcConsumer()
    reply._replies, reply._exchange = object(), get_rpc_exchange({})
    reply.queue_consumer = Acks(replies)
    return reply


def nameko_reply(result, exc_info):
    """The body nameko's own Responder would publish for this answer."""
    sent = []

    class Publisher:
        def __init__(self, *args, **kwargs):
            pass

        def publish(self, payload, **kwargs):
            sent.append(payload)

    responder = Responder("memory://", get_rpc_exchange({}), "json", Message())
    responder.publisher_cls = Publisher
    return responder.send_response(result, exc_info), sent[0]


@pytest.mark.parametrize("result, exc_info", [
    ({"subject": "bo", "months": [{"score": 97.5, "items": {"a": 7.0}, "late": False, "notice_end": None}]}, None),
    (None, (ValueError, ValueError("bad month"), None)),
    ({"when": __import__("datetime").date(2026, 1, 2)}, None),
])
def test_a_reply_is_nameko_s_serialised_once_then_the_request_acked(monkeypatch, result, exc_info):
    replies = Replies()
    reply = consumer(monkeypatch, replies)
    message = Message()
    assert reply.handle_result(message, result, exc_info) == (result, exc_info)
    (body, kwargs), = replies.published
    assert reply.queue_consumer.acked == [(message, 1)]                # acked after the reply went
    assert kwargs["routing_key"] == "reply-rk" and kwargs["correlation_id"] == "c-1"
    assert kwargs["exchange"].name == "nameko-rpc" and kwargs["delivery_mode"] == PERSISTENT
    assert kwargs["content_type"] == "application/json" and kwargs["content_encoding"] == "utf-8"
    assert kwargs["retry"] is True and kwargs["mandatory"] is False
    (_result, _exc), theirs = nameko_reply(result, exc_info)
    from kombu.utils import json as kombu_json

    assert kombu_json.loads(body) == theirs == {"result": result, "error": serialize(exc_info[1]) if exc_info else None}
    assert json.loads(body) == json.loads(kombu_json.dumps(theirs))


def test_a_result_that_cannot_be_serialised_is_answered_as_nameko_does(monkeypatch):
    replies = Replies()
    reply = consumer(monkeypatch, replies)
    result, exc_info = reply.handle_result(Message(), {"x": object()}, None)
    (body, _kwargs), = replies.published
    sent = json.loads(body)
    assert sent["result"] is None and sent["error"]["exc_type"] == UnserializableValueError.__name__
    (theirs_result, theirs_exc), theirs = nameko_reply({"x": object()}, None)
    assert result is theirs_result is None and exc_info[0] is theirs_exc[0]      # the encoder's error
    assert theirs["error"]["exc_type"] == sent["error"]["exc_type"]


def test_a_reply_the_broker_refuses_is_not_acked(monkeypatch):
    replies = Replies(fail=True)
    reply = consumer(monkeypatch, replies)
    with pytest.raises(ConnectionResetError):
        reply.handle_result(Message(), {"ok": 1}, None)
    assert reply.queue_consumer.acked == []     # redelivered once the service reconnects


def test_the_entry_point_of_a_routing_key_is_kept_until_it_is_unregistered():
    from nameko.exceptions import MethodNotFound

    class Entry:
        def __init__(self, name):
            self.method_name = name

    class Named:
        service_name = "probe"

    reply = SuiteRpcConsumer()
    reply.container = Named()
    read, write = Entry("read"), Entry("write")
    reply._providers = {read, write}
    assert reply.get_provider_for_method("probe.read") is read
    assert reply.get_provider_for_method("probe.read") is read
    assert reply.get_provider_for_method("probe.write") is write
    with pytest.raises(MethodNotFound):
        reply.get_provider_for_method("probe.nope")
    with pytest.raises(MethodNotFound):
        reply.get_provider_for_method("other.read")
    reply._providers.discard(read)
    with pytest.raises(MethodNotFound):
        reply.get_provider_for_method("probe.read")
    again = Entry("read")
    reply._providers.add(again)
    assert reply.get_provider_for_method("probe.read") is again
