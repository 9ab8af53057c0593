"""What every service of the suite has: its metrics and a ``health`` RPC.

A service subclasses :class:`ServiceBase`, sets ``name`` and declares ``db = Database(models.Base)``.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from shared.entrypoints import rpc
from shared.metrics import Metrics

try:
    VERSION = version("lianbao")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    VERSION = "0.0.0"


class ServiceBase:
    name = "base"
    metrics = Metrics()

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
