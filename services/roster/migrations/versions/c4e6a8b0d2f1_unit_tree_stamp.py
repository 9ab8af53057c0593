"""unit_tree_stamp: one row whose value changes with every change of unit_versions (issue 24)

The roster's reads (a person's unit, agency, evaluator) read the whole dated tree; each process now
keeps the tree it read under this stamp and reads it again only when the stamp has changed.

Revision ID: c4e6a8b0d2f1
Revises: 2e8f1d5b0c32
Create Date: 2026-11-29 05:40:00
"""
import uuid

from alembic import op
import sqlalchemy as sa

revision = 'c4e6a8b0d2f1'
down_revision = '2e8f1d5b0c32'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('unit_tree_stamp',
                            sa.Column('id', sa.Integer(), nullable=False),
                            sa.Column('stamp', sa.String(length=32), nullable=False),
                            sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(table, [{"id": 1, "stamp": uuid.uuid4().hex}])


def downgrade():
    op.drop_table('unit_tree_stamp')
