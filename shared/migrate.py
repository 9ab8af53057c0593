"""Alembic migrations, one history per service (``services/<svc>/migrations``).

* On start, :class:`shared.db.Database` calls :func:`upgrade` (``alembic upgrade head``).
* ``python -m shared.migrate revision <service> -m "message"`` autogenerates a new revision against
  a scratch SQLite database brought to head first.
"""
from __future__ import annotations

import argparse
import importlib
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from eventlet.semaphore import Semaphore

ROOT = Path(__file__).resolve().parent.parent

# Alembic's EnvironmentContext lives in module globals: two upgrades interleaving in green threads
# (PostgreSQL I/O yields) would clobber each other, so services migrate one at a time.
_UPGRADING = Semaphore(1)


def migrations_dir(service: str) -> Path:
    return ROOT / "services" / service / "migrations"


def alembic_config(service: str, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir(service)))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(migrations_dir(service) / "versions"))
    cfg.attributes["service"] = service
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def metadata_of(service: str):
    return importlib.import_module(f"services.{service}.models").Base.metadata


def upgrade(service: str, engine, base=None) -> None:
    """Bring ``service``'s database to head (falls back to create_all if it has no migrations)."""
    if not (migrations_dir(service) / "env.py").exists():
        (base.metadata if base is not None else metadata_of(service)).create_all(engine)
        return
    with _UPGRADING, engine.begin() as conn:
        command.upgrade(alembic_config(service, conn), "head")


def run_env(context) -> None:
    """The body of every service's ``migrations/env.py``."""
    cfg = context.config
    service = cfg.attributes["service"]
    metadata = metadata_of(service)
    connection = cfg.attributes.get("connection")
    render_as_batch = connection is not None and connection.dialect.name == "sqlite"
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=render_as_batch,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def revision(service: str, message: str) -> None:
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        with engine.begin() as conn:
            command.upgrade(alembic_config(service, conn), "head")
            command.revision(alembic_config(service, conn), message=message, autogenerate=True)
        engine.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.migrate")
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision", help="autogenerate a revision for a service")
    rev.add_argument("service")
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    revision(args.service, args.message)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
