"""calendar years loaded by the office; ranking follow-ups (referrals, 三帮一, study classes, tasks);
recognition poll results

Revision ID: f3b1a9c7d2e4
Revises: 38ca20f8d72b
Create Date: 2026-11-28 14:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b1a9c7d2e4'
down_revision = '38ca20f8d72b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('loaded_by', sa.String(length=100), nullable=False),
    sa.Column('loaded_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('referrals',
    sa.Column('id', sa.String(length=250), nullable=False),
    sa.Column('evaluator', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('grp', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('klass', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('addressees', sa.JSON(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=True),
    sa.Column('recorded_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_referrals_evaluator'), 'referrals', ['evaluator'], unique=False)
    op.create_index(op.f('ix_referrals_month'), 'referrals', ['month'], unique=False)
    op.create_index(op.f('ix_referrals_subject'), 'referrals', ['subject'], unique=False)
    op.create_table('poor_helpers',
    sa.Column('evaluator', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('helpers', sa.JSON(), nullable=False),
    sa.Column('named_by', sa.String(length=100), nullable=False),
    sa.Column('named_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('evaluator', 'month', 'subject')
    )
    op.create_table('study_class_attendance',
    sa.Column('evaluator', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('class_id', sa.String(length=100), nullable=False),
    sa.Column('class_name', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendee', sa.String(length=100), nullable=False),
    sa.Column('attended', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('evaluator', 'month', 'subject', 'class_id')
    )
    op.create_table('followup_tasks',
    sa.Column('id', sa.String(length=250), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('evaluator', sa.String(length=100), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('done_by', sa.String(length=100), nullable=True),
    sa.Column('record', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_followup_tasks_evaluator'), 'followup_tasks', ['evaluator'], unique=False)
    op.create_index(op.f('ix_followup_tasks_month'), 'followup_tasks', ['month'], unique=False)
    op.create_table('recognition_results',
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('recognised', sa.Integer(), nullable=False),
    sa.Column('basic', sa.Integer(), nullable=False),
    sa.Column('not_recognised', sa.Integer(), nullable=False),
    sa.Column('rate', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('forms', sa.Integer(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'subject')
    )
    op.create_index(op.f('ix_recognition_results_period'), 'recognition_results', ['period'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_recognition_results_period'), table_name='recognition_results')
    op.drop_table('recognition_results')
    op.drop_index(op.f('ix_followup_tasks_month'), table_name='followup_tasks')
    op.drop_index(op.f('ix_followup_tasks_evaluator'), table_name='followup_tasks')
    op.drop_table('followup_tasks')
    op.drop_table('study_class_attendance')
    op.drop_table('poor_helpers')
    op.drop_index(op.f('ix_referrals_subject'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_month'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_evaluator'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_table('calendar_years')
