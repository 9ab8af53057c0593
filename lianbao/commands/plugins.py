"""``lianbao plugins``: which code plug-ins this installation would load, and which it refuses.

Reads the allow-list ``PLUGINS`` of the configuration (env ``LIANBAO_PLUGINS``), checks every
installed entry point of the group ``lianbao.plugins`` against it exactly as the scoring service
does (:func:`shared.plugins.build_host`: the distribution and version pinned by
``name@distribution==version=agencies`` are checked BEFORE anything is imported), and prints:

* ``loaded``: name, version, agencies, pin;
* ``refused``: an entry point of an allowed name from another distribution or version (or an
  unpinned name offered by two distributions): never imported;
* ``not loaded``: installed but not listed, listed but not installed, or broken.

Exit 0 when every listed plug-in is loaded and nothing is refused; exit 1 when an entry point was
refused or a listed plug-in is not loaded; exit 2 when the allow-list itself is malformed.
``--json`` prints the same as one JSON document.
"""
from __future__ import annotations

import json
import sys

EXIT_OK, EXIT_PROBLEM, EXIT_BAD_INPUT = 0, 1, 2


def register(subparsers) -> None:
    p = subparsers.add_parser("plugins", help="the code plug-ins loaded, refused (distribution or "
                                              "version not the pinned one) and not loaded")
    p.add_argument("--json", action="store_true", help="print JSON instead of lines")
    p.set_defaults(func=run)


def report(config: dict | None = None) -> dict:
    """``{"loaded": [...], "refused": [...], "not_loaded": [...], "unpinned": [...]}``."""
    from shared.plugins import allow_list_from_config, build_host

    allow = allow_list_from_config(config)
    host = build_host(allow, timeout=0)
    refused_names = {r["plugin"] for r in host.refused}
    return {
        "loaded": [{"plugin": p.name, "version": p.version, "agencies": sorted(p.agencies),
                    "pin": allow[p.name].pin} for p in host.plugins.values()],
        "refused": host.refused,
        "not_loaded": [r for r in host.rejected
                       if not (r["plugin"] in refused_names and r["reason"].startswith("refused"))],
        "unpinned": sorted(n for n, a in allow.items() if a.distribution is None),
        "listed": sorted(allow),
    }


def run(args) -> int:
    from shared.config import load_config

    try:
        doc = report(load_config())
    except ValueError as exc:                      # a malformed PLUGINS entry
        sys.stderr.write(f"lianbao plugins: {exc}\n")
        return EXIT_BAD_INPUT
    missing = [n for n in doc["listed"] if n not in {p["plugin"] for p in doc["loaded"]}]
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    else:
        for p in doc["loaded"]:
            print(f"loaded   {p['plugin']} {p['version']} for {'|'.join(p['agencies'])} "
                  f"(pin {p['pin']})")
        for r in doc["refused"]:
            print(f"REFUSED  {r['plugin']} from {r['distribution'] or '?'} {r['version'] or '?'}: "
                  f"{r['reason']}")
        for r in doc["not_loaded"]:
            print(f"not loaded {r['plugin']}: {r['reason']}")
        for n in doc["unpinned"]:
            print(f"warning: {n} is not pinned to a distribution (write "
                  f"{n}@distribution==version=... in PLUGINS)")
    return EXIT_PROBLEM if doc["refused"] or missing else EXIT_OK
