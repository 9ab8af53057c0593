"""campaign_rates: a campaign's rates stored per version of its data (issue 19: exports cost once);
campaign_form_counts: the forms received, kept by each insert (the version without counting), counted once here

Revision ID: e5b7d9f1a3c5
Revises: d4f6a8c0e2b4
Create Date: 2026-11-29 05:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5b7d9f1a3c5'
down_revision = 'd4f6a8c0e2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_rates',
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('version', sa.String(length=300), nullable=False),
    sa.Column('rates', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id')
    )
    op.create_table('campaign_form_counts',
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('forms', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id')
    )
    op.execute("INSERT INTO campaign_form_counts (campaign_id, forms) "
               "SELECT campaign_id, count(*) FROM forms GROUP BY campaign_id")


def downgrade():
    op.drop_table('campaign_form_counts')
    op.drop_table('campaign_rates')
