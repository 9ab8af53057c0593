"""``lianbao referrals list|export``: good or poor twice running (001 §一3), for the committee.

``list`` prints the referrals (open and minuted); ``export`` writes them as CSV (UTF-8 with BOM) or
XLSX, text that a spreadsheet would run as a formula written as text.
"""
from __future__ import annotations

import base64
import sys
from pathlib import Path

from lianbao.commands._groups import group


def register(subparsers):
    sub = group(subparsers, "referrals", "good or poor twice running: referrals to the committee")
    for name in ("list", "export"):
        p = sub.add_parser(name, help=f"{name} the referrals")
        p.add_argument("--year", type=int)
        p.add_argument("--month")
        p.add_argument("--evaluator")
        p.add_argument("--timeout", type=float, default=60.0)
        if name == "export":
            p.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
            p.add_argument("--out", default=".", help="folder for the file")
        p.set_defaults(func=run, what=name)


def run(args) -> int:
    from lianbao.commands._rpc import cluster_proxy
    from shared.errors import LianbaoError

    query = {k: v for k, v in (("year", args.year), ("month", args.month),
                               ("evaluator", args.evaluator)) if v}
    try:
        with cluster_proxy(timeout=args.timeout) as proxy:
            if args.what == "list":
                for r in proxy.scoring.referrals(query)["referrals"]:
                    print(f"{r['id']}  {r['class']}  {r['state']}  {r['meeting_date'] or ''}")
                return 0
            out = proxy.scoring.referrals_export({**query, "format": args.format})
    except LianbaoError as e:
        print(f"lianbao referrals: {e}", file=sys.stderr)
        return 2
    folder = Path(args.out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / out["filename"]
    path.write_bytes(base64.b64decode(out["content_base64"]))
    print(f"{path} ({out['rows']} referrals)")
    return 0
