"""dated read model: posts, mentoring pairs and evaluators through time (SPEC §9, issue 27)

The existing read model becomes the first history row of each person: the current post, mentor
and evaluator from the join date (nothing older was kept).

Revision ID: f7a9b3c1d2e4
Revises: f3b1a9c7d2e4
Create Date: 2026-11-28 14:25:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f7a9b3c1d2e4'
down_revision = 'f3b1a9c7d2e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_posts',
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('agency', sa.String(length=100), nullable=False),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.Column('supervises', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('person', 'start')
    )
    with op.batch_alter_table('person_posts', schema=None) as b:
        b.create_index(b.f('ix_person_posts_start'), ['start'], unique=False)
        b.create_index(b.f('ix_person_posts_agency'), ['agency'], unique=False)
        b.create_index(b.f('ix_person_posts_section'), ['section'], unique=False)
    op.create_table('mentor_spans',
    sa.Column('pair_id', sa.String(length=100), nullable=False),
    sa.Column('mentor', sa.String(length=100), nullable=False),
    sa.Column('mentee', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('pair_id')
    )
    with op.batch_alter_table('mentor_spans', schema=None) as b:
        for col in ('mentor', 'mentee', 'start', 'end'):
            b.create_index(b.f(f'ix_mentor_spans_{col}'), [col], unique=False)
    op.create_table('evaluator_spans',
    sa.Column('person', sa.String(length=100), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('grp', sa.String(length=100), nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('resolved_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('person', 'start')
    )
    with op.batch_alter_table('evaluator_spans', schema=None) as b:
        b.create_index(b.f('ix_evaluator_spans_grp'), ['grp'], unique=False)
    op.execute("INSERT INTO person_posts (person, start, agency, section, position, supervises) "
               "SELECT id, joined, agency, section, position, '' FROM people "
               "WHERE agency IS NOT NULL")
    op.execute("INSERT INTO mentor_spans (pair_id, mentor, mentee, start, \"end\", cancelled) "
               "SELECT 'seed:' || id, mentor, id, joined, NULL, false FROM people "
               "WHERE mentor IS NOT NULL")
    # days after an exit are excluded by the exit itself (people.left_on, spells)
    op.execute("INSERT INTO evaluator_spans (person, start, \"end\", grp, rule, resolved_at) "
               "SELECT id, joined, NULL, evaluator, evaluator_source, '' FROM people "
               "WHERE evaluator IS NOT NULL")


def downgrade():
    op.drop_table('evaluator_spans')
    op.drop_table('mentor_spans')
    op.drop_table('person_posts')
