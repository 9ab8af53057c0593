"""person_departures: each departure of the roster's ``staff_left`` with its day, so training gives a
person no role from his departure until a post of his begins after it (a return through the roster's
``return_to_team``), and ``people.left_on`` / ``status`` follow (cleared once back).  A person with no
row here (a departure received before this revision, or ``upsert_people``'s ``left_on``) is judged by
``people.left_on`` the same way.

Revision ID: 9e5a7c1b3d46
Revises: 8d4f6b0c2e35
Create Date: 2026-11-29 23:35:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9e5a7c1b3d46'
down_revision = '8d4f6b0c2e35'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_departures',
                    sa.Column('person_id', sa.String(length=100), nullable=False),
                    sa.Column('on', sa.Date(), nullable=False),
                    sa.Column('kind', sa.String(length=20), nullable=False),
                    sa.PrimaryKeyConstraint('person_id', 'on'))


def downgrade():
    op.drop_table('person_departures')
