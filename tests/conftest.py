"""Suite-wide test setup.  eventlet must patch the standard library before anything else loads."""
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402
import socket  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402

from shared.config import embedded_config, load_config  # noqa: E402
from shared.runner import Suite, reset_memory_broker  # noqa: E402

PG_URL = os.environ.get("LIANBAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
AMQP_URL = os.environ.get("LIANBAO_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672/")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def broker_available() -> bool:
    return _reachable("127.0.0.1", 5672) and _reachable("127.0.0.1", 5432)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``broker`` need RabbitMQ and PostgreSQL.  In CI (``CI=true``) they must run: a
    missing broker fails them loudly instead of skipping them."""
    if broker_available() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="RabbitMQ/PostgreSQL not reachable on 127.0.0.1 (outside CI only)")
    for item in items:
        if "broker" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def embedded_config_factory(tmp_path):
    """Config of an embedded suite (memory:// broker, SQLite files in a temporary folder)."""
    def make(**extra):
        return embedded_config(tmp_path / "data", **extra)
    return make


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    """``lianbao …`` run in-process against the embedded suite of this test: no broker from the
    environment, the default config, and the suite's own keyring (the operator signs with a key the
    services know, as in a deployment where both read the same ``AUTH_KEYRING``)."""
    monkeypatch.delenv("BROKER_URL", raising=False)
    monkeypatch.delenv("LIANBAO_CONFIG", raising=False)
    monkeypatch.setenv("LIANBAO_AUTH_KEYRING", str(tmp_path / "data" / "keyring.yml"))


@pytest.fixture
def embedded_suite(embedded_config_factory):
    """Start services in-process on the memory transport: ``with embedded_suite(["roster"]) as s``."""
    started = []
    reset_memory_broker()

    def start(names=("roster", "scoring", "survey", "training", "rewards"), classes=None, **extra):
        suite = Suite(embedded_config_factory(**extra), names=names, classes=classes).start()
        started.append(suite)
        return suite

    yield start
    for suite in started:
        suite.stop()


@pytest.fixture
def real_config(tmp_path):
    """Config for the real broker and PostgreSQL: fresh databases and a fresh vhost-free namespace.

    Each test gets its own database names (``lianbao_t<uuid>_<service>``), dropped afterwards.
    """
    tag = "t" + uuid.uuid4().hex[:10]
    config = load_config(env={"BROKER_URL": AMQP_URL,
                              "DATABASE_URL_TEMPLATE": f"{PG_URL}/lianbao_{tag}_{{service}}",
                              "LIANBAO_DATA": str(tmp_path / "data")})
    config["RPC_TIMEOUT"] = 20
    config["AUTO_DELETE_EVENT_EXCHANGES"] = False
    config["_test_tag"] = tag
    yield config
    _drop_databases(tag)


def _drop_databases(tag: str) -> None:
    from sqlalchemy import text

    from shared.db import make_engine

    engine = make_engine(f"{PG_URL}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                 {"p": f"lianbao_{tag}_%"}).scalars().all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except Exception:
        pass
    finally:
        engine.dispose()


#: the two databases a migration test runs on: the PostgreSQL one is marked ``broker``, so it is
#: skipped outside CI without a server and fails in CI (see ``pytest_collection_modifyitems``)
DATABASE_KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.broker)]


@pytest.fixture(params=DATABASE_KINDS)
def engine_of(request, tmp_path):
    """``engine_of(service)``: a fresh, empty database of the service, on SQLite and then on
    PostgreSQL (``lianbao_t<uuid>_<service>``, dropped afterwards)."""
    from shared.db import ensure_database, make_engine

    tag, made = "t" + uuid.uuid4().hex[:10], []

    def make(service: str):
        url = (f"sqlite:///{tmp_path}/{service}.db" if request.param == "sqlite"
               else f"{PG_URL}/lianbao_{tag}_{service}")
        ensure_database(url)
        made.append(make_engine(url))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()
    if request.param == "postgresql":
        _drop_databases(tag)

