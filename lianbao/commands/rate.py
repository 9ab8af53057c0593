"""``lianbao rate FILE|-``: rate a snapshot (RATING.md) and print the result.

* ``lianbao rate SNAPSHOT.json`` (or ``-`` for standard input): the result as JSON, exit 0;
* ``lianbao rate --table SNAPSHOT.json``: a readable table (id, status, score, stars, reasons);
* bad input: one line per problem on standard error, each naming the JSON path, exit 2.
"""
from __future__ import annotations

import json
import sys

from shared.errors import ValidationFailed

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rate", help="rate a snapshot of a period's facts (stars, classes, settlement)",
        description="Rate a snapshot (RATING.md): officers' and sections' stars, agencies' classes, "
                    "and the settlement lines. Bad input exits 2 naming the field.")
    p.add_argument("file", metavar="FILE", help="snapshot JSON file, or - for standard input")
    p.add_argument("--table", action="store_true", help="print a table for people instead of JSON")
    p.add_argument("--compact", action="store_true", help="JSON on one line (no indentation)")
    p.set_defaults(func=run)


def _safe(text: str) -> str:
    """Text that any terminal encoding can print (lone surrogates escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _error(message: str) -> None:
    sys.stderr.write(_safe(message) + "\n")


def _read(name: str) -> str | bytes:
    if name == "-":
        stream = sys.stdin
        return stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
    with open(name, "rb") as fh:
        return fh.read()


def _fmt_score(value) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(result: dict) -> str:
    """The result as a plain-text table: one block each for officers, sections and agencies."""
    lines = []
    rows = [("id", "status", "score", "stars", "reasons")]
    for r in result["officers"] + result["sections"]:
        rows.append((r["id"], r["status"], _fmt_score(r["score"]),
                     "-" if r["stars"] is None else "★" * r["stars"], ", ".join(r["reasons"])))
    for a in result["agencies"]:
        flags = [f for f in ("advanced", "veto_warning", "veto") if a[f]]
        rows.append((a["id"], f"class {a['class']}", _fmt_score(a["score"]), f"rank {a['rank']}",
                     ", ".join(flags)))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    if result["settlement"]:
        lines.append("")
        lines.append("settlement:")
        for s in result["settlement"]:
            amount = f" {s['amount']}" if "amount" in s else ""
            lines.append(f"  {s['subject']}: {s['kind']}{amount} ({s['reason']})")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from services.scoring.domain.payload import rate_payload
    from shared.contracts.rating import loads_snapshot

    try:
        text = _read(args.file)
    except OSError as exc:
        _error(f"lianbao rate: cannot read {args.file}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    from lianbao.commands._files import BadFile, decode

    try:
        if isinstance(text, bytes):
            text = decode(text, "<stdin>" if args.file == "-" else args.file)
    except BadFile as exc:
        _error(f"lianbao rate: {exc}")
        return EXIT_BAD_INPUT
    try:
        result = rate_payload(loads_snapshot(text))
    except ValidationFailed as exc:
        problems = exc.details or [{"field": exc.field, "message": exc.message}]
        for p in problems:
            _error(f"lianbao rate: {p['field']}: {p['message']}")
        return EXIT_BAD_INPUT
    if args.table:
        sys.stdout.write(table(result))
    else:
        sys.stdout.write(json.dumps(result, ensure_ascii=False,
                                    indent=None if args.compact else 2) + "\n")
    return EXIT_OK
