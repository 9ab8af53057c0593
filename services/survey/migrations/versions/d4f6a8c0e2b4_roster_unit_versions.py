"""roster_unit_versions: the roster's unit tree through time in survey's read model (issue 20)

Every unit of the read model becomes its first version, from 1900-01-01 (the roster's "as far back
as it goes"), open; ``roster_units`` stays (the latest).

Revision ID: d4f6a8c0e2b4
Revises: 4a0b3f7d2e54
Create Date: 2026-11-29 02:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4f6a8c0e2b4'
down_revision = '4a0b3f7d2e54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_unit_versions',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=100), nullable=True),
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', 'since')
    )
    with op.batch_alter_table('roster_unit_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_unit_versions_agency'), ['agency'], unique=False)
    earliest = "DATE '1900-01-01'" if op.get_bind().dialect.name == "postgresql" else "'1900-01-01'"
    op.execute("INSERT INTO roster_unit_versions (id, since, until, name, kind, parent, agency) "
               f"SELECT id, {earliest}, NULL, name, kind, parent, agency FROM roster_units")


def downgrade():
    with op.batch_alter_table('roster_unit_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_unit_versions_agency'))
    op.drop_table('roster_unit_versions')
