"""stored_notice: a period's public notice stored per version of its data (issue 19: exports cost once)

Revision ID: 2b4d6f8a0c1e
Revises: 1d7e0c4a9b21
Create Date: 2026-11-29 05:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '2b4d6f8a0c1e'
down_revision = '1d7e0c4a9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_notice',
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('version', sa.String(length=200), nullable=False),
    sa.Column('notice', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('period')
    )


def downgrade():
    op.drop_table('stored_notice')
