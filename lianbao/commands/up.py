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
    p.add_argument("--ready-timeout", type=float, default=120.0,
                   help="seconds to wait for the started services to answer health before saying they "
                        "are not ready (default 120)")
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
        started = time.perf_counter()
        run_forever(names, config,
                    on_ready=lambda: report_ready(names, config, started, args.ready_timeout))
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


def report_ready(names, config, started: float, timeout: float, out=None) -> bool:
    """Print one line when every started service answers ``health`` with ok (the gateway, which has
    no health RPC, is ready when its container has started), or why not after ``timeout`` seconds."""
    from lianbao.commands.health import wait_healthy

    out = out or sys.stdout
    core = [n for n in names if n in SERVICES]
    rows = wait_healthy(core, timeout, config=config) if core else []
    bad = [r for r in rows if r.get("status") != "ok"]
    where = broker_hosts(config["AMQP_URI"])
    if bad:
        print(f"lianbao up: not ready after {timeout:g} s: "
              + ", ".join(f"{r['service']} {r.get('status')} ({r.get('error') or ''})" for r in bad),
              file=out, flush=True)
        return False
    print(f"lianbao up: ready: {', '.join(names)} on {where} ({time.perf_counter() - started:.1f} s)",
          file=out, flush=True)
    return True


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)
