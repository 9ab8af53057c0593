"""``lianbao rabbit definitions|setup``: one RabbitMQ user per service, with permissions that let it
do its own work and nothing else.

* ``lianbao rabbit definitions [--vhost V]`` prints the definitions (RabbitMQ's definitions format,
  without passwords) built from the services' own entry points and the contracts' event names;
  ``infra/rabbitmq/definitions.json`` is that output for vhost ``/`` (a test keeps them equal).
* ``lianbao rabbit setup [--vhost V] [--admin-url URL]`` applies them with ``rabbitmqctl``: the vhost,
  the users (password from ``LIANBAO_RABBIT_PASSWORD_<USER>``; a new user without one gets a
  random password, printed once), their permissions and topic permissions; then, through the admin
  URL, the exchanges every service binds to (``<svc>.events``, ``nameko-rpc``) and the dead-letter
  exchange and queue.  Safe to run again.

What a service's user may do (``S`` the service, ``SRC`` the services whose events it consumes):

* configure/write/read its own queues (``rpc-S``, ``rpc.reply-S-*``, ``evt-SRC-<type>--S.*``), its
  retry exchange ``lianbao.retry.S``, the RPC exchange ``nameko-rpc``; publish (write) to its own
  ``S.events`` and to ``lianbao.dlx``; bind (read) to ``SRC.events``;
* never the default exchange (it could publish straight into any queue), never another service's
  ``.events`` exchange (write), never another service's queue (read);
* topic permissions on every ``<svc>.events`` exchange: on its own, it publishes only its own event
  types; on a source's, it binds only to the event types it consumes; on the others, nothing.

Services then run with ``BROKER_URL=amqp://S:<password>@host:5672/<vhost>`` and
``DECLARE_EVENT_EXCHANGES=false`` (the exchanges are declared here, by the admin).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from shared.config import SERVICES

DEFINITIONS = Path(__file__).resolve().parents[2] / "infra" / "rabbitmq" / "definitions.json"
CALLERS = ("gateway",)          # services that only call others (their own RPC reply queues)


def published_events() -> dict[str, tuple[str, ...]]:
    """Event types each service publishes, from the contracts."""
    from shared.contracts import rewards, roster, scoring_events, survey, training

    return {"roster": tuple(roster.EVENTS), "scoring": (scoring_events.RATING_PUBLISHED,),
            "survey": (survey.SATISFACTION_RATES_PUBLISHED, survey.RECOGNITION_POLL_PUBLISHED),
            "training": tuple(training.EVENTS),
            "rewards": (rewards.RATING_SETTLED,)}


def consumed_events(name: str) -> dict[str, set[str]]:
    """source service → event types the service ``name`` handles (read from its entry points)."""
    from shared.runner import service_class

    out: dict[str, set[str]] = {}
    for attr in dir(service_class(name)):
        for ep in getattr(getattr(service_class(name), attr), "nameko_entrypoints", ()):
            if hasattr(ep, "source_service") and hasattr(ep, "event_type"):
                out.setdefault(ep.source_service, set()).add(ep.event_type)
    return out


def _alt(names) -> str:
    return "|".join(re.escape(n) for n in sorted(names))


def _user_permissions(name: str, consumes: dict[str, set[str]]) -> dict:
    s = re.escape(name)
    own = [r"nameko-rpc", rf"rpc-{s}", rf"rpc\.reply-{s}-[0-9a-f-]+", rf"lianbao\.retry\.{s}"]
    evt = [rf"evt-({_alt(consumes)})-[a-z_]+--{s}\.[a-z_]+"] if consumes else []
    sources = [rf"({_alt(consumes)})\.events"] if consumes else []
    dead = [r"lianbao\.dlx", r"lianbao\.dlq"]
    return {
        "configure": "^(" + "|".join(own + evt + [rf"{s}\.events"] + dead) + ")$",
        "write": "^(" + "|".join(own + evt + [rf"{s}\.events"] + dead) + ")$",
        "read": "^(" + "|".join(own + evt + sources + [r"lianbao\.dlx"]) + ")$",
    }


def build_definitions(vhost: str = "/", user_prefix: str = "") -> dict:
    """The definitions; users are named ``<user_prefix><service>`` (several suites on one broker)."""
    published = published_events()
    users, permissions, topic_permissions = [], [], []
    for name in SERVICES + CALLERS:
        consumes = consumed_events(name) if name in SERVICES else {}
        user = user_prefix + name
        users.append({"name": user, "password_hash": "", "tags": ""})
        permissions.append({"user": user, "vhost": vhost, **_user_permissions(name, consumes)})
        for owner in SERVICES:
            write = "^(" + _alt(published[owner]) + ")$" if owner == name else "^$"
            read = "^(" + _alt(consumes[owner]) + ")$" if owner in consumes else "^$"
            topic_permissions.append({"user": user, "vhost": vhost, "exchange": f"{owner}.events",
                                      "write": write, "read": read})
    exchanges = [{"name": f"{s}.events", "vhost": vhost, "type": "topic", "durable": True,
                  "auto_delete": False, "internal": False, "arguments": {}} for s in SERVICES]
    exchanges += [{"name": "nameko-rpc", "vhost": vhost, "type": "topic", "durable": True,
                   "auto_delete": False, "internal": False, "arguments": {}},
                  {"name": "lianbao.dlx", "vhost": vhost, "type": "direct", "durable": True,
                   "auto_delete": False, "internal": False, "arguments": {}}]
    return {"vhosts": [{"name": vhost}], "users": users, "permissions": permissions,
            "topic_permissions": topic_permissions, "exchanges": exchanges,
            "queues": [{"name": "lianbao.dlq", "vhost": vhost, "durable": True, "auto_delete": False,
                        "arguments": {}}],
            "bindings": [{"source": "lianbao.dlx", "vhost": vhost, "destination": "lianbao.dlq",
                          "destination_type": "queue", "routing_key": "lianbao.dlq",
                          "arguments": {}}]}


def render(definitions: dict) -> str:
    return json.dumps(definitions, indent=2, ensure_ascii=False) + "\n"


# -- applying them -------------------------------------------------------------------------------
def _ctl(*args, check=True) -> subprocess.CompletedProcess:
    out = subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=120)
    if check and out.returncode != 0:
        raise SystemExit(f"rabbitmqctl {' '.join(args[:2])} failed: {out.stderr.strip() or out.stdout}")
    return out


def _existing_users() -> set[str]:
    out = _ctl("list_users", "--quiet", "--no-table-headers")
    return {line.split("\t")[0] for line in out.stdout.splitlines() if line.strip()}


def _password_var(user: str) -> str:
    return "LIANBAO_RABBIT_PASSWORD_" + re.sub(r"[^A-Z0-9]", "_", user.upper())


def apply(definitions: dict, admin_url: str, out=sys.stdout) -> dict:
    """Apply ``definitions`` with rabbitmqctl (users, permissions) and kombu (exchanges, queue)."""
    vhost = definitions["vhosts"][0]["name"]
    vhosts = _ctl("list_vhosts", "--quiet", "--no-table-headers").stdout.split()
    if vhost not in vhosts:
        _ctl("add_vhost", vhost)
    existing, created = _existing_users(), {}
    for user in definitions["users"]:
        name = user["name"]
        password = os.environ.get(_password_var(name))
        if name not in existing:
            password = password or secrets.token_urlsafe(18)
            _ctl("add_user", name, password)
            created[name] = password
        elif password:
            _ctl("change_password", name, password)
    for p in definitions["permissions"]:
        _ctl("set_permissions", "-p", vhost, p["user"], p["configure"], p["write"], p["read"])
    for t in definitions["topic_permissions"]:
        _ctl("set_topic_permissions", "-p", vhost, t["user"], t["exchange"], t["write"], t["read"])
    _declare(definitions, admin_url)
    for name, password in created.items():
        if not os.environ.get(_password_var(name)):
            print(f"created user {name} with password {password}", file=out)
    print(f"vhost {vhost}: {len(definitions['users'])} users, "
          f"{len(definitions['topic_permissions'])} topic permissions, "
          f"{len(definitions['exchanges'])} exchanges", file=out)
    return created


def _declare(definitions: dict, admin_url: str) -> None:
    from kombu import Connection, Exchange

    from shared.config import load_config
    from shared.entrypoints import suite_queue

    config = load_config()  # QUEUE_TYPE: the dead-letter queue is declared as the services will

    with Connection(admin_url) as conn:
        channel = conn.channel()
        try:
            for e in definitions["exchanges"]:
                Exchange(e["name"], type=e["type"], durable=e["durable"])(channel).declare()
            for b in definitions["bindings"]:
                suite_queue(config, b["destination"],
                            exchange=Exchange(b["source"], type="direct", durable=True),
                            routing_key=b["routing_key"], durable=True)(channel).declare()
        finally:
            channel.close()


# -- the command -----------------------------------------------------------------------------------
def register(subparsers):
    p = subparsers.add_parser("rabbit", help="RabbitMQ: one user per service (definitions, setup)")
    sub = p.add_subparsers(dest="rabbit_what", metavar="WHAT")
    d = sub.add_parser("definitions", help="print the users, permissions and exchanges as JSON")
    d.add_argument("--vhost", default="/")
    d.add_argument("--user-prefix", default="", help="users are named <prefix><service>")
    d.set_defaults(func=run_definitions)
    s = sub.add_parser("setup", help="apply them with rabbitmqctl (run on the broker's host)")
    s.add_argument("--vhost", default="/")
    s.add_argument("--user-prefix", default="", help="users are named <prefix><service>")
    s.add_argument("--admin-url", default=None,
                   help="an administrator's AMQP URL for the vhost (default: BROKER_URL)")
    s.set_defaults(func=run_setup)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def run_definitions(args) -> int:
    sys.stdout.write(render(build_definitions(args.vhost, args.user_prefix)))
    return 0


def run_setup(args) -> int:
    from shared.config import load_config

    admin_url = args.admin_url or load_config()["AMQP_URI"]
    if not admin_url.startswith("amqp"):
        raise SystemExit("lianbao rabbit setup: give --admin-url (or BROKER_URL) of an administrator")
    apply(build_definitions(args.vhost, args.user_prefix), admin_url)
    return 0
