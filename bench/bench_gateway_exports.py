"""Twelve concurrent XLSX exports of a 200,000-form campaign through the gateway, and /health meanwhile
(issue 19: exports cost once).

A gateway and the survey service (embedded, one process) with a campaign of 200,000 forms; twelve
`GET /survey/campaigns/c1/rates.xlsx` at once while `/health` (the gateway's own) and `/health/survey`
are asked every 20 ms. Run twice in the same bench: with the per-version export cache (the figure)
and with it switched off (``LIANBAO_EXPORT_CACHE=0``: every export recomputes every form, the
baseline). ``--quick``: 40,000 forms.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gateway_memory import TOKEN, start_server  # noqa: E402


def one_run(forms: int, cache: bool) -> dict:
    import os

    headers = {"Authorization": f"Bearer {TOKEN}"}
    old = os.environ.get("LIANBAO_EXPORT_CACHE")
    os.environ["LIANBAO_EXPORT_CACHE"] = "1" if cache else "0"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            proc, url = start_server(Path(tmp), forms)
            try:
                requests.get(f"{url}/health", timeout=30)
                stop = threading.Event()
                lat = {"/health": [], "/health/survey": []}

                def poll(path):
                    while not stop.is_set():
                        t0 = time.perf_counter()
                        requests.get(f"{url}{path}", headers=headers, timeout=300)
                        lat[path].append((time.perf_counter() - t0) * 1000)
                        time.sleep(0.02)

                sizes = []

                def export():
                    r = requests.get(f"{url}/survey/campaigns/c1/rates.xlsx", headers=headers, timeout=600)
                    sizes.append((r.status_code, len(r.content)))

                pollers = [threading.Thread(target=poll, args=(p,)) for p in lat]
                for t in pollers:
                    t.start()
                time.sleep(0.3)
                t0 = time.perf_counter()
                exports = [threading.Thread(target=export) for _ in range(12)]
                for t in exports:
                    t.start()
                for t in exports:
                    t.join()
                wall = time.perf_counter() - t0
                stop.set()
                for t in pollers:
                    t.join()
            finally:
                proc.kill()
                proc.wait()
    finally:
        if old is None:
            os.environ.pop("LIANBAO_EXPORT_CACHE", None)
        else:
            os.environ["LIANBAO_EXPORT_CACHE"] = old
    assert all(s == 200 for s, _ in sizes) and max(n for _, n in sizes) - min(n for _, n in sizes) < 100, sizes
    out = {"wall": wall}
    for path, values in lat.items():
        values.sort()
        out[path] = (statistics.median(values), values[-1], len(values))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    forms = 40_000 if args.quick else 200_000
    cached = one_run(forms, True)
    uncached = one_run(forms, False)
    for name, run in (("per-version cache", cached), ("no cache (baseline)", uncached)):
        print(f"{name}: 12 exports of {forms:,} forms in {run['wall']:.2f} s; " + "; ".join(
            f"{p} p50 {v[0]:.0f} ms max {v[1]:.0f} ms ({v[2]} answers)" for p, v in run.items() if p != "wall"))
    p50, worst = cached["/health"][0], cached["/health"][1]
    bench = {"name": "gateway_exports_12", "figure": round(cached["wall"], 2), "unit": "s",
             "baseline": round(uncached["wall"], 2), "baseline_name": "the same without the export cache",
             "ratio": round(cached["wall"] / uncached["wall"], 2),
             "health_p50_ms": round(p50, 1), "health_max_ms": round(worst, 1),
             "health_survey_p50_ms": round(cached["/health/survey"][0], 1),
             "health_survey_max_ms": round(cached["/health/survey"][1], 1),
             "baseline_health_max_ms": round(uncached["/health"][1], 1),
             "target": "/health within 100 ms while they run", "met": worst <= 100}
    print("BENCH " + json.dumps(bench))
    return 0


if __name__ == "__main__":
    sys.exit(main())
