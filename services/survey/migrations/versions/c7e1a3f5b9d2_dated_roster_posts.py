"""dated roster read model: each person's agency through time (SPEC §9, issue 20 item 1)

The existing read model becomes the first post of each person (survey kept no join date: from
the earliest day, so every past campaign reads the agency it read before).

Revision ID: c7e1a3f5b9d2
Revises: b2c4e6a8d0f1
Create Date: 2026-11-28 17:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c7e1a3f5b9d2'
down_revision = 'b2c4e6a8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_posts',
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('person', 'start')
    )
    with op.batch_alter_table('roster_posts', schema=None) as b:
        b.create_index(b.f('ix_roster_posts_agency'), ['agency'], unique=False)
    op.execute("INSERT INTO roster_posts (person, start, agency, unit) "
               "SELECT id, '1900-01-01', agency, unit FROM roster_staff WHERE agency <> ''")


def downgrade():
    op.drop_table('roster_posts')
