"""Results computed once per version of their data (issue 19: exports cost once).

``cache.get(key, version, compute)`` returns the value stored for ``(key, version)`` or computes it
with ``compute()``; a newer version replaces the older one of the same key. Concurrent callers of
the same ``(key, version)`` wait for the one computing it (under eventlet: green threads), so twelve
exports at once compute once. At most ``max_keys`` keys are kept (least recently used dropped).

The version must change whenever the data the value is made of changes (e.g. a campaign's status and
form count; a period's ledger sequence): the caller reads it cheaply from its database first.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class VersionedCache:
    def __init__(self, max_keys: int = 16):
        self.max_keys = max_keys
        self._values: OrderedDict = OrderedDict()     # key -> (version, value)
        self._pending: dict = {}                       # (key, version) -> Event
        self._lock = threading.Lock()                  # green under eventlet's monkey patch
        self.computed = 0
        self.served = 0
        self.enabled = True

    def get(self, key, version, compute):
        if not self.enabled:
            self.computed += 1
            return compute()
        while True:
            with self._lock:
                hit = self._values.get(key)
                if hit is not None and hit[0] == version:
                    self._values.move_to_end(key)
                    self.served += 1
                    return hit[1]
                waiting = self._pending.get((key, version))
                if waiting is None:
                    done = self._pending[(key, version)] = threading.Event()
                    break
            waiting.wait()
            with self._lock:   # computed by another caller (or it failed: then compute here)
                hit = self._values.get(key)
                if hit is not None and hit[0] == version:
                    self._values.move_to_end(key)
                    self.served += 1
                    return hit[1]
        try:
            value = compute()
            with self._lock:
                self._values[key] = (version, value)
                self._values.move_to_end(key)
                while len(self._values) > self.max_keys:
                    self._values.popitem(last=False)
                self.computed += 1
            return value
        finally:
            with self._lock:
                self._pending.pop((key, version), None)
            done.set()

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class SingleFlight:
    """One read at a time per key, shared by the callers that arrive while it runs (issue 19).

    ``flight.run(key, read)``: if a ``read`` of ``key`` is running, wait for it and return its value;
    else run ``read()``. Twelve exports of one campaign arriving together read its data version once
    (one ``count(*)`` that holds the process, not twelve back to back). A caller that joins a read
    gets the data as of a moment at most that read's duration before it arrived; exported data only
    grows, so the next request reads the newer version."""

    def __init__(self):
        self._running: dict = {}                      # key -> [Event, value, failed]
        self._lock = threading.Lock()
        self.shared = 0

    def run(self, key, read):
        with self._lock:
            flight = self._running.get(key)
            mine = flight is None
            if mine:
                flight = self._running[key] = [threading.Event(), None, False]
        if not mine:
            flight[0].wait()
            if not flight[2]:
                self.shared += 1
                return flight[1]
            return read()
        try:
            flight[1] = read()
            return flight[1]
        except BaseException:
            flight[2] = True
            raise
        finally:
            with self._lock:
                self._running.pop(key, None)
            flight[0].set()
