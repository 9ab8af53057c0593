"""withdrawn_allowance: the grants training withdrew (``training.allowance_withdrawn``: a month
announced as earned that a departure arriving later shows wholly away).  A withdrawn grant's line is
reversed once (``<identity>|<2g>``, ``reverses`` its key); a withdrawal received before its due makes
the due pay nothing.  A new table only: allowances received before this revision stay in force, as
they were (nothing withdrew them).

Revision ID: 8a2c4e6f1b39
Revises: 5d8f0b2c4e61
Create Date: 2026-11-30 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8a2c4e6f1b39'
down_revision = '5d8f0b2c4e61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('withdrawn_allowance',
                    sa.Column('allowance_id', sa.String(length=200), nullable=False),
                    sa.Column('officer', sa.String(length=100), nullable=False),
                    sa.Column('month', sa.String(length=7), nullable=False),
                    sa.Column('event_id', sa.String(length=100), nullable=True),
                    sa.Column('received_at', sa.DateTime(), nullable=False),
                    sa.Column('signed_by', sa.String(length=200), nullable=True),
                    sa.PrimaryKeyConstraint('allowance_id'))
    with op.batch_alter_table('withdrawn_allowance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_withdrawn_allowance_month'), ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('withdrawn_allowance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_withdrawn_allowance_month'))
    op.drop_table('withdrawn_allowance')
