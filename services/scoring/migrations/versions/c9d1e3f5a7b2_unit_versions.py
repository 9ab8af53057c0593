"""unit_versions: the roster's unit tree through time in scoring's read model (SPEC §9, issue 20)

Every unit of the read model becomes its first version, from 1900-01-01 (the roster's "as far back
as it goes"), open; ``units`` stays (the latest, and a loaded unit's own evaluator).

Revision ID: c9d1e3f5a7b2
Revises: 3f9a2e6c1d43
Create Date: 2026-11-29 02:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c9d1e3f5a7b2'
down_revision = '3f9a2e6c1d43'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_versions',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=100), nullable=True),
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', 'since')
    )
    with op.batch_alter_table('unit_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_versions_agency'), ['agency'], unique=False)
    earliest = "DATE '1900-01-01'" if op.get_bind().dialect.name == "postgresql" else "'1900-01-01'"
    op.execute("INSERT INTO unit_versions (id, since, until, kind, parent, agency, name) "
               f"SELECT id, {earliest}, NULL, kind, parent, COALESCE(agency, id), name FROM units")


def downgrade():
    with op.batch_alter_table('unit_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_versions_agency'))
    op.drop_table('unit_versions')
