"""dated read model: each person's posts through time (SPEC §9, issue 20 item 1)

The existing read model becomes the first post of each person, from the join date (nothing
older was kept).

Revision ID: 5b2d9e4c7a10
Revises: 67df287e46e9
Create Date: 2026-11-28 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5b2d9e4c7a10'
down_revision = '67df287e46e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_posts',
    sa.Column('person_id', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('unit_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=100), nullable=True),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('person_id', 'start')
    )
    op.execute("INSERT INTO person_posts (person_id, start, unit_id, agency_id, position) "
               "SELECT id, COALESCE(joined, '1900-01-01'), unit_id, agency_id, position FROM people")


def downgrade():
    op.drop_table('person_posts')
