"""person_departures: each departure of the roster's ``staff_left`` with its day (``people_left``
kept one per person and dropped it when a post began on or after it), so rewards reads "off the
team" as the survey and training do (``shared.dated``): from a departure until a post of his
begins AFTER it (a post beginning on the day he left is his last post, not a return).  Each
``people_left`` row becomes a departure; a departure the code before had dropped (a post began on
or after it) is not in this database and cannot be recovered here: the person keeps his last post's
role until a ``staff_left`` about him arrives again.

Revision ID: 5d8f0b2c4e61
Revises: 4c6e8a0b2d17
Create Date: 2026-11-30 03:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5d8f0b2c4e61'
down_revision = '4c6e8a0b2d17'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_departures',
                    sa.Column('person_id', sa.String(length=100), nullable=False),
                    sa.Column('left_on', sa.Date(), nullable=False),
                    sa.PrimaryKeyConstraint('person_id', 'left_on'))
    op.execute("INSERT INTO person_departures (person_id, left_on) SELECT person_id, left_on FROM people_left")
    op.drop_table('people_left')


def downgrade():
    op.create_table('people_left',
                    sa.Column('person_id', sa.String(length=100), nullable=False),
                    sa.Column('left_on', sa.Date(), nullable=False),
                    sa.PrimaryKeyConstraint('person_id'))
    # one row a person, as the code before read it (away from ``left_on`` on): his latest departure
    # unless a post of his begins after it (he is back)
    op.execute("INSERT INTO people_left (person_id, left_on) SELECT d.person_id, d.left_on "
               "FROM person_departures d WHERE d.left_on = (SELECT MAX(e.left_on) FROM "
               "person_departures e WHERE e.person_id = d.person_id) AND NOT EXISTS (SELECT 1 FROM "
               "person_posts p WHERE p.person_id = d.person_id AND p.start > d.left_on)")
    op.drop_table('person_departures')
