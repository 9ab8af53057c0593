"""``lianbao targets [--agency A] [--year Y]``: the eight targets of the Method (M§一) as a table
(by default for the last complete year).

Each target is computed by the service that owns its facts (:data:`shared.targets.OWNERS`): the
command asks every owner's ``targets`` RPC (:mod:`shared.contracts.targets`) at once and prints one
row per agency and target. A target whose service is unreachable, has no ``targets`` RPC yet, or has
no data shows ``no data`` — never a made-up value. Exit code: 0 when no target with data is missed,
1 when one is, 2 when no service answered.
"""
from __future__ import annotations

import json
from datetime import date

from shared import targets

NO_DATA = "no data"
COLUMNS = ("agency", "target", "label", "value", "met")


def register(subparsers):
    p = subparsers.add_parser("targets", help="the eight targets of the Method (M§一), met or missed")
    p.add_argument("--agency", help="one agency (its id), or 'city' for the city-wide figures")
    p.add_argument("--year", type=int,
                   help="the year (default: the year of --as-of when given, else the last complete year)")
    p.add_argument("--as-of", dest="as_of", help="answer from the facts known on this date "
                   "(YYYY-MM-DD, default today)")
    p.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for the services")
    p.set_defaults(func=run)


def ask_owners(proxy, query: dict) -> dict:
    """``{service: reply}`` or ``{service: {"error": text}}`` for every owner, called concurrently
    (a missing service costs one timeout, not one per service)."""
    pending = {}
    answers = {}
    for service in sorted(set(targets.OWNERS.values())):
        try:
            pending[service] = getattr(proxy, service).targets.call_async(query)
        except Exception as exc:  # noqa: BLE001 — a command reports whatever stopped a service
            answers[service] = {"error": _why(exc)}
    for service, reply in pending.items():
        try:
            answers[service] = reply.result()
        except Exception as exc:  # noqa: BLE001
            answers[service] = {"error": _why(exc)}
    return answers


def _why(exc: Exception) -> str:
    name = type(exc).__name__
    if name == "RpcTimeout":
        return "no answer"
    if name == "MethodNotFound":
        return "no targets RPC"
    return f"{name}: {exc}"


def rows(answers: dict, agency: str | None = None) -> list[dict]:
    """One row per agency and target, in target order, ``city`` last; a target its owner did not
    report for an agency is ``no data`` (with the owner's error, if any)."""
    found: dict = {}
    for service, reply in answers.items():
        for r in (reply or {}).get("targets") or []:
            if targets.OWNERS.get(r.get("target")) == service:   # only the owner's word counts
                found[(r["agency"], r["target"])] = r
    agencies = {a for a, _ in found}
    if agency is not None:
        agencies = {agency}
    elif not agencies:
        agencies = {targets.CITY}
    ordered = sorted(agencies - {targets.CITY}) + ([targets.CITY] if targets.CITY in agencies else [])
    out = []
    for a in ordered:
        for target in targets.TARGETS:
            r = found.get((a, target))
            error = (answers.get(targets.OWNERS[target]) or {}).get("error")
            out.append({"agency": a, "target": target, "label": targets.LABELS[target],
                        "value": None if r is None else r.get("value"),
                        "met": None if r is None else r.get("met"),
                        "unit": targets.UNITS[target], "reported": r is not None,
                        "source": targets.OWNERS[target], "error": error if r is None else None})
    return out


def show_value(row: dict) -> str:
    if not row["reported"]:
        return NO_DATA
    value = row["value"]
    if value is None:
        return "—" if row["met"] is not None else NO_DATA
    if row["unit"] == "rate":
        return f"{float(value) * 100:.2f}%"
    return str(value)


def show_met(row: dict) -> str:
    if row["met"] is None:
        return NO_DATA + (f" ({row['source']}: {row['error']})" if row.get("error") else "")
    return "met" if row["met"] else "MISSED"


def table(out_rows: list[dict]) -> str:
    cells = [[r["agency"], r["target"], r["label"], show_value(r), show_met(r)] for r in out_rows]
    widths = [max(_width(c[i]) for c in cells + [list(COLUMNS)]) for i in range(len(COLUMNS))]
    lines = []
    for c in [list(COLUMNS)] + cells:
        lines.append("  ".join(v + " " * (w - _width(v)) for v, w in zip(c, widths)).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def last_complete_year(today: date | None = None) -> int:
    """The targets are yearly: by default the year that has ended (the current one has no full data)."""
    return (today or date.today()).year - 1


def run(args) -> int:
    from lianbao.commands._rpc import cluster_proxy

    as_of = date.fromisoformat(args.as_of) if getattr(args, "as_of", None) else date.today()
    year = args.year or (as_of.year if getattr(args, "as_of", None) else last_complete_year(as_of))
    query = {"agency": args.agency, "year": year, "as_of": as_of.isoformat()}
    with cluster_proxy(timeout=args.timeout) as proxy:
        answers = ask_owners(proxy, query)
    out = rows(answers, args.agency)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"The eight targets of the Method (M§一), {query['year']}, as of {query['as_of']}"
              + (f", agency {args.agency}" if args.agency else ""))
        print(table(out))
    if all("error" in a for a in answers.values()):
        return 2
    return 1 if any(r["met"] is False for r in out) else 0
