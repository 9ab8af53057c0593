"""outbox.payload compressed with lz4 on PostgreSQL (scoring's rating_published event carries
the whole result of a rating: tens of MB at 100,000 officers, which pglz is slow to compress)

Revision ID: e5a7c3b9d104
Revises: d81f3a6c2e05
Create Date: 2026-11-27 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a7c3b9d104'
down_revision = 'd81f3a6c2e05'
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
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION lz4")


def downgrade():
    bind = op.get_bind()
    if _lz4_available(bind):
        op.execute("ALTER TABLE outbox ALTER COLUMN payload SET COMPRESSION pglz")
