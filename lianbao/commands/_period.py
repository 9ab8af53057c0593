"""One way to name a period on the command line: ``--period YYYY|YYYYH1`` on every command that asks
for one.  Commands that took it positionally (``ledger reconcile 2025``, ``export notice 2025``) still
accept that form for one release; giving both, differently, is refused."""
from __future__ import annotations

import argparse

HELP = "YYYY (annual) or YYYYH1 (first half-year)"


def add_period(parser: argparse.ArgumentParser, help: str = HELP, positional: bool = False) -> None:
    """``--period``; with ``positional=True`` also the old positional form (deprecated)."""
    parser.add_argument("--period", default=None, help=help)
    if positional:
        parser.add_argument("period_positional", nargs="?", default=None, metavar="PERIOD",
                            help="the same as --period (deprecated: write --period)")


def period_of(args, command: str) -> str:
    """The period given, from ``--period`` or the deprecated positional form."""
    flag, positional = getattr(args, "period", None), getattr(args, "period_positional", None)
    if flag and positional and flag != positional:
        raise SystemExit(f"{command}: two different periods given ({positional} and --period {flag})")
    period = flag or positional
    if not period:
        raise SystemExit(f"{command}: --period is required ({HELP})")
    return period
