"""rule packs: rule_packs (history), pack_subject_data, pack_uses

Revision ID: b7e1c0a5d3f2
Revises: a9c692d2feed
Create Date: 2026-11-23 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e1c0a5d3f2'
down_revision = 'a9c692d2feed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rule_packs',
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.String(length=6), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('registered_by', sa.String(length=100), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agency', 'version')
    )
    op.create_table('pack_subject_data',
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agency', 'period', 'subject')
    )
    op.create_table('pack_uses',
    sa.Column('rating_id', sa.String(length=200), nullable=False),
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('pack_version', sa.Integer(), nullable=True),
    sa.Column('plugins', sa.JSON(), nullable=False),
    sa.Column('incidents', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('rating_id', 'agency')
    )


def downgrade():
    op.drop_table('pack_uses')
    op.drop_table('pack_subject_data')
    op.drop_table('rule_packs')
