"""``make bench``: run every ``bench/bench_*.py`` three times and print one table of medians.

Each script prints its own figures and, as its last line, ``BENCH {json}`` with the figure, the
baseline it measured in the same run, the ratio, the target, ``met`` and (optionally) ``limits``:
``{"figure": max, "ratio": max}`` (or ``min_figure`` / ``min_ratio`` for a figure where more is
better).  Every script runs ``--runs`` times (default 3); the table shows the median and the spread
(min–max) of the figure, of the baseline and of the ratio, and a target is judged **at the median**:
the medians against ``limits``; a script without ``limits`` is judged by the run whose figure is the
median (with three runs, the middle one).  ``--quick`` passes ``--quick`` on (smaller sizes).  The
date and the machine (nproc, load) are printed first.  Exit 1 if a run failed or a target was missed
at the median.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: Path, quick: bool) -> dict:
    cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent)
    wall = time.perf_counter() - started
    lines = [x for x in proc.stdout.splitlines() if x.startswith("BENCH ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"name": script.stem, "error": " | ".join(tail) or f"exit {proc.returncode}", "wall": wall}
    out = json.loads(lines[-1][len("BENCH "):])
    out["wall"] = wall
    return out


def spread(values) -> dict | None:
    """Median, min and max of the values that are there (None when none is)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarise(name: str, runs: list[dict]) -> dict:
    """One row from a script's runs: medians and spreads, and the verdict at the median."""
    failed = [r for r in runs if "error" in r]
    if failed:
        return {"name": name, "error": f"{len(failed)} of {len(runs)} runs failed: {failed[0]['error']}",
                "runs": len(runs)}
    first = runs[0]
    row = {"name": first.get("name", name), "unit": first.get("unit", "s"), "runs": len(runs),
           "target": first.get("target", ""), "baseline_name": first.get("baseline_name", ""),
           "figure": spread(r.get("figure") for r in runs),
           "baseline": spread(r.get("baseline") for r in runs),
           "ratio": spread(r.get("ratio") for r in runs),
           "wall": sum(r["wall"] for r in runs),
           "met_runs": sum(1 for r in runs if r.get("met"))}
    row["met"], row["judged"] = verdict(runs, row)
    return row


def verdict(runs: list[dict], row: dict) -> tuple[bool, str]:
    limits = runs[0].get("limits")
    if limits:
        checks = []
        for key, bound, more_is_better in (("figure", limits.get("figure"), False),
                                           ("ratio", limits.get("ratio"), False),
                                           ("figure", limits.get("min_figure"), True),
                                           ("ratio", limits.get("min_ratio"), True)):
            if bound is None:
                continue
            median = (row[key] or {}).get("median")
            checks.append(median is not None and (median >= bound if more_is_better else median <= bound))
        if checks:
            return all(checks), "medians against the limits"
    ordered = sorted(runs, key=lambda r: (r.get("figure") is None, r.get("figure")))
    middle = ordered[(len(ordered) - 1) // 2]
    return bool(middle.get("met")), "the run with the median figure"


def fmt(value, unit) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "x":
        return f"{value:.2f}"
    return f"{value:,.0f} {unit}"


def fmt_spread(s: dict | None, unit) -> str:
    if s is None:
        return "-"
    if s["min"] == s["max"]:
        return fmt(s["median"], unit)
    return f"{fmt(s['median'], unit)} ({fmt(s['min'], unit)}–{fmt(s['max'], unit)})"


def machine() -> str:
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        nproc = os.cpu_count()
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        load = "?"
    return f"{platform.node()}: nproc {nproc}, {platform.machine()}, Python {platform.python_version()}, load {load}"


def table(rows: list[dict]) -> list[str]:
    header = ("benchmark", "figure: median (min–max)", "baseline (same run): median (min–max)",
              "ratio: median (min–max)", "target", "met at median")
    out = []
    for r in rows:
        if "error" in r:
            out.append((r["name"], "FAILED", r["error"][:80], "", "", "no"))
            continue
        unit = r["unit"]
        base = fmt_spread(r["baseline"], unit) + (f" [{r['baseline_name']}]" if r["baseline_name"] else "")
        out.append((r["name"], fmt_spread(r["figure"], unit), base, fmt_spread(r["ratio"], "x"), r["target"],
                    ("yes" if r["met"] else "NO") + f" ({r['met_runs']} of {r['runs']} runs met)"))
    widths = [max(len(str(row[i])) for row in out + [header]) for i in range(len(header))]
    return ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip()
            for row in [header, tuple("-" * w for w in widths)] + out]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--runs", type=int, default=3, help="runs of each benchmark (default 3; median and spread)")
    ap.add_argument("only", nargs="*", help="names of benchmarks to run (default: all)")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(o in s.stem for o in args.only)]
    started = datetime.now(timezone.utc)
    print(f"make bench{' --quick' if args.quick else ''}: {started:%Y-%m-%d %H:%M} UTC, {machine()}")
    print(f"each benchmark {args.runs} times; median and spread (min–max); a target is judged at the median",
          flush=True)
    rows = []
    for script in scripts:
        runs = []
        for i in range(args.runs):
            print(f"running {script.name} ({i + 1}/{args.runs}) …", flush=True)
            result = run(script, args.quick)
            runs.append(result)
            if "error" in result:
                print(f"  failed: {result['error']}", flush=True)
                break
            print(f"  figure {fmt(result.get('figure'), result.get('unit', 's'))}, baseline "
                  f"{fmt(result.get('baseline'), result.get('unit', 's'))}, ratio {result.get('ratio')}, "
                  f"{'met' if result.get('met') else 'missed'} ({result['wall']:.0f} s)", flush=True)
            if result.get("extra"):     # the run's other figures (latencies, rates), as the script gave them
                print(f"    extra {json.dumps(result['extra'], ensure_ascii=False)}", flush=True)
        rows.append(summarise(script.stem, runs))
    print()
    for line in table(rows):
        print(line)
    elapsed = (datetime.now(timezone.utc) - started).total_seconds()
    print(f"\n{started:%Y-%m-%d} · {machine()} · {elapsed / 60:.1f} min")
    return 0 if rows and all(r.get("met") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
