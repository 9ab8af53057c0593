"""``lianbao docs build [--check]``: write the generated reference pages of ``docs/reference/``
(see :mod:`lianbao.docgen`); ``--check`` writes nothing and exits 1 when a page is out of date."""
from __future__ import annotations

import sys


def register(subparsers):
    p = subparsers.add_parser("docs", help="the project's documentation: rebuild the generated reference pages")
    sub = p.add_subparsers(dest="docs_what", metavar="WHAT")
    b = sub.add_parser("build", help="write docs/reference/*.md from the schemas, hooks, routes and config")
    b.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page is out of date")
    b.set_defaults(func=run_build)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_build(args) -> int:
    from lianbao import docgen

    if args.check:
        stale = docgen.stale()
        for path in stale:
            print(f"out of date: {path} (run `lianbao docs build`)", file=sys.stderr)
        return 1 if stale else 0
    for path in docgen.write():
        print(f"wrote {path}")
    return 0
