"""Starting services: as processes on a broker, or all five in one process (the embedded default).

* :func:`service_class` finds ``services.<name>.service.Service``.
* :func:`run_forever` runs the named services on the configured broker until SIGTERM/SIGINT.
* :class:`Suite` starts services in this process (tests, demo, ``lianbao up --embedded``) and hands
  out RPC proxies with a timeout (one per green thread: a ``ClusterRpcProxy`` must not be shared).

The embedded mode uses kombu's ``memory://`` transport, which needs two small patches (applied by
:func:`patch_memory_transport`): nameko's RPC reply reads the request's ``content_type`` from the
message properties, where the memory transport does not put it; and the transport's default
polling interval (1 s) makes every call wait, so it is set to 1 ms.
"""
from __future__ import annotations

import gc
import importlib
import logging
import signal
from contextlib import contextmanager

import eventlet

from shared.amqp import transient_reply_queues
from shared.assertions import SignedProxy, payload_actor, signed_event_dispatcher
from shared.config import SERVICES, broker_hosts, load_config
from shared.identity import ALL_UNITS, Actor

transient_reply_queues()
log = logging.getLogger(__name__)

_patched = False


def patch_memory_transport() -> None:
    global _patched
    if _patched:
        return
    import kombu.transport.memory as memory
    from nameko import rpc as nameko_rpc

    memory.Transport.polling_interval = 0.001
    original = nameko_rpc.Responder.send_response

    def send_response(self, result, exc_info):
        props = self.message.properties
        if "content_type" not in props:
            props["content_type"] = self.message.content_type or "application/json"
        return original(self, result, exc_info)

    nameko_rpc.Responder.send_response = send_response
    _patched = True


def reset_memory_broker() -> None:
    """Forget every queue, message and binding of the in-process ``memory://`` broker (tests)."""
    import kombu.pools
    import kombu.transport.memory as memory

    kombu.pools.reset()  # pooled connections remember what they declared: forget that too
    memory.Channel.queues.clear()
    memory.Channel.events.clear()
    state = getattr(memory.Transport, "global_state", None)
    if state is not None:
        state.clear()


def service_class(name: str):
    module = importlib.import_module(f"services.{name}.service")
    return module.Service


def _prepare(config: dict) -> None:
    if str(config.get("AMQP_URI", "")).startswith("memory://"):
        patch_memory_transport()


def freeze_startup_heap() -> int:
    """Move every object alive once the services have started (modules, classes, the containers:
    some 120,000) out of the cyclic garbage collector's reach (``gc.freeze``), so that a full
    collection, which a busy service runs every few requests, no longer walks them all again
    (issue 24 item 4: 25-85 ms a collection under a batch intake).  They live as long as the
    process anyway; what is allocated afterwards is collected as before.  Returns how many."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def run_forever(names, config: dict, on_ready=None) -> None:
    """Run the named services in this process until SIGTERM or SIGINT.  ``on_ready()``, if given,
    runs in its own green thread once the containers have started (``lianbao up`` reports there)."""
    from nameko.runners import ServiceRunner

    _prepare(config)
    runner = ServiceRunner(config)
    for name in names:
        runner.add_service(service_class(name))
    stop = eventlet.event.Event()

    def _stop(*_):
        if not stop.ready():
            stop.send(True)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runner.start()
    freeze_startup_heap()
    log.warning("lianbao: %s running on %s", ", ".join(names), broker_hosts(config["AMQP_URI"]))
    if on_ready is not None:
        eventlet.spawn(on_ready)
    try:
        stop.wait()
    finally:
        runner.stop()


class Suite:
    """Services running in this process, with RPC proxies for callers in the same process."""

    def __init__(self, config: dict, names=SERVICES, classes=None):
        from nameko.runners import ServiceRunner

        self.config = config
        _prepare(config)
        self.runner = ServiceRunner(config)
        for cls in classes or [service_class(n) for n in names]:
            self.runner.add_service(cls)
        self.timeout = float(config.get("RPC_TIMEOUT", 30) or 30)

    def start(self):
        self.runner.start()
        return self

    def stop(self):
        self.runner.stop()

    def kill(self):
        self.runner.kill()

    def container(self, name: str):
        for container in self.runner.containers:
            if container.service_name == name:
                return container
        raise KeyError(name)

    @contextmanager
    def rpc(self, timeout: float | None = None, context_data: dict | None = None, *,
            as_person: str | None = None, as_system: str | None = None, as_persons: str | None = None,
            units=None, as_service: str | None = None, as_operator: str | None = None,
            identity: Actor | None = None, as_actors: bool = True, signed: bool = True):
        """A fresh ``ClusterRpcProxy`` for this green thread (``with suite.rpc() as rpc: ...``), each
        call signed (:mod:`shared.assertions`) as:

        * ``identity`` (an :class:`~shared.identity.Actor`), or ``as_person="p1"``,
          ``as_system="k1", units={"u1"}`` (units default ``"*"``), ``as_persons="office", units=...``,
          ``as_service="scoring"``, ``as_operator="ops"``;
        * by default (``as_actors=True``) the payload's ``actor`` field as a person, or the operator
          ``test`` when the payload names none;
        * ``signed=False``: nothing (a call the suite must refuse)."""
        from nameko.standalone.rpc import ClusterRpcProxy

        chosen = identity
        scope = ALL_UNITS if units is None else (units if units == ALL_UNITS else frozenset(units))
        if chosen is None:
            if as_person is not None:
                chosen = Actor(as_person, "person")
            elif as_system is not None:
                chosen = Actor(as_system, "system", scope)
            elif as_persons is not None:
                chosen = Actor(as_persons, "persons", scope)
            elif as_service is not None:
                chosen = Actor(as_service, "service", ALL_UNITS)
            elif as_operator is not None:
                chosen = Actor(as_operator, "operator", ALL_UNITS)
            elif as_actors:
                chosen = payload_actor
            else:
                chosen = Actor("test", "operator", ALL_UNITS)
        with ClusterRpcProxy(self.config, timeout=timeout or self.timeout,
                             context_data=context_data) as proxy:
            yield SignedProxy(proxy, self.config, chosen) if signed else proxy

    def dispatch(self, source_service: str, event_type: str, payload: dict) -> None:
        """Publish an event as ``source_service`` would, signed as it (tests and tools)."""
        signed_event_dispatcher(self.config)(source_service, event_type, payload)

    def busy(self) -> dict:
        """What is still in flight: unpublished outbox rows, running workers, queued events."""
        from shared.db import Database

        out = {}
        for container in self.runner.containers:
            name = container.service_name
            workers = len(container._worker_threads)
            backlog = 0
            for dep in container.dependencies:
                if isinstance(dep, Database):
                    backlog = dep.outbox_backlog()[0]
            names = [ext.queue.name for ext in container.entrypoints
                     if getattr(ext, "queue", None) is not None and hasattr(ext, "event_type")]
            queued = sum(queue_depths(self.config, names).values())
            if workers or backlog or queued:
                out[name] = {"workers": workers, "outbox": backlog, "queued": queued}
        return out

    def wait_quiet(self, timeout: float = 120.0, quiet_for: float | None = None) -> float:
        """Wait until every event committed so far has been published and handled: nothing in the
        outboxes, the event queues or the workers for ``quiet_for`` seconds in a row (longer on a
        real broker, where a consumer may hold prefetched messages that no queue count shows).
        Returns the seconds waited; raises TimeoutError otherwise."""
        if quiet_for is None:
            quiet_for = 0.15 if str(self.config.get("AMQP_URI", "")).startswith("memory://") else 1.5
        hub = eventlet.hubs.get_hub()
        start = hub.clock()
        quiet_since = None
        while True:
            now = hub.clock()
            if now - start > timeout:
                raise TimeoutError(f"the suite is still busy after {timeout:.0f} s: {self.busy()}")
            if self.busy():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= quiet_for:
                return now - start
            eventlet.sleep(0.05)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def queue_depths(config: dict, queue_names) -> dict:
    """Messages waiting in each queue (0 if it does not exist), on the memory transport or RabbitMQ."""
    if str(config.get("AMQP_URI", "")).startswith("memory://"):
        import kombu.transport.memory as memory

        return {n: (memory.Channel.queues[n].qsize() if n in memory.Channel.queues else 0)
                for n in queue_names}
    from kombu import Connection

    out = {}
    with Connection(config["AMQP_URI"]) as conn:
        for name in queue_names:
            channel = conn.channel()
            try:
                _n, count, _c = channel.queue_declare(queue=name, passive=True)
                out[name] = int(count)
            except Exception:  # no such queue
                out[name] = 0
            finally:
                try:
                    channel.close()
                except Exception:
                    pass
    return out


def health_all(proxy, names=SERVICES) -> list[dict]:
    """Call every service's ``health`` at once (``call_async`` from this green thread: a proxy must
    not be shared between green threads); an unreachable one is reported, not raised."""
    replies = {}
    for name in names:
        try:
            replies[name] = getattr(proxy, name).health.call_async()
        except Exception as exc:
            replies[name] = exc
    out = []
    for name in names:
        reply = replies[name]
        try:
            if isinstance(reply, Exception):
                raise reply
            out.append(reply.result())
        except Exception as exc:  # timeouts, unknown service
            out.append({"service": name, "status": "down", "error": f"{type(exc).__name__}: {exc}"})
    return out


def default_config() -> dict:
    return load_config()
