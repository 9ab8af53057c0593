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
  verifies.
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
