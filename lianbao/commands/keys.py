"""``lianbao keys list|rotate|retire|remove|export``: the keyring that signs and verifies who acts.

The keyring is the file of the config key ``AUTH_KEYRING`` (default ``<DATA_DIR>/keyring.yml``,
created with one key on first start; see ``docs/trust.md``).  ``--keyring PATH`` names another.

* ``lianbao keys list`` — one line per key: kid, status, what it signs for, when created (never a
  private key);
* ``lianbao keys rotate [--signs KIND ...]`` — a new active key (signing for what the newest active
  key signs, or ``--signs``); the keys it replaces are retired: they still verify the tokens they
  signed until removed, and sign nothing more;
* ``lianbao keys retire KID`` — the key stops signing, still verifies;
* ``lianbao keys remove KID`` — the key verifies nothing any more (refused for the last active key);
* ``lianbao keys export`` — the keyring without its private keys (YAML), for a process that only
  verifies;
* ``lianbao keys split [--generate] [--out DIR] [--process NAME ...]`` — one keyring per process
  (``DIR/<process>.yml``, default ``keyrings/`` beside the keyring): every public key, and the private
  key of that process only (a service signs as itself, the gateway for its callers, ``operator`` for
  ``lianbao …``); ``roster+scoring`` names one process running both.  ``--generate`` first adds a key
  for each process that has none of its own and retires the keys that sign for more than one (they
  still verify what they signed until removed).
Services re-read the keyring when the file changes (within a second).
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml


def register(subparsers):
    p = subparsers.add_parser("keys", help="the keyring of signed identities: list, rotate, retire, "
                                           "remove, export")
    p.add_argument("--keyring", metavar="PATH", help="the keyring file (default: the config's AUTH_KEYRING)")
    sub = p.add_subparsers(dest="keys_what", metavar="WHAT")
    sub.add_parser("list", help="one line per key (no private key is printed)").set_defaults(func=run_list)
    rot = sub.add_parser("rotate", help="a new active key; the active keys it replaces are retired")
    rot.add_argument("--signs", nargs="+", metavar="KIND",
                     help="what the new key may sign for (service:*, service:scoring, operator, system:*, "
                          "persons:*, person, *)")
    rot.set_defaults(func=run_rotate)
    ret = sub.add_parser("retire", help="stop a key signing (it still verifies)")
    ret.add_argument("kid", metavar="KID")
    ret.set_defaults(func=run_retire)
    rem = sub.add_parser("remove", help="remove a key: what it signed no longer verifies")
    rem.add_argument("kid", metavar="KID")
    rem.set_defaults(func=run_remove)
    sub.add_parser("export", help="the keyring without private keys (YAML)").set_defaults(func=run_export)
    spl = sub.add_parser("split", help="one keyring per process: its own private key, every public key")
    spl.add_argument("--out", metavar="DIR", help="where to write <process>.yml (default: keyrings/ beside "
                                                  "the keyring)")
    spl.add_argument("--process", nargs="+", metavar="NAME",
                     help="the processes (default: every service, gateway, operator); a+b for one process "
                          "running both")
    spl.add_argument("--generate", action="store_true",
                     help="first add a key for each process without one of its own, and retire the keys "
                          "that sign for more than one process")
    spl.set_defaults(func=run_split)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _path(args) -> Path:
    from shared.assertions import ensure_keyring, keyring_path
    from shared.config import load_config

    path = Path(args.keyring) if getattr(args, "keyring", None) else keyring_path(load_config())
    ensure_keyring(path)
    return path


def _entries(args):
    from shared.assertions import Keyring, read_entries

    path = _path(args)
    entries = read_entries(path)
    Keyring(entries, str(path))  # refuse to work on a keyring that does not load
    return path, entries


def _save(path, entries) -> None:
    from shared.assertions import Keyring, write_entries

    Keyring(entries, str(path))
    write_entries(path, entries)


def run_list(args) -> int:
    _, entries = _entries(args)
    for entry in entries:
        print("  ".join((entry["kid"], entry.get("status", "active"), ",".join(entry.get("signs") or []),
                         str(entry.get("created", "")), "" if entry.get("private") else "(public only)")).rstrip())
    print(f"{len(entries)} key(s)")
    return 0


def run_rotate(args) -> int:
    from shared.assertions import DEFAULT_SIGNS, new_key

    path, entries = _entries(args)
    active = [e for e in entries if e.get("status", "active") == "active"]
    signs = args.signs or (sorted(active, key=lambda e: str(e.get("created", "")))[-1]["signs"]
                           if active else list(DEFAULT_SIGNS))
    key = new_key(signs=signs)
    while any(e["kid"] == key["kid"] for e in entries):
        key = new_key(signs=signs)
    retired = []
    for entry in active:
        if set(entry.get("signs") or []) <= set(signs):
            entry["status"] = "retired"
            retired.append(entry["kid"])
    entries.append(key)
    _save(path, entries)
    print(f"new key {key['kid']} (signs {', '.join(signs)})"
          + (f"; retired {', '.join(retired)} (still verify until removed)" if retired else ""))
    return 0


def _find(entries, kid):
    for entry in entries:
        if entry["kid"] == kid:
            return entry
    return None


def run_retire(args) -> int:
    path, entries = _entries(args)
    entry = _find(entries, args.kid)
    if entry is None:
        print(f"lianbao keys retire: no key {args.kid}", file=sys.stderr)
        return 1
    entry["status"] = "retired"
    _save(path, entries)
    print(f"key {args.kid} retired: it signs nothing more, and verifies until removed")
    return 0


def run_remove(args) -> int:
    path, entries = _entries(args)
    entry = _find(entries, args.kid)
    if entry is None:
        print(f"lianbao keys remove: no key {args.kid}", file=sys.stderr)
        return 1
    rest = [e for e in entries if e is not entry]
    if entry.get("status", "active") == "active" and not any(e.get("status", "active") == "active" for e in rest):
        print(f"lianbao keys remove: {args.kid} is the last active key (rotate first)", file=sys.stderr)
        return 1
    _save(path, rest)
    print(f"key {args.kid} removed: what it signed no longer verifies")
    return 0


def run_export(args) -> int:
    _, entries = _entries(args)
    public = [{k: v for k, v in e.items() if k != "private"} for e in entries]
    sys.stdout.write(yaml.safe_dump({"keys": public}, sort_keys=False))
    return 0


def _own(entry, name) -> bool:
    from shared.assertions import _covered, process_signs

    allowed = set(process_signs(name))
    return bool(entry.get("private")) and all(_covered(p, allowed) for p in entry.get("signs") or ["*"])


def run_split(args) -> int:
    import os

    from shared.assertions import (deployment_keys, keyring_for, process_signs, processes,
                                   write_entries)

    path, entries = _entries(args)
    names = args.process or list(processes())
    try:
        for name in names:
            for part in name.split("+"):
                process_signs(part)
    except ValueError as exc:
        print(f"lianbao keys split: {exc}", file=sys.stderr)
        return 2
    if args.generate:
        active = [e for e in entries if e.get("status", "active") == "active"]
        added = [k for k in deployment_keys()
                 if not any(_own(e, k["kid"].split("-", 1)[0]) for e in active)]
        retired = [e["kid"] for e in active
                   if e.get("private") and not any(_own(e, n) for n in processes())]
        for entry in entries:
            if entry["kid"] in retired:
                entry["status"] = "retired"
        entries = entries + added
        _save(path, entries)
        print(f"added {len(added)} key(s): {', '.join(k['kid'] for k in added) or '-'}; retired "
              f"{', '.join(retired) or '-'} (still verify until removed)")
    out = Path(args.out) if args.out else path.parent / "keyrings"
    try:
        rings = {name: keyring_for(entries, name.split("+")) for name in names}
    except ValueError as exc:
        print(f"lianbao keys split: {exc}", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    for name, ring in rings.items():
        target = out / f"{name}.yml"
        write_entries(target, ring)
        own = [e["kid"] for e in ring if e.get("private")]
        print(f"{target}: private {', '.join(own)}; {len(ring) - len(own)} public only")
    return 0
