"""money once per person, period and kind: reversals, rating versions, subjects in force

* ``ledger_line.reverses`` (unique): a reversal names the line it cancels;
* ``received_rating.version`` and ``status`` (settled | superseded | refused);
* ``rating_subject``: (period, subject) → the rating in force that settled the subject;
* ``reward_task.revoked``: a task whose line was reversed.

Existing data: every rating's version is read from its id (``<period>:<scope>:<version>``); the
ratings of a period are taken in the order they were received, and one of another scope over
subjects an earlier one settled (the same people paid twice, as ``rating 2025 for scope k2 after
the city's 2025 rating`` did before this revision) is marked ``refused`` and its lines in force are
reversed by new lines at the end of the hash chain (amount negated, reason ``refused_overlap``),
their talks and rectifications revoked.  Lines already written are never edited: their hashes
stay valid (``reverses`` enters a line's hash only when set).

Revision ID: 7f3a9c2d5b1e
Revises: 03cbd58068b8
Create Date: 2026-11-28 14:30:00
"""
import hashlib
import json
import re
from collections import Counter
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '7f3a9c2d5b1e'
down_revision = '03cbd58068b8'
branch_labels = None
depends_on = None

# frozen copies of the rules as they stand at this revision (a migration never imports them)
FIELDS = ("key", "source", "period", "subject", "subject_type", "kind", "amount", "paying_unit",
          "reason", "rule", "basis", "effective")
HASHED = ("seq",) + FIELDS + ("recorded_at",)
RATING_ID_RE = re.compile(r"^(?P<period>\d{4}(?:H1)?):(?P<scope>.+):(?P<version>[1-9]\d{0,8})$")
TASK_KINDS = ("warning_talk", "admonishment_talk", "rectification")


def _hash(row: dict, prev_hash: str) -> str:
    body = {name: row.get(name) for name in HASHED}
    if row.get("reverses") is not None:
        body["reverses"] = row["reverses"]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical).hexdigest()


def _identity(row) -> str:
    if row["kind"] == "allowance":
        return f"{row['source']}|{row['subject']}|allowance"
    return f"{row['period']}|{row['subject']}|{row['kind']}"


def upgrade():
    with op.batch_alter_table('ledger_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reverses', sa.String(length=400), nullable=True))
        batch_op.create_unique_constraint('uq_ledger_line_reverses', ['reverses'])
    with op.batch_alter_table('received_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status', sa.String(length=12), nullable=False,
                                      server_default='settled'))
        batch_op.create_index('ix_received_rating_period_scope', ['period', 'scope'], unique=False)
    with op.batch_alter_table('reward_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked', sa.Date(), nullable=True))
    op.create_table('rating_subject',
                    sa.Column('period', sa.String(length=10), nullable=False),
                    sa.Column('subject', sa.String(length=100), nullable=False),
                    sa.Column('scope', sa.String(length=100), nullable=False),
                    sa.Column('rating_id', sa.String(length=200), nullable=False),
                    sa.PrimaryKeyConstraint('period', 'subject'))
    with op.batch_alter_table('rating_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_subject_rating_id'), ['rating_id'],
                              unique=False)
    _migrate_data(op.get_bind())


def _migrate_data(conn):
    ratings = conn.execute(sa.text(
        "SELECT rating_id, period, scope, payload FROM received_rating "
        "ORDER BY received_at, rating_id")).mappings().all()
    owners: dict = {}                      # (period, subject) -> scope
    refused = []
    for r in ratings:
        match = RATING_ID_RE.match(r["rating_id"])
        version = (int(match["version"]) if match and match["period"] == r["period"]
                   and match["scope"] == r["scope"] else None)
        conn.execute(sa.text("UPDATE received_rating SET version = :v WHERE rating_id = :id"),
                     {"v": version, "id": r["rating_id"]})
        result = json.loads(r["payload"])["result"]
        subjects = [item["id"] for group in ("officers", "sections", "agencies")
                    for item in result.get(group) or ()]
        if any(owners.get((r["period"], s), r["scope"]) != r["scope"] for s in subjects):
            refused.append(r)
            continue
        rows = [{"period": r["period"], "subject": s, "scope": r["scope"],
                 "rating_id": r["rating_id"]} for s in subjects if (r["period"], s) not in owners]
        for row in rows:
            owners[(r["period"], row["subject"])] = r["scope"]
        if rows:
            conn.execute(sa.text("INSERT INTO rating_subject (period, subject, scope, rating_id) "
                                 "VALUES (:period, :subject, :scope, :rating_id)"), rows)
    if not refused:
        return
    head = conn.execute(sa.text("SELECT seq, hash FROM ledger_head WHERE id = 1")).mappings().one()
    seq, prev_hash = head["seq"], head["hash"]
    today = datetime.now(timezone.utc).date().isoformat()
    recorded_at = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(
        timespec="microseconds")
    for r in refused:
        conn.execute(sa.text("UPDATE received_rating SET status = 'refused' WHERE rating_id = :id"),
                     {"id": r["rating_id"]})
        period_lines = conn.execute(sa.text(
            "SELECT * FROM ledger_line WHERE period = :p AND kind != 'allowance' ORDER BY seq"),
            {"p": r["period"]}).mappings().all()
        entries = Counter(_identity(line) for line in period_lines)
        reversed_keys = {line["reverses"] for line in period_lines if line["reverses"]}
        for line in period_lines:
            if line["source"] != r["rating_id"] or line["reverses"] or line["key"] in reversed_keys:
                continue
            ident = _identity(line)
            entries[ident] += 1
            seq += 1
            row = {"seq": seq, "key": f"{ident}|{entries[ident]}", "source": r["rating_id"],
                   "period": line["period"], "subject": line["subject"],
                   "subject_type": line["subject_type"], "kind": line["kind"],
                   "amount": None if line["amount"] is None else -line["amount"],
                   "paying_unit": line["paying_unit"], "reason": "refused_overlap",
                   "rule": line["rule"], "basis": line["basis"], "effective": today,
                   "reverses": line["key"], "recorded_at": recorded_at}
            row["prev_hash"] = prev_hash
            row["hash"] = prev_hash = _hash(row, prev_hash)
            conn.execute(sa.text(
                "INSERT INTO ledger_line (seq, key, source, period, subject, subject_type, kind, "
                "amount, paying_unit, reason, rule, basis, effective, reverses, recorded_at, "
                "prev_hash, hash) VALUES (:seq, :key, :source, :period, :subject, :subject_type, "
                ":kind, :amount, :paying_unit, :reason, :rule, :basis, :effective, :reverses, "
                ":recorded_at, :prev_hash, :hash)"), row)
            if line["kind"] in TASK_KINDS:
                conn.execute(sa.text("UPDATE reward_task SET revoked = :d WHERE key = :k"),
                             {"d": today, "k": line["key"]})
    conn.execute(sa.text("UPDATE ledger_head SET seq = :s, hash = :h WHERE id = 1"),
                 {"s": seq, "h": prev_hash})


def downgrade():
    with op.batch_alter_table('rating_subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_subject_rating_id'))
    op.drop_table('rating_subject')
    with op.batch_alter_table('reward_task', schema=None) as batch_op:
        batch_op.drop_column('revoked')
    with op.batch_alter_table('received_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_received_rating_period_scope')
        batch_op.drop_column('status')
        batch_op.drop_column('version')
    with op.batch_alter_table('ledger_line', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ledger_line_reverses', type_='unique')
        batch_op.drop_column('reverses')
