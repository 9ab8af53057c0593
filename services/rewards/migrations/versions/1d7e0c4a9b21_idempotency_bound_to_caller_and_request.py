"""stored answers bound to their caller and request (issue 18 item 6)

idempotency(key) becomes idempotency(caller, key) with the sha256 of the request beside the answer
and an index on created_at (for the pruning timer).  Existing rows are kept, under the caller
"legacy": no caller of today can reach them, and the pruning timer removes them after the retention.

Revision ID: 1d7e0c4a9b21
Revises: 7f3a9c2d5b1e
Create Date: 2026-11-29 02:00:00
"""
from alembic import op

from shared import idempotency

revision = '1d7e0c4a9b21'
down_revision = '7f3a9c2d5b1e'
branch_labels = None
depends_on = None


def upgrade():
    idempotency.upgrade_table(op)


def downgrade():
    idempotency.downgrade_table(op)

