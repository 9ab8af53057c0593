"""Prometheus metrics of a service: a small DependencyProvider with a registry of its own.

(nameko-prometheus declares its metrics in the process-wide default registry and fails when a
container is built twice in one process, as the embedded mode and the tests do.)

Every service gets, labelled by ``service`` and entry point ``method``:
``lianbao_entrypoint_calls_total``, ``lianbao_entrypoint_errors_total`` (+ ``error`` class),
``lianbao_entrypoint_latency_seconds`` (histogram), ``lianbao_events_handled_total``,
``lianbao_events_redelivered_total``, ``lianbao_events_dead_lettered_total``, and the outbox gauges
``lianbao_outbox_backlog`` / ``lianbao_outbox_oldest_age_seconds`` read at scrape time.
Domain gauges are declared by the service with :meth:`MetricsRegistry.gauge` (get-or-create).
``/metrics`` is served on ``METRICS_PORTS.<service>`` (0: not served; ``render()`` still works).
"""
from __future__ import annotations

import logging
import time
import weakref

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from shared.config import metrics_port

log = logging.getLogger(__name__)

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class MetricsRegistry:
    """What a worker sees as ``self.metrics``: the service's registry and its instruments."""

    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry(auto_describe=True)
        self._instruments: dict[str, object] = {}
        self.calls = Counter("lianbao_entrypoint_calls_total", "Entry-point calls", ["service", "method"],
                             registry=self.registry)
        self.errors = Counter("lianbao_entrypoint_errors_total", "Entry-point errors",
                              ["service", "method", "error"], registry=self.registry)
        self.latency = Histogram("lianbao_entrypoint_latency_seconds", "Entry-point latency",
                                 ["service", "method"], buckets=BUCKETS, registry=self.registry)
        self.events_handled = Counter("lianbao_events_handled_total", "Events handled",
                                      ["service", "method"], registry=self.registry)
        self.events_redelivered = Counter("lianbao_events_redelivered_total",
                                          "Events received again after a failure or a redelivery",
                                          ["service", "method"], registry=self.registry)
        self.events_dead_lettered = Counter("lianbao_events_dead_lettered_total",
                                            "Events moved to the dead-letter queue", ["service", "method"],
                                            registry=self.registry)

    def gauge(self, name: str, documentation: str, labelnames=()) -> Gauge:
        """Get or create a gauge in this service's registry (safe to call from every worker)."""
        inst = self._instruments.get(name)
        if inst is None:
            inst = Gauge(name, documentation, list(labelnames), registry=self.registry)
            self._instruments[name] = inst
        return inst

    def counter(self, name: str, documentation: str, labelnames=()) -> Counter:
        inst = self._instruments.get(name)
        if inst is None:
            inst = Counter(name, documentation, list(labelnames), registry=self.registry)
            self._instruments[name] = inst
        return inst

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _OutboxCollector:
    def __init__(self, service, database_ref):
        self.service = service
        self.database_ref = database_ref

    def describe(self):
        return [GaugeMetricFamily("lianbao_outbox_backlog", "", labels=["service"]),
                GaugeMetricFamily("lianbao_outbox_oldest_age_seconds", "", labels=["service"])]

    def collect(self):
        database = self.database_ref()
        backlog = GaugeMetricFamily("lianbao_outbox_backlog", "Events committed but not yet published",
                                    labels=["service"])
        age = GaugeMetricFamily("lianbao_outbox_oldest_age_seconds", "Age of the oldest unpublished event",
                                labels=["service"])
        if database is not None and hasattr(database, "sessionmaker"):
            try:
                count, oldest = database.outbox_backlog()
                backlog.add_metric([self.service], count)
                age.add_metric([self.service], oldest)
            except Exception:
                log.warning("outbox backlog unreadable", exc_info=True)
        yield backlog
        yield age


def metrics_of(container) -> MetricsRegistry | None:
    """The registry of a container's :class:`Metrics` provider, if it has one."""
    for dep in container.dependencies:
        if isinstance(dep, Metrics):
            return dep.metrics
    return None


class Metrics(DependencyProvider):
    def setup(self):
        service = self.container.service_name
        self.metrics = MetricsRegistry(service)
        self._children: dict = {}       # method -> (calls, latency) of this registry
        self._started: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._server = None
        from shared.db import Database

        database = next((d for d in self.container.dependencies if isinstance(d, Database)), None)
        if database is not None:
            self.metrics.registry.register(_OutboxCollector(service, weakref.ref(database)))

    def start(self):
        port = metrics_port(self.container.service_name, self.container.config)
        if port:
            from prometheus_client import start_http_server

            self._server, _thread = start_http_server(port, registry=self.metrics.registry)

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def get_dependency(self, worker_ctx):
        return self.metrics

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()

    def _instruments_of(self, method: str) -> tuple:
        """The call counter and latency histogram of one entry point, labelled once (prometheus's
        ``labels`` validates the labels and takes a lock on every call: 10 µs of a read RPC's
        worker, issue 24 item 2); the same children ``labels`` hands out, so ``/metrics`` is as
        before."""
        kept = self._children
        found = kept.get(method)
        if found is None:
            service = self.container.service_name
            found = kept[method] = (self.metrics.calls.labels(service, method),
                                    self.metrics.latency.labels(service, method))
        return found

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        service = self.container.service_name
        method = worker_ctx.entrypoint.method_name
        started = self._started.pop(worker_ctx, None)
        calls, latency = self._instruments_of(method)
        calls.inc()
        if started is not None:
            latency.observe(time.perf_counter() - started)
        if exc_info is not None:
            self.metrics.errors.labels(service, method, exc_info[0].__name__).inc()
        if isinstance(worker_ctx.entrypoint, EventHandler) and exc_info is None:
            self.metrics.events_handled.labels(service, method).inc()


class _TargetCollector:
    """``lianbao_target_value`` / ``lianbao_target_met`` ``{target, agency, year}`` read at scrape time."""

    def __init__(self, provider):
        self.provider = provider

    def describe(self):
        from shared import targets

        return [GaugeMetricFamily(*targets.TARGET_VALUE_GAUGE[:2], labels=targets.TARGET_VALUE_GAUGE[2]),
                GaugeMetricFamily(*targets.TARGET_MET_GAUGE[:2], labels=targets.TARGET_MET_GAUGE[2])]

    def collect(self):
        from shared import targets

        value = GaugeMetricFamily(*targets.TARGET_VALUE_GAUGE[:2], labels=targets.TARGET_VALUE_GAUGE[2])
        met = GaugeMetricFamily(*targets.TARGET_MET_GAUGE[:2], labels=targets.TARGET_MET_GAUGE[2])
        nan = float("nan")
        for year, result in self.provider.current():
            v, m = targets.gauge_values(result)
            labels = [result.target, result.agency, str(year)]
            value.add_metric(labels, nan if v is None else v)
            met.add_metric(labels, nan if m is None else m)
        yield value
        yield met


class TargetGauges(DependencyProvider):
    """The owner's targets of the Method (M§一) on its ``/metrics``, computed when Prometheus scrapes.

    ``results(uow, year, today)`` → the owner's :class:`shared.targets.TargetResult` list of a year;
    ``previous_filed(uow, year)`` → whether that year's annual ratings are filed (None/absent: the
    owner cannot see them, :func:`shared.targets.years_shown` decides by the calendar);
    ``today(config)`` → the owner's today (default: ``date.today()``).

    A scrape reads the owner's database through a session of its own (never a worker's). The
    metrics HTTP server runs in the service's process, which nameko (and ``lianbao up``) has
    monkey-patched: its request threads are green threads and psycopg2 is green, so a scrape waits
    for PostgreSQL the way a worker does, without blocking the hub. The figures are kept
    ``TARGET_GAUGES_SECONDS`` (config, default 30; 0: computed at every scrape) so that several
    scrapers cost one computation; older figures are refreshed in the background (see
    :meth:`current`). A query of the ``targets`` RPC (any year) only answers: it never changes what
    Prometheus sees. A failed computation is logged and shows no target series (never a stale one)."""

    def __init__(self, results, previous_filed=None, today=None):
        self.results = results
        self.previous_filed = previous_filed
        self.today = today

    def setup(self):
        import threading

        self._lock = threading.Lock()
        self._cache = None          # (monotonic time, [(year, result)])
        self._refreshing = False
        self._collector = None

    def start(self):
        metrics = metrics_of(self.container)
        if metrics is None:  # pragma: no cover - every ServiceBase has Metrics
            raise RuntimeError("TargetGauges needs the service's Metrics")
        self._collector = _TargetCollector(self)
        metrics.registry.register(self._collector)

    def stop(self):
        metrics = metrics_of(self.container)
        if metrics is not None and self._collector is not None:
            try:
                metrics.registry.unregister(self._collector)
            except KeyError:
                pass
        self._collector = None

    def _ttl(self) -> float:
        return float(self.container.config.get("TARGET_GAUGES_SECONDS", 30) or 0)

    def _today(self):
        from datetime import date

        return self.today(self.container.config) if self.today else date.today()

    def compute(self) -> list:
        """[(year, TargetResult)] of every year shown, from the database now."""
        from shared import targets
        from shared.db import Database

        database = next(d for d in self.container.dependencies if isinstance(d, Database))
        today = self._today()
        out = []
        with database.unit_of_work("target_gauges") as uow:
            filed = self.previous_filed(uow, today.year - 1) if self.previous_filed else None
            for year in targets.years_shown(today, filed):
                out.extend((year, r) for r in self.results(uow, year, today))
        return out

    def current(self) -> list:
        """The figures a scrape shows. No figures yet (or ``TARGET_GAUGES_SECONDS`` 0): computed now,
        once for all the scrapes waiting. Figures older than ``TARGET_GAUGES_SECONDS``: shown this
        once more while one refresh runs in the background, so a scrape never waits for a large
        city's computation (scoring's target 1 at 100,000 officers takes seconds)."""
        ttl = self._ttl()
        cache = self._cache
        if cache is not None and ttl > 0:
            if time.monotonic() - cache[0] >= ttl and not self._refreshing:
                import threading

                self._refreshing = True
                threading.Thread(target=self._refresh, name="target-gauges", daemon=True).start()
            return cache[1]
        with self._lock:
            cache = self._cache
            if cache is not None and ttl > 0:
                return cache[1]          # computed by the scrape this one waited for
            return self._refresh()

    def _refresh(self) -> list:
        try:
            rows = self.compute()
        except Exception:
            log.warning("targets of the Method unreadable for /metrics", exc_info=True)
            self._cache = None
            return []
        finally:
            self._refreshing = False
        self._cache = (time.monotonic(), rows)
        return rows

    def get_dependency(self, worker_ctx):
        return None
