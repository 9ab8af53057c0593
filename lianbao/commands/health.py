"""``lianbao health``: call every service's ``health`` RPC and print a table."""
from __future__ import annotations

import json

from shared.config import SERVICES


def register(subparsers):
    p = subparsers.add_parser("health", help="health of every service on the configured broker")
    p.add_argument("services", nargs="*", metavar="SERVICE")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--timeout", type=float, default=10.0)
    p.set_defaults(func=run)


COLUMNS = ("service", "status", "version", "database", "database_kind", "outbox_backlog", "error")


def print_table(rows) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, "") if r.get(c) is not None else "")) for r in rows))
              for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip())
    for r in rows:
        print("  ".join(str(r.get(c) if r.get(c) is not None else "").ljust(widths[c]) for c in COLUMNS).rstrip())
    for r in rows:                     # e.g. scoring: no working-day calendar for the coming year
        for w in r.get("warnings") or ():
            print(f"warning: {r.get('service')}: {w}")


def run(args) -> int:
    from lianbao.commands._rpc import cluster_proxy
    from shared.runner import health_all

    names = args.services or list(SERVICES)
    with cluster_proxy(timeout=args.timeout) as proxy:
        rows = health_all(proxy, names)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_table(rows)
    return 0 if all(r.get("status") == "ok" for r in rows) else 1
