"""The outbox relay: sends the events a service committed, after the commit, at least once.

Each service's :class:`shared.db.Database` runs one relay.  It wakes when a unit of work that
published events commits (and every ``OUTBOX_POLL_SECONDS`` anyway, which is what makes a crash
between commit and publish lose nothing: the rows are still there on restart), publishes the
pending rows in id order to the service's nameko event exchange (``<service>.events``, routing key =
event type, so ``@event_handler("<service>", "<type>")`` receives them), and marks them published.
Each event is signed as the publishing service (header ``lianbao-auth``: a token bound to the
service, the event type and the body, :mod:`shared.assertions`), so a consumer knows its origin.
A failure to publish leaves the rows pending; they go out on the next round.  A row may be sent
twice (crash after publish, before the mark): consumers use their inbox.
"""
from __future__ import annotations

import json
import logging

import eventlet
from eventlet.event import Event
from nameko.amqp.publish import Publisher
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.standalone.events import get_event_exchange
from sqlalchemy import select, update

from shared.assertions import event_headers

log = logging.getLogger(__name__)

BATCH = 500


class OutboxRelay:
    def __init__(self, container, sessionmaker_, base):
        self.container = container
        self.sessionmaker = sessionmaker_
        self.base = base
        self.poll = float(container.config.get("OUTBOX_POLL_SECONDS", 1) or 1)
        self._wake = Event()
        self._running = False
        self._gt = None
        self.published_total = 0
        self.failures_total = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self):
        self._running = True
        self._gt = self.container.spawn_managed_thread(self._run, identifier="outbox-relay")

    def stop(self):
        self._running = False
        self.notify()
        if self._gt is not None:
            self._gt.kill()
            self._gt = None

    def notify(self):
        if not self._wake.ready():
            self._wake.send(True)

    # -- work --------------------------------------------------------------------------------------
    def _run(self):
        publisher = Publisher(self.container.config[AMQP_URI_CONFIG_KEY], serializer="json")
        exchange = get_event_exchange(self.container.service_name, self.container.config)
        while self._running:
            try:
                while self.flush(publisher, exchange) == BATCH:
                    pass
            except Exception:  # broker or database away: try again next round
                self.failures_total += 1
                log.warning("outbox relay of %s failed; retrying", self.container.service_name,
                            exc_info=True)
            with eventlet.Timeout(self.poll, False):
                self._wake.wait()
            self._wake = Event()

    def flush(self, publisher, exchange) -> int:
        Outbox = self.base.Outbox
        with self.sessionmaker() as session:
            stmt = select(Outbox).where(Outbox.published_at.is_(None)).order_by(Outbox.id).limit(BATCH)
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = session.execute(stmt).scalars().all()
            if not rows:
                return 0
            sent = []
            config, service = self.container.config, self.container.service_name
            for row in rows:
                body = json.loads(row.payload)
                headers = {"event_id": row.event_id, **event_headers(config, service, row.event_type, body)}
                publisher.publish(body, exchange=exchange, routing_key=row.event_type,
                                  headers=headers, declare=[exchange])
                sent.append(row.id)
            from shared.db import utcnow

            session.execute(update(Outbox).where(Outbox.id.in_(sent)).values(published_at=utcnow()))
            session.commit()
            self.published_total += len(sent)
            return len(rows)
