"""roster_posts.position, roster_staff.position: the post's position in the survey's read model, so a
signed-in person has the role of their post here (issue 18: a committee's office or members, an
agency's head open, close and publish campaigns as the policy table says). Posts received before this
revision keep null (no role) until the roster's next staff event about them.

Revision ID: f7b9d1e3a5c8
Revises: e6a8c0e2b4d6
Create Date: 2026-11-29 05:25:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f7b9d1e3a5c8'
down_revision = 'e6a8c0e2b4d6'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('roster_posts', 'roster_staff'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('position', sa.String(length=20), nullable=True))


def downgrade():
    for table in ('roster_posts', 'roster_staff'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('position')
