"""How commands reach the services: the configured broker, a timeout on every call."""
from __future__ import annotations

from contextlib import contextmanager

from shared.config import load_config


def ensure_green() -> None:
    """Commands that talk to nameko must run with eventlet's patches (done once, early)."""
    import eventlet

    if not eventlet.patcher.is_monkey_patched("socket"):
        eventlet.monkey_patch()


@contextmanager
def cluster_proxy(config: dict | None = None, timeout: float | None = None, context_data=None):
    """A ``ClusterRpcProxy`` on the configured broker (``BROKER_URL``), for this green thread; every
    call is signed as the operator (config ``OPERATOR_NAME``, else the OS user) with the keyring of
    the config (``AUTH_KEYRING``; docs/trust.md)."""
    ensure_green()
    from nameko.standalone.rpc import ClusterRpcProxy

    from shared.assertions import SignedProxy, operator_actor
    from shared.runner import _prepare

    config = config or load_config()
    _prepare(config)
    with ClusterRpcProxy(config, timeout=timeout or float(config.get("RPC_TIMEOUT", 30)),
                         context_data=context_data) as proxy:
        yield SignedProxy(proxy, config, operator_actor(config))
