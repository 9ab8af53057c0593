"""shared.versioned_cache: once per version, a new version recomputes, concurrent callers wait."""
import eventlet
import pytest

from shared.versioned_cache import VersionedCache

pytestmark = pytest.mark.timeout(20)


def test_computed_once_per_version_and_again_for_a_new_one():
    cache, calls = VersionedCache(max_keys=2), []

    def compute(v):
        return lambda: calls.append(v) or f"value{v}"

    assert cache.get("c1", 1, compute(1)) == "value1"
    assert cache.get("c1", 1, compute(1)) == "value1"
    assert calls == [1]
    assert cache.get("c1", 2, compute(2)) == "value2"
    assert calls == [1, 2]
    cache.get("c2", 1, compute(3))
    cache.get("c3", 1, compute(4))            # c1 is the least recently used: dropped
    cache.get("c1", 2, compute(5))
    assert calls == [1, 2, 3, 4, 5]


def test_concurrent_callers_of_one_version_compute_once():
    cache, calls = VersionedCache(), []

    def slow():
        calls.append(1)
        eventlet.sleep(0.2)
        return "v"

    pool = eventlet.GreenPool()
    results = list(pool.imap(lambda _: cache.get("k", 7, slow), range(12)))
    assert results == ["v"] * 12 and calls == [1]
    assert (cache.computed, cache.served) == (1, 11)


def test_a_failed_computation_is_not_stored():
    cache = VersionedCache()

    def boom():
        raise ValueError("x")

    with pytest.raises(ValueError):
        cache.get("k", 1, boom)
    assert cache.get("k", 1, lambda: "ok") == "ok"


def test_single_flight_shares_one_read_among_the_callers_that_arrive_while_it_runs():
    import eventlet

    from shared.versioned_cache import SingleFlight

    flight, reads, gate = SingleFlight(), [], eventlet.event.Event()

    def read():
        reads.append(1)
        gate.wait()                   # the read is "running" until released
        return ("open", len(reads))

    threads = [eventlet.spawn(flight.run, "c1", read) for _ in range(12)]
    eventlet.sleep(0)
    gate.send(True)
    assert [t.wait() for t in threads] == [("open", 1)] * 12
    assert len(reads) == 1 and flight.shared == 11
    # once it ended, the next caller reads again (a newer version is seen)
    assert flight.run("c1", lambda: ("open", 2)) == ("open", 2)


def test_single_flight_callers_read_themselves_when_the_shared_read_fails():
    import eventlet

    from shared.versioned_cache import SingleFlight

    flight, gate = SingleFlight(), eventlet.event.Event()

    def failing():
        gate.wait()
        raise RuntimeError("database gone")

    first = eventlet.spawn(flight.run, "c1", failing)
    eventlet.sleep(0)
    second = eventlet.spawn(flight.run, "c1", lambda: "read again")
    eventlet.sleep(0)
    gate.send(True)
    with pytest.raises(RuntimeError):
        first.wait()
    assert second.wait() == "read again"
