"""ratings.notice_start/notice_end: the public notice (公示) of a half-year or annual rating (issue 23)

The Method posts the period's results for objections (公示监督) before they are confirmed (批复通报):
three working days after the posting day, the rating day. Ratings stored before this revision keep
null: their window is computed from the rating day when read.

Revision ID: b3d5f7a9c1e2
Revises: a8e2c4f6b1d3
Create Date: 2026-11-29 05:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b3d5f7a9c1e2'
down_revision = 'a8e2c4f6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ratings') as batch:
        batch.add_column(sa.Column('notice_start', sa.Date(), nullable=True))
        batch.add_column(sa.Column('notice_end', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('ratings') as batch:
        batch.drop_column('notice_end')
        batch.drop_column('notice_start')
