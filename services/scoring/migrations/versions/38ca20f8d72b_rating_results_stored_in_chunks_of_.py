"""rating results stored in chunks of subjects: ``rating_result_chunks`` (up to 250 subjects of
one agency a row) replaces ``rating_results`` (one row a subject, four indexes: at 100,000 officers
inserting them was half the time of storing a rating).  Results already stored are moved over.

Revision ID: 38ca20f8d72b
Revises: e5a7c3b9d104
Create Date: 2026-11-23 10:24:17.819402
"""
import json

from alembic import op
import sqlalchemy as sa

revision = '38ca20f8d72b'
down_revision = 'e5a7c3b9d104'
branch_labels = None
depends_on = None

CHUNK = 250
SEP = "\x1f"
KIND_ORDER = {"officer": 0, "section": 1, "agency": 2}


def _lz4_available(bind) -> bool:
    if bind.dialect.name != "postgresql":
        return False
    if bind.dialect.server_version_info < (14,):
        return False
    options = bind.execute(sa.text(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
    return options is not None and "lz4" in options


def _old_table():
    return sa.table('rating_results', sa.column('rating_id'), sa.column('subject'),
                    sa.column('kind'), sa.column('agency'), sa.column('section'),
                    sa.column('status'), sa.column('score'), sa.column('stars'),
                    sa.column('klass'), sa.column('result'))


def _chunk_table():
    return sa.table('rating_result_chunks', sa.column('rating_id'), sa.column('chunk'),
                    sa.column('agency'), sa.column('subjects'), sa.column('sections'),
                    sa.column('entries'), sa.column('results'))


def upgrade():
    op.create_table('rating_result_chunks',
    sa.Column('rating_id', sa.String(length=200), nullable=False),
    sa.Column('chunk', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('agency', sa.String(length=100), nullable=True),
    sa.Column('subjects', sa.Text(), nullable=False),
    sa.Column('sections', sa.Text(), nullable=False),
    sa.Column('entries', sa.Text(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('rating_id', 'chunk')
    )
    bind = op.get_bind()
    if _lz4_available(bind):
        for col in ("subjects", "entries", "results"):
            op.execute(f"ALTER TABLE rating_result_chunks ALTER COLUMN {col} SET COMPRESSION lz4")
    old = _old_table()
    ratings = [r for (r,) in bind.execute(sa.select(old.c.rating_id).distinct())]
    for rating_id in ratings:
        rows = sorted(bind.execute(sa.select(
            old.c.subject, old.c.kind, old.c.agency, old.c.section, old.c.status, old.c.klass,
            old.c.result).where(old.c.rating_id == rating_id)),
            key=lambda r: (KIND_ORDER.get(r[1], 3), r[0]))
        by_agency = {}
        for n, (subj, kind, ag, sec, status, klass, result) in enumerate(rows):
            by_agency.setdefault(ag, []).append(([subj, kind, ag, sec, status, klass, n], result))
        out = []
        for ag, items in by_agency.items():
            for i in range(0, len(items), CHUNK):
                entries = [e for e, _r in items[i:i + CHUNK]]
                out.append(dict(
                    rating_id=rating_id, chunk=len(out), agency=ag,
                    subjects=SEP + SEP.join(e[0] for e in entries) + SEP,
                    sections=SEP + SEP.join(sorted({e[3] for e in entries if e[3] is not None}))
                    + SEP,
                    entries=json.dumps(entries, ensure_ascii=False),
                    results="[" + ", ".join(r for _e, r in items[i:i + CHUNK]) + "]"))
        if out:
            bind.execute(sa.insert(_chunk_table()), out)
    with op.batch_alter_table('rating_results', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_results_agency')
        batch_op.drop_index('ix_rating_results_section')
        batch_op.drop_index('ix_rating_results_subject')
    op.drop_table('rating_results')


def downgrade():
    op.create_table('rating_results',
    sa.Column('rating_id', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('agency', sa.String(length=100), nullable=True),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('stars', sa.Integer(), nullable=True),
    sa.Column('klass', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('rating_id', 'subject')
    )
    with op.batch_alter_table('rating_results', schema=None) as batch_op:
        batch_op.create_index('ix_rating_results_subject', ['subject'], unique=False)
        batch_op.create_index('ix_rating_results_section', ['section'], unique=False)
        batch_op.create_index('ix_rating_results_agency', ['agency'], unique=False)
    bind = op.get_bind()
    chunks = _chunk_table()
    out = []
    for rating_id, entries, results in bind.execute(sa.select(
            chunks.c.rating_id, chunks.c.entries, chunks.c.results)):
        for (subj, kind, ag, sec, status, klass, _n), item in zip(json.loads(entries),
                                                                   json.loads(results)):
            out.append(dict(rating_id=rating_id, subject=subj, kind=kind, agency=ag, section=sec,
                            status=status, score=item.get("score"), stars=item.get("stars"),
                            klass=klass, result=json.dumps(item, ensure_ascii=False)))
    if out:
        bind.execute(sa.insert(_old_table()), out)
    op.drop_table('rating_result_chunks')
