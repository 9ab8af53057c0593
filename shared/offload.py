"""Run CPU-bound work off the event loop (issue 19: /health answers while exports run).

A service and the gateway answer every request from one eventlet hub: a pure-Python computation
that runs for 100 ms in a green thread holds every other request for 100 ms. ``off_loop(fn, ...)``
runs ``fn`` in a native thread (eventlet's thread pool) and waits for it greenly: the hub keeps
taking the interpreter every few milliseconds (the GIL's switch interval), so a health check is
answered meanwhile. ``fn`` must not use green primitives (no eventlet.sleep, no database session
of the calling green thread): give it plain data, take plain data back.

``LIANBAO_OFFLOAD=0`` runs ``fn`` inline (the benches' baseline).
"""
from __future__ import annotations

import os


def off_loop(fn, *args, **kwargs):
    if os.environ.get("LIANBAO_OFFLOAD") == "0":
        return fn(*args, **kwargs)
    from eventlet import tpool

    return tpool.execute(fn, *args, **kwargs)


def started(fn):
    """Start ``fn()`` now and return ``wait``: ``wait()`` waits for it and returns what it returned
    (or raises what it raised).  For blocking I/O that can overlap the caller's own work (a query on
    a second database connection).  Under eventlet, a green thread (psycopg2 is green there: while
    one query waits for PostgreSQL the other green thread runs); without it, a native thread
    (psycopg2 releases the interpreter while it waits).  ``LIANBAO_OFFLOAD=0``: ``fn`` runs when
    waited for."""
    if os.environ.get("LIANBAO_OFFLOAD") == "0":
        return fn
    from eventlet import patcher

    if patcher.is_monkey_patched("thread"):
        import eventlet

        gt = eventlet.spawn(fn)
        eventlet.sleep(0)           # it sends its query, then waits greenly: the caller goes on
        return gt.wait
    import threading

    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 — handed to the caller of wait()
            box["error"] = exc

    thread = threading.Thread(target=run, name="lianbao-started", daemon=True)
    thread.start()

    def wait():
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]

    return wait
