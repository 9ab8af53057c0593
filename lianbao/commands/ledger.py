"""``lianbao ledger verify|reconcile``: the settlement ledger's tamper evidence and reconciliation.

* ``lianbao ledger verify`` — walks the hash chain (``rewards.verify_chain``); exit 0 when intact,
  1 when a line was edited, deleted or relinked (the problems are printed as JSON).
* ``lianbao ledger reconcile --period PERIOD`` — recomputes what the period's ratings and allowances imply
  and compares it with the ledger (``rewards.reconcile``); exit 0 with zero differences, else 1.
A service error prints ``field: message`` on standard error and exits 2.
"""
from __future__ import annotations

import json
import sys

from lianbao.commands._groups import group
from lianbao.commands._period import add_period, period_of


def register(subparsers):
    sub = group(subparsers, "ledger", "the settlement ledger: verify the chain, reconcile a period")
    v = sub.add_parser("verify", help="check the hash chain of the ledger (edited or deleted lines)")
    v.add_argument("--timeout", type=float, default=120.0)
    v.set_defaults(func=run_verify)
    r = sub.add_parser("reconcile", help="compare a period's ratings and allowances with the ledger")
    add_period(r, positional=True)
    r.add_argument("--timeout", type=float, default=120.0)
    r.set_defaults(func=run_reconcile)


def _call(args, method, payload, proxy_factory):
    from lianbao.commands._rpc import cluster_proxy

    with (proxy_factory or cluster_proxy)(timeout=args.timeout) as proxy:
        return getattr(proxy.rewards, method)(payload)


def run_verify(args, proxy_factory=None) -> int:
    from shared.errors import LianbaoError

    try:
        report = _call(args, "verify_chain", {}, proxy_factory)
    except LianbaoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


def run_reconcile(args, proxy_factory=None) -> int:
    from shared.errors import LianbaoError

    try:
        report = _call(args, "reconcile", {"period": period_of(args, "lianbao ledger reconcile")},
                       proxy_factory)
    except LianbaoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1
