"""ratings.snapshot compressed with lz4 on PostgreSQL (a 100,000-officer snapshot is ~30 MB of
JSON; pglz took three times as long to store it)

Revision ID: c4d2e8f1a7b9
Revises: b7e1c0a5d3f2
Create Date: 2026-11-24 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c4d2e8f1a7b9'
down_revision = 'b7e1c0a5d3f2'
branch_labels = None
depends_on = None


def _lz4_available(bind) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    if bind.dialect.server_version_info < (14,):
        return False
    options = bind.execute(sa.text(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
    return options is not None and "lz4" in options


def upgrade():
    bind = op.get_bind()
    if _lz4_available(bind):
        op.execute("ALTER TABLE ratings ALTER COLUMN snapshot SET COMPRESSION lz4")


def downgrade():
    bind = op.get_bind()
    if _lz4_available(bind):
        op.execute("ALTER TABLE ratings ALTER COLUMN snapshot SET COMPRESSION pglz")
