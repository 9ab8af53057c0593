"""Benchmark: read RPCs of the suite against the broker's own round trip (issue 24 item 2).

Everything runs on RabbitMQ (and PostgreSQL for the services), each service in a process of its own,
started by this script:

* the baseline: a plain nameko service ``bench_echo`` (``@rpc echo(payload) -> payload``: nameko's
  own entry point, no signature, no database) on the same broker;
* ``roster.get_staff`` of one of 1,000 staff (the roster's dated read: the person's post of the day,
  the unit tree) and ``scoring.person_history`` of an officer with twelve months evaluated; both
  signed as the operator (a token reused while more than half its life is left, as the suite's
  callers do) and verified by the service's entry point.

Figures, in one run, the three calls taking turns so a change of the machine's load touches them
alike:

1. sequential: p50 latency of each (``ROUNDS`` rounds of ``CALLS`` calls each);
2. 20 concurrent callers (each its own proxy, green threads): calls per second of each;
3. scale-out: 20 concurrent ``get_staff`` callers against three roster processes, over one.

Targets (issue 24): p50 of each read ≤ 1.5× echo's p50; with 20 callers ≥ 0.8× echo's calls/s;
three processes ≥ 2× one.  The ``BENCH`` line's figure is the slower read's p50 (ms), its baseline
echo's p50; the other figures travel in the same line (``extra``) and the verdict is all of them.

    python bench/bench_read_rpc.py [--quick] [--amqp URL]

The broker is ``--amqp``, else ``LIANBAO_TEST_AMQP``, else vhost ``/`` of the local RabbitMQ (``make bench``).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from shared.config import load_config  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432"
#: the broker (its vhost too): ``LIANBAO_TEST_AMQP`` as the tests take it, or ``--amqp``; vhost ``/`` by default
AMQP = os.environ.get("LIANBAO_TEST_AMQP") or "amqp://guest:guest@127.0.0.1:5672/"
CALLERS = 20
TARGET_P50 = 1.5           # × echo's p50
TARGET_THROUGHPUT = 0.8    # × echo's calls/s with 20 callers
TARGET_SCALE = 2.0         # three processes over one

ECHO = """
import eventlet; eventlet.monkey_patch()
import sys
from nameko.rpc import rpc
from nameko.runners import ServiceRunner

class Echo:
    name = "bench_echo"

    @rpc
    def echo(self, payload):
        return payload

runner = ServiceRunner({"AMQP_URI": sys.argv[1], "max_workers": 10})
runner.add_service(Echo)
runner.start()
runner.wait()
"""

UP = "import eventlet; eventlet.monkey_patch()\nimport sys\nfrom lianbao.cli import main; main(['up', sys.argv[1]])"

# scoring's own small city: one agency, a section, its chief (the officer's mentor), the officer
UNITS = [{"id": "bk", "kind": "committee", "name": "县委政法委"},
         {"id": "bk_ps", "kind": "agency", "parent": "bk", "agency": "bk_ps", "name": "县公安局"},
         {"id": "bk_ps_s1", "kind": "section", "parent": "bk_ps", "agency": "bk_ps", "name": "刑侦大队"}]
PEOPLE = [{"id": "bh", "agency": "bk_ps", "position": "head", "joined": "2000-01-01"},
          {"id": "bl", "agency": "bk_ps", "position": "leader", "joined": "2005-01-01", "mentor": "bh",
           "supervises": ["bk_ps_s1"]},
          {"id": "bc", "agency": "bk_ps", "section": "bk_ps_s1", "position": "chief", "joined": "2010-01-01",
           "mentor": "bl"},
          {"id": "bo", "agency": "bk_ps", "section": "bk_ps_s1", "position": "officer", "joined": "2020-01-01",
           "mentor": "bc", "name": "干警"}]


def admin(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


class Processes:
    def __init__(self, folder: Path, env: dict):
        self.folder, self.env, self.procs, self.names = folder, env, [], []

    def start(self, name: str, argv: list[str], extra: dict | None = None):
        log = open(self.folder / f"{name}-{len(self.procs)}.log", "wb")
        proc = subprocess.Popen([sys.executable, "-c", *argv], cwd=str(ROOT), env={**self.env, **(extra or {})},
                                stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self.names.append(name)
        return proc

    def stop(self):
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def proxy(config, signed: bool):
    """A proxy of this green thread (never shared), signing as the operator when ``signed``."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.assertions import SignedProxy
    from shared.identity import ALL_UNITS, Actor

    class Handle:
        def __enter__(self):
            self.cm = ClusterRpcProxy(config, timeout=60)
            raw = self.cm.__enter__()
            return SignedProxy(raw, config, Actor("bench", "operator", ALL_UNITS)) if signed else raw

        def __exit__(self, *exc):
            return self.cm.__exit__(*exc)
    return Handle()


def wait_ready(config, names, deadline=120.0):
    start = time.perf_counter()
    for name in names:
        while True:
            try:
                with proxy(config, signed=name != "bench_echo") as rpc:
                    if name == "bench_echo":
                        rpc.bench_echo.echo({"ping": 1})
                    else:
                        rpc[name].health()
                break
            except Exception:
                if time.perf_counter() - start > deadline:
                    raise SystemExit(f"{name} did not answer within {deadline:.0f} s")
                eventlet.sleep(0.5)


def seed(config, tmp: Path, n_staff: int) -> str:
    """1,000 staff in the roster (a CSV through ``import_roster``), scoring's small city with twelve
    months of the officer evaluated.  Returns a person id of the roster to read."""
    from bench.bench_roster_import import HEADER, make_city
    from lianbao.commands.import_roster import import_file

    units, rows = make_city(n_staff)
    path = tmp / "roster.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    with proxy(config, signed=True) as rpc:
        rpc.roster.save_units({"units": units})
        report = import_file(rpc, path, progress=False)
        assert report["committed"], report
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": PEOPLE})
    from shared.assertions import SignedProxy, payload_actor
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy(config, timeout=60) as raw:      # the officer acts for himself
        rpc = SignedProxy(raw, config, payload_actor)
        for n in range(1, 13):
            month = f"2025-{n:02d}"
            on = f"{2025 + (n == 12)}-{n % 12 + 1:02d}-03"
            rpc.scoring.submit_self_assessment({"actor": "bo", "subject": "bo", "month": month, "as_of": on,
                                                "item_scores": {"political.study": 7}})
    return rows[len(rows) // 2][0]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> dict:
    """CPU seconds used so far by every PostgreSQL and every RabbitMQ process (the broker and the
    database serve the other sessions of a shared machine too), and the machine's busy and idle
    seconds (all cores), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {"postgres": 0.0, "rabbitmq": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if comm in ("postgres", "beam.smp"):
                out["postgres" if comm == "postgres" else "rabbitmq"] += cpu_seconds(int(pid))
        except (OSError, ValueError, IndexError):      # a process that ended meanwhile
            continue
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq = map(int, f.readline().split()[1:8])
    out.update(busy=(user + nice + system + irq + softirq) / tick, idle=(idle + iowait) / tick)
    return out


def wait_idle(procs, window: float = 2.0, busy: float = 0.05, deadline: float = 300.0) -> float:
    """Wait until every service process is idle (under ``busy`` of a core over ``window`` seconds):
    the roster's import publishes an event per person, which scoring consumes for a while after the
    import returns; measuring then would time scoring's event handlers, not the reads.  Returns the
    seconds waited."""
    start = time.perf_counter()
    pids = [p.pid for p in procs.procs if p.poll() is None]
    while True:
        before = {pid: cpu_seconds(pid) for pid in pids}
        eventlet.sleep(window)
        used = max(cpu_seconds(pid) - before[pid] for pid in pids)
        if used / window < busy:
            return time.perf_counter() - start
        if time.perf_counter() - start > deadline:
            raise SystemExit(f"the services were still busy after {deadline:.0f} s")


def sequential(calls: dict, rounds: int, n: int) -> dict:
    """p50 (ms) of each call, the calls taking turns round by round."""
    samples = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            for _ in range(n):
                t0 = time.perf_counter()
                call()
                samples[name].append((time.perf_counter() - t0) * 1000)
    return {name: statistics.median(values) for name, values in samples.items()}


def concurrent(config, make_call, signed: bool, seconds: float, procs=None, label: str = "") -> float:
    """Calls per second of ``CALLERS`` green threads, each with its own proxy, for ``seconds``.  With
    ``procs``, prints the cores each service process and this (the callers') process used meanwhile:
    what bounds the figure on this machine."""
    done = [0]
    start_at = [0.0]
    stop_at = [0.0]

    def caller():
        with proxy(config, signed) as rpc:
            call = make_call(rpc)
            call()                                  # the proxy's reply queue is up
            while not start_at[0]:
                eventlet.sleep(0.01)
            while time.perf_counter() < stop_at[0]:
                call()
                done[0] += 1

    pool = eventlet.GreenPool(CALLERS)
    threads = [pool.spawn(caller) for _ in range(CALLERS)]
    eventlet.sleep(2.0)                             # every caller connected
    pids = {f"{name}[{proc.pid}]": proc.pid for name, proc in zip(procs.names, procs.procs)
            if proc.poll() is None} if procs is not None else {}
    pids["callers"] = os.getpid()
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    machine = machine_cpu()
    start_at[0] = time.perf_counter()
    stop_at[0] = start_at[0] + seconds
    for thread in threads:
        thread.wait()
    elapsed = time.perf_counter() - start_at[0]
    if procs is not None:
        used = ", ".join(f"{name} {(cpu_seconds(pid) - before[name]) / elapsed:.2f}" for name, pid in pids.items())
        after = machine_cpu()
        other = ", ".join(f"{name} {(after[name] - machine[name]) / elapsed:.2f}" for name in ("postgres", "rabbitmq"))
        print(f"    cores used, {label}: {used}; every {other}; the machine's {os.cpu_count()} cores: busy "
              f"{(after['busy'] - machine['busy']) / elapsed:.2f}, idle {(after['idle'] - machine['idle']) / elapsed:.2f}")
    return done[0] / seconds


def main(argv=None) -> int:
    import logging

    logging.getLogger("amqp").setLevel(logging.ERROR)     # "Received method … during closing channel"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, shorter concurrent runs")
    parser.add_argument("--amqp", default=AMQP, help="the broker's URL, its vhost included (default: "
                        "LIANBAO_TEST_AMQP, else vhost / of the local RabbitMQ)")
    args = parser.parse_args(argv)
    amqp = args.amqp
    rounds, n, seconds = (3, 100, 3.0) if args.quick else (5, 300, 6.0)
    tag = "lianbao_bench_read_" + uuid.uuid4().hex[:8]
    tmp = Path(tempfile.mkdtemp(prefix="bench_read_"))
    keyring = tmp / "keyring.yml"
    env = {**os.environ, "BROKER_URL": amqp, "LIANBAO_DATA": str(tmp / "data"),
           "LIANBAO_AUTH_KEYRING": str(keyring), "DATABASE_URL_TEMPLATE": f"{PG}/{tag}_{{service}}",
           "RPC_TIMEOUT": "60"}
    config = load_config(env={k: env[k] for k in ("BROKER_URL", "LIANBAO_DATA", "LIANBAO_AUTH_KEYRING",
                                                 "DATABASE_URL_TEMPLATE", "RPC_TIMEOUT")})
    from shared import assertions

    assertions.keyring_of(config).get()             # created once here, read by every process
    for service in ("roster", "scoring"):
        admin(f'CREATE DATABASE "{tag}_{service}"')
    procs = Processes(tmp, env)
    print(f"read RPCs: {CALLERS} concurrent callers, RabbitMQ + PostgreSQL, one process per service "
          f"(logs in {tmp})")
    try:
        procs.start("echo", [ECHO, amqp])
        procs.start("roster", [UP, "roster"])
        procs.start("scoring", [UP, "scoring"])
        wait_ready(config, ("bench_echo", "roster", "scoring"))
        person = seed(config, tmp, 1000)
        print(f"  seeded; the services settled after {wait_idle(procs):.0f} s")

        with proxy(config, signed=False) as plain, proxy(config, signed=True) as signed:
            history = signed.scoring.person_history({"person": "bo", "year": 2025})
            assert len(history["months"]) == 12, history
            assert signed.roster.get_staff({"person": person})["id"] == person
            p50 = sequential({
                "echo": lambda: plain.bench_echo.echo({"person": person}),
                "roster.get_staff": lambda: signed.roster.get_staff({"person": person}),
                "scoring.person_history": lambda: signed.scoring.person_history({"person": "bo", "year": 2025}),
            }, rounds, n)
        for name, value in p50.items():
            print(f"  sequential p50 {name}: {value:.2f} ms ({value / p50['echo']:.2f}× echo)")

        rate = {
            "echo": concurrent(config, lambda rpc: (lambda: rpc.bench_echo.echo({"person": person})), False, seconds,
                               procs, "echo"),
            "roster.get_staff": concurrent(
                config, lambda rpc: (lambda: rpc.roster.get_staff({"person": person})), True, seconds, procs,
                "roster.get_staff"),
            "scoring.person_history": concurrent(
                config, lambda rpc: (lambda: rpc.scoring.person_history({"person": "bo", "year": 2025})), True,
                seconds, procs, "scoring.person_history"),
        }
        for name, value in rate.items():
            print(f"  {CALLERS} callers {name}: {value:,.0f} calls/s ({value / rate['echo']:.2f}× echo)")

        procs.start("roster", [UP, "roster"])
        procs.start("roster", [UP, "roster"])
        eventlet.sleep(5.0)                         # the two new consumers on rpc-roster
        wait_idle(procs)                            # … and done starting
        three = concurrent(config, lambda rpc: (lambda: rpc.roster.get_staff({"person": person})), True, seconds,
                           procs, "roster.get_staff, three roster processes")
        scale = three / rate["roster.get_staff"]
        print(f"  {CALLERS} callers roster.get_staff, three processes: {three:,.0f} calls/s "
              f"({scale:.2f}× one process; {os.cpu_count()} cores)")
    finally:
        procs.stop()
        for service in ("roster", "scoring"):
            admin(f'DROP DATABASE IF EXISTS "{tag}_{service}" WITH (FORCE)')

    slower = max(("roster.get_staff", "scoring.person_history"), key=lambda k: p50[k])
    ratio = p50[slower] / p50["echo"]
    throughput = min(rate["roster.get_staff"], rate["scoring.person_history"]) / rate["echo"]
    checks = {"p50": ratio <= TARGET_P50, "throughput": throughput >= TARGET_THROUGHPUT,
              "scale_out": scale >= TARGET_SCALE}
    met = all(checks.values())
    print(f"  targets: p50 ≤ {TARGET_P50}× echo ({ratio:.2f}×, {'met' if checks['p50'] else 'NOT met'}); "
          f"{CALLERS} callers ≥ {TARGET_THROUGHPUT}× echo ({throughput:.2f}×, "
          f"{'met' if checks['throughput'] else 'NOT met'}); three processes ≥ {TARGET_SCALE}× one "
          f"({scale:.2f}×, {'met' if checks['scale_out'] else 'NOT met'})")
    print("BENCH " + json.dumps({
        "name": "read_rpc_p50", "figure": round(p50[slower], 3), "unit": "ms", "baseline": round(p50["echo"], 3),
        "baseline_name": "plain nameko echo RPC p50, same broker",
        "ratio": round(ratio, 3),
        "target": f"p50 <= {TARGET_P50}x echo ({slower}); {CALLERS} callers >= {TARGET_THROUGHPUT}x echo; "
                  f"3 processes >= {TARGET_SCALE}x 1",
        "met": met,
        "extra": {"p50_ms": {k: round(v, 3) for k, v in p50.items()},
                  "calls_per_s": {k: round(v, 1) for k, v in rate.items()},
                  "throughput_ratio": round(throughput, 3), "three_processes_calls_per_s": round(three, 1),
                  "scale_out": round(scale, 3), "checks": checks}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
