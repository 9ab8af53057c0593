"""unit_versions: the roster's unit tree in training, for the policy table (issue 18): a committee's
staff have the committee's roles (member, office) and a unit lies below its agency and committee.
Empty until the roster's next ``units_saved`` (no command re-sends the roster's state yet: a unit
changed after this migration fills it).

Revision ID: 8d4f6b0c2e35
Revises: 7c3e5a9b1d24
Create Date: 2026-11-29 05:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8d4f6b0c2e35'
down_revision = '7c3e5a9b1d24'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_versions',
                    sa.Column('id', sa.String(length=100), nullable=False),
                    sa.Column('since', sa.Date(), nullable=False),
                    sa.Column('until', sa.Date(), nullable=True),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.Column('parent', sa.String(length=100), nullable=True),
                    sa.PrimaryKeyConstraint('id', 'since'))


def downgrade():
    op.drop_table('unit_versions')
