"""signed_by: who the entry point verified for each step the training service records (issue 18 item 3)

Beside the actor a payload names (``reviewed_by``, ``filed_by``, …), each record keeps the verified
identity of the call that wrote it (``kind:sub``: ``person:m1``, ``persons:ps-office``,
``operator:ops``, ``service:scoring`` for an event): ``signed_by`` for the row as written, and
``<step>_signed_by`` for each later step of a record of several steps. Rows of before this revision
keep null: nobody verified them.

Revision ID: 7c3e5a9b1d24
Revises: 5b1c4a8e3f65
Create Date: 2026-11-29 05:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c3e5a9b1d24'
down_revision = '5b1c4a8e3f65'
branch_labels = None
depends_on = None

COLUMNS = {
    'courses': ['signed_by'],
    'results': ['signed_by'],
    'study_days': ['signed_by'],
    'sessions': ['signed_by'],
    'frontline_posts': ['signed_by'],
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
