"""Benchmark: satisfaction-survey forms through the survey service into PostgreSQL, then the rates.

What is timed (the figure): every form sent as ``survey.submit_batch`` RPCs of 5,000 forms over
RabbitMQ (4 callers at once) to the survey service running in its own process on PostgreSQL
(envelope schema, per-form checks of the domain, one bulk INSERT … ON CONFLICT DO NOTHING RETURNING
per batch, idempotency record, commit, reply), then ``survey.close_campaign`` of every campaign
(rates per subject, dimension and group computed from all forms; the final event to the outbox).

Baseline, measured in the same run on the same rows: a bare COPY into an empty table of the same
shape and primary key (issue 24 item 4).  A bare bulk INSERT (psycopg2 execute_values, 5,000 rows a
statement, a commit each) of the same rows is printed for information (round 1's baseline).

Scale: campaigns of 50,000 forms (one county's round, 001 §一2) over 445 subjects and the ten
groups, 35 answers each; 20 campaigns = 1,000,000 forms (--quick: 1 campaign, 50,000 forms).
Targets: ≤ 60 s for 1,000,000 forms (scaled: 60 µs a form), and ≤ 3 × the bare COPY (issue 24).

    python bench/bench_survey_intake.py [--quick | --campaigns N]

Broker and server: ``LIANBAO_TEST_AMQP`` (default the local RabbitMQ's vhost ``/``) and
``LIANBAO_TEST_PG`` (default the local PostgreSQL, no database), as the other benches; the bench's
database is ``<--db-prefix>_<random>`` (default ``lianbao_bench_survey``), created and dropped.
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg2  # noqa: E402
import psycopg2.extensions  # noqa: E402
from psycopg2.extras import execute_values  # noqa: E402

from shared.config import load_config  # noqa: E402

PG = os.environ.get("LIANBAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
AMQP = os.environ.get("LIANBAO_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")
FORMS_PER_CAMPAIGN = 50_000
BATCH = 5_000
CALLERS = 4
TARGET_SECONDS_PER_MILLION = 60.0
TARGET_RATIO = 3.0
GROUPS = ("superior_departments", "deputies", "bureau_heads", "business_owners", "venue_operators",
          "parents", "case_parties", "officer_families", "retired_staff", "officers")


def subjects_of(c: int) -> list[dict]:
    out = [{"id": f"k{c}-a{i}", "kind": "agency"} for i in range(5)]
    out += [{"id": f"k{c}-s{i}", "kind": "section"} for i in range(40)]
    out += [{"id": f"k{c}-o{i}", "kind": "officer"} for i in range(400)]
    return out


def make_forms(n_campaigns: int, rnd: random.Random):
    """{campaign: [form]}: random subjects and groups; answers drawn from 4,000 distinct strings
    weighted like a satisfied public (S 55%, B 25%, D 10%, N 10%)."""
    pool = ["".join(rnd.choices("SBDN", weights=(55, 25, 10, 10), k=35)) for _ in range(4000)]
    out = {}
    for c in range(n_campaigns):
        ids = [s["id"] for s in subjects_of(c)]
        out[f"bench-k{c}"] = [{"serial": f"K{c}-{i:07d}", "subject": rnd.choice(ids),
                               "group": rnd.choice(GROUPS), "answers": rnd.choice(pool)}
                              for i in range(FORMS_PER_CAMPAIGN)]
    return out


def admin(sql: str) -> None:
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def keyring_path(tag: str) -> str:
    """The keyring the bench and the service share: the service verifies the operator's signature
    on every call (docs/trust.md), as in any deployment."""
    return f"/tmp/{tag}/keyring.yml"


def signed(proxy, config):
    """``proxy`` signing every call as the operator (who runs the bench)."""
    from shared.assertions import SignedProxy
    from shared.identity import ALL_UNITS, Actor

    return SignedProxy(proxy, config, Actor("bench", "operator", ALL_UNITS))


def start_service(db_url: str, tag: str):
    env = {**os.environ, "BROKER_URL": AMQP, "SURVEY_DB_URL": db_url, "RPC_TIMEOUT": "300",
           "MAX_WORKERS": "8", "LIANBAO_DATA": f"/tmp/{tag}", "LIANBAO_AUTH_KEYRING": keyring_path(tag)}
    code = ("import eventlet; eventlet.monkey_patch()\n"
            "from lianbao.cli import main; main(['up', 'survey'])")
    log = open(f"/tmp/{tag}.log", "wb")
    return subprocess.Popen([sys.executable, "-c", code], cwd=str(ROOT), env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(config, deadline=60.0):
    from nameko.standalone.rpc import ClusterRpcProxy
    start = time.perf_counter()
    while time.perf_counter() - start < deadline:
        try:
            with ClusterRpcProxy(config, timeout=3) as rpc:
                if signed(rpc, config).survey.health()["status"] == "ok":
                    return
        except Exception:
            eventlet.sleep(0.5)
    raise SystemExit("survey service did not become healthy")


def cpu_snapshot(service_pid: int) -> dict:
    """CPU seconds used so far by the bench (the client), the service, every PostgreSQL and
    RabbitMQ process, and the machine (busy, idle, waiting on I/O), from /proc: where the time of
    a step went (None on a system without /proc)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid) -> float:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    try:
        out = {"client": used(os.getpid()), "service": used(service_pid), "postgres": 0.0, "rabbitmq": 0.0}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    comm = f.read().strip()
                if comm == "postgres":
                    out["postgres"] += used(pid)
                elif comm == "beam.smp":
                    out["rabbitmq"] += used(pid)
            except OSError:                 # a process that ended meanwhile
                continue
        with open("/proc/stat") as f:
            user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
        out.update(busy=(user + nice + system + irq + softirq) / tick, idle=idle / tick,
                   iowait=iowait / tick, steal=steal / tick)
        return out
    except OSError:
        return None


def cpu_line(before: dict | None, after: dict | None, seconds: float) -> str:
    if before is None or after is None:
        return "cpu: not known (no /proc)"
    d = {k: after[k] - before[k] for k in before}
    return (f"cpu over {seconds:.2f} s: client {d['client']:.2f} s, service {d['service']:.2f} s, "
            f"postgres {d['postgres']:.2f} s, rabbitmq {d['rabbitmq']:.2f} s; machine ({os.cpu_count()} cpus) "
            f"busy {d['busy']:.2f} s, idle {d['idle']:.2f} s, iowait {d['iowait']:.2f} s, steal {d['steal']:.2f} s")


def push(config, forms_by_campaign, service_pid: int) -> tuple[float, float, int]:
    """(intake seconds, rates seconds, forms accepted)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    jobs = [(cid, i // BATCH, forms[i:i + BATCH])
            for cid, forms in forms_by_campaign.items() for i in range(0, len(forms), BATCH)]
    accepted = [0]
    queue = list(reversed(jobs))
    calls: list[tuple[float, float]] = []     # (a call's seconds at the caller, the handler's own)

    def caller(rpc):
        while queue:
            cid, n, chunk = queue.pop()
            sent = time.perf_counter()
            out = rpc.survey.submit_batch({"campaign_id": cid, "batch_id": f"b{n}", "forms": chunk})
            calls.append((time.perf_counter() - sent, out["seconds"]))
            if out["rejected"]:
                raise SystemExit(f"unexpected refusals: {out['errors'][:3]}")
            accepted[0] += out["accepted"]

    # The callers' connections (and their reply queues) are set up before the clock starts, as the
    # baseline's COPY connects before its clock: the figure is the forms' way, not connecting.
    proxies = [ClusterRpcProxy(config, timeout=300) for _ in range(CALLERS + 1)]
    rpcs = [signed(p.start(), config) for p in proxies]
    try:
        cpu0 = cpu_snapshot(service_pid)
        t0 = time.perf_counter()
        pool = eventlet.GreenPool(CALLERS)
        threads = [pool.spawn(caller, rpc) for rpc in rpcs[:CALLERS]]
        for gt in threads:
            gt.wait()
        intake = time.perf_counter() - t0
        cpu1 = cpu_snapshot(service_pid)
        t1 = time.perf_counter()
        for cid in forms_by_campaign:
            rates = rpcs[CALLERS].survey.close_campaign({"campaign_id": cid})
            assert rates["totals"]["forms"] == len(forms_by_campaign[cid])
        rating = time.perf_counter() - t1
        cpu2 = cpu_snapshot(service_pid)
    finally:
        for p in proxies:
            p.stop()
    print(f"  intake: {len(calls)} calls, each {sum(c for c, _ in calls) / len(calls):.3f} s at the caller "
          f"(the handler's own {sum(h for _, h in calls) / len(calls):.3f} s; the rest is the bus, admission, "
          f"commit and waiting for a worker)")
    print("  intake " + cpu_line(cpu0, cpu1, intake))
    print("  rates " + cpu_line(cpu1, cpu2, rating))
    return intake, rating, accepted[0]


def bare_rows(forms_by_campaign):
    gi = {g: i for i, g in enumerate(GROUPS)}
    return [(cid, f["serial"], f["subject"], gi[f["group"]], f["answers"])
            for cid, forms in forms_by_campaign.items() for f in forms]


TABLE = ("CREATE TABLE {} (campaign_id varchar(100) NOT NULL, serial varchar(64) NOT NULL, "
         "subject varchar(100) NOT NULL, grp smallint NOT NULL, answers varchar(200) NOT NULL, "
         "PRIMARY KEY (campaign_id, serial))")


def bare_insert(db_url: str, rows) -> float:
    conn = psycopg2.connect(db_url)
    cur = conn.cursor()
    cur.execute(TABLE.format("bare_forms"))
    conn.commit()
    t0 = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        execute_values(cur, "INSERT INTO bare_forms VALUES %s", rows[i:i + BATCH], page_size=BATCH)
        conn.commit()
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds


def bare_copy(db_url: str, rows) -> float:
    callback = psycopg2.extensions.get_wait_callback()
    psycopg2.extensions.set_wait_callback(None)      # COPY cannot run green; nothing else runs now
    try:
        conn = psycopg2.connect(db_url)
        cur = conn.cursor()
        cur.execute(TABLE.format("bare_copy"))
        conn.commit()
        t0 = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            buf = io.StringIO("".join(f"{a}\t{b}\t{c}\t{d}\t{e}\n" for a, b, c, d, e in rows[i:i + BATCH]))
            cur.copy_expert("COPY bare_copy FROM STDIN", buf)
            conn.commit()
        seconds = time.perf_counter() - t0
        conn.close()
        return seconds
    finally:
        psycopg2.extensions.set_wait_callback(callback)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 campaign of 50,000 forms")
    parser.add_argument("--campaigns", type=int, default=None,
                        help="campaigns of 50,000 forms (default 20: 1,000,000 forms; --quick: 1)")
    parser.add_argument("--db-prefix", default="lianbao_bench_survey",
                        help="the bench's database is named <prefix>_<random>")
    args = parser.parse_args(argv)
    n_campaigns = args.campaigns or (1 if args.quick else 20)
    n = n_campaigns * FORMS_PER_CAMPAIGN
    tag = f"{args.db_prefix}_{uuid.uuid4().hex[:8]}"
    db_url = f"{PG}/{tag}"
    print(f"survey intake: {n:,} forms in {n_campaigns} campaign(s), batches of {BATCH:,}, "
          f"{CALLERS} callers, RabbitMQ + PostgreSQL")
    t = time.perf_counter()
    forms = make_forms(n_campaigns, random.Random(2026))
    rows = bare_rows(forms)
    print(f"  generated in {time.perf_counter() - t:.1f} s")
    admin(f'CREATE DATABASE "{tag}"')
    config = load_config(env={"BROKER_URL": AMQP, "RPC_TIMEOUT": "300", "LIANBAO_DATA": f"/tmp/{tag}",
                              "LIANBAO_AUTH_KEYRING": keyring_path(tag)})
    from shared import assertions

    assertions.keyring_of(config).get()          # created here, read by the service
    proc = start_service(db_url, tag)
    try:
        wait_healthy(config)
        from nameko.standalone.rpc import ClusterRpcProxy
        with ClusterRpcProxy(config, timeout=60) as raw:
            rpc = signed(raw, config)
            for c in range(n_campaigns):
                rpc.survey.create_campaign({"campaign_id": f"bench-k{c}", "period": "2026H1",
                                            "owner": f"k{c}", "subjects": subjects_of(c)})
        intake, rates, accepted = push(config, forms, proc.pid)
        figure = intake + rates
        print(f"  service: intake {intake:.2f} s ({n / intake:,.0f} forms/s), rates of all campaigns "
              f"{rates:.2f} s, total {figure:.2f} s ({n / figure:,.0f} forms/s), accepted {accepted:,}")
        if accepted != n:
            raise SystemExit(f"accepted {accepted} of {n}")
        insert = bare_insert(db_url, rows)
        print(f"  bare bulk INSERT (execute_values, information): {insert:.2f} s ({n / insert:,.0f} rows/s; "
              f"figure {figure / insert:.2f}× of it)")
        baseline = bare_copy(db_url, rows)
        print(f"  bare COPY (the baseline): {baseline:.2f} s ({n / baseline:,.0f} rows/s)")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        admin(f'DROP DATABASE IF EXISTS "{tag}" WITH (FORCE)')
    limit = TARGET_SECONDS_PER_MILLION * n / 1_000_000
    ratio = figure / baseline
    met = figure <= limit and ratio <= TARGET_RATIO
    print(f"  target: ≤ {limit:.0f} s for {n:,} forms and ≤ {TARGET_RATIO:.0f}× the bare COPY: "
          f"{figure:.2f} s, ratio {ratio:.2f}, {'met' if met else 'NOT met'}")
    print("BENCH " + json.dumps({
        "name": "survey_intake", "figure": round(figure, 3), "unit": "s", "baseline": round(baseline, 3),
        "baseline_name": "bare COPY of the same rows",
        "ratio": round(ratio, 3),
        "target": f"<= {limit:.0f} s for {n} forms incl. rates, and <= {TARGET_RATIO:.0f}x the bare COPY",
        "met": met, "limits": {"figure": limit, "ratio": TARGET_RATIO}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
