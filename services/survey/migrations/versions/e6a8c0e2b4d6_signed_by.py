"""signed_by: who the entry point verified for each step the survey service records (issue 18 item 3)

Beside the actor a payload names (``reviewed_by``, ``filed_by``, …), each record keeps the verified
identity of the call that wrote it (``kind:sub``: ``person:m1``, ``persons:ps-office``,
``operator:ops``, ``service:scoring`` for an event): ``signed_by`` for the row as written, and
``<step>_signed_by`` for each later step of a record of several steps. Rows of before this revision
keep null: nobody verified them.

Revision ID: e6a8c0e2b4d6
Revises: e5b7d9f1a3c5
Create Date: 2026-11-29 05:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e6a8c0e2b4d6'
down_revision = 'e5b7d9f1a3c5'
branch_labels = None
depends_on = None

COLUMNS = {
    'questionnaires': ['signed_by'],
    'campaigns': ['signed_by', 'set_signed_by', 'closed_signed_by', 'published_signed_by'],
    'forms': ['signed_by'],
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
