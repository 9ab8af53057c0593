"""``lianbao packs``: an agency's rule packs (对接, DESIGN §3).

* ``lianbao packs check FILE --agency A``: validate a pack locally (no services); every violation
  by field, exit 2 when refused;
* ``lianbao packs register FILE --agency A [--by WHO]``: register it with the scoring service;
* ``lianbao packs preview FILE --agency A --period P [--snapshot FILE] [--data FILE] [--local]``:
  dry run on the agency's period: who changes status or stars, and why.  Without ``--snapshot``
  the snapshot stored by the scoring service for that agency and period is used (``scoring.snapshot``).
  ``--local`` previews without any service against the city's defaults (plug-ins from
  ``LIANBAO_PLUGINS``);
* ``lianbao packs history --agency A``: every version, its period and the ratings that used it.

FILE is YAML or JSON.  In YAML, ``effective_from: 2026`` and star keys like ``5:`` may be written
unquoted (they are read as text).  Output: JSON on standard output, exit 0; refused or bad input:
one line per problem on standard error naming the field, exit 2; services unreachable: exit 1.
"""
from __future__ import annotations

import json
import sys

from lianbao.commands._groups import group

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def register(subparsers) -> None:
    sub = group(subparsers, "packs", help="an agency's rule packs: check, register, preview, history")
    p = sub.add_parser("check", help="validate a rule pack against the guardrails (no services)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--agency", required=True)
    p.set_defaults(func=run_check)
    p = sub.add_parser("register", help="register a version of an agency's rule pack")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--agency", required=True)
    p.add_argument("--by", default=None, help="who registers it (the leading group)")
    p.set_defaults(func=run_register)
    p = sub.add_parser("preview", help="dry run: who changes status or stars under the pack, and why")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--agency", required=True)
    p.add_argument("--period", required=True, help="YYYY or YYYYH1: the period to rate again")
    p.add_argument("--snapshot", default=None, help="snapshot JSON (default: the stored one)")
    p.add_argument("--data", default=None,
                   help="subject data JSON/YAML {\"subjects\": [{\"id\", \"facts\", \"figures\"}]}")
    p.add_argument("--local", action="store_true",
                   help="no services: against the city's defaults (needs --snapshot)")
    p.set_defaults(func=run_preview)
    p = sub.add_parser("history", help="every version of an agency's pack")
    p.add_argument("--agency", required=True)
    p.set_defaults(func=run_history)


def _textual(node, top=True):
    """YAML niceties: integer keys and an integer ``effective_from`` become text."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            key = str(k) if isinstance(k, int) and not isinstance(k, bool) else k
            if top and key == "effective_from" and isinstance(v, int) and not isinstance(v, bool):
                v = str(v)
            out[key] = _textual(v, False)
        return out
    if isinstance(node, list):
        return [_textual(v, False) for v in node]
    return node


def read_document(path: str):
    """The pack of a YAML or JSON file (``yaml.safe_load``: no ``!!python`` tags); a bad file raises
    :class:`lianbao.commands._files.BadFile` naming the line and column."""
    from lianbao.commands._files import load_document

    doc = load_document(path)
    return doc if str(path).lower().endswith(".json") else _textual(doc)


def _problems(exc) -> int:
    problems = exc.details or [{"field": exc.field, "message": exc.message}]
    for p in problems:
        sys.stderr.write(f"lianbao packs: {p.get('field')}: {p.get('message')}\n")
    return EXIT_BAD_INPUT


def _print(obj) -> int:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    return EXIT_OK


def _load(path: str):
    from lianbao.commands._files import BadFile

    try:
        return read_document(path), None
    except BadFile as exc:
        sys.stderr.write(f"lianbao packs: {exc}\n")
        return None, EXIT_BAD_INPUT


def run_check(args) -> int:
    from services.scoring.domain import packs
    from shared.errors import LianbaoError

    doc, err = _load(args.file)
    if err is not None:
        return err
    try:
        pack = packs.parse_pack(doc, args.agency)
    except LianbaoError as exc:
        return _problems(exc)
    return _print({"ok": True, "label": pack.label, "effective_from": pack.effective_from,
                   "notes": [{"field": f"pack.{f}", "message": m}
                             for f, m in packs.notes(pack.doc)]})


def _call(fn) -> int:
    from shared.errors import LianbaoError

    from lianbao.commands._rpc import cluster_proxy

    try:
        with cluster_proxy() as proxy:
            return _print(fn(proxy))
    except LianbaoError as exc:
        return _problems(exc)
    except Exception as exc:  # noqa: BLE001 - broker down, timeout
        sys.stderr.write(f"lianbao packs: the scoring service did not answer: {exc}\n")
        return EXIT_FAILED


def run_register(args) -> int:
    doc, err = _load(args.file)
    if err is not None:
        return err
    return _call(lambda proxy: proxy.scoring.register_pack(
        {"agency": args.agency, "pack": doc, "registered_by": args.by}))


def run_history(args) -> int:
    return _call(lambda proxy: proxy.scoring.pack_history({"agency": args.agency}))


def local_preview(doc, agency, period, snapshot, data) -> dict:
    """The preview without services: the city's defaults against the pack."""
    from services.scoring.domain import packs
    from shared.plugins import allow_list_from_config, build_host
    from services.scoring.packs_service import jsonable

    pack = packs.parse_pack(doc, agency)
    host = build_host(allow_list_from_config(None))
    subjects = packs.parse_subject_data((data or {}).get("subjects"), "data.subjects")
    base = packs.Adaptation(agency, period, host=host, data=subjects)
    candidate = packs.Adaptation(agency, period, pack=pack, host=host, data=subjects)
    packs.check_vocabulary(subjects, candidate.vocabulary(), "data.subjects")
    return jsonable(packs.preview(snapshot, base, candidate))


def run_preview(args) -> int:
    from shared.errors import LianbaoError

    doc, err = _load(args.file)
    if err is not None:
        return err
    snapshot = data = None
    for name in ("snapshot", "data"):
        path = getattr(args, name)
        if path:
            value, err = _load(path)
            if err is not None:
                return err
            if name == "snapshot":
                snapshot = value
            else:
                data = value
    if args.local:
        if snapshot is None:
            sys.stderr.write("lianbao packs: --local needs --snapshot FILE\n")
            return EXIT_BAD_INPUT
        try:
            return _print(local_preview(doc, args.agency, args.period, snapshot, data))
        except LianbaoError as exc:
            return _problems(exc)

    def ask(proxy):
        snap = snapshot
        if snap is None:
            snap = proxy.scoring.snapshot({"period": args.period, "scope": args.agency})
        return proxy.scoring.preview_pack({
            "agency": args.agency, "period": args.period, "pack": doc, "snapshot": snap,
            "subject_data": None if data is None else {"subjects": data.get("subjects", [])}})
    return _call(ask)
