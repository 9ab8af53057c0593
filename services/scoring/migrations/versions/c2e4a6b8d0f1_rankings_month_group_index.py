"""rankings: an index on (month, grp, subject) (#24 item 5)

The ranking's follow-ups read a month's group across evaluators: the previous month's classes of
the subjects just ranked and whether the next month is ranked already (``followups.after_ranking``).
The table's key starts with the evaluator, so each of those reads scanned every ranking stored.

Revision ID: c2e4a6b8d0f1
Revises: 5e1f3a7c9b2d
Create Date: 2026-11-29 16:20:00
"""
from alembic import op


revision = 'c2e4a6b8d0f1'
down_revision = '5e1f3a7c9b2d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_rankings_month_grp_subject', 'rankings', ['month', 'grp', 'subject'], unique=False)


def downgrade():
    op.drop_index('ix_rankings_month_grp_subject', table_name='rankings')
