"""The public pages' rate limits shared by every gateway process (a table in the gateway's
database) and the client address taken from a trusted proxy only (issue 23)."""
import pytest
from sqlalchemy import create_engine

from services.gateway.public import SharedRateLimiter, client_address, trusted_networks


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def _two_gateways(tmp_path, limit=10, window=600.0):
    """Two limiters on two engines over one database file: two gateway processes."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    clock = Clock()
    a = SharedRateLimiter(create_engine(url), "post", limit, window, clock=clock)
    b = SharedRateLimiter(create_engine(url), "post", limit, window, clock=clock)
    return a, b, clock


def test_two_gateways_count_one_address_together(tmp_path):
    a, b, clock = _two_gateways(tmp_path)
    answers = []
    for n in range(30):                       # alternating between the two gateways
        clock.now += 1
        answers.append((a if n % 2 == 0 else b).allow("203.0.113.7")[0])
    assert answers.count(True) == 10 and answers[:10] == [True] * 10 and not any(answers[10:])
    assert a.allow("203.0.113.8")[0] and b.allow("203.0.113.8")[0]      # another address: its own count
    allowed, wait = b.allow("203.0.113.7")
    assert not allowed and 600 - 30 < wait <= 600 - 29                  # until the oldest leaves the window


def test_the_window_slides_and_refused_requests_leave_no_row(tmp_path):
    a, b, clock = _two_gateways(tmp_path, limit=3, window=60.0)
    for _ in range(3):
        clock.now += 10
        assert a.allow("x")[0]
    for _ in range(100):
        assert not b.allow("x")[0]
    with a.engine.connect() as conn:
        assert conn.execute(a.table.select()).fetchall().__len__() == 3
    clock.now += 41                           # the first of the three is 61 s old
    assert b.allow("x")[0] and not a.allow("x")[0]


def test_the_client_address_comes_from_a_trusted_proxy_only():
    proxies = trusted_networks("10.0.0.5, 192.168.1.0/24")
    # no proxy configured, or a connection not from one: the header is ignored
    assert client_address("198.51.100.9", "1.2.3.4", ()) == "198.51.100.9"
    assert client_address("198.51.100.9", "1.2.3.4", proxies) == "198.51.100.9"
    # from a trusted proxy: the right-most hop it did not add itself
    assert client_address("10.0.0.5", "203.0.113.7", proxies) == "203.0.113.7"
    assert client_address("10.0.0.5", "6.6.6.6, 203.0.113.7", proxies) == "203.0.113.7"   # a forged left part
    assert client_address("10.0.0.5", "203.0.113.7, 192.168.1.20", proxies) == "203.0.113.7"
    assert client_address("10.0.0.5", None, proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", "not-an-address", proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", "2001:db8::1", proxies) == "2001:db8::1"
    with pytest.raises(ValueError) as err:
        trusted_networks("10.0.0.5, proxy.example")
    assert "proxy.example" in str(err.value)
