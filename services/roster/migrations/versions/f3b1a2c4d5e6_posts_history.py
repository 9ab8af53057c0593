"""posts: a person's unit, position, titles and supervised sections through time (SPEC §9)

The existing data becomes the first history row of each person: the current unit and position
from the join date (nothing older was kept).

Revision ID: f3b1a2c4d5e6
Revises: 6c72dd9570ab
Create Date: 2026-11-28 14:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b1a2c4d5e6'
down_revision = '6c72dd9570ab'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('posts',
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('unit', sa.String(length=100), nullable=False),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.Column('titles', sa.Text(), nullable=False),
    sa.Column('supervises', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('person', 'start')
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posts_unit'), ['unit'], unique=False)
    op.execute('INSERT INTO posts (person, start, "end", unit, position, titles, supervises) '
               'SELECT id, joined, NULL, unit, position, titles, supervises FROM staff')


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_unit'))
    op.drop_table('posts')
