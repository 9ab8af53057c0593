"""Shipped defaults (issue 19): docker-compose.yml carries no password, every service is its own
broker user and database role, private ports stay private, the secrets are generated per stack."""
import base64
import hashlib
import json
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from lianbao.commands import secrets_init
from shared.config import SERVICES

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DEFAULT_PASSWORDS = {"guest", "admin", "lianbao", "postgres", "password", "secret", "changeme", "root", "123456",
                     "rabbitmq", "grafana"}
SECRET_KEY = re.compile(r"PASS|SECRET|TOKEN|KEY", re.I)
REFERENCE = re.compile(r"^\$\{([A-Z0-9_]+):\?[^}]*\}$")   # ${VAR:?message}: required, no default


def _env(service: dict) -> dict:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _url_password(url: str):
    match = re.match(r"^[a-z+]+://([^:@/]+):([^@]+)@", url)
    return match.groups() if match else None


def test_no_default_password_anywhere_in_the_compose_file():
    problems = []
    for name, service in COMPOSE["services"].items():
        for key, value in _env(service).items():
            mounted = value.startswith("/run/")      # the path of a mounted file (generated, gitignored)
            if SECRET_KEY.search(key) and not REFERENCE.match(value) and not mounted:
                problems.append(f"{name}.{key}={value}")
            userpass = _url_password(value)
            if userpass and not REFERENCE.match(userpass[1]):
                problems.append(f"{name}.{key}: password {userpass[1]!r} in the URL")
            for word in DEFAULT_PASSWORDS:
                if re.search(rf"(?<![\\w$]){word}(?=@|$)", value) and SECRET_KEY.search(key):
                    problems.append(f"{name}.{key}: {word}")
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert not re.search(r"guest:guest|admin/admin|:lianbao@|PASSWORD:\s*\w+\s*$", text, re.M)
    assert problems == []


def test_each_service_is_its_own_broker_user_and_database_role():
    broker_vars, db_vars = set(), set()
    for name in (*SERVICES, "gateway"):
        env = _env(COMPOSE["services"][name])
        user, password = _url_password(env["BROKER_URL"])
        assert user == name, (name, env["BROKER_URL"])
        broker_vars.add(REFERENCE.match(password).group(1))
        assert env.get("DECLARE_EVENT_EXCHANGES") == "false"
        url = env[f"{name.upper()}_DB_URL"]
        role, password = _url_password(url)
        assert role == name and url.endswith(f"/lianbao_{name}")
        db_vars.add(REFERENCE.match(password).group(1))
    assert len(broker_vars) == len(SERVICES) + 1 and len(db_vars) == len(SERVICES) + 1   # none shared
    users = {u["name"] for u in json.loads((ROOT / "infra/rabbitmq/definitions.json").read_text())["users"]}
    assert users == {*SERVICES, "gateway"}


def test_private_ports_are_not_published_and_the_gateway_is_behind_tls():
    services = COMPOSE["services"]
    assert "ports" not in services["rabbitmq"] and "ports" not in services["postgres"]
    assert "ports" not in services["gateway"]
    for name, service in services.items():
        for port in service.get("ports", []):
            assert name == "caddy" or str(port).startswith("127.0.0.1:"), (name, port)
    assert "443:443" in services["caddy"]["ports"]
    caddyfile = (ROOT / "infra/caddy/Caddyfile").read_text()
    assert re.search(r"reverse_proxy \{\s*dynamic a \{\s*name gateway\s*port 8000", caddyfile)
    config = (ROOT / "shared/config.yml").read_text()
    assert "WEB_SERVER_ADDRESS: ${GATEWAY_ADDRESS:127.0.0.1:8000}" in config


def test_secrets_are_ignored_by_git_and_none_is_committed():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored and ".secrets/" in ignored
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [p for p in tracked if p == ".env" or p.startswith(".secrets/")]


def test_secrets_init_generates_every_secret_the_compose_file_needs(tmp_path):
    paths = secrets_init.write(tmp_path)
    env = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines()
               if line and not line.startswith("#"))
    needed = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.yml").read_text()))
    assert needed <= set(env)
    assert len(set(env.values())) == len(env)                       # none shared
    assert all(len(v) >= 24 and v.lower() not in DEFAULT_PASSWORDS for v in env.values())
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / ".secrets").stat().st_mode) == 0o700
    # the broker's definitions: each user's own salted SHA-256 hash of its password, and an admin
    definitions = json.loads(paths[1].read_text())
    for user in definitions["users"]:
        var = "RABBITMQ_ADMIN_PASSWORD" if user["name"] == "admin" else secrets_init.rabbit_var(user["name"])
        raw = base64.b64decode(user["password_hash"])
        assert raw[4:] == hashlib.sha256(raw[:4] + env[var].encode()).digest()
    assert {u["name"] for u in definitions["users"]} == {*SERVICES, "gateway", "admin"}
    tokens = yaml.safe_load(paths[2].read_text())
    assert tokens["systems"][0]["token_sha256"] == hashlib.sha256(env["LIANBAO_GATEWAY_ADMIN_TOKEN"].encode()).hexdigest()
    with pytest.raises(FileExistsError):
        secrets_init.write(tmp_path)
    second = tmp_path / "other"
    second.mkdir()
    secrets_init.write(second)
    assert (second / ".env").read_text() != (tmp_path / ".env").read_text()   # per stack, never a default


def test_the_database_init_script_makes_one_role_per_service():
    script = (ROOT / "infra/postgres/init-databases.sh").read_text()
    assert "for svc in " + " ".join(secrets_init.DB_ROLES) + ";" in script
    assert secrets_init.DB_ROLES == (*SERVICES, "gateway")
    assert "CREATE ROLE" in script and "OWNER" in script
    assert "/docker-entrypoint-initdb.d/" in json.dumps(COMPOSE["services"]["postgres"]["volumes"])


def test_up_without_a_broker_says_so_instead_of_looking_like_a_running_suite(monkeypatch, capsys):
    from lianbao.cli import main

    monkeypatch.delenv("BROKER_URL", raising=False)
    assert main(["up", "roster"]) == 2
    err = capsys.readouterr().err
    assert "no other process can reach" in err and "--embedded" in err and "BROKER_URL=" in err


def test_the_production_compose_file_has_no_default_password_either():
    text = (ROOT / "docker-compose.prod.yml").read_text(encoding="utf-8")
    prod = yaml.safe_load(text)
    problems = []
    for name, service in prod["services"].items():
        for key, value in _env(service).items():
            mounted = value.startswith("/run/")      # the path of a mounted file (generated, gitignored)
            if SECRET_KEY.search(key) and not mounted and not re.fullmatch(r"\$\{[A-Z0-9_]+:\?[^}]*\}", value):
                problems.append(f"{name}.{key}={value}")
            for url in value.split(";"):
                userpass = _url_password(url)
                if userpass and not re.fullmatch(r"\$\{[A-Z0-9_]+(:\?[^}]*)?\}", userpass[1]):
                    problems.append(f"{name}.{key}: password {userpass[1]!r}")
        for port in service.get("ports", []):
            if not str(port).startswith("127.0.0.1:") and name != "caddy":   # TLS is the one front door
                problems.append(f"{name}: port {port} published beyond loopback")
    assert not re.search(r"\$\{[A-Z_]*(PASS|COOKIE|SECRET)[A-Z_]*:-", text)     # no defaulted secret
    assert problems == []


def test_the_production_compose_file_gives_each_service_its_own_broker_user_on_every_node():
    prod = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text(encoding="utf-8"))
    services = prod["services"]
    rabbits = sorted(n for n in services if n.startswith("rabbit"))
    password_vars = set()
    for name in SERVICES:
        env = _env(services[name])
        urls = env["BROKER_URL"].split(";")
        assert sorted(u.split("@")[1].split(":")[0] for u in urls) == rabbits
        users = {_url_password(u)[0] for u in urls}
        variables = {REFERENCE.match(_url_password(u)[1]).group(1) for u in urls}
        assert users == {name} and variables == {secrets_init.rabbit_var(name)}, (name, env["BROKER_URL"])
        password_vars |= variables
        assert env["DECLARE_EVENT_EXCHANGES"] == "false" and env["QUEUE_TYPE"] == "quorum"
    assert len(password_vars) == len(SERVICES)                       # none shared
    for name in rabbits:       # the users come from the generated definitions; no default user on a node
        env = _env(services[name])
        assert not {"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"} & set(env)
        mounts = " ".join(services[name]["volumes"])
        assert "./.secrets/rabbitmq-definitions-quorum.json:/etc/rabbitmq/definitions.json:ro" in mounts
        assert "rabbitmq.conf:/etc/rabbitmq/conf.d/" in mounts
    assert "load_definitions = /etc/rabbitmq/definitions.json" in (ROOT / "infra/rabbitmq/rabbitmq.conf").read_text()


def test_secrets_init_writes_quorum_definitions_and_the_cluster_cookie_the_production_file_needs(tmp_path):
    paths = secrets_init.write(tmp_path)
    env = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines()
               if line and not line.startswith("#"))
    needed = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (ROOT / "docker-compose.prod.yml").read_text()))
    assert needed <= set(env), needed - set(env)
    quorum = json.loads(paths[4].read_text())
    assert paths[4].name == "rabbitmq-definitions-quorum.json"
    assert {q["name"]: q["arguments"].get("x-queue-type") for q in quorum["queues"]} == {"lianbao.dlq": "quorum"}
    classic = json.loads(paths[1].read_text())
    assert all("x-queue-type" not in q["arguments"] for q in classic["queues"])
    assert {u["name"] for u in quorum["users"]} == {*SERVICES, "gateway", "admin"}
    for user in quorum["users"]:
        var = "RABBITMQ_ADMIN_PASSWORD" if user["name"] == "admin" else secrets_init.rabbit_var(user["name"])
        raw = base64.b64decode(user["password_hash"])
        assert raw[4:] == hashlib.sha256(raw[:4] + env[var].encode()).digest()


def test_the_production_compose_file_gives_each_service_and_the_gateway_its_own_database_role():
    """No service connects to PostgreSQL as the superuser: each has its own role, database and password,
    created by the init script on the primary's first start; the replication user has a password of its own."""
    text = (ROOT / "docker-compose.prod.yml").read_text(encoding="utf-8")
    prod = yaml.safe_load(text)
    services = prod["services"]
    db_vars = set()
    for name in (*SERVICES, "gateway"):
        env = _env(services[name])
        assert "DATABASE_URL_TEMPLATE" not in env, name
        url = env[f"{name.upper()}_DB_URL"]
        role, password = _url_password(url)
        assert role == name and url.endswith(f"@postgres:5432/lianbao_{name}"), (name, url)
        db_vars.add(REFERENCE.match(password).group(1))
    assert db_vars == {secrets_init.db_var(r) for r in secrets_init.DB_ROLES}      # one each, none shared
    assert "postgres:${POSTGRES_PASSWORD" not in text                             # the superuser in no URL
    primary = _env(services["postgres"])
    assert {secrets_init.db_var(r) for r in secrets_init.DB_ROLES} <= set(primary)
    assert "/docker-entrypoint-initdb.d/" in json.dumps(services["postgres"]["volumes"])
    for name in ("postgres", "postgres-replica"):
        env = _env(services[name])
        assert REFERENCE.match(env["POSTGRESQL_REPLICATION_PASSWORD"]).group(1) == "POSTGRES_REPLICATION_PASSWORD"


def test_the_production_compose_file_runs_the_gateway_behind_tls_with_shared_sign_ins():
    prod = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text(encoding="utf-8"))
    services = prod["services"]
    gateway = services["gateway"]
    env = _env(gateway)
    assert "ports" not in gateway and env["GATEWAY_ADDRESS"] == "0.0.0.0:8000"
    assert env["GATEWAY_SECURE_COOKIES"] == "true"
    assert REFERENCE.match(env["LIANBAO_PUBLIC_SECRET"])        # the same ticket secret on every instance
    assert sorted(u.split("@")[1].split(":")[0] for u in env["BROKER_URL"].split(";")) == ["rabbit1", "rabbit2",
                                                                                              "rabbit3"]
    assert {_url_password(u)[0] for u in env["BROKER_URL"].split(";")} == {"gateway"}
    assert "443:443" in services["caddy"]["ports"] and services["caddy"]["depends_on"] == ["gateway"]
    prom = yaml.safe_load((ROOT / "infra/prometheus.prod.yml").read_text())
    assert "gateway" in prom["scrape_configs"][0]["dns_sd_configs"][0]["names"]


def test_secrets_init_gives_each_process_its_own_keyring_and_both_compose_files_mount_only_that():
    """Each service and the gateway sign with a key of their own (docs/trust.md): the generated
    keyrings hold one private key each, and no container mounts the deployment's full keyring."""
    import tempfile

    from shared import assertions

    with tempfile.TemporaryDirectory() as tmp:
        secrets_init.write(Path(tmp))
        master = assertions.read_entries(Path(tmp) / ".secrets" / "keyring.yml")
        assert stat.S_IMODE((Path(tmp) / ".secrets" / "keyring.yml").stat().st_mode) == 0o600
        for process in assertions.processes():
            ring = assertions.read_entries(Path(tmp) / ".secrets" / "keyrings" / f"{process}.yml")
            assert [e["signs"] for e in ring if e.get("private")] == [list(assertions.process_signs(process))]
            assert {e["kid"] for e in ring} == {e["kid"] for e in master}
    for name in ("docker-compose.yml", "docker-compose.prod.yml"):
        compose = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
        for service, spec in compose["services"].items():
            mounts = [str(v) for v in spec.get("volumes", [])]
            assert not [m for m in mounts if ".secrets/keyring.yml" in m], (name, service)
            if service in (*SERVICES, "gateway"):
                assert f"./.secrets/keyrings/{service}.yml:/data/keyring.yml:ro" in mounts, (name, service)
            holds_operator = [m for m in mounts if "keyrings/operator.yml" in m]
            assert bool(holds_operator) == (service == "ops"), (name, service)   # only the ops container
        assert compose["services"]["ops"]["profiles"] == ["ops"]                 # never started by `up`
