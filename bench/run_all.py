"""``make bench``: run every ``bench/bench_*.py`` and print one table.

Each script prints its own figures and, as its last line, ``BENCH {json}`` with the figure, the
baseline it measured in the same run, the ratio and the target.  ``--quick`` passes ``--quick`` on
(smaller sizes).  Exit 1 if a script failed or a target was missed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
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


def fmt(value, unit) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("only", nargs="*", help="names of benchmarks to run (default: all)")
    args = ap.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if any(o in s.stem for o in args.only)]
    rows = []
    for script in scripts:
        print(f"running {script.name} …", flush=True)
        rows.append(run(script, args.quick))
    print()
    header = ("benchmark", "figure", "baseline (same run)", "ratio", "target", "met")
    table = []
    for r in rows:
        if "error" in r:
            table.append((r["name"], "FAILED", r["error"][:60], "", "", "no"))
            continue
        unit = r.get("unit", "s")
        table.append((r["name"], fmt(r.get("figure"), unit),
                      f"{fmt(r.get('baseline'), unit)} ({r.get('baseline_name', '')})",
                      f"{r['ratio']:.2f}" if r.get("ratio") is not None else "-", r.get("target", ""),
                      "yes" if r.get("met") else "NO"))
    widths = [max(len(str(row[i])) for row in table + [header]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths)] + table:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    return 0 if all(r.get("met") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
