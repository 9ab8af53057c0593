"""Reliability fixtures: a private RabbitMQ vhost per test, services as real processes, figures.

* ``vhost`` — a fresh vhost ``lianbao_rel_<hex>`` (guest may use it), deleted afterwards, so the
  queues of these tests never meet other tests' queues on the shared broker.
* ``rel_config`` — ``real_config`` (fresh PostgreSQL databases) pointed at that vhost.
* ``processes`` — start services with ``python -m lianbao up <svc>`` (kill -9 is real).
* ``figures`` — what a test counted (messages sent, faults injected, lost, doubled); the table is
  printed at the end of the run for the README.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from functools import partial
from pathlib import Path

import eventlet
import pytest

from tests import waiting

ROOT = Path(__file__).resolve().parents[2]
_FIGURES: list[dict] = []


# -- rabbitmqctl ------------------------------------------------------------------------------------
def rabbitmqctl(*args, check=True, timeout=60) -> subprocess.CompletedProcess:
    out = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout)
    if check and out.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {out.stdout} {out.stderr}")
    return out


def amqp_url(vhost: str, user: str = "guest", password: str = "guest") -> str:
    return f"amqp://{user}:{password}@127.0.0.1:5672/{vhost}"


@pytest.fixture
def vhost():
    name = "lianbao_rel_" + uuid.uuid4().hex[:10]
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        yield name
    finally:
        rabbitmqctl("delete_vhost", name, check=False)


@pytest.fixture
def rel_config(real_config, vhost):
    real_config["AMQP_URI"] = amqp_url(vhost)
    real_config["_vhost"] = vhost
    return real_config


# -- waiting ------------------------------------------------------------------------------------------
#: tests.waiting.wait_for with this folder's defaults: 30 s, and a predicate that raises (a process
#: still starting, the broker restarting) counts as not yet
wait_for = partial(waiting.wait_for, timeout=30.0, interval=0.1, ignoring=(Exception,))


# -- services as processes ------------------------------------------------------------------------
class Processes:
    """Services started as ``python -m lianbao up <svc>`` on the test's vhost and databases."""

    def __init__(self, config: dict, folder: Path):
        self.config = config
        self.folder = folder
        self.procs: dict[str, subprocess.Popen] = {}
        self.starts: dict[str, int] = {}
        self.kills = 0

    def env(self, broker_url: str | None = None, **extra) -> dict:
        env = dict(os.environ)
        env.update({"BROKER_URL": broker_url or self.config["AMQP_URI"],
                    "DATABASE_URL_TEMPLATE": self.config["DATABASE_URL_TEMPLATE"],
                    "LIANBAO_DATA": self.config["DATA_DIR"], "PYTHONUNBUFFERED": "1",
                    "OUTBOX_POLL_SECONDS": "0.3", "RPC_TIMEOUT": "15"})
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def start(self, name: str, broker_url: str | None = None, **extra) -> subprocess.Popen:
        n = self.starts.get(name, 0) + 1
        self.starts[name] = n
        log = open(self.folder / f"{name}.{n}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "lianbao", "up", name], cwd=str(ROOT),
                                env=self.env(broker_url, **extra), stdout=log,
                                stderr=subprocess.STDOUT)
        self.procs[name] = proc
        return proc

    def kill9(self, name: str) -> None:
        proc = self.procs[name]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        self.kills += 1

    def alive(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def log(self, name: str) -> str:
        return "\n".join((self.folder / f"{name}.{i}.log").read_text(errors="replace")[-3000:]
                         for i in range(1, self.starts.get(name, 0) + 1))

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture
def processes(rel_config, tmp_path):
    procs = Processes(rel_config, tmp_path)
    yield procs
    procs.stop_all()


def rpc_call(config, service, method, payload=None, timeout=10, context_data=None, **kwargs):
    """One RPC on a fresh standalone proxy (raises what the call raises), signed as the suite's test
    harness signs (:meth:`shared.runner.Suite.rpc`: the payload's actor as a person, else the operator)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.assertions import SignedProxy, payload_actor

    with ClusterRpcProxy(config, timeout=timeout, context_data=context_data) as raw:
        proxy = SignedProxy(raw, config, payload_actor)
        method_proxy = getattr(getattr(proxy, service), method)
        return method_proxy(payload, **kwargs) if payload is not None else method_proxy(**kwargs)


class KeyedCaller:
    """Calls retried with the same idempotency key until they succeed (a named error is an answer,
    not a failure), counting calls, attempts and failed attempts, and the longest time one call took."""

    def __init__(self, config, timeout=8, give_up=120, pause=0.5):
        self.config, self.timeout, self.give_up, self.pause = config, timeout, give_up, pause
        self.stats = {"calls": 0, "attempts": 0, "failed_attempts": 0}
        self.longest = 0.0

    def __call__(self, service, method, payload, key):
        from shared.errors import LianbaoError

        self.stats["calls"] += 1
        clock = eventlet.hubs.get_hub().clock
        started = clock()
        deadline = started + self.give_up
        try:
            while True:
                self.stats["attempts"] += 1
                try:
                    return rpc_call(self.config, service, method, payload, timeout=self.timeout,
                                    context_data={"idempotency_key": key})
                except LianbaoError:
                    raise
                except Exception:
                    self.stats["failed_attempts"] += 1
                    if clock() > deadline:
                        raise
                    eventlet.sleep(self.pause)
        finally:
            self.longest = max(self.longest, clock() - started)


def wait_healthy(config, name, timeout=60):
    def ok():
        reply = rpc_call(config, name, "health", timeout=3)
        return reply["status"] == "ok"
    assert wait_for(ok, timeout=timeout, interval=0.3), f"{name} never became healthy"


# -- figures --------------------------------------------------------------------------------------
@pytest.fixture
def figures(request):
    """``figures.update(sent=..., faults=..., lost=..., doubled=...)``: reported for the README."""
    row = {"test": request.node.name}
    yield row
    if len(row) > 1:
        _FIGURES.append(row)
        out = os.environ.get("LIANBAO_RELIABILITY_FIGURES")
        if out:
            with open(out, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def pytest_terminal_summary(terminalreporter):
    if not _FIGURES:
        return
    terminalreporter.write_sep("-", "reliability figures")
    for row in _FIGURES:
        terminalreporter.write_line(json.dumps(row, ensure_ascii=False))
