"""``lianbao up``: start services; ``lianbao up --embedded``: all five in one process, no broker."""
from __future__ import annotations

import sys
import time

from shared.config import SERVICES, broker_hosts, embedded_config, load_config

RUNNABLE = SERVICES + ("gateway",)


def register(subparsers):
    p = subparsers.add_parser("up", help="start services (all, or the ones named) on the configured broker")
    p.add_argument("services", nargs="*", metavar="SERVICE",
                   help=f"any of {', '.join(RUNNABLE)} (default: the five core services)")
    p.add_argument("--embedded", action="store_true",
                   help="all services in this process on kombu memory:// with SQLite files (no broker)")
    p.add_argument("--data", default=".data/embedded", help="data folder of the embedded mode")
    p.add_argument("--check", action="store_true",
                   help="start, print the health table, stop (exit 1 unless all are healthy)")
    p.set_defaults(func=run)


def _names(args) -> list[str]:
    names = args.services or list(SERVICES)
    unknown = [n for n in names if n not in RUNNABLE]
    if unknown:
        raise SystemExit(f"lianbao up: unknown service(s): {', '.join(unknown)} (known: {', '.join(RUNNABLE)})")
    return names


NO_BROKER = """lianbao up: no broker configured (BROKER_URL is not set), so these services would run on an
in-process memory:// broker that no other process can reach: `lianbao health`, the gateway or another
`lianbao up` in another shell would wait and fail. Either
  lianbao up --embedded                       all five services in this one process (SQLite in {data}), or
  BROKER_URL=amqp://USER:PASSWORD@HOST:5672/ lianbao up {names}
"""


def run(args) -> int:
    from shared.runner import Suite, health_all, run_forever

    names = _names(args)
    config = embedded_config(args.data) if args.embedded else load_config()
    if not args.embedded and str(config.get("AMQP_URI", "")).startswith("memory://") and not args.check:
        sys.stderr.write(NO_BROKER.format(data=args.data, names=" ".join(args.services) or "").replace(" \n", "\n"))
        return 2
    if not args.check:
        run_forever(names, config)
        return 0
    started = time.perf_counter()
    with Suite(config, names=names) as suite:
        with suite.rpc(timeout=10) as proxy:
            rows = health_all(proxy, names)
    from lianbao.commands.health import print_table

    print_table(rows)
    print(f"started, checked and stopped in {time.perf_counter() - started:.2f} s "
          f"({'embedded, memory://, SQLite in ' + args.data if args.embedded else broker_hosts(config['AMQP_URI'])})")
    return 0 if all(r.get("status") == "ok" for r in rows) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)
