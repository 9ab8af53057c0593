"""``lianbao policy``: print the policy table (who may do what, within which units; SPEC §8).

``--json`` prints it as JSON rows; ``--check OP ROLE`` says whether ``ROLE`` may call ``OP``
(exit 0 when allowed, 1 when refused, with the rule's refusal), e.g.
``lianbao policy --check scoring.run_rating leader``.  Nothing is asked of the broker: the table
is the one every service enforces (``shared/policy.py``)."""
from __future__ import annotations

import json
import sys


def register(subparsers):
    p = subparsers.add_parser("policy", help="the policy table: who may do what, within which units")
    p.add_argument("--json", action="store_true", help="print the table as JSON rows")
    p.add_argument("--check", nargs=2, metavar=("OP", "ROLE"),
                   help="whether ROLE (e.g. leader, system, service:roster) may call OP (service.method)")
    p.add_argument("--service", metavar="NAME", help="only the rows of this service")
    p.set_defaults(func=run)


def run(args) -> int:
    from shared import policy
    from shared.errors import Forbidden

    if args.check:
        op, role = args.check
        if role not in policy.ROLES:
            sys.stderr.write(f"lianbao policy: role {role!r} is not one of {', '.join(policy.ROLES)}\n")
            return 2
        try:
            policy.check(op, [role], who=role)
        except Forbidden as exc:
            print(f"refused: {exc.message}")
            return 1
        rule = policy.TABLE[op]
        scope = f" within {rule.scope.text()}" if rule.scope else ""
        print(f"allowed: {op} ({rule.access}) by {role}{scope}")
        return 0
    rows = [r for r in policy.as_rows() if not args.service or r["op"].startswith(args.service + ".")]
    if args.service and not rows:
        sys.stderr.write(f"lianbao policy: no service {args.service!r}\n")
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(r["op"]) for r in rows)
    for r in rows:
        print(f"{r['op'].ljust(width)}  {r['access']:<5}  {', '.join(r['roles'])}"
              + (f"  [{r['scope']}]" if r["scope"] else ""))
    return 0
