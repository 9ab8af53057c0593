"""Waiting for asynchronous effects (events) in tests: poll, never sleep-and-hope."""
import eventlet


def wait_for(predicate, timeout=10.0, interval=0.05, ignoring=()):
    """Poll ``predicate`` until it returns something true; then, or when ``timeout`` seconds have
    passed, return its last value.  Exceptions of the classes in ``ignoring`` (e.g. a service not
    up yet) count as a false value."""
    hub = eventlet.hubs.get_hub()
    deadline = hub.clock() + timeout

    def attempt():
        try:
            return predicate()
        except ignoring:
            return None

    while hub.clock() < deadline:
        value = attempt()
        if value:
            return value
        eventlet.sleep(interval)
    return attempt()
