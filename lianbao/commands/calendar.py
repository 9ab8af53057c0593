"""``lianbao calendar load FILE`` / ``lianbao calendar status``: China's working-day calendar.

The committee's office loads a year's public holidays and make-up working days (调休) that the
``chinese-calendar`` package does not carry yet, from a JSON or YAML file::

    year: 2027
    holidays:
      - {date: 2027-01-01, name: 元旦}
      - {from: 2027-02-06, to: 2027-02-12, name: 春节}
    workdays:
      - {date: 2027-02-13, name: 春节}

It goes to ``scoring.load_calendar`` (stored in scoring's database).  Exit 0; a bad file prints
``field: message`` (``calendar.holidays[1].date: …``) and exits 2.
"""
from __future__ import annotations

import json
import sys
from datetime import date

from lianbao.commands._groups import group


def register(subparsers):
    sub = group(subparsers, "calendar", "working-day calendar: public holidays and make-up working days")
    p = sub.add_parser("load", help="load a year's arrangement from a JSON or YAML file")
    p.add_argument("file")
    p.add_argument("--actor", required=True, help="the office member loading it (committee staff)")
    p.add_argument("--timeout", type=float, default=30.0)
    p.set_defaults(func=run_load)
    s = sub.add_parser("status", help="which years have an arrangement (package, loaded) and which miss one")
    s.add_argument("--as-of", default=None)
    s.add_argument("--timeout", type=float, default=30.0)
    s.set_defaults(func=run_status)


def read_file(path: str) -> dict:
    """JSON or YAML (dates as text or YAML dates, turned to ISO text); a bad file is a BadFile
    naming its line and column (issue 19 item 6), never a traceback."""
    from lianbao.commands._files import load_document

    doc = load_document(path)

    def iso(v):
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, dict):
            return {k: iso(x) for k, x in v.items()}
        if isinstance(v, list):
            return [iso(x) for x in v]
        return v
    return iso(doc)


def run_load(args) -> int:
    from lianbao.commands._rpc import cluster_proxy
    from shared.errors import LianbaoError

    from lianbao.commands._files import BadFile

    try:
        doc = read_file(args.file)
    except BadFile as e:          # it names the file, the line and the column
        print(f"lianbao calendar load: {e}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        print(f"lianbao calendar load: {args.file}: {e}", file=sys.stderr)
        return 2
    try:
        with cluster_proxy(timeout=args.timeout) as proxy:
            out = proxy.scoring.load_calendar({"actor": args.actor, "calendar": doc})
    except LianbaoError as e:
        print(f"lianbao calendar load: {e}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False))
    return 0


def run_status(args) -> int:
    from lianbao.commands._rpc import cluster_proxy

    with cluster_proxy(timeout=args.timeout) as proxy:
        out = proxy.scoring.calendar_status({"as_of": args.as_of} if args.as_of else {})
    for y in out["years"]:
        print(f"{y['year']}  {y['source']}")
    if out["missing"]:
        print(f"missing: {', '.join(map(str, out['missing']))} (Monday–Friday applies)", file=sys.stderr)
        return 1
    return 0
