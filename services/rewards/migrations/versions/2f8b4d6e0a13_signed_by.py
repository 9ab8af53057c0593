"""signed_by: who the entry point verified for each step the rewards service records (issue 18 item 3)

Beside the actor a payload names (``reviewed_by``, ``filed_by``, …), each record keeps the verified
identity of the call that wrote it (``kind:sub``: ``person:m1``, ``persons:ps-office``,
``operator:ops``, ``service:scoring`` for an event): ``signed_by`` for the row as written, and
``<step>_signed_by`` for each later step of a record of several steps. Rows of before this revision
keep null: nobody verified them.

Revision ID: 2f8b4d6e0a13
Revises: 2b4d6f8a0c1e
Create Date: 2026-11-29 05:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '2f8b4d6e0a13'
down_revision = '2b4d6f8a0c1e'
branch_labels = None
depends_on = None

COLUMNS = {
    'received_rating': ['signed_by'],
    'rating_subject': ['signed_by'],
    'received_allowance': ['signed_by'],
    'ledger_line': ['signed_by'],
    'reward_schedule': ['signed_by'],
    'reward_task': ['signed_by', 'done_signed_by', 'revoked_signed_by'],
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.String(length=200), nullable=True))


def downgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
