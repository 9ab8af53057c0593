"""The public pages' rate limits on PostgreSQL, as a deployment runs them: two gateway processes
(two engines, two limiters) over the gateway's one database, requests of one address arriving at
both at once — the limit is never exceeded, and the refused leave nothing behind (issue 23)."""
import threading

import pytest

from services.gateway.public import SharedRateLimiter
from shared.config import database_url
from shared.db import ensure_database, make_engine

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]


def test_two_gateways_on_postgresql_let_through_exactly_the_limit(real_config):
    url = database_url("gateway", real_config)
    ensure_database(url)
    gateways = [SharedRateLimiter(make_engine(url), "post", 10, 600.0) for _ in range(2)]
    answers, lock = [], threading.Lock()

    def client(n):
        for i in range(10):                       # 8 clients × 10 forms, alternating gateways
            allowed, _wait = gateways[(n + i) % 2].allow("203.0.113.7")
            with lock:
                answers.append(allowed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 80 and answers.count(True) == 10      # 70 of 80 refused
    with gateways[0].engine.connect() as conn:
        assert len(conn.execute(gateways[0].table.select()).fetchall()) == 10
    for g in gateways:
        g.engine.dispose()
