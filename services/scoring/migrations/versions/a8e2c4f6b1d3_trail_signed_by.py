"""evaluation_log.signed_by: who the entry point verified for each step of the trail (issue 18 item 3)

Beside ``actor`` (the person the payload names), ``signed_by`` keeps the verified identity of the call
(``kind:sub``: ``person:o3``, ``persons:k1-office``, ``operator:…``). Steps recorded before this
revision keep null: nobody verified them.

Revision ID: a8e2c4f6b1d3
Revises: c9d1e3f5a7b2
Create Date: 2026-11-29 03:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a8e2c4f6b1d3'
down_revision = 'c9d1e3f5a7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evaluation_log') as batch:
        batch.add_column(sa.Column('signed_by', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('evaluation_log') as batch:
        batch.drop_column('signed_by')
