"""signed_by: who the entry point verified for each step the scoring service records (issue 18 item 3)

Beside the actor a payload names (``reviewed_by``, ``filed_by``, …), each record keeps the verified
identity of the call that wrote it (``kind:sub``: ``person:m1``, ``persons:ps-office``,
``operator:ops``, ``service:scoring`` for an event): ``signed_by`` for the row as written, and
``<step>_signed_by`` for each later step of a record of several steps. Rows of before this revision
keep null: nobody verified them.

Revision ID: 5e1f3a7c9b2d
Revises: b3d5f7a9c1e2
Create Date: 2026-11-29 05:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1f3a7c9b2d'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

COLUMNS = {
    'daily_logs': ['signed_by', 'reviewed_signed_by'],
    'rankings': ['signed_by'],
    'rectifications': ['signed_by', 'submitted_signed_by', 'filed_signed_by'],
    'honours': ['signed_by'],
    'subject_facts': ['signed_by'],
    'absences': ['signed_by'],
    'agency_evaluations': ['signed_by'],
    'ratings': ['signed_by'],
    'calendar_years': ['signed_by'],
    'referrals': ['signed_by', 'recorded_signed_by'],
    'poor_helpers': ['signed_by'],
    'study_class_attendance': ['signed_by'],
    'followup_tasks': ['signed_by', 'done_signed_by'],
    'public_objections': ['signed_by', 'answered_signed_by'],
}


def upgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.add_column(sa.Column(column, sa.String(length=200), nullable=True))


def downgrade():
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
