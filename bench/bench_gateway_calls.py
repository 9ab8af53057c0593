"""Benchmark: the HTTP gateway beside the direct RPC of the same operation (issue 21 item 5).

On RabbitMQ and PostgreSQL, each service (roster, scoring, survey) and the gateway in a process of
its own, started by this script, two operations, each called both ways in the same run:

* a person's history: ``GET /scoring/people/bo/history?year=2025`` (twelve months evaluated) beside
  ``scoring.person_history`` signed as the operator (the gateway signs as its calling system; whose the
  person is, the route's scope, it asks the roster once and keeps for ``GATEWAY_SCOPE_SECONDS``);
* a batch of forms: ``POST /survey/campaigns/c1/batches`` (``FORMS`` new forms a call, each call a
  new ``batch_id``) beside ``survey.submit_batch`` of a batch of the same size.

For each: sequential p50 and p99 (ms; the two ways taking turns round by round, so a change of the
machine's load touches them alike), and calls per second of ``CALLERS`` concurrent callers (green
threads: HTTP keep-alive connections; RPC proxies of their own).  The HTTP calls are made the way a calling
system's pooled HTTP/1.1 client makes them: one kept-alive connection a caller (``http.client``, the
standard library's; ``--client requests`` uses a ``requests.Session`` instead, which costs about 0.8 ms
of the caller's own CPU a call more, measured beside a bare server: a cost of the client, not of the
gateway).  Target: the gateway costs at most
1.5× the direct call — its p50 ≤ 1.5× and its calls/s ≥ 1/1.5 of the direct call's, for both
operations.  The ``BENCH`` line's figure is the worst of the four ratios (gateway over direct, calls/s
inverted); every figure travels in ``extra``.

    python bench/bench_gateway_calls.py [--quick] [--amqp URL] [--db-prefix NAME]

``--amqp`` (default ``$LIANBAO_BENCH_AMQP``, else RabbitMQ's vhost ``/`` on 127.0.0.1) runs it on a vhost of
its own; ``--db-prefix`` (default ``$LIANBAO_BENCH_DB_PREFIX``, else ``lianbao_bench_gw``) names its
databases ``<prefix>_<random>_<service>`` (dropped at the end).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from itertools import count  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_read_rpc import (AMQP, PEOPLE, PG, UNITS, UP, Processes, admin, proxy,  # noqa: E402
                                  wait_idle, wait_ready)
from shared.config import load_config  # noqa: E402

TOKEN = "bench-gateway-token-0123456789abcdef"
CALLERS = 10
FORMS = 50
TARGET = 1.5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


_serials = count()


def forms(n: int) -> list[dict]:
    return [{"serial": f"s{next(_serials)}", "subject": "bo", "group": "parents", "answers": "SSBSD" * 7}
            for _ in range(n)]


def batch_body(n: int) -> dict:
    return {"batch_id": f"b{uuid.uuid4().hex[:12]}", "forms": forms(n)}


class Answer:
    def __init__(self, status: int, text: str):
        self.status_code, self.text = status, text

    def json(self):
        return json.loads(self.text)


class KeptAlive:
    """A kept-alive HTTP/1.1 connection to the gateway with the two calls the operations use (the
    ``requests.Session`` methods' names, so that either client serves)."""

    def __init__(self, url: str):
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)

    def _call(self, method, url, body=None, headers=None):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.conn.request(method, path, body=body, headers=headers or {})
        r = self.conn.getresponse()
        return Answer(r.status, r.read().decode("utf-8"))

    def get(self, url, params=None, headers=None, timeout=None):
        from urllib.parse import urlencode

        return self._call("GET", url + (f"?{urlencode(params)}" if params else ""), headers=headers)

    def post(self, url, json=None, headers=None, timeout=None):   # noqa: A002 - requests' name
        import json as _json

        return self._call("POST", url, _json.dumps(json).encode(), {**(headers or {}),
                                                                   "Content-Type": "application/json"})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.conn.close()
        return False


CLIENT = {"name": "http.client"}


def http_client(url: str):
    """A caller's HTTP client (``--client``): a kept-alive ``http.client`` connection, or a ``requests.Session``."""
    if CLIENT["name"] == "requests":
        import requests

        return requests.Session()
    return KeptAlive(url)


class Operation:
    """One operation, both ways: ``http(session)`` and ``rpc(proxy)`` each make one call."""

    def __init__(self, name, http, rpc):
        self.name, self.http, self.rpc = name, http, rpc


def operations(url: str) -> list[Operation]:
    headers = {"Authorization": f"Bearer {TOKEN}"}

    def history_http(session):
        r = session.get(f"{url}/scoring/people/bo/history", params={"year": 2025}, headers=headers, timeout=60)
        assert r.status_code == 200 and len(r.json()["months"]) == 12, r.text

    def history_rpc(rpc):
        assert len(rpc.scoring.person_history({"person": "bo", "year": 2025})["months"]) == 12

    def batch_http(session):
        r = session.post(f"{url}/survey/campaigns/c1/batches", json=batch_body(FORMS), headers=headers, timeout=60)
        assert r.status_code == 200 and r.json()["accepted"] == FORMS, r.text

    def batch_rpc(rpc):
        answer = rpc.survey.submit_batch({"campaign_id": "c1", **batch_body(FORMS)})
        assert answer["accepted"] == FORMS, answer

    return [Operation("history", history_http, history_rpc), Operation("form_batch", batch_http, batch_rpc)]


def sequential(config, ops, rounds: int, n: int, url: str) -> dict:
    """Latencies (ms) of each operation both ways, taking turns round by round."""
    samples = {(op.name, way): [] for op in ops for way in ("gateway", "direct")}
    with http_client(url) as session, proxy(config, signed=True) as rpc:
        for op in ops:                      # warm: connections, the proxy's reply queue, caches
            for _ in range(5):
                op.http(session)
                op.rpc(rpc)
        for _ in range(rounds):
            for op in ops:
                for way, call in (("gateway", lambda: op.http(session)), ("direct", lambda: op.rpc(rpc))):
                    for _ in range(n):
                        t0 = time.perf_counter()
                        call()
                        samples[(op.name, way)].append((time.perf_counter() - t0) * 1000)
    return {key: {"p50": statistics.median(v), "p99": percentile(v, 0.99), "n": len(v)}
            for key, v in samples.items()}


def concurrent(config, op: Operation, way: str, seconds: float, url: str) -> float:
    """Calls per second of ``CALLERS`` green threads for ``seconds``."""
    done, start_at, stop_at = [0], [0.0], [0.0]

    def caller():
        if way == "gateway":
            with http_client(url) as session:
                run(lambda: op.http(session))
        else:
            with proxy(config, signed=True) as rpc:
                run(lambda: op.rpc(rpc))

    def run(call):
        call()
        while not start_at[0]:
            eventlet.sleep(0.01)
        while time.perf_counter() < stop_at[0]:
            call()
            done[0] += 1

    pool = eventlet.GreenPool(CALLERS)
    threads = [pool.spawn(caller) for _ in range(CALLERS)]
    eventlet.sleep(2.0)
    start_at[0] = time.perf_counter()
    stop_at[0] = start_at[0] + seconds
    for thread in threads:
        thread.wait()
    return done[0] / (time.perf_counter() - start_at[0])


def seed(config, procs) -> None:
    """The roster first (the gateway asks it whose a person is) and, once scoring has taken the
    roster's events, scoring's own small city (an upsert over what the events wrote: the two at once
    would insert the same person twice), a campaign and twelve months of the officer evaluated."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.assertions import SignedProxy, payload_actor

    staff = [{"id": p["id"], "name": p.get("name") or p["id"], "position": p["position"], "joined": p["joined"],
              "unit": p.get("section") or p["agency"], **({"supervises": p["supervises"]} if p.get("supervises") else {})}
             for p in PEOPLE]
    with proxy(config, signed=True) as rpc:
        rpc.roster.save_units({"units": [{**{k: v for k, v in u.items() if k != "agency"},
                                          **({"agency_type": "public_security"} if u["kind"] == "agency" else {})}
                                         for u in UNITS]})
        rpc.roster.create_staff({"staff": staff})
    wait_idle(procs)
    with proxy(config, signed=True) as rpc:
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": PEOPLE})
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "bk",
                                    "subjects": [{"id": "bo", "kind": "officer", "name": "干警"}]})
    with ClusterRpcProxy(config, timeout=60) as raw:      # the officer acts for himself
        rpc = SignedProxy(raw, config, payload_actor)
        for n in range(1, 13):
            month = f"2025-{n:02d}"
            on = f"{2025 + (n == 12)}-{n % 12 + 1:02d}-03"
            rpc.scoring.submit_self_assessment({"actor": "bo", "subject": "bo", "month": month, "as_of": on,
                                                "item_scores": {"political.study": 7}})


def main(argv=None) -> int:
    import logging

    import yaml

    logging.getLogger("amqp").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls, shorter concurrent runs")
    parser.add_argument("--amqp", default=os.environ.get("LIANBAO_BENCH_AMQP") or AMQP,
                        help="the broker (a vhost of its own: amqp://guest:guest@127.0.0.1:5672/NAME)")
    parser.add_argument("--db-prefix", default=os.environ.get("LIANBAO_BENCH_DB_PREFIX") or "lianbao_bench_gw",
                        help="the databases' names begin with this")
    parser.add_argument("--client", choices=("http.client", "requests"), default="http.client",
                        help="the callers' HTTP client (default: a kept-alive http.client connection)")
    args = parser.parse_args(argv)
    CLIENT["name"] = args.client
    rounds, n, seconds = (3, 30, 3.0) if args.quick else (5, 100, 8.0)
    tag = f"{args.db_prefix}_{uuid.uuid4().hex[:8]}"
    tmp = Path(tempfile.mkdtemp(prefix="bench_gateway_"))
    tokens = tmp / "tokens.yml"
    tokens.write_text(yaml.safe_dump({"systems": [{"system": "bench", "actor": "bench-platform",
                                                   "token": TOKEN, "agencies": "*"}]}))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "BROKER_URL": args.amqp, "LIANBAO_DATA": str(tmp / "data"),
           "LIANBAO_AUTH_KEYRING": str(tmp / "keyring.yml"), "DATABASE_URL_TEMPLATE": f"{PG}/{tag}_{{service}}",
           "RPC_TIMEOUT": "60", "GATEWAY_ADDRESS": f"127.0.0.1:{port}", "LIANBAO_GATEWAY_TOKENS": str(tokens)}
    config = load_config(env={k: env[k] for k in ("BROKER_URL", "LIANBAO_DATA", "LIANBAO_AUTH_KEYRING",
                                                 "DATABASE_URL_TEMPLATE", "RPC_TIMEOUT")})
    from shared import assertions

    assertions.keyring_of(config).get()             # created once here, read by every process
    services = ("roster", "scoring", "survey", "gateway")
    for service in services:
        admin(f'CREATE DATABASE "{tag}_{service}"')
    procs = Processes(tmp, env)
    print(f"gateway vs direct RPC: RabbitMQ + PostgreSQL, one process per service and the gateway; "
          f"{CALLERS} concurrent callers; batches of {FORMS} forms (logs in {tmp})")
    try:
        for service in services:
            proc = procs.start(service, [UP, service])
            print(f"  {service}: pid {proc.pid}", flush=True)     # e.g. for py-spy record --pid
        wait_ready(config, ("roster", "scoring", "survey"))
        import requests

        for _ in range(240):
            try:
                if requests.get(f"{url}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            eventlet.sleep(0.5)
        seed(config, procs)
        print(f"  seeded; the services settled after {wait_idle(procs):.0f} s")
        ops = operations(url)
        lat = sequential(config, ops, rounds, n, url)
        rate = {}
        for op in ops:
            for way in ("direct", "gateway"):
                rate[(op.name, way)] = concurrent(config, op, way, seconds, url)
    finally:
        procs.stop()
        for service in services:
            admin(f'DROP DATABASE IF EXISTS "{tag}_{service}" WITH (FORCE)')

    ratios = {}
    for op in ops:
        g, d = lat[(op.name, "gateway")], lat[(op.name, "direct")]
        rg, rd = rate[(op.name, "gateway")], rate[(op.name, "direct")]
        ratios[f"{op.name}_p50"] = g["p50"] / d["p50"]
        ratios[f"{op.name}_calls"] = rd / rg
        print(f"  {op.name}: gateway p50 {g['p50']:.2f} ms p99 {g['p99']:.2f} ms, {rg:,.1f} calls/s | "
              f"direct p50 {d['p50']:.2f} ms p99 {d['p99']:.2f} ms, {rd:,.1f} calls/s | "
              f"p50 {ratios[f'{op.name}_p50']:.2f}×, calls/s {rg / rd:.2f}× direct")
    worst = max(ratios, key=ratios.get)
    met = all(v <= TARGET for v in ratios.values())
    print(f"  target: the gateway ≤ {TARGET}× the direct call (p50 and calls/s, both operations): worst "
          f"{worst} {ratios[worst]:.2f}× — {'met' if met else 'NOT met'}")
    figure_op = worst.rsplit("_", 1)[0]
    print("BENCH " + json.dumps({
        "name": "gateway_vs_direct", "unit": "x", "figure": round(ratios[worst], 3),
        "baseline": 1.0, "baseline_name": "the direct RPC of the same operation, same run",
        "ratio": round(ratios[worst], 3), "target": f"gateway <= {TARGET}x direct (p50, calls/s; history, "
                                                  f"form batch of {FORMS})",
        "met": met, "limits": {"ratio": TARGET},
        "extra": {"worst": worst, "ratios": {k: round(v, 3) for k, v in ratios.items()},
                  "latency_ms": {f"{k[0]}.{k[1]}": {m: round(x, 3) for m, x in v.items()} for k, v in lat.items()},
                  "calls_per_s": {f"{k[0]}.{k[1]}": round(v, 1) for k, v in rate.items()},
                  "callers": CALLERS, "forms_per_batch": FORMS, "operation": figure_op,
                  "http_client": CLIENT["name"]}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
