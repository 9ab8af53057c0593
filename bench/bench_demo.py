"""Benchmark: ``make demo``, the year of a city through the five services (embedded, SQLite).

Runs ``python -m lianbao demo`` as a newcomer would (9,985 staff; ``--quick``: 1,000) into a folder of
its own, and reads the run's own figures back: the whole year's seconds, the monthly workflow's
seconds (the ``evaluations …`` step of ``timings_s`` in ``report.json``) and the evaluations stored in
scoring's database, hence evaluations a second.  Issue 24 item 5: the year ≤ 120 s, the monthly
workflow ≥ 2,000 evaluations a second.

The baseline is a fixed piece of pure-Python work (the same every run: JSON text built, parsed and
summed), timed just before the demo in the same process tree.  It does not do what the demo does; it
says how fast this machine was during the run, so that a year's seconds measured on a fast machine and
on a loaded one can be told apart (the ratio: the demo's seconds in units of that work).

    python bench/bench_demo.py            # 9,985 staff (lianbao demo's default)
    python bench/bench_demo.py --quick    # 1,000 staff
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 120.0          # the year, 9,985 staff
TARGET_RATE = 2000.0            # evaluations a second through the monthly workflow


def calibration() -> float:
    """Seconds of a fixed pure-Python workload (the best of three)."""
    doc = [{"id": f"o{i}", "months": {f"2026-{m:02d}": (i * m) % 100 for m in range(1, 13)}}
           for i in range(20_000)]
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        back = json.loads(json.dumps(doc))
        total = sum(v for o in back for v in o["months"].values())
        best = min(best, time.perf_counter() - t)
    assert total > 0
    return best


def evaluations_stored(data: Path) -> int:
    with sqlite3.connect(data / "scoring.db") as db:
        return db.execute("SELECT count(*) FROM evaluations").fetchone()[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 staff instead of the default")
    args = ap.parse_args(argv)
    base = calibration()
    out = Path(tempfile.mkdtemp(prefix="lianbao-bench-demo-"))
    try:
        cmd = [sys.executable, "-m", "lianbao", "demo", "--out", str(out), "--no-progress", "--json"]
        if args.quick:
            cmd += ["--staff", "1000"]
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - t
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
            return proc.returncode
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        workflow = sum(v for k, v in report["timings_s"].items() if k.startswith("evaluations"))
        stored = evaluations_stored(out / "data")
    finally:
        shutil.rmtree(out, ignore_errors=True)
    rate = stored / workflow if workflow else 0.0
    print(f"baseline (fixed pure-Python work): {base:.3f} s")
    print(f"lianbao demo ({report['staff']:,} staff): {seconds:.1f} s, monthly workflow {workflow:.1f} s, "
          f"{stored:,} evaluations = {rate:,.0f} a second; dead letters {report['dead_letters']['count']}")
    print("timings (s): " + ", ".join(f"{k} {v}" for k, v in report["timings_s"].items()))
    limit = TARGET_SECONDS if not args.quick else TARGET_SECONDS / 10
    met = seconds <= limit and rate >= TARGET_RATE and report["dead_letters"]["count"] == 0
    bench = {"name": "demo_year" if not args.quick else "demo_year_1000", "figure": round(seconds, 1),
             "unit": "s", "baseline": round(base, 3), "baseline_name": "fixed pure-Python work",
             "ratio": round(seconds / base, 1),
             "target": f"<= {limit:g} s and >= {TARGET_RATE:,.0f} evaluations/s through the monthly workflow",
             "met": met, "extra": {"workflow_s": workflow, "evaluations": stored,
                                   "evaluations_per_s": round(rate), "timings_s": report["timings_s"]}}
    print("BENCH " + json.dumps(bench, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
