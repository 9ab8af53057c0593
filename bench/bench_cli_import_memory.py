"""Peak memory of `lianbao import forms` and `lianbao import roster` on a large file (issue 19 item 2:
bounded memory: the file is read as it goes and sent in batches).

Each import runs in a fresh child process against a stub service that answers every batch as taken
(so the figure is the command's own: reading, checking and batching the file, not the services');
the child's peak resident memory (``ru_maxrss``) and wall time are printed. The files are generated:
``--forms N`` forms (default 1,000,000; 35 packed answers each, 500 subjects) and ``--roster N`` rows
(default 200,000). ``--code DIR``: import the commands from another checkout (e.g. a worktree of an
older commit, for the figure before). ``--quick``: 100,000 forms, 20,000 rows.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class _Survey:
    def submit_batch(self, data):
        n = len(data["forms"])
        return {"accepted": n, "rejected": 0, "errors": [], "committed": not data["dry_run"]}


class _Roster:
    def import_roster(self, data):
        n = len(data["rows"])
        return {"dry_run": data["dry_run"], "committed": not data["dry_run"], "rows": n, "created": n,
                "changed": 0, "unchanged": 0, "errors": []}


class _Proxy:
    survey, roster = _Survey(), _Roster()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def child(kind: str, path: str) -> None:
    t0 = time.perf_counter()
    if kind == "forms":
        from lianbao.commands.import_forms import import_forms

        out = import_forms(Path(path), "c1", _Proxy, progress=False)
        done = out["accepted"]
    else:
        from lianbao.commands.import_roster import import_file

        out = import_file(_Proxy(), Path(path), progress=False)
        done = out["created"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"done": done, "peak_mb": round(peak, 1), "seconds": round(time.perf_counter() - t0, 2)}))


def write_forms(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("serial,subject,group,answers\n")
        for start in range(0, n, 10000):
            fh.write("".join(f"F{i:07d},o{i % 500},parents,{'SSBSD' * 7}\n" for i in range(start, min(n, start + 10000))))


def write_roster(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("工号,姓名,单位,职务,入队日期,职衔,分管科室\n")
        for start in range(0, n, 10000):
            fh.write("".join(f"p{i:07d},干警{i},c_ps_s{i % 40},干警,2020-01-01,,\n"
                             for i in range(start, min(n, start + 10000))))


def measure(kind: str, path: Path, code: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], env=env, cwd=code,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def load() -> str:
    with open("/proc/loadavg") as fh:
        return " ".join(fh.read().split()[:3])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=1_000_000)
    ap.add_argument("--roster", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--code", type=Path, default=ROOT)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    forms, rows = (100_000, 20_000) if args.quick else (args.forms, args.roster)
    with tempfile.TemporaryDirectory() as tmp:
        fpath, rpath = Path(tmp) / "forms.csv", Path(tmp) / "roster.csv"
        write_forms(fpath, forms)
        write_roster(rpath, rows)
        f = measure("forms", fpath, args.code.resolve())
        r = measure("roster", rpath, args.code.resolve())
        print(f"import forms: {forms:,} forms ({fpath.stat().st_size / 2**20:.0f} MB): peak {f['peak_mb']} MB, "
              f"{f['seconds']} s; import roster: {rows:,} rows ({rpath.stat().st_size / 2**20:.0f} MB): "
              f"peak {r['peak_mb']} MB, {r['seconds']} s (code {args.code}; load {load()})")
    assert f["done"] == forms and r["done"] == rows, (f, r)
    print("BENCH " + json.dumps({"name": "cli_import_memory", "forms": forms, "roster_rows": rows,
                                 "unit": "MB", "forms_peak_mb": f["peak_mb"], "forms_s": f["seconds"],
                                 "roster_peak_mb": r["peak_mb"], "roster_s": r["seconds"],
                                 "code": str(args.code), "load": load()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
