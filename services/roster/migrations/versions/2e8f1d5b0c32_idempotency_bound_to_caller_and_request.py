"""stored answers bound to their caller and request (issue 18 item 6)

idempotency(key) becomes idempotency(caller, key) with the sha256 of the request beside the answer
and an index on created_at (for the pruning timer).  Existing rows are kept, under the caller
"legacy": no caller of today can reach them, and the pruning timer removes them after the retention.

Revision ID: 2e8f1d5b0c32
Revises: b7c1d2e3f4a5
Create Date: 2026-11-29 02:00:00
"""
from alembic import op

from shared import idempotency

revision = '2e8f1d5b0c32'
down_revision = 'b7c1d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    idempotency.upgrade_table(op)


def downgrade():
    idempotency.downgrade_table(op)

