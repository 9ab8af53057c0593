"""``lianbao demo``: a year of a sample city through the five services (the main job)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path


def register(subparsers):
    p = subparsers.add_parser("demo", help="run a year of a sample city through the services and summarise it")
    p.add_argument("--staff", type=int, default=10_000, help="about how many staff (default 10000)")
    p.add_argument("--seed", type=int, default=7, help="the city and its year are deterministic per seed")
    p.add_argument("--out", default="out/demo", help="folder for the notices, report and chart")
    p.add_argument("--real", action="store_true",
                   help="use the configured broker and databases (BROKER_URL, DATABASE_URL_TEMPLATE) "
                        "instead of the embedded default")
    p.add_argument("--data", default=None,
                   help="data folder of the embedded mode (default: OUT/data, emptied at the start of each run)")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def clean_data_folders(out: Path, data: Path) -> None:
    """One data folder per output folder, emptied before the run: the SQLite files of the last run
    (~300 MB) and those of earlier versions of the demo (``data-<timestamp>``) are removed."""
    if data.exists():
        shutil.rmtree(data)
    for old in out.glob("data-*"):
        if old.is_dir() and old.name[5:].isdigit():
            shutil.rmtree(old)


def run(args) -> int:
    from lianbao.demo.report import print_summary
    from lianbao.demo.run import run_demo
    from shared.config import embedded_config, load_config

    if args.staff < 100:
        raise SystemExit("lianbao demo: --staff must be at least 100")
    out = Path(args.out)
    if args.real:
        config = load_config()
        config["RPC_TIMEOUT"] = 600
    else:
        data = Path(args.data) if args.data else out / "data"
        clean_data_folders(out, data)
        config = embedded_config(data, RPC_TIMEOUT=600, OUTBOX_POLL_SECONDS=0.2)
    summary = run_demo(config, staff=args.staff, seed=args.seed, out=str(out), progress=not args.no_progress)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        print_summary(summary)
    ok = not any(summary["reconciliation"].get(k) for k in ("missing", "extra", "different"))
    return 0 if ok else 1
