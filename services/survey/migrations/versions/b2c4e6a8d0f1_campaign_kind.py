"""campaign kind: satisfaction (the ten groups) or recognition (公认度测评 of the committee's leaders)

Revision ID: b2c4e6a8d0f1
Revises: 5994608ec758
Create Date: 2026-11-28 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b2c4e6a8d0f1'
down_revision = '5994608ec758'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaigns') as batch:
        batch.add_column(sa.Column('kind', sa.String(length=20), nullable=False,
                                   server_default='satisfaction'))


def downgrade():
    with op.batch_alter_table('campaigns') as batch:
        batch.drop_column('kind')
