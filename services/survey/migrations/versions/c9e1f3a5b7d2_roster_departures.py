"""roster_departures: each departure of the roster's ``staff_left`` with its day, so the survey gives a
person no role from his departure (not before it) and the role of his post again once he is back
through ``return_to_team`` (a post beginning after the departure).  Departures received before this
revision are kept only as ``roster_staff.left`` (undated): such a person keeps no role here, as
before (a return of his is not seen as one).

Revision ID: c9e1f3a5b7d2
Revises: b8d0f2a4c6e9
Create Date: 2026-11-29 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c9e1f3a5b7d2'
down_revision = 'b8d0f2a4c6e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_departures',
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('person', 'on')
    )


def downgrade():
    op.drop_table('roster_departures')
