"""the public's objections to a month's notice (公示异议, issue 23)

Revision ID: a1c3e5f7b9d2
Revises: f7a9b3c1d2e4
Create Date: 2026-11-28 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c3e5f7b9d2'
down_revision = 'f7a9b3c1d2e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_objections',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('evaluator', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('upheld', sa.Boolean(), nullable=True),
    sa.Column('answered_by', sa.String(length=100), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('reopened', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_public_objections_evaluator_month', 'public_objections', ['evaluator', 'month'],
                    unique=False)


def downgrade():
    op.drop_index('ix_public_objections_evaluator_month', table_name='public_objections')
    op.drop_table('public_objections')
