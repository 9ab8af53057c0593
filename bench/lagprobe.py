"""Where the event loop is held: a diagnostic for the gateway benches (issue 19).

``LIANBAO_BENCH_LAG=FILE python bench/bench_gateway_exports.py --quick``: the bench's server process
(``bench/gateway_server.py``) runs a green ticker every 5 ms and a native thread that, whenever the
ticker is more than 30 ms late, writes the lag and the main thread's innermost project frames to
FILE. Group the lines (``sort | uniq -c``) to see what holds the hub: a query, a computation, a GC
pause, or nothing at all (``epolls.do_poll``: the process was not scheduled — the machine's load).
"""
import os
import sys
import traceback

import eventlet
from eventlet import patcher

_threading = patcher.original("threading")
_time = patcher.original("time")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _where(frames, n=3):
    return " > ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in frames[-n:])


def start(path: str, late: float = 0.03) -> None:
    tick = [_time.monotonic()]
    main_ident = _threading.main_thread().ident

    def ticker():
        while True:
            tick[0] = _time.monotonic()
            eventlet.sleep(0.005)

    def sampler():
        with open(path, "a") as out:
            while True:
                _time.sleep(0.005)
                lag = _time.monotonic() - tick[0]
                frame = sys._current_frames().get(main_ident)
                if lag <= late or frame is None:
                    continue
                stack = traceback.extract_stack(frame)
                own = [f for f in stack if f.filename.startswith(ROOT) and "/.venv/" not in f.filename]
                out.write(f"{lag * 1000:.0f} {_where(own)} || {_where(stack, 2)}\n")
                out.flush()

    eventlet.spawn(ticker)
    _threading.Thread(target=sampler, daemon=True).start()
