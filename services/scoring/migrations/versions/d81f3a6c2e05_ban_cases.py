"""ban_cases: cases opened by roster's ban_violated (M§三(三)), read by the ratings

Revision ID: d81f3a6c2e05
Revises: c4d2e8f1a7b9
Create Date: 2026-11-24 11:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd81f3a6c2e05'
down_revision = 'c4d2e8f1a7b9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ban_cases',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('violation_id', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('violator', sa.String(length=100), nullable=False),
    sa.Column('ban', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_ban_cases_subject'), 'ban_cases', ['subject'], unique=False)
    op.create_index(op.f('ix_ban_cases_violation_id'), 'ban_cases', ['violation_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_ban_cases_violation_id'), table_name='ban_cases')
    op.drop_index(op.f('ix_ban_cases_subject'), table_name='ban_cases')
    op.drop_table('ban_cases')
