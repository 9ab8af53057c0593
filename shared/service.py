"""What every service of the suite has: its metrics and a ``health`` RPC.

A service subclasses :class:`ServiceBase`, sets ``name`` and declares ``db = Database(models.Base)``.
``self.who`` is the verified actor of the call (:mod:`shared.identity`).  Every service prunes its
stored answers older than ``IDEMPOTENCY_RETENTION_DAYS`` on a timer (:mod:`shared.idempotency`).
"""
from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from nameko.extensions import DependencyProvider

from shared.db import utcnow
from shared.entrypoints import rpc
from shared.idempotency import prune, prune_timer, retention_days
from shared.identity import current
from shared.metrics import Metrics

log = logging.getLogger(__name__)

try:
    VERSION = version("lianbao")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    VERSION = "0.0.0"


class Who(DependencyProvider):
    """``self.who``: the verified :class:`shared.identity.Actor` of the running worker (an RPC's
    caller; for an event handler, the service that published the event; None for a timer).  At
    start it loads the keyring (creating it on a first start, so every caller finds it)."""

    def setup(self):
        from shared.assertions import keyring_of

        keyring_of(self.container.config).get()

    def get_dependency(self, worker_ctx):
        return current(worker_ctx)


class ServiceBase:
    name = "base"
    #: the service's rows in the policy table (``<policy_name>.<method>``; default its name), the
    #: resolver of its read model (:class:`shared.access.Resolver`), and ``policy_open = True`` for a
    #: test service outside the suite (the table is not asked: never for a service of the suite)
    policy_name = None
    policy_access = None
    policy_open = False
    metrics = Metrics()
    who = Who()

    @prune_timer()
    def prune_stored_answers(self):
        """Delete the stored answers (idempotency keys, survey batch ids) older than
        ``IDEMPOTENCY_RETENTION_DAYS``; every ``IDEMPOTENCY_PRUNE_SECONDS``."""
        days = retention_days(self.db.provider.container.config)
        deleted = prune(self.db.session, self.db.provider.base, utcnow(), days)
        if deleted:
            log.info("%s: %d stored answers older than %g days pruned", self.name, deleted, days)
        return deleted

    @rpc
    def health(self):
        """Name, version, whether the database answers, and the outbox backlog."""
        database = self.db.provider
        reachable = database.ping()
        backlog, oldest = database.outbox_backlog() if reachable else (None, None)
        return {
            "service": self.name,
            "version": VERSION,
            "status": "ok" if reachable else "degraded",
            "database": "reachable" if reachable else "unreachable",
            "database_kind": database.engine.dialect.name,
            "outbox_backlog": backlog,
            "outbox_oldest_age_seconds": round(oldest, 3) if oldest is not None else None,
            "outbox_published": database.relay.published_total,
        }
