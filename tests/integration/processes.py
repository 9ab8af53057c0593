"""The suite's services started as processes, the way ``lianbao up`` (and docker compose) starts
them, for the tests on the real broker."""
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def services_up(names, env: dict, logs: Path):
    """``lianbao up NAME`` for each of ``names`` with ``env``, its output in ``logs/NAME.log``; on
    leaving, each is terminated and, if not gone within 20 s, killed."""
    procs = [subprocess.Popen([sys.executable, "-m", "lianbao", "up", name], env=env,
                              stdout=open(logs / f"{name}.log", "w"), stderr=subprocess.STDOUT)
             for name in names]
    try:
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
