"""The suite's entry points: nameko's, with the guarantees the design asks for.

* :func:`rpc` — the worker's unit of work is committed **before** the reply is sent (nameko's own
  order is reply first, ``worker_result`` after); a failed commit is what the caller receives.
  A call that carries an ``idempotency_key`` in its context data (``nameko.idempotency_key``
  header; the suite's clients send it) runs once: a retry gets the first answer.  The answer is
  stored under the verified caller and ``service.method:key``, with the sha256 of the request (args
  and kwargs): the same key with another request is a ``Conflict`` naming ``idempotency_key``, and
  nothing runs (:mod:`shared.idempotency`).
  :class:`shared.errors.LianbaoError` is an expected exception (logged as a warning).
* :func:`event_handler` — committed before the ack; a handler that raises is retried
  ``EVENT_MAX_ATTEMPTS`` times (re-published with an attempt count), then moved to the dead-letter
  queue ``lianbao.dlq`` with the error and its original queue, where ``lianbao dlq list|replay`` finds it.  It never loops
  forever and never vanishes.  Before any handler runs, the entry point loads the event with its
  schema (:mod:`shared.contracts.events`: a bad event takes the same retry and dead-letter path as a
  failed handler, its error naming the field) and the handler receives the loaded payload; the
  inbox (``already_handled``) is checked in the worker's unit of work, so the record that the event
  was handled commits with the handler's effect, and a delivery seen before runs nothing.
  Retries go through the service's own direct exchange ``lianbao.retry.<service>`` (bound to each
  of its event queues by the queue's name) and dead letters through ``lianbao.dlx``: never through
  the default exchange, so a service's broker user needs no right to publish into any queue
  (``infra/rabbitmq/definitions.json``).  The event's first routing key travels with its retries
  (header ``x-lianbao-origin-routing-key``) so the dead letter names the event type.
* :func:`timer` — nameko's; the unit of work commits in ``worker_result``.

Queue type (``QUEUE_TYPE`` in the config, env ``QUEUE_TYPE``): ``classic`` (the default) or
``quorum``.  With ``quorum`` every queue the suite declares for itself — each service's RPC queue
``rpc-<service>``, every event handler's queue (retries come back to the same queue through the
retry exchange: there is no separate retry queue) and the dead-letter queue ``lianbao.dlq`` — is a
RabbitMQ quorum queue (``x-queue-type: quorum``: replicated on the cluster's nodes, Raft, durable,
never auto-deleted or exclusive).  RPC reply queues stay classic, exclusive/transient: a reply
lost with its node is a call the caller retries with its idempotency key.  A queue that already
exists as a classic queue cannot change type in place (RabbitMQ refuses the declaration with
``PRECONDITION_FAILED``): move a running installation by draining and deleting the queues first.
Every publisher of the suite (nameko's ``Publisher``: the outbox relay, RPC replies, retries, dead
letters; the standalone proxies) waits for the broker's publisher confirm.
"""
from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
import traceback

import eventlet
import kombu.serialization
from kombu import Connection, Exchange, Queue, binding
from kombu.pools import producers
from nameko.amqp.publish import Publisher
from nameko.constants import (AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_RETRY_POLICY,
                              DEFAULT_TRANSPORT_OPTIONS, LOGIN_METHOD_CONFIG_KEY, PERSISTENT)
from nameko.events import EventHandler
from nameko.messaging import QueueConsumer
from nameko.exceptions import IncorrectSignature, MalformedRequest, UnserializableValueError, serialize
from nameko.rpc import Rpc, RpcConsumer, get_rpc_exchange
from nameko.timer import timer  # noqa: F401  (re-exported)

from shared import db as _db
from shared.amqp import transient_reply_queues
from shared import access, assertions, idempotency, wire
from shared.contracts import events as events_contract
from shared.errors import (Conflict, Forbidden, LianbaoError, NotFound, Unauthenticated,
                           ValidationFailed)
from shared.identity import VERIFIED_KEY, Actor, caller_id
from shared.schemas import find_bad_text

transient_reply_queues()
wire.install()          # every service decodes the bus's JSON with orjson where the values are the same
log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "idempotency_key"
ACTOR_HEADER = "actor"
ATTEMPTS_HEADER = "x-lianbao-attempts"
DLQ_QUEUE = "lianbao.dlq"
DLX_EXCHANGE = "lianbao.dlx"
ORIGIN_HEADER = "x-lianbao-origin-routing-key"


QUEUE_TYPES = ("classic", "quorum")


def queue_type(config) -> str:
    """The configured queue type (``classic`` or ``quorum``); anything else is refused by name."""
    value = str((config or {}).get("QUEUE_TYPE") or "classic").strip().lower()
    if value not in QUEUE_TYPES:
        raise ValueError(f"QUEUE_TYPE: {value!r} is not one of {', '.join(QUEUE_TYPES)}")
    return value


def queue_arguments(config) -> dict:
    """The arguments every durable queue of the suite is declared with."""
    return {"x-queue-type": "quorum"} if queue_type(config) == "quorum" else {}


def suite_queue(config, name, **kwargs) -> Queue:
    """A durable, shared queue of the suite (quorum when configured so)."""
    arguments = dict(kwargs.pop("queue_arguments", None) or {})
    arguments.update(queue_arguments(config))
    if arguments.get("x-queue-type") == "quorum":  # RabbitMQ refuses anything else for quorum
        kwargs.update(durable=True, auto_delete=False, exclusive=False)
    return Queue(name, queue_arguments=arguments or None, **kwargs)


def retry_exchange(service_name: str) -> Exchange:
    """The service's own exchange for re-delivering a failed event to the queue it came from."""
    return Exchange(f"lianbao.retry.{service_name}", type="direct", durable=True)


def _database_of(container):
    for dep in container.dependencies:
        if isinstance(dep, _db.Database):
            return dep
    return None


class SuiteQueueConsumer(QueueConsumer):
    """nameko's queue consumer, plus: a message whose body cannot be decoded is moved to the
    dead-letter queue and acked, instead of crashing the consumer (and with it the service)."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = functools.partial(self._undecodable, provider)
        return consumers

    def _undecodable(self, provider, message, exc):
        queue = getattr(provider, "queue", None)
        name = queue.name if queue is not None else type(provider).__name__
        try:
            dead_letter_raw(self.container.config, name, message, f"undecodable body: {exc}")
        finally:
            message.ack()


class SuiteRpcConsumer(RpcConsumer):
    queue_consumer = SuiteQueueConsumer()

    def setup(self):
        super().setup()
        queue = self.queue  # nameko's rpc-<service>, declared again with the suite's queue type
        self.queue = suite_queue(self.container.config, queue.name, exchange=queue.exchange,
                                 routing_key=queue.routing_key, durable=True)
        config = self.container.config
        self._exchange = get_rpc_exchange(config)
        # the pool's key for the replies' connections, made once (nameko's Responder makes a
        # Publisher and two kombu Connections, parsing the URL, for every reply): the same broker,
        # transport options and publisher confirms as nameko's
        self._replies = Connection(config[AMQP_URI_CONFIG_KEY],
                                   transport_options=dict(DEFAULT_TRANSPORT_OPTIONS, confirm_publish=True),
                                   ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                   login_method=config.get(LOGIN_METHOD_CONFIG_KEY))

    def get_provider_for_method(self, routing_key):
        """nameko's lookup (the entry point of ``<service>.<method>``, else ``MethodNotFound``), kept
        by routing key: nameko formats the key of every method of the service for every call (68 of
        them for scoring).  One that has since been unregistered is looked up afresh."""
        kept = self.__dict__.setdefault("_by_key", {})
        found = kept.get(routing_key)
        if found is not None and found in self._providers:
            return found
        found = kept[routing_key] = super().get_provider_for_method(routing_key)
        return found

    def handle_result(self, message, result, exc_info):
        """Reply, then ack the request (nameko's order and message: ``{"result", "error"}`` in the
        request's content type, to its ``reply_to`` with its ``correlation_id``, persistent, confirmed
        by the broker, retried on a lost connection).  The reply is serialised once: nameko
        serialises the result alone first (to check that it can be) and then the whole reply again.
        A result that cannot be serialised is answered, as by nameko, with an
        ``UnserializableValueError``."""
        error = serialize(exc_info[1]) if exc_info is not None else None
        # the memory transport (embedded) keeps the content type on the message, not in properties
        content_type = message.properties.get("content_type") or message.content_type
        serializer = kombu.serialization.registry.type_to_name[content_type]
        try:
            content_type, encoding, body = kombu.serialization.dumps({"result": result, "error": error},
                                                                     serializer)
        except Exception:
            exc_info = sys.exc_info()
            result, error = None, serialize(UnserializableValueError(result))
            content_type, encoding, body = kombu.serialization.dumps({"result": None, "error": error},
                                                                     serializer)
        pool = self.__dict__.get("_reply_pool")
        if pool is None:    # the pool of the replies' connection key, found once (5 µs a reply)
            pool = self._reply_pool = producers[self._replies]
        with pool.acquire(block=True) as producer:
            producer.publish(body, content_type=content_type, content_encoding=encoding,
                             exchange=self._exchange, routing_key=message.properties["reply_to"],
                             correlation_id=message.properties.get("correlation_id"), headers={},
                             delivery_mode=PERSISTENT, mandatory=False, priority=0, retry=True,
                             retry_policy=DEFAULT_RETRY_POLICY)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class VerifiedActorHeaders:
    """The verified actor (set on the message by the entry point's ``_verify``) in the worker's context
    data under ``VERIFIED_KEY``, where ``shared.identity.current`` finds it; a value of that name sent
    over the wire is dropped, so nothing a caller writes can pass for a verified actor."""

    def unpack_message_headers(self, message):
        # the message's headers, stripped of nameko's prefix once a message (an RPC's admission
        # asked for them three times: the token, the idempotency key, the worker's context data;
        # issue 24 item 2); each caller gets a dict of its own
        stripped = getattr(message, "_lianbao_headers", None)
        if stripped is None:
            stripped = super().unpack_message_headers(message)
            stripped.pop(VERIFIED_KEY, None)  # never from the wire
            message._lianbao_headers = stripped
        data = dict(stripped)
        actor = getattr(message, "_lianbao_actor", None)
        if actor is not None:
            data[VERIFIED_KEY] = actor
        return data


class SuiteRpc(VerifiedActorHeaders, Rpc):
    rpc_consumer = SuiteRpcConsumer()

    def __init__(self, expected_exceptions=LianbaoError, sensitive_arguments=(), **kwargs):
        super().__init__(expected_exceptions=expected_exceptions,
                         sensitive_arguments=sensitive_arguments, **kwargs)

    def _key(self, context_data) -> tuple[str, str] | None:
        """Where a keyed call's answer is stored: (the verified caller, ``service.method:key``)."""
        data = context_data or {}
        key = data.get(IDEMPOTENCY_HEADER)
        if not key:
            return None
        caller = caller_id(data.get(VERIFIED_KEY))
        return (idempotency.bounded(caller, idempotency.CALLER_LENGTH),
                idempotency.bounded(f"{self.container.service_name}.{self.method_name}:{key}",
                                    idempotency.KEY_LENGTH))

    def _reused(self, key) -> Conflict:
        return Conflict(f"idempotency key {key[1].split(':', 1)[1]!r} was already used by {key[0]} for "
                        f"another request to {self.container.service_name}.{self.method_name}: send a new "
                        "key for a new request", IDEMPOTENCY_HEADER)

    def _reads_only(self) -> bool:
        """Whether this RPC only reads (its policy row): a system acting for its persons reads within
        its units without naming a person; everything it writes names the person it acts for."""
        from shared import policy

        cls = self.container.service_cls
        name = getattr(cls, "policy_name", None) or self.container.service_name
        rule = policy.TABLE.get(f"{name}.{self.method_name}")
        return rule is not None and rule.access == policy.READ

    def _verify(self, body, message) -> Actor:
        """Who acts: the verified actor of the call's signed assertion (context data
        ``lianbao.auth``).  Raises :class:`Unauthenticated` (missing, expired, forged, unknown key,
        wrong audience) or, for a person naming another person as the payload's ``actor``,
        :class:`Forbidden`; for a system acting for its persons, a write's payload must name the person."""
        headers = self.unpack_message_headers(message)
        verifier = self.__dict__.get("_verifier")
        if verifier is None:    # this container's, found once (finding it resolves the keyring's path)
            verifier = self._verifier = assertions.verifier_of(self.container.config)
        actor = verifier.actor(headers.get(assertions.AUTH_KEY))
        if actor.kind in ("person", "persons"):
            args = body.get("args", ()) if isinstance(body, dict) else ()
            payload = args[0] if args and isinstance(args[0], dict) else (
                body.get("kwargs", {}) if isinstance(body, dict) else {})
            named = payload.get("actor") if isinstance(payload, dict) else None
            if actor.kind == "person" and named is not None and named != actor.sub:
                raise Forbidden(f"{actor.sub} may not act as {named}", "actor")
            if actor.kind == "persons" and not access.named_actors(payload) and not self._reads_only():
                raise ValidationFailed(f"{actor.sub} acts for its persons: the payload must name the person"
                                       " (its actor, or its items' actors)",
                                       "actor")
        return actor

    def _enforce(self, actor: Actor, args, kwargs) -> None:
        """The policy table (:func:`shared.access.decide`) for this call.  The row is
        ``<policy name>.<method>``: the service class's ``policy_name`` (the suite's five services set
        it, so a renamed copy in a test keeps its rules), else the running service's name.  Only a
        class that says ``policy_open = True`` (test services outside the suite) is not asked."""
        cls = self.container.service_cls
        if getattr(cls, "policy_open", False) is True:
            return
        name = getattr(cls, "policy_name", None) or self.container.service_name
        payload = args[0] if args and isinstance(args[0], dict) else kwargs
        resolver_cls = getattr(cls, "policy_access", None) or access.Resolver
        database = _database_of(self.container)
        if actor.kind in ("operator", "service", "public") or database is None:
            access.decide(f"{name}.{self.method_name}", actor, payload, resolver_cls(None),
                          auditors=access.auditors_of(self.container.config))
            return
        with database.reading_lazily() as session:     # a connection only if a lookup reads
            access.decide(f"{name}.{self.method_name}", actor, payload, resolver_cls(session),
                          auditors=access.auditors_of(self.container.config))

    def _refuse(self, message, exc) -> None:
        try:
            self.rpc_consumer.handle_result(message, None, (type(exc), exc, None))
        except Exception:
            log.warning("%s.%s: could not send a refusal (broker unreachable)",
                        self.container.service_name, self.method_name, exc_info=True)

    def handle_message(self, body, message):
        """Admit the call (verifying the signature, asking the policy table, a read of the service's
        database, recalling an idempotent answer) in the green thread nameko's queue consumer has
        already given this message (``QueueConsumer.handle_message`` spawns one per delivery, a test
        checks it): it never holds up the consumer, which delivers every RPC of this service.  How
        many are admitted at once is bounded by the consumer's prefetch (the container's
        ``max_workers``): a message is acked only when it is answered."""
        self._admit(body, message)

    def check_signature(self, args, kwargs):
        """nameko's check that the method takes these arguments, with the method's signature read
        once (``inspect.getcallargs`` reads it again on every call); a call that does not fit is
        refused with nameko's own words (``getcallargs``'s message)."""
        signature = self.__dict__.get("_signature")
        if signature is None:
            signature = self._signature = inspect.signature(
                getattr(self.container.service_cls, self.method_name))
            self._fitting = set()
        # whether arguments bind depends only on how many are positional and which are named: a
        # shape that bound once binds again (Signature.bind took 6 µs of every call; issue 24 item 2)
        shape = (len(args), frozenset(kwargs)) if kwargs else len(args)
        if shape in self._fitting:
            return
        try:
            signature.bind(None, *args, **kwargs)
        except TypeError as exc:
            super().check_signature(args, kwargs)   # raises IncorrectSignature, as nameko words it
            raise IncorrectSignature(str(exc)) from None
        if len(self._fitting) < 64:
            self._fitting.add(shape)

    def _admit(self, body, message):
        try:
            self._admit_or_refuse(body, message)
        except (MalformedRequest, IncorrectSignature) as exc:  # the caller's mistake: answered, not logged
            self._refuse(message, exc)
        except Exception as exc:  # never let a managed thread die: nameko would kill the container
            log.exception("%s.%s: could not admit the call", self.container.service_name, self.method_name)
            self._refuse(message, exc)

    def _admit_or_refuse(self, body, message):
        # who acts, first: an unsigned, expired or forged call is refused before anything else
        try:
            message._lianbao_actor = self._verify(body, message)
        except (Unauthenticated, Forbidden, ValidationFailed) as exc:
            log.warning("%s.%s refused: %s", self.container.service_name, self.method_name, exc)
            self._refuse(message, exc)
            return
        except Exception as exc:  # the keyring could not be read: refuse rather than guess
            log.exception("%s.%s: could not verify who acts", self.container.service_name, self.method_name)
            self._refuse(message, Unauthenticated(f"could not verify who acts ({type(exc).__name__})",
                                                  assertions.AUTH_KEY))
            return
        # text no service may store (control characters, lone surrogates) or nesting too deep: refused
        # by name before any worker runs, alike for every RPC of every service
        args = body.get("args", ()) if isinstance(body, dict) else ()
        kwargs = body.get("kwargs", {}) if isinstance(body, dict) else {}
        found = find_bad_text(list(args)) or find_bad_text(kwargs)
        if found is not None:
            field, problem = found
            field = field.split("]", 1)[1].lstrip(".") if field.startswith("[") else field
            self._refuse(message, ValidationFailed(problem, field or "_payload"))
            return
        # may this actor make this call at all, about what it names? (the policy table, deny by default)
        try:
            self._enforce(message._lianbao_actor, args, kwargs)
        except (Forbidden, NotFound) as exc:     # NotFound: a campaign outside one's units, as if missing
            log.warning("%s.%s refused: %s", self.container.service_name, self.method_name, exc)
            self._refuse(message, exc)
            return
        except Exception as exc:  # the read model could not be asked: refuse rather than guess
            log.exception("%s.%s: could not decide by the policy table", self.container.service_name,
                          self.method_name)
            self._refuse(message, Forbidden(f"{self.method_name}: could not decide who may "
                                            f"({type(exc).__name__}); refused", "actor"))
            return
        key = self._key(self.unpack_message_headers(message))
        database = _database_of(self.container)
        if key and database is not None:
            # the request, bound to its key: args and kwargs (never the context data)
            message._lianbao_request_hash = idempotency.request_hash(list(args), kwargs)
            stored = database.recall(*key)
            if stored is not None:
                if stored["request_hash"] != message._lianbao_request_hash:  # the key, reused
                    log.warning("%s.%s refused: idempotency key reused by %s for another request",
                                self.container.service_name, self.method_name, key[0])
                    self._refuse(message, self._reused(key))
                    return
                self._reply_direct(message, stored["response"])  # a retry: the first answer
                return
        super().handle_message(body, message)  # malformed or mis-signed: raises, answered by _admit

    def handle_result(self, message, worker_ctx, result, exc_info):
        key = self._key(worker_ctx.context_data)
        digest = getattr(message, "_lianbao_request_hash", None)
        uow = _db.units.get(worker_ctx)
        if key and uow is not None and exc_info is None and not uow.done:
            uow.remember(*key, result, digest)
        result, exc_info = _db.complete(worker_ctx, result, exc_info)
        if key and exc_info is not None and isinstance(exc_info[1], _db.IntegrityError):
            # a concurrent call with the same key committed first: answer as it did if it was the
            # same request; another request under the same key is refused (nothing of ours committed)
            database = _database_of(self.container)
            stored = database.recall(*key) if database is not None else None
            if stored is not None:
                if stored["request_hash"] == digest:
                    result, exc_info = stored["response"], None
                else:
                    conflict = self._reused(key)
                    result, exc_info = None, (Conflict, conflict, None)
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception:  # the broker went away while we replied
            # nameko would let this kill the whole container.  The work is committed; the request
            # is still unacknowledged, so the broker delivers it again once we reconnect, and a
            # caller that retries with its idempotency key gets the first answer.
            log.warning("%s.%s: could not send the reply (broker unreachable); the request will be "
                        "redelivered", self.container.service_name, self.method_name, exc_info=True)
            return result, exc_info

    def _reply_direct(self, message, result):
        try:
            self.rpc_consumer.handle_result(message, result, None)
        except Exception:
            log.warning("%s.%s: could not send a stored reply (broker unreachable)",
                        self.container.service_name, self.method_name, exc_info=True)


rpc = SuiteRpc.decorator


class SuiteEventHandler(VerifiedActorHeaders, EventHandler):
    """nameko's event handler with commit-before-ack, bounded retries and a dead-letter queue; every
    event verified (who published it), loaded with its schema and deduplicated (the inbox) before
    the handler runs."""

    queue_consumer = SuiteQueueConsumer()

    def setup(self):
        super().setup()
        # the same queue, bound also to the service's retry exchange under its own name
        queue = self.queue
        self.queue = suite_queue(self.container.config, queue.name, durable=queue.durable,
                                 auto_delete=queue.auto_delete, exclusive=queue.exclusive, bindings=[
                               binding(queue.exchange, routing_key=queue.routing_key),
                               binding(retry_exchange(self.container.service_name),
                                       routing_key=queue.name)])

    def _verify(self, body, message) -> Actor:
        """The publishing service, from the event's signature (header ``lianbao-auth``): it must
        be the service this handler listens to, and bound to this event's type and body."""
        token = (message.headers or {}).get(assertions.EVENT_AUTH_HEADER)
        return assertions.verifier_of(self.container.config).event_actor(
            token, self.source_service, self.event_type, body)

    def handle_message(self, body, message):
        # an unsigned or forged event never reaches the handler: straight to the dead-letter queue
        try:
            message._lianbao_actor = self._verify(body, message)
        except Exception as exc:  # Unauthenticated, or the keyring could not be read
            if not isinstance(exc, Unauthenticated):
                log.exception("%s: could not verify an event's origin", self.container.service_name)
                exc = Unauthenticated(f"could not verify the event's origin ({type(exc).__name__})")
            origin = (message.headers or {}).get(ORIGIN_HEADER) or (message.delivery_info or {}).get("routing_key")
            try:
                dead_letter(self.container.config, self.queue.name, body, message.headers, 0,
                            f"Unauthenticated: {exc}", origin, self.source_service)
            except Exception:  # could not dead-letter: keep it rather than lose it
                log.exception("could not dead-letter an unauthenticated event; requeueing")
                self.queue_consumer.requeue_message(message)
                return
            self.queue_consumer.ack_message(message)
            return
        # the payload against its schema, before any worker: a bad event takes the failed handler's
        # path (retries, then the dead-letter queue), its error naming the field
        try:
            body = events_contract.load_event(self.source_service, self.event_type, body)
        except ValidationFailed as exc:
            log.warning("%s.%s: an invalid %s event: %s", self.container.service_name, self.method_name,
                        self.event_type, exc)
            self._failed(message, sys.exc_info())
            return
        super().handle_message(body, message)

    def inbox(self, worker_ctx, uow) -> None:
        """The inbox, for the worker about to run (called by :class:`shared.db.Database` when it has
        given the worker its unit of work): the handler runs only if this handler has not handled
        the event's ``event_id`` before, and the record that it did joins the handler's transaction.
        A failure of the check itself is the handler's failure (retried, then dead-lettered)."""
        service = worker_ctx.service
        handler = getattr(service, self.method_name)

        @functools.wraps(handler)
        def run_once(event, *args, **kwargs):
            if uow.already_handled(event):
                return None
            return handler(event, *args, **kwargs)

        setattr(service, self.method_name, run_once)    # this worker's instance only

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        result, exc_info = _db.complete(worker_ctx, result, exc_info)
        if exc_info is not None:
            self._failed(message, exc_info)
        else:
            self.queue_consumer.ack_message(message)
        return result, exc_info

    def _failed(self, message, exc_info) -> None:
        """A failed event: re-routed (retried, or dead-lettered) and acked; one that cannot be
        re-routed is requeued rather than lost."""
        try:
            self._retry_or_dead_letter(message, exc_info)
        except Exception:
            log.exception("could not re-route a failed event; requeueing")
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    def _publisher(self):
        return Publisher(self.container.config[AMQP_URI_CONFIG_KEY], serializer="json")

    def _retry_or_dead_letter(self, message, exc_info):
        headers = dict(message.headers or {})
        attempts = int(headers.get(ATTEMPTS_HEADER, 0)) + 1
        limit = int(self.container.config.get("EVENT_MAX_ATTEMPTS", 5) or 5)
        body = message.payload
        origin = headers.get(ORIGIN_HEADER) or message.delivery_info.get("routing_key")
        from shared.metrics import metrics_of

        metrics = metrics_of(self.container)
        if attempts < limit:
            if metrics is not None:
                metrics.events_redelivered.labels(self.container.service_name, self.method_name).inc()
            # back off before the next try: an event that overtook the one it depends on (they
            # travel in different queues, so their order is not kept) usually succeeds a moment later
            base = float(self.container.config.get("EVENT_RETRY_DELAY", 0.2) or 0)
            eventlet.sleep(min(base * 2 ** (attempts - 1), 10.0))
            headers[ATTEMPTS_HEADER] = attempts
            headers[ORIGIN_HEADER] = origin
            exchange = retry_exchange(self.container.service_name)
            self._publisher().publish(body, exchange=exchange, routing_key=self.queue.name, headers=headers,
                                      mandatory=False, declare=[exchange])
            return
        if metrics is not None:
            metrics.events_dead_lettered.labels(self.container.service_name, self.method_name).inc()
        dead_letter(self.container.config, self.queue.name, body, headers, attempts,
                    "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip(),
                    origin, self.source_service)


def dlq_queue(config=None) -> Queue:
    return suite_queue(config, DLQ_QUEUE, exchange=Exchange(DLX_EXCHANGE, type="direct", durable=True),
                       routing_key=DLQ_QUEUE, durable=True, auto_delete=False)


def dead_letter(config, queue_name, body, headers, attempts, error, routing_key=None, source=None):
    headers = {k: v for k, v in (headers or {}).items() if k != ORIGIN_HEADER}
    headers.update({ATTEMPTS_HEADER: attempts, "x-lianbao-error": error[:2000],
                    "x-lianbao-queue": queue_name, "x-lianbao-routing-key": routing_key or "",
                    "x-lianbao-source": source or ""})
    queue = dlq_queue(config)
    Publisher(config[AMQP_URI_CONFIG_KEY], serializer="json").publish(
        body, exchange=queue.exchange, routing_key=queue.routing_key, headers=headers, declare=[queue])
    log.error("event from %s moved to %s after %s attempts: %s", queue_name, DLQ_QUEUE, attempts, error)


def dead_letter_raw(config, queue_name, message, error):
    """Dead-letter a message as received (its body could not be decoded)."""
    from kombu import Connection

    headers = {k: v for k, v in (message.headers or {}).items() if k != ORIGIN_HEADER}
    origin = (message.headers or {}).get(ORIGIN_HEADER) or (message.delivery_info or {}).get("routing_key")
    headers.update({ATTEMPTS_HEADER: 1, "x-lianbao-error": error[:2000], "x-lianbao-queue": queue_name,
                    "x-lianbao-routing-key": origin or "",
                    "x-lianbao-source": ""})
    queue = dlq_queue(config)
    with Connection(config[AMQP_URI_CONFIG_KEY], transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(serializer="json")
        producer.publish(message.body, exchange=queue.exchange, routing_key=queue.routing_key,
                         headers=headers, declare=[queue], content_type=message.content_type,
                         content_encoding=message.content_encoding)
    log.error("undecodable message from %s moved to %s: %s", queue_name, DLQ_QUEUE, error)


event_handler = SuiteEventHandler.decorator


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
