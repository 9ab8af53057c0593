"""campaign_tallies: a campaign's pooled answers per subject, respondent group and dimension, kept by
every insert of forms from now on (issue 19: no export reads all forms); the forms already received
are tallied once here, in SQL (the same counts as the domain's ``tally_forms``).

Revision ID: a1c3e5f7b9d0
Revises: f7b9d1e3a5c8
Create Date: 2026-11-29 08:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a1c3e5f7b9d0'
down_revision = 'f7b9d1e3a5c8'
branch_labels = None
depends_on = None

#: the six dimensions and the three counted answer codes, as of this revision (frozen here)
DIMENSIONS = ("morality", "ability", "diligence", "results", "integrity", "learning")
CODES = ("S", "B", "D")


def upgrade():
    op.create_table('campaign_tallies',
    sa.Column('campaign_id', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('grp', sa.SmallInteger(), nullable=False),
    sa.Column('dimension', sa.String(length=20), nullable=False),
    sa.Column('forms', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('basic', sa.Integer(), nullable=False),
    sa.Column('dissatisfied', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'subject', 'grp', 'dimension')
    )
    conn = op.get_bind()
    campaigns = sa.table('campaigns', sa.column('id'), sa.column('questionnaire_key'),
                         sa.column('questionnaire_version'))
    questionnaires = sa.table('questionnaires', sa.column('key'), sa.column('version'),
                              sa.column('items', sa.JSON))
    items_of = {(k, v): items for k, v, items in conn.execute(sa.select(
        questionnaires.c.key, questionnaires.c.version, questionnaires.c['items']))}
    for cid, key, version in conn.execute(sa.select(campaigns.c.id, campaigns.c.questionnaire_key,
                                                    campaigns.c.questionnaire_version)).all():
        items = items_of.get((key, version))
        if items is None:       # no questionnaire: no rates either
            continue
        for dim in DIMENSIONS:
            positions = [i + 1 for i, item in enumerate(items) if item.get("dimension") == dim]
            if not positions:
                continue
            sums = [" + ".join(f"CASE WHEN substr(answers, {p}, 1) = '{code}' THEN 1 ELSE 0 END"
                               for p in positions) for code in CODES]
            conn.execute(sa.text(
                "INSERT INTO campaign_tallies (campaign_id, subject, grp, dimension, forms, satisfied, "
                "basic, dissatisfied) SELECT :cid, subject, grp, :dim, count(*), "
                + ", ".join(f"sum({s})" for s in sums)
                + " FROM forms WHERE campaign_id = :cid GROUP BY subject, grp"), {"cid": cid, "dim": dim})


def downgrade():
    op.drop_table('campaign_tallies')
