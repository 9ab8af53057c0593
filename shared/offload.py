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
