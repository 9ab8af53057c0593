"""The units that lookup scopes answered, kept for the next request (issue 21 item 5).

A route whose scope is a lookup (:meth:`services.gateway.routing.Scope.lookup`) asks a service whose
the resource is (a campaign's owner, a person's agency) before the call itself: a second RPC per
request.  What the lookup answers is a fact about the resource, not about the caller, so a calling
system's request can reuse the unit another request was answered, and the gateway then checks it
against the caller's own units exactly as before (a foreign one is the same 404):

* ``owner`` — a unit that never changes once the resource exists (a campaign's owner: fixed when
  it is opened, never moved, never deleted): kept until pushed out by newer keys;
* ``post`` — a unit that changes when a person is transferred: kept ``seconds``
  (``GATEWAY_SCOPE_SECONDS``, default :data:`POST_SECONDS`; 0 turns keeping off).

Only a unit is kept, never a refusal or a missing resource (a new person or campaign is seen at
once), and never for a signed-in person (the lookup asked as the person is the service's policy
deciding on the person's roles).  The call itself is decided again by the service's policy, with
its own read model, on every request: the kept unit spares the gateway's check the RPC, it does not
stand in for the service's.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

OWNER, POST = "owner", "post"
KINDS = (OWNER, POST)
POST_SECONDS = 5.0
MAX_KEYS = 10_000


class ScopeCache:
    def __init__(self, post_seconds: float = POST_SECONDS, max_keys: int = MAX_KEYS, clock=time.monotonic):
        self.post_seconds, self.max_keys, self.clock = float(post_seconds), max_keys, clock
        self._units: OrderedDict = OrderedDict()       # key -> (unit, kept until)
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(target: str, payload: dict):
        """The key of a lookup, or None when it is not kept (a value that is not a string)."""
        if not all(isinstance(v, str) for v in payload.values()):
            return None
        return (target, tuple(sorted(payload.items())))

    def _seconds(self, kind: str) -> float:
        if kind == OWNER:
            return float("inf")
        if kind == POST:
            return self.post_seconds
        return 0.0

    def get(self, kind: str, key):
        """The unit kept for ``key``, or None."""
        if key is None or self._seconds(kind) <= 0:
            return None
        with self._lock:
            found = self._units.get(key)
            if found is not None and found[1] > self.clock():
                self._units.move_to_end(key)
                self.hits += 1
                return found[0]
            if found is not None:
                del self._units[key]
            self.misses += 1
            return None

    def put(self, kind: str, key, unit) -> None:
        """Keep ``unit`` (a unit id) as the answer of ``key`` for as long as ``kind`` allows."""
        seconds = self._seconds(kind)
        if key is None or seconds <= 0 or not isinstance(unit, str):
            return
        with self._lock:
            self._units[key] = (unit, self.clock() + seconds)
            self._units.move_to_end(key)
            while len(self._units) > self.max_keys:
                self._units.popitem(last=False)

    def __len__(self):
        return len(self._units)
