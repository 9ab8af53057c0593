"""unit_versions: the unit tree through time (SPEC §9, issue 20)

The existing units become the first version of each unit, from 1900-01-01 ("as far back as the
roster goes": no creation date was kept, and every person's post starts later), open; the old
``units`` table is dropped (its rows are all in the history). Downgrade keeps the open versions.

Revision ID: b7c1d2e3f4a5
Revises: f3b1a2c4d5e6
Create Date: 2026-11-29 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7c1d2e3f4a5'
down_revision = 'f3b1a2c4d5e6'
branch_labels = None
depends_on = None

COLUMNS = "id, name, kind, parent, agency_type, rank, supervising_unit"


def upgrade():
    op.create_table('unit_versions',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=100), nullable=True),
    sa.Column('agency_type', sa.String(length=40), nullable=True),
    sa.Column('rank', sa.String(length=40), nullable=True),
    sa.Column('supervising_unit', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', 'start')
    )
    with op.batch_alter_table('unit_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_versions_parent'), ['parent'], unique=False)
    op.execute(f"INSERT INTO unit_versions ({COLUMNS}, start, \"end\") "
               f"SELECT {COLUMNS}, DATE '1900-01-01', NULL FROM units"
               if op.get_bind().dialect.name == "postgresql" else
               f"INSERT INTO unit_versions ({COLUMNS}, start, \"end\") "
               f"SELECT {COLUMNS}, '1900-01-01', NULL FROM units")
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_parent'))
    op.drop_table('units')


def downgrade():
    op.create_table('units',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=100), nullable=True),
    sa.Column('agency_type', sa.String(length=40), nullable=True),
    sa.Column('rank', sa.String(length=40), nullable=True),
    sa.Column('supervising_unit', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent'), ['parent'], unique=False)
    op.execute(f"INSERT INTO units ({COLUMNS}) SELECT {COLUMNS} FROM unit_versions "
               "WHERE \"end\" IS NULL")
    with op.batch_alter_table('unit_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_versions_parent'))
    op.drop_table('unit_versions')
