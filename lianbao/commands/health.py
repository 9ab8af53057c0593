"""``lianbao health``: call every service's ``health`` RPC and print a table."""
from __future__ import annotations

import json

from shared.config import SERVICES


def register(subparsers):
    p = subparsers.add_parser("health", help="health of every service on the configured broker")
    p.add_argument("services", nargs="*", metavar="SERVICE")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for each answer")
    p.add_argument("--wait", type=float, default=0, metavar="N",
                   help="keep asking for up to N seconds until every service is ok (e.g. right after "
                        "`lianbao up ... &`); exit 1 if one is still not ok then")
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


def wait_healthy(names, wait: float, timeout: float = 5.0, config: dict | None = None,
                 pause: float = 0.5) -> list[dict]:
    """Ask every named service's ``health`` until all are ok or ``wait`` seconds have passed (at
    least once); the last answers."""
    import time

    from lianbao.commands._rpc import cluster_proxy
    from shared.runner import health_all

    deadline = time.monotonic() + wait
    while True:
        try:
            with cluster_proxy(config, timeout=timeout) as proxy:
                rows = health_all(proxy, names)
        except Exception as exc:  # noqa: BLE001 — broker not reachable yet: every service is down
            rows = [{"service": n, "status": "down", "error": f"{type(exc).__name__}: {exc}"} for n in names]
        left = deadline - time.monotonic()
        if all(r.get("status") == "ok" for r in rows) or left <= 0:
            return rows
        time.sleep(min(pause, left))


def run(args) -> int:
    names = args.services or list(SERVICES)
    if args.wait > 0:
        rows = wait_healthy(names, args.wait, min(args.timeout, max(args.wait, 1.0)))
    else:
        from lianbao.commands._rpc import cluster_proxy
        from shared.runner import health_all

        with cluster_proxy(timeout=args.timeout) as proxy:
            rows = health_all(proxy, names)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_table(rows)
    return 0 if all(r.get("status") == "ok" for r in rows) else 1
