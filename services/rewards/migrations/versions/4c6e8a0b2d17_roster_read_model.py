"""unit_versions, person_posts, people_left: the roster's unit tree and persons' posts in rewards, for
the policy table only (issue 22): a person has the role of his post (the committee's office reads
its agencies' notice). Empty until the roster's next events about each unit and person (no command re-sends the
roster's state yet).

Revision ID: 4c6e8a0b2d17
Revises: 2f8b4d6e0a13
Create Date: 2026-11-29 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '4c6e8a0b2d17'
down_revision = '2f8b4d6e0a13'
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
    op.create_table('person_posts',
                    sa.Column('person_id', sa.String(length=100), nullable=False),
                    sa.Column('start', sa.Date(), nullable=False),
                    sa.Column('unit_id', sa.String(length=100), nullable=False),
                    sa.Column('agency_id', sa.String(length=100), nullable=True),
                    sa.Column('position', sa.String(length=20), nullable=False),
                    sa.PrimaryKeyConstraint('person_id', 'start'))
    op.create_table('people_left',
                    sa.Column('person_id', sa.String(length=100), nullable=False),
                    sa.Column('left_on', sa.Date(), nullable=False),
                    sa.PrimaryKeyConstraint('person_id'))


def downgrade():
    op.drop_table('people_left')
    op.drop_table('person_posts')
    op.drop_table('unit_versions')
