"""campaign_tally_parts: the tallies each insert of forms adds, one appended row an insert (issue 24
item 4: batches of a campaign committing at once take no common row); ``campaign_tallies`` keeps the
forms tallied before

Revision ID: b8d0f2a4c6e9
Revises: a1c3e5f7b9d0
Create Date: 2026-11-29 08:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b8d0f2a4c6e9'
down_revision = 'a1c3e5f7b9d0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaign_tally_parts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('dimensions', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_campaign_tally_parts_campaign_id'), 'campaign_tally_parts', ['campaign_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_campaign_tally_parts_campaign_id'), table_name='campaign_tally_parts')
    op.drop_table('campaign_tally_parts')
