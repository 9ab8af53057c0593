"""Configuration: nameko-style ``config.yml`` with ``${VAR:default}`` substitution.

One place says where the broker and every service's database are:

* ``AMQP_URI`` — the broker (``memory://`` is the embedded default, no broker installed);
* ``DATABASES.<service>`` — a SQLAlchemy URL per service; when empty, ``DATABASE_URL_TEMPLATE``
  (e.g. ``postgresql://postgres@127.0.0.1/lianbao_{service}``) is used, and when that is empty too,
  a SQLite file ``<DATA_DIR>/<service>.db``;
* ``METRICS_PORTS.<service>`` — the port of that service's ``/metrics`` (0: no HTTP server).

Substitution follows nameko's syntax: ``${VAR}`` or ``${VAR:default}``; defaults may themselves
contain ``${OTHER:...}``.  A value that is a whole ``${...}`` is parsed as YAML after substitution,
so ``${PORT:9101}`` becomes an integer.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

SERVICES = ("roster", "scoring", "survey", "training", "rewards")
DEFAULT_CONFIG = Path(__file__).with_name("config.yml")

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::((?:[^{}]|\{[^{}]*\})*))?\}")


def substitute(text: str, env=None) -> str:
    """Replace ``${VAR:default}`` (innermost first) until none is left."""
    env = os.environ if env is None else env
    for _ in range(10):
        new = _VAR.sub(lambda m: env.get(m.group(1), m.group(2) if m.group(2) is not None else ""), text)
        if new == text:
            break
        text = new
    return text


def _expand(node, env):
    if isinstance(node, dict):
        return {k: _expand(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand(v, env) for v in node]
    if isinstance(node, str) and "${" in node:
        whole = _VAR.fullmatch(node) is not None
        value = substitute(node, env)
        if whole:
            loaded = yaml.safe_load(value) if value != "" else ""
            return loaded if isinstance(loaded, (int, float, bool, str)) or loaded is None else value
        return value
    return node


def load_config(path=None, env=None, overrides: dict | None = None) -> dict:
    """Load a config file (default: the suite's own ``shared/config.yml``) with substitution."""
    path = Path(path or os.environ.get("LIANBAO_CONFIG") or DEFAULT_CONFIG)
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    config = _expand(raw, env)
    if overrides:
        config = merge(config, overrides)
    # the bus's JSON codec (shared.wire), installed here: after eventlet's patches, before any call
    from shared import wire

    wire.install()
    return config


def merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, val in extra.items():
        if isinstance(val, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], val)
        else:
            out[key] = val
    return out


def data_dir(config: dict) -> Path:
    return Path(config.get("DATA_DIR") or ".data")


def database_url(service: str, config: dict) -> str:
    """The SQLAlchemy URL of ``service``'s own database."""
    url = (config.get("DATABASES") or {}).get(service) or ""
    if url:
        return url
    template = config.get("DATABASE_URL_TEMPLATE") or ""
    if template:
        return template.format(service=service)
    folder = data_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder.resolve() / (service + '.db')}"


def broker_urls(url: str) -> list[str]:
    """The broker nodes of ``AMQP_URI``: one URL, or several separated by ``;`` (a cluster; kombu
    and the suite's client fail over from one to the next)."""
    return [u.strip() for u in str(url or "").split(";") if u.strip()]


def broker_hosts(url: str) -> str:
    """``host:port/vhost`` of each node, without credentials (for logs)."""
    return ", ".join(u.split("@")[-1] for u in broker_urls(url))


def metrics_port(service: str, config: dict) -> int:
    return int((config.get("METRICS_PORTS") or {}).get(service) or 0)


def embedded_config(folder, **extra) -> dict:
    """The embedded default: all services in one process on kombu's ``memory://``, SQLite files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    # from the environment only what does not reach a broker or a database: the plug-ins' allow-list
    # and the gateway's address and tokens (so `lianbao up --embedded ... gateway` listens where told)
    base = load_config(env={"LIANBAO_DATA": str(folder), **{k: v for k, v in os.environ.items()
                                                          if k.startswith(("LIANBAO_PLUGIN", "LIANBAO_GATEWAY",
                                                                           "GATEWAY_ADDRESS",
                                                                           "GATEWAY_RPC_TIMEOUT"))}})
    base["AMQP_URI"] = "memory://"
    base["DATA_DIR"] = str(folder)
    base["DATABASES"] = {s: "" for s in SERVICES}
    base["DATABASE_URL_TEMPLATE"] = ""
    base["METRICS_PORTS"] = {s: 0 for s in SERVICES}
    return merge(base, extra)
