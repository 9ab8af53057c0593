"""Waiting for asynchronous effects (events) in tests: poll, never sleep-and-hope."""
import eventlet


def wait_for(predicate, timeout=10.0, interval=0.05):
    """Poll ``predicate`` until it returns something true; then, or when ``timeout`` seconds have
    passed, return its last value."""
    hub = eventlet.hubs.get_hub()
    deadline = hub.clock() + timeout
    while hub.clock() < deadline:
        value = predicate()
        if value:
            return value
        eventlet.sleep(interval)
    return predicate()
