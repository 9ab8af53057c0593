"""``lianbao console --demo``: the console over the demo year's data (issue 22 item 6).

After ``make demo`` (``lianbao demo --out out/demo``), ``make console`` (this command) starts the five
services and the gateway in this process on the demo's SQLite files (``OUT/data``, nothing copied),
picks a person of the demo city for each role — an officer, his mentor, a member of his agency's
leading group, a member of his county committee (the office's board) and an auditor — gives each a
sign-in account of the gateway's built-in provider (argon2id; a new random password on every start,
an existing login's password replaced) and prints the address, the logins and the passwords.

The console's clock (its "today": the month to self-assess, the year's months, the board's month) is
set to ``--as-of`` (default: 20 December of the demo's year, so its months are the demo's), running on
from there; the services keep the real date.  The auditor is named to the services by config
``AUDITORS`` (this process only): the demo's roster has no auditor post.  Ctrl-C stops it.
"""
from __future__ import annotations

import json
import secrets
import sys
from datetime import date
from pathlib import Path

ROLES = (("officer", "干警"), ("mentor", "联带责任人"), ("group", "领导小组成员"), ("office", "政法委工作看板"),
         ("auditor", "审计人员"))
LOGINS = {"officer": "demo-officer", "mentor": "demo-mentor", "group": "demo-group", "office": "demo-office",
          "auditor": "demo-auditor"}
PAGES = {"officer": "/console", "mentor": "/console/mentor", "group": "/console/group", "office": "/console/board",
         "auditor": "/console/audit"}


def register(subparsers):
    p = subparsers.add_parser("console", help="serve the console over the demo year's data, with an account "
                                              "printed for each role (after make demo)")
    p.add_argument("--demo", action="store_true", required=True,
                   help="the demo's data (the only source for now; a deployment runs lianbao up gateway)")
    p.add_argument("--out", default="out/demo", help="the demo's output folder (its data in OUT/data)")
    p.add_argument("--port", type=int, default=8000, help="port of the console (default 8000)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--as-of", default=None, help="the console's today (default: 20 December of the demo's year)")
    p.set_defaults(func=run)


def demo_year(out: Path) -> int:
    """The demo's year: its report's, else the demo's default."""
    report = out / "report.json"
    if report.exists():
        try:
            year = json.loads(report.read_text(encoding="utf-8")).get("year")
            if isinstance(year, int):
                return year
        except ValueError:
            pass
    from lianbao.demo.run import YEAR

    return YEAR


def pick_people(rpc, day: str) -> dict:
    """A person for each role, asked of the roster as on ``day``: the first county committee's
    first agency with sections; its first officer with a mentor; the mentor; a leader of the agency
    (else its head) who is not the mentor; a member of the committee (the board); the city
    committee's last member, the auditor."""
    units = rpc.roster.get_units({"date": day})["units"]
    by_parent: dict = {}
    for u in units:
        by_parent.setdefault(u.get("parent"), []).append(u)
    root = next(u for u in units if u["kind"] == "committee" and not u.get("parent"))
    for committee in [u for u in by_parent.get(root["id"], []) if u["kind"] == "committee"]:
        for agency in [u for u in by_parent.get(committee["id"], []) if u["kind"] == "agency"]:
            members = rpc.roster.members_of({"unit": agency["id"], "date": day, "include_subunits": True})["members"]
            for officer in (m for m in members if m["position"] == "officer" and m.get("status") == "active"):
                mentor = (rpc.roster.mentor_of({"person": officer["id"], "date": day}) or {}).get("mentor")
                if not mentor:
                    continue
                group = [m["id"] for m in members if m["position"] in ("leader", "head") and m["id"] != mentor]
                board = [m["id"] for m in rpc.roster.members_of({"unit": committee["id"], "date": day})["members"]]
                city = [m["id"] for m in rpc.roster.members_of({"unit": root["id"], "date": day})["members"]]
                if group and board and city:
                    return {"officer": officer["id"], "mentor": mentor, "group": min(group),
                            "office": board[-1], "auditor": city[-1]}
    raise SystemExit("lianbao console: the demo's roster has no officer with a mentor in an agency of a "
                     "county committee (was make demo run?)")


def grant(store, login: str, person: str) -> tuple[str, str]:
    """``(login, password)``: a new random password for ``login`` signing in as ``person`` (the
    account made, or its password replaced and enabled), to be printed once; a login held by
    another person (an older city) gives way to ``login-person``."""
    from services.gateway.accounts import AccountProblem

    password = secrets.token_urlsafe(12)
    for name in (login, f"{login}-{person}"):
        try:
            store.add(name, person, password)
            return name, password
        except AccountProblem:
            if store.get(name)["person"] == person:
                store.set_password(name, password)
                store.set_disabled(name, False)
                return name, password
    raise SystemExit(f"lianbao console: the logins {login} and {login}-{person} belong to other persons")


def run(args, out=None, ready=None) -> int:
    import eventlet

    from shared.config import SERVICES, embedded_config
    from shared.runner import Suite

    out = out or sys.stdout
    folder = Path(args.out)
    data = folder / "data"
    if not (data / "roster.db").exists():
        sys.stderr.write(f"lianbao console: no demo data in {data} (run make demo first)\n")
        return 2
    as_of = args.as_of or f"{demo_year(folder)}-12-20"
    try:
        date.fromisoformat(as_of)
    except ValueError:
        sys.stderr.write(f"lianbao console: --as-of: {as_of!r} is not a date (YYYY-MM-DD)\n")
        return 2
    from lianbao.demo.run import DEMO_PLUGINS

    config = embedded_config(data, WEB_SERVER_ADDRESS=f"{args.host}:{args.port}", PLUGINS=DEMO_PLUGINS,
                             GATEWAY_PUBLIC_SECRET=secrets.token_urlsafe(32), CONSOLE_AS_OF=as_of)
    with Suite(config, names=SERVICES) as picker:           # who is who, before the auditor is named
        with picker.rpc() as rpc:
            people = pick_people(rpc, as_of)
    config["AUDITORS"] = people["auditor"]
    suite = Suite(config, names=SERVICES + ("gateway",)).start()
    try:
        from services.gateway.signin import SignInKit

        kit = next(dep for container in suite.runner.containers for dep in container.dependencies
                   if isinstance(dep, SignInKit))
        with suite.rpc() as rpc:
            names = {role: (rpc.roster.get_staff({"person": pid}) or {}).get("name") or pid
                     for role, pid in people.items()}
        url = f"http://{args.host}:{args.port}"
        out.write(f"lianbao console: the demo's year on {url}/console (today for the console: {as_of}; "
                  f"data {data})\n")
        out.write(f"{'login':<14} {'password':<18} {'person':<10} role, name, page\n")
        for role, label in ROLES:
            login, password = grant(kit.store, LOGINS[role], people[role])
            out.write(f"{login:<14} {password:<18} {people[role]:<10} {label} {names[role]} {url}{PAGES[role]}\n")
        out.write("Ctrl-C stops it.\n")
        out.flush()
        if ready is not None:
            ready()
        stop = eventlet.event.Event()
        import signal

        signal.signal(signal.SIGTERM, lambda *_: stop.ready() or stop.send(True))
        signal.signal(signal.SIGINT, lambda *_: stop.ready() or stop.send(True))
        stop.wait()
    finally:
        suite.stop()
    return 0

