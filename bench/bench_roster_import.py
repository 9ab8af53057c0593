"""Benchmark: ``lianbao import roster`` of 100,000 staff through the roster service.

What is timed: reading the CSV file, one ``roster.import_roster`` RPC carrying every row (schema,
row-by-row checks of the domain, the plan against the existing roster, the all-or-nothing insert
with its ``staff_joined`` outbox rows, commit, reply). Baseline, measured in the same run on the
same rows: a bare bulk insert (SQLAlchemy executemany, one transaction) of the same staff rows into
an empty table of the same shape, on the same kind of database. Then a re-import of the same file
(which must change nothing) is timed for information.

Uses RabbitMQ and PostgreSQL on 127.0.0.1 when reachable (fresh databases, dropped afterwards),
else the embedded memory transport and SQLite.

    python bench/bench_roster_import.py            # 100,000 staff
    python bench/bench_roster_import.py --quick    # 10,000 staff
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lianbao.commands.import_roster import import_file  # noqa: E402
from shared.config import embedded_config, load_config  # noqa: E402
from shared.runner import Suite  # noqa: E402

TARGET_SECONDS = 60.0
TARGET_RATIO = 3.0          # at least a third of the bare insert rate
PG = "postgresql://postgres@127.0.0.1:5432"
PG_DRIVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
#: the broker (its vhost too): ``LIANBAO_TEST_AMQP`` as the tests take it, else vhost ``/`` of the local RabbitMQ
AMQP = os.environ.get("LIANBAO_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def make_city(n_staff: int, per_section: int = 40):
    """Units and staff rows: 10 counties × 4 agencies and 10 city units; 1 head and 3 leaders per
    agency, then sections of ``per_section`` (1 chief, the rest officers)."""
    units = [{"id": "city", "name": "市委政法委", "kind": "committee"}]
    agencies = []
    types = ("public_security", "procuratorate", "court", "justice_bureau")
    for c in range(10):
        units.append({"id": f"k{c}", "name": f"县{c}政法委", "kind": "committee", "parent": "city"})
        for a, kind in enumerate(types):
            agencies.append({"id": f"k{c}a{a}", "name": f"县{c}{kind}", "kind": "agency",
                             "parent": f"k{c}", "agency_type": kind})
    for m in range(10):
        agencies.append({"id": f"m{m}", "name": f"市直{m}", "kind": "agency", "parent": "city",
                         "agency_type": "other", "rank": "division"})
    units += agencies
    rows = []
    n_sections = max(1, (n_staff - 4 * len(agencies)) // per_section)
    sections = []
    for s in range(n_sections):
        agency = agencies[s % len(agencies)]["id"]
        sections.append({"id": f"{agency}s{s}", "name": f"科室{s}", "kind": "section",
                         "parent": agency})
    units += sections
    by_agency: dict[str, list[str]] = {}
    for sec in sections:
        by_agency.setdefault(sec["parent"], []).append(sec["id"])
    for agency in agencies:
        aid = agency["id"]
        rows.append([f"{aid}h", f"{aid}一把手", aid, "head", "2001-03-01", "", ""])
        mine = by_agency.get(aid, [])
        for i in range(3):
            rows.append([f"{aid}l{i}", f"{aid}班子{i}", aid, "leader", "2005-06-15", "",
                         ";".join(mine[i::3])])
    n = len(rows)
    s = 0
    while n < n_staff:
        sec = sections[s % len(sections)]["id"]
        count = 0
        while count < per_section and n < n_staff:
            position = "chief" if count == 0 else "officer"
            year = 1990 + n % 35
            rows.append([f"p{n}", f"干警{n}", sec, position,
                         f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}", "", ""])
            n += 1
            count += 1
        s += 1
    return units, rows


HEADER = ["id", "name", "unit", "position", "joined", "titles", "supervises"]


def bare_insert(url: str, rows: list[list[str]]) -> float:
    """The baseline: the same rows into an empty table of the same shape, one executemany."""
    from datetime import date

    from sqlalchemy import insert

    from services.roster.models import StaffRow
    from shared.db import ensure_database, make_engine

    ensure_database(url)
    engine = make_engine(url)
    StaffRow.__table__.drop(engine, checkfirst=True)
    StaffRow.__table__.create(engine)
    started = time.perf_counter()
    values = [{"id": r[0], "name": r[1], "unit": r[2], "position": r[3],
               "joined": date.fromisoformat(r[4]), "titles": r[5], "supervises": r[6]}
              for r in rows]
    with engine.begin() as conn:
        conn.execute(insert(StaffRow.__table__), values)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def drop_databases(tag: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{PG_DRIVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for name in conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                     {"p": f"lianbao_{tag}_%"}).scalars().all():
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 staff instead of 100,000")
    args = parser.parse_args(argv)
    n_staff = 10_000 if args.quick else 100_000
    tmp = Path(tempfile.mkdtemp(prefix="bench_roster_"))
    real = reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 5672)
    tag = "b" + uuid.uuid4().hex[:10]
    if real:
        config = load_config(env={"BROKER_URL": AMQP, "LIANBAO_DATA": str(tmp / "data"),
                                  "DATABASE_URL_TEMPLATE": f"{PG}/lianbao_{tag}_{{service}}"})
        baseline_url = f"{PG}/lianbao_{tag}_bare"
        where = "RabbitMQ + PostgreSQL"
    else:
        config = embedded_config(tmp / "data")
        baseline_url = f"sqlite:///{tmp}/bare.db"
        where = "embedded memory transport + SQLite"
    config["RPC_TIMEOUT"] = 900
    units, rows = make_city(n_staff)
    path = tmp / "roster.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"roster import: {len(rows):,} staff, {len(units):,} units, on {where}")
    suite = Suite(config, names=["roster"]).start()
    try:
        with suite.rpc(timeout=900) as rpc:
            rpc.roster.save_units({"units": units})
            started = time.perf_counter()
            report = import_file(rpc, path, progress=False)
            service_s = time.perf_counter() - started
            assert report["committed"] and report["created"] == len(rows), report
            started = time.perf_counter()
            again = import_file(rpc, path, progress=False)
            reimport_s = time.perf_counter() - started
            assert again["unchanged"] == len(rows) and again["created"] == 0, again
        bare_s = bare_insert(baseline_url, rows)
    finally:
        suite.stop()
        if real:
            drop_databases(tag)
    ratio = service_s / bare_s
    print(f"through the service: {service_s:8.2f} s  ({len(rows) / service_s:10,.0f} rows/s)")
    print(f"bare bulk insert:    {bare_s:8.2f} s  ({len(rows) / bare_s:10,.0f} rows/s)")
    print(f"re-import, no change:{reimport_s:8.2f} s")
    print(f"service / bare: {ratio:.2f} (target ≤ {TARGET_RATIO:.0f}, and ≤ {TARGET_SECONDS:.0f} s)")
    met = service_s <= TARGET_SECONDS and ratio <= TARGET_RATIO
    print("BENCH " + json.dumps({
        "name": "roster_import", "figure": round(service_s, 3), "unit": "s",
        "baseline": round(bare_s, 3), "baseline_name": "bare executemany insert of the same rows",
        "ratio": round(ratio, 3),
        "target": f"<= {TARGET_SECONDS:.0f} s and at least a third of the bare insert rate",
        "met": met, "limits": {"figure": TARGET_SECONDS, "ratio": TARGET_RATIO}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
