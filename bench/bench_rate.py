"""Benchmark: ``lianbao rate`` on a deterministic snapshot of 100,000 officers.

Times what the command does with a snapshot text: strict JSON parsing, validation, rating and the
JSON dump of the result.  Baseline, measured in the same run on the same text: ``json.loads`` +
``json.dumps`` of the snapshot (the least any JSON-in/JSON-out tool must do).

    python bench/bench_rate.py            # 100,000 officers
    python bench/bench_rate.py --quick    # 10,000 officers
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.scoring.domain.payload import rate_payload  # noqa: E402
from shared.contracts.rating import loads_snapshot  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_RATIO = 2.5      # issue 24 item 6: ≤ 2.5× a json load+dump of the same file
FACTS = ("mass_incident", "secret_leak", "disciplinary_sanction")
HONOURS = ("省优秀政法干警", "全国优秀公务员", "市十佳民警", "省青年岗位能手")


def make_snapshot(n_officers: int, seed: int = 20260108) -> dict:
    """A deterministic city: 12 officers a section, 20 sections an agency, annual period."""
    rng = random.Random(seed)
    per_section, per_agency = 12, 20
    n_sections = max(1, n_officers // per_section)
    n_agencies = max(2, n_sections // per_agency)
    agencies = [{"id": f"a{i}", "group": "county" if i % 3 else "city_unit",
                 "score": round(rng.uniform(70, 98), 1),
                 "awards": [{"kind": "article_adopted"}] * rng.randint(0, 4),
                 "criticisms": rng.choice((0, 0, 0, 1)), "previous_class": rng.choice((1, 2, 3))}
                for i in range(n_agencies)]
    sections = [{"id": f"s{i}", "agency": f"a{i // per_agency % n_agencies}",
                 "headcount": per_section, "score": round(rng.uniform(75, 99), 1),
                 "honours": [], "facts": [],
                 "satisfaction": {"satisfied": rng.randint(50, 150), "basic": rng.randint(0, 30),
                                  "dissatisfied": rng.randint(0, 20)}}
                for i in range(n_sections)]
    officers = []
    for i in range(n_officers):
        sec = i // per_section % n_sections
        monthly, ability = {}, rng.gauss(88, 5)
        for m in range(1, 13):
            v = ability + rng.gauss(0, 2)
            monthly[f"2026-{m:02d}"] = int(v) if m % 2 else round(min(100.0, max(0.0, v)), 1)
        o = {"id": f"o{i}", "agency": sections[sec]["agency"], "section": f"s{sec}",
             "joined": f"{rng.randint(1995, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             "monthly": {k: min(100, max(0, v)) for k, v in monthly.items()},
             "honours": ([{"title": rng.choice(HONOURS), "level": rng.choice(("provincial", "central"))}]
                         if rng.random() < 0.05 else []),
             "leave": ([{"kind": "sick", "from": "2026-03-01", "to": f"2026-0{rng.randint(3, 7)}-20"}]
                       if rng.random() < 0.03 else []),
             "unexcused_absence_days": 6 if rng.random() < 0.005 else 0,
             "satisfaction": {"satisfied": rng.randint(20, 50), "basic": rng.randint(0, 10),
                              "dissatisfied": rng.randint(0, 8)},
             "facts": [rng.choice(FACTS)] if rng.random() < 0.002 else [],
             "disqualified_last_year": rng.random() < 0.01}
        if i % per_section:
            o["mentor"] = f"o{i - i % per_section}"
        officers.append(o)
    return {"period": "2026", "rating_date": "2027-01-08", "rules": {"five_star_quota": 0.2},
            "officers": officers, "sections": sections, "agencies": agencies}


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10,000 officers instead of 100,000")
    ap.add_argument("--repeat", type=int, default=None)
    args = ap.parse_args(argv)
    n = 10_000 if args.quick else 100_000
    repeat = args.repeat or (3 if args.quick else 2)
    text = json.dumps(make_snapshot(n), ensure_ascii=False)
    print(f"snapshot: {n:,} officers, {len(text) / 1e6:.1f} MB of JSON")

    result = {}

    def baseline():
        json.dumps(json.loads(text), ensure_ascii=False)

    def stages():
        t0 = time.perf_counter()
        payload = loads_snapshot(text)
        t1 = time.perf_counter()
        result["out"] = rate_payload(payload)
        t2 = time.perf_counter()
        json.dumps(result["out"], ensure_ascii=False)
        t3 = time.perf_counter()
        result["stages"] = (t1 - t0, t2 - t1, t3 - t2)

    base = best_of(baseline, repeat)
    figure = best_of(stages, repeat)
    parse, rate_s, dump = result["stages"]
    out = result["out"]
    stars = [o["stars"] for o in out["officers"] if o["stars"] is not None]
    print(f"baseline json.loads+json.dumps: {base:.3f} s")
    print(f"lianbao rate (parse {parse:.3f} s, validate+rate {rate_s:.3f} s, dump {dump:.3f} s):"
          f" {figure:.3f} s = {figure / base:.1f}x baseline, "
          f"{n / figure:,.0f} officers/s")
    print(f"rated {len(stars):,} officers, five stars {stars.count(5):,}, "
          f"settlement lines {len(out['settlement']):,}")
    seconds = TARGET_SECONDS if not args.quick else TARGET_SECONDS / 10
    met = figure <= seconds and figure / base <= TARGET_RATIO
    bench = {"name": "rate_100k" if not args.quick else "rate_10k", "figure": round(figure, 3),
             "unit": "s", "baseline": round(base, 3), "baseline_name": "json.loads+json.dumps",
             "ratio": round(figure / base, 2),
             "target": f"<= {TARGET_RATIO:g}x json load+dump and <= {TARGET_SECONDS:g} s for 100,000 officers "
                       "(pro rata for --quick)",
             "met": met,
             # what make bench judges at the median of its runs (bench/run_all.py)
             "limits": {"figure": seconds, "ratio": TARGET_RATIO}}
    print("BENCH " + json.dumps(bench))
    return 0


if __name__ == "__main__":
    sys.exit(main())
