"""A small synchronous RPC client of the suite, for programs that are not nameko services.

It speaks nameko's own RPC protocol over plain `pika` (no eventlet, no monkey-patching), so an
office system, a case-management system or a provincial platform can call the suite from any
Python program::

    from lianbao.client import Client
    from shared.errors import NotFound

    from shared.identity import Actor

    with Client("amqp://guest:guest@127.0.0.1:5672/", actor="office-system", timeout=10,
                identity=Actor("office-system", "system", {"cnty"}), keyring="keyring.yml") as lb:
        lb.call("survey", "submit_batch", {"campaign_id": "c1", "batch_id": "b-7", "forms": [...]},
                idempotency_key="office-b-7")
        lb.survey.get_campaign({"campaign_id": "c1"}, idempotent=True)   # a read: retried, no key
        try:
            lb.training.results_of({"person": "p-9"}, idempotent=True)
        except NotFound as err:
            print(err.field, err.message)

The protocol (what a nameko ``ClusterRpcProxy`` does):

* a request is published to the topic exchange ``nameko-rpc`` with routing key
  ``<service>.<method>``; body ``{"args": [...], "kwargs": {...}}`` as JSON; ``reply_to`` names an
  exclusive reply queue bound to the same exchange, ``correlation_id`` pairs reply and request;
* context data travels as headers ``nameko.<key>``: the caller's actor (``nameko.actor``) and the
  idempotency key (``nameko.idempotency_key``), which the suite's RPC entry points honour (a retry
  with the same key gets the first answer, the effect happens once);
* who acts is a signed assertion (``nameko.lianbao.auth``: an Ed25519 JWT, ``docs/trust.md``),
  made from ``identity`` with a key of ``keyring`` (a keyring file, or a
  :class:`shared.assertions.Keyring`) that may sign for it; a call without one is refused
  (``Unauthenticated``) before anything runs;
* the reply body is ``{"result": ..., "error": null | {"exc_type", "exc_path", "exc_args",
  "value"}}``; the suite's named errors (:mod:`shared.errors`) are raised as the same classes.

Guarantees of :meth:`Client.call`:

* **timeout** — every call ends within ``timeout`` seconds (retries included) or raises
  :class:`RpcTimeout`;
* **idempotency key** — generated per call (``uuid4``) unless given, the same on every retry; pass
  ``idempotency_key=None`` to send none;
* **retries** — a lost connection is retried (new connection, same request, same key) only when
  the call is safe to repeat: it carries an idempotency key, or it is declared ``idempotent=True``
  (a read; reads get no generated key, so the suite does not store their answers).  Any call whose
  request never left this process is retried as well.  Otherwise :class:`ConnectionLost` says the
  outcome is unknown;
* unknown service → :class:`UnknownService` (the request is returned unroutable, nothing ran).

A :class:`Client` holds one connection; calls from several threads are serialised by a lock.
"""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from typing import Any

from shared.config import broker_urls
from shared.errors import rebuild

__all__ = ["Client", "ClientError", "RpcTimeout", "ConnectionLost", "UnknownService", "RemoteError",
           "AUTO", "encode_request", "decode_reply", "DEFAULT_URL"]

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672/"
EXCHANGE = "nameko-rpc"
HEADER_PREFIX = "nameko"
CONTENT_TYPE = "application/json"


class _Auto:
    def __repr__(self):
        return "AUTO"


#: default of ``idempotency_key``: a fresh key for a command, none for a declared read
AUTO = _Auto()


class ClientError(Exception):
    """Base of the errors raised by the client itself (not by a service)."""


class RpcTimeout(ClientError, TimeoutError):
    """No reply within the call's timeout.  The call may still run (or have run) on the service."""


class ConnectionLost(ClientError, ConnectionError):
    """The broker connection failed and the call could not be retried safely (or retries ran out).

    ``maybe_delivered`` is true when the request may have reached the service."""

    def __init__(self, message: str, maybe_delivered: bool = True):
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class UnknownService(ClientError):
    """No service consumes ``<service>.<method>`` (the broker returned the request unrouted)."""


class RemoteError(ClientError):
    """An error of the service that is not one of the suite's named errors.

    ``exc_type``, ``exc_path``, ``value`` and ``exc_args`` are those of the reply."""

    def __init__(self, exc_type: str, value: str, exc_path: str | None = None, exc_args=None):
        super().__init__(f"{exc_type} {value}")
        self.exc_type = exc_type
        self.value = value
        self.exc_path = exc_path
        self.exc_args = exc_args


# ------------------------------------------------------------------------------------------------
# the wire format (pure functions: tested without a broker)


def encode_request(args=(), kwargs=None, *, actor: str | None = None, idempotency_key: str | None = None,
                   call_id: str | None = None, context: dict | None = None) -> tuple[bytes, dict]:
    """Body bytes and headers of a request (``{"args", "kwargs"}`` JSON; ``nameko.<key>`` headers)."""
    body = json.dumps({"args": list(args), "kwargs": dict(kwargs or {})}, ensure_ascii=False,
                      allow_nan=False).encode("utf-8")
    data = dict(context or {})
    if actor is not None:
        data["actor"] = actor
    if idempotency_key is not None:
        data["idempotency_key"] = idempotency_key
    if call_id is not None:
        data["call_id_stack"] = [call_id]
    headers = {f"{HEADER_PREFIX}.{key}": value for key, value in data.items() if value is not None}
    return body, headers


def decode_reply(body: bytes | str) -> Any:
    """The result of a reply body, or raise its error (a named error as its own class)."""
    reply = json.loads(body)
    error = reply.get("error")
    if error:
        exc_type = error.get("exc_type") or "Exception"
        named = rebuild(exc_type, _unstringify(error.get("exc_args")))
        if named is not None:
            raise named
        raise RemoteError(exc_type, error.get("value") or "", error.get("exc_path"), error.get("exc_args"))
    return reply.get("result")


def _unstringify(exc_args):
    """nameko sends ``exc_args`` through ``safe_for_serialization``, which turns a ``None`` field or
    details into the string ``"None"``; give them back as ``None``."""
    if not isinstance(exc_args, list):
        return exc_args
    return [exc_args[0], *[None if arg == "None" else arg for arg in exc_args[1:]]]


def choose_key(idempotency_key, idempotent: bool) -> str | None:
    """The key sent with a call: AUTO gives a fresh one to a command and none to a declared read."""
    if idempotency_key is AUTO:
        return None if idempotent else uuid.uuid4().hex
    if idempotency_key is not None and (not isinstance(idempotency_key, str) or not idempotency_key):
        raise ValueError("idempotency_key must be a non-empty string, AUTO or None")
    return idempotency_key


# ------------------------------------------------------------------------------------------------
# the client


class _Retry(Exception):
    def __init__(self, cause, delivered: bool):
        super().__init__(str(cause))
        self.cause = cause
        self.delivered = delivered


class Client:
    """A synchronous RPC client of the suite (see the module's documentation).

    ``url``: the broker (default ``$BROKER_URL`` or ``amqp://guest:guest@127.0.0.1:5672/``);
    ``actor``: the calling system's actor id, sent with every call; ``timeout``: default seconds
    per call; ``retries``: reconnections per call after a lost connection; ``retry_delay``: first
    pause between them (doubled each time, within the call's timeout); ``identity`` (a
    :class:`shared.identity.Actor`) and ``keyring`` (a keyring file's path, or a
    :class:`shared.assertions.Keyring`): who the calls are signed as; ``token_seconds``: the life
    of a token (a token is reused while more than half of it is left).
    """

    def __init__(self, url: str | None = None, *, actor: str | None = None, timeout: float = 30.0,
                 retries: int = 3, retry_delay: float = 0.2, exchange: str = EXCHANGE,
                 connect_timeout: float = 5.0, identity=None, keyring=None, token_seconds: int = 300):
        # one node, or a cluster's nodes separated by ";" (tried in turn: failover)
        self.url = ";".join("amqp://" + u[len("pyamqp://"):] if u.startswith("pyamqp://") else u
                            for u in broker_urls(url or os.environ.get("BROKER_URL") or DEFAULT_URL))
        self._node = 0
        self.actor = actor
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.retry_delay = float(retry_delay)
        self.exchange = exchange
        self.connect_timeout = float(connect_timeout)
        self._lock = threading.RLock()
        self._connection = None
        self._channel = None
        self._reply_queue = None
        self._replies: dict[str, bytes] = {}
        self.reconnects = 0  # connections opened after the first (observability, tests)
        self._opened = 0
        self.identity = identity
        self._keyring = keyring
        self.token_seconds = int(token_seconds)
        self._token: tuple[str, float] | None = None

    def _assertion(self) -> str | None:
        """A token for ``identity`` (reused while more than half its life is left), or None."""
        if self.identity is None:
            return None
        now = time.time()
        if self._token is not None and self._token[1] - now > self.token_seconds / 2:
            return self._token[0]
        from pathlib import Path

        from shared import assertions

        ring = self._keyring
        if ring is None:
            raise ValueError("keyring: required to sign as identity")
        if isinstance(ring, (str, Path)):
            ring = assertions.KeyringFile(Path(ring), create=False).get()
        elif isinstance(ring, assertions.KeyringFile):
            ring = ring.get()
        token = assertions.sign(self.identity, ring, self.token_seconds, now=now)
        self._token = (token, now + self.token_seconds)
        return token

    # -- connection ---------------------------------------------------------------------------
    def _connect(self, deadline: float) -> None:
        import pika

        # a cluster: every node in turn; a reconnection starts with the next node (the one we used
        # may be the one that went)
        urls = broker_urls(self.url) or [self.url]
        if self._opened:
            self._node += 1
        start = self._node % len(urls)
        candidates = []
        left = max(0.1, deadline - time.monotonic())
        for url in urls[start:] + urls[:start]:
            params = pika.URLParameters(url)
            params.socket_timeout = min(self.connect_timeout, left)
            params.blocked_connection_timeout = max(1.0, left)
            params.connection_attempts = 1
            candidates.append(params)
        connection = pika.BlockingConnection(candidates if len(candidates) > 1 else candidates[0])
        try:
            channel = connection.channel()
            channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
            queue = f"rpc.reply-lianbao-client-{uuid.uuid4().hex}"
            channel.queue_declare(queue, exclusive=True, auto_delete=True)
            channel.queue_bind(queue, self.exchange, routing_key=queue)
            channel.basic_consume(queue, self._on_reply, auto_ack=True)
            channel.confirm_delivery()
        except Exception:
            _close_quietly(connection)
            raise
        self._connection, self._channel, self._reply_queue = connection, channel, queue
        self._opened += 1
        if self._opened > 1:
            self.reconnects += 1

    def _on_reply(self, _channel, _method, properties, body) -> None:
        if properties.correlation_id:
            self._replies[properties.correlation_id] = body

    def _drop_connection(self) -> None:
        connection, self._connection, self._channel, self._reply_queue = self._connection, None, None, None
        self._replies.clear()
        if connection is not None:
            _close_quietly(connection)

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- calls --------------------------------------------------------------------------------
    def call(self, service: str, method: str, *args, kwargs: dict | None = None,
             timeout: float | None = None, idempotency_key=AUTO, idempotent: bool = False,
             actor: str | None = None, context: dict | None = None):
        """Call ``service.method(*args, **kwargs)`` and return its result (see the module doc)."""
        key = choose_key(idempotency_key, idempotent)
        retry_safe = idempotent or key is not None
        timeout = self.timeout if timeout is None else float(timeout)
        deadline = time.monotonic() + timeout
        token = self._assertion()
        if token is not None:
            context = {**(context or {}), "lianbao.auth": token}
        body, headers = encode_request(args, kwargs, actor=actor if actor is not None else self.actor,
                                       idempotency_key=key, call_id=f"client.{uuid.uuid4().hex}",
                                       context=context)
        routing_key = f"{service}.{method}"
        delay = self.retry_delay
        attempt = 0
        with self._lock:
            while True:
                try:
                    return self._attempt(routing_key, body, headers, deadline, timeout)
                except _Retry as failure:
                    self._drop_connection()
                    can_retry = retry_safe or not failure.delivered
                    if not can_retry:
                        raise ConnectionLost(f"{routing_key}: connection lost after the request was sent; "
                                             f"outcome unknown (no idempotency key): {failure.cause}",
                                             maybe_delivered=True) from failure.cause
                    if attempt >= self.retries:
                        raise ConnectionLost(f"{routing_key}: connection lost, {attempt} retries spent: "
                                             f"{failure.cause}", maybe_delivered=failure.delivered
                                             ) from failure.cause
                    if time.monotonic() + delay >= deadline:
                        raise RpcTimeout(f"{routing_key}: no reply within {timeout:g} s "
                                         f"(connection lost: {failure.cause})") from failure.cause
                    attempt += 1
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)

    def _attempt(self, routing_key, body, headers, deadline, timeout):
        import pika
        from pika import exceptions as pika_exceptions

        lost = (pika_exceptions.AMQPConnectionError, pika_exceptions.AMQPChannelError,
                pika_exceptions.StreamLostError, pika_exceptions.ConnectionClosed,
                pika_exceptions.ChannelClosed, ConnectionError, OSError, EOFError)
        # 1. a live connection (a dead idle one is found here, before anything is sent)
        try:
            if self._connection is None or not self._connection.is_open:
                self._drop_connection()
                self._connect(deadline)
            else:
                self._connection.process_data_events(time_limit=0)
        except lost as exc:
            raise _Retry(exc, delivered=False) from exc
        # 2. publish with a confirm; an unroutable request ran nowhere
        correlation_id = uuid.uuid4().hex
        props = pika.BasicProperties(content_type=CONTENT_TYPE, content_encoding="utf-8", headers=headers,
                                     reply_to=self._reply_queue, correlation_id=correlation_id,
                                     delivery_mode=2)
        try:
            self._channel.basic_publish(self.exchange, routing_key, body, props, mandatory=True)
        except pika_exceptions.UnroutableError:
            raise UnknownService(routing_key.split(".", 1)[0]) from None
        except pika_exceptions.NackError as exc:
            raise _Retry(exc, delivered=False) from exc
        except lost as exc:
            raise _Retry(exc, delivered=True) from exc
        # 3. wait for the reply
        try:
            while correlation_id not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RpcTimeout(f"{routing_key}: no reply within {timeout:g} s")
                self._connection.process_data_events(time_limit=min(left, 1.0))
        except lost as exc:
            raise _Retry(exc, delivered=True) from exc
        return decode_reply(self._replies.pop(correlation_id))

    # -- sugar: client.survey.get_campaign({...}) ----------------------------------------------
    def __getattr__(self, service: str) -> "_ServiceProxy":
        if service.startswith("_"):
            raise AttributeError(service)
        return _ServiceProxy(self, service)


class _ServiceProxy:
    def __init__(self, client: Client, service: str):
        self._client = client
        self._service = service

    def __getattr__(self, method: str):
        if method.startswith("_"):
            raise AttributeError(method)
        client, service = self._client, self._service

        def call(*args, timeout=None, idempotency_key=AUTO, idempotent=False, actor=None, **kwargs):
            return client.call(service, method, *args, kwargs=kwargs, timeout=timeout,
                               idempotency_key=idempotency_key, idempotent=idempotent, actor=actor)

        call.__name__ = method
        return call


def _close_quietly(connection) -> None:
    try:
        if connection.is_open:
            connection.close()
    except Exception:
        pass

