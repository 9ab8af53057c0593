"""``lianbao accounts``: the people's accounts of the gateway's built-in sign-in (docs/signin.md).

* ``lianbao accounts add LOGIN --person P [--random]`` — a new account signing in as roster person P;
* ``lianbao accounts list`` — login, person, disabled, created, changed (never a hash);
* ``lianbao accounts disable LOGIN`` / ``enable LOGIN`` — a disabled account's sessions end at once;
* ``lianbao accounts passwd LOGIN [--random]`` — a new password (every session of the login ends).

The password is read from standard input (one line) or asked twice at a terminal; ``--random``
generates one and prints it once.  Never on the command line (it would stay in the shell's history
and in the process list).  The database is the gateway's (``GATEWAY_DB_URL``, else
``DATABASE_URL_TEMPLATE`` with ``gateway``, else ``<LIANBAO_DATA>/gateway.db``).
Exit codes: 0 done, 2 bad input (the field and why on stderr).
"""
from __future__ import annotations

import json
import secrets
import sys


def register(subparsers):
    p = subparsers.add_parser("accounts", help="people's sign-in accounts of the gateway (add, list, "
                                               "disable, enable, passwd)")
    sub = p.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="a new account for a roster person (password from stdin or a prompt)")
    add.add_argument("login")
    add.add_argument("--person", required=True, help="the roster person id this login signs in as")
    add.add_argument("--random", action="store_true", help="generate the password and print it once")
    sub.add_parser("list", help="every account (login, person, disabled, created, changed)").add_argument(
        "--json", action="store_true", help="JSON lines instead of a table")
    for name, text in (("disable", "refuse this login's sign-ins and end its sessions"),
                       ("enable", "allow this login to sign in again")):
        sub.add_parser(name, help=text).add_argument("login")
    passwd = sub.add_parser("passwd", help="set a new password (password from stdin or a prompt)")
    passwd.add_argument("login")
    passwd.add_argument("--random", action="store_true", help="generate the password and print it once")
    p.set_defaults(func=run)


def store_from_config(config: dict | None = None):
    from shared.config import database_url, load_config
    from shared.db import ensure_database, make_engine

    from services.gateway.accounts import AccountStore

    config = config or load_config()
    url = database_url("gateway", config)
    ensure_database(url)
    return AccountStore(make_engine(url))


def read_password(random: bool, stdin=None) -> tuple[str, bool]:
    """(password, generated)."""
    if random:
        return secrets.token_urlsafe(15), True
    stdin = stdin or sys.stdin
    if stdin.isatty():
        import getpass

        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ValueError("the two passwords differ")
        return first, False
    return stdin.readline().rstrip("\r\n"), False


def run(args, store=None, stdin=None, out=None) -> int:
    from services.gateway.accounts import AccountProblem

    out = out or sys.stdout
    try:
        store = store or store_from_config()
        action = args.accounts_command
        if action == "list":
            rows = store.list()
            if args.json:
                for row in rows:
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                out.write(f"{'login':<24} {'person':<16} {'disabled':<8} changed\n")
                for row in rows:
                    out.write(f"{row['login']:<24} {row['person']:<16} {'yes' if row['disabled'] else 'no':<8} "
                              f"{row['changed_at'][:19]}\n")
            return 0
        if action in ("disable", "enable"):
            row = store.set_disabled(args.login, action == "disable")
            out.write(f"{row['login']}: {'disabled' if row['disabled'] else 'enabled'}\n")
            return 0
        try:
            password, generated = read_password(args.random, stdin)
        except ValueError as exc:
            raise AccountProblem("password", str(exc)) from None
        if action == "add":
            row = store.add(args.login, args.person, password)
            out.write(f"{row['login']}: added, signs in as {row['person']}\n")
        else:
            row = store.set_password(args.login, password)
            out.write(f"{row['login']}: password changed, its sessions ended\n")
        if generated:
            out.write(f"password (shown once): {password}\n")
        return 0
    except AccountProblem as err:
        sys.stderr.write(f"lianbao accounts: {err.field}: {err.message}\n")
        return 2
