"""Fixtures of the gateway's service tests: a token file, a free port, a started gateway."""
import socket

import pytest
import yaml

TOKENS = {
    "city": "city-token-0123456789abcdef",
    "county": "county-token-0123456789abcdef",
    "other": "other-token-0123456789abcdef",
    "office": "office-token-0123456789abcdef",   # a bureau's office system acting for its persons
}


def write_tokens(path):
    import hashlib

    systems = [
        {"system": "city", "actor": "city-platform", "token": TOKENS["city"], "agencies": "*"},
        {"system": "county", "actor": "county-office",
         "token_sha256": hashlib.sha256(TOKENS["county"].encode()).hexdigest(), "agencies": ["cnty", "c_ps"]},
        {"system": "other", "actor": "other-office", "token": TOKENS["other"], "agencies": ["m_ps"]},
        {"system": "ps-office", "actor": "ps-office", "token": TOKENS["office"], "agencies": "*", "kind": "persons"},
    ]
    path.write_text(yaml.safe_dump({"systems": systems}, allow_unicode=True))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def auth(system):
    return {"Authorization": f"Bearer {TOKENS[system]}"}


@pytest.fixture
def tokens_file(tmp_path):
    return write_tokens(tmp_path / "tokens.yml")


@pytest.fixture
def start_gateway(embedded_suite, tokens_file):
    """``start_gateway(classes, **config)`` -> ``(base URL, suite)`` of a gateway started with the services."""
    def start(classes, **extra):
        port = free_port()
        extra.setdefault("GATEWAY_TOKENS", str(tokens_file))
        suite = embedded_suite(classes=classes, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}", **extra)
        return f"http://127.0.0.1:{port}", suite
    return start
