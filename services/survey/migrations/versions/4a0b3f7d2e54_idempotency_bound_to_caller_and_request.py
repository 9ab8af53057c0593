"""stored answers bound to their caller and request (issue 18 item 6)

idempotency(key) becomes idempotency(caller, key) with the sha256 of the request beside the answer
and an index on created_at (for the pruning timer).  Existing rows are kept, under the caller
"legacy": no caller of today can reach them, and the pruning timer removes them after the retention.

Revision ID: 4a0b3f7d2e54
Revises: c7e1a3f5b9d2
Create Date: 2026-11-29 02:00:00
"""
from alembic import op

from shared import idempotency

revision = '4a0b3f7d2e54'
down_revision = 'c7e1a3f5b9d2'
branch_labels = None
depends_on = None


def upgrade():
    idempotency.upgrade_table(op)


def downgrade():
    idempotency.downgrade_table(op)

