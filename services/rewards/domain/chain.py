"""Tamper evidence: every ledger line carries the hash of the previous line (a hash chain).

``hash = sha256(prev_hash + "\\n" + canonical JSON of the line)``; the canonical JSON has sorted
keys, no spaces, UTF-8, and covers :data:`HASHED` (the line's fields, its sequence number and its
recording time), and :data:`OPTIONAL_FIELDS` (a reversal's ``reverses``) only when set, so the lines
written before reversals existed keep their hashes.  The chain's head (last seq and hash) is kept apart, so that deleting the last line
is caught too.  :func:`verify` walks the chain and names every line that breaks it.
"""
from __future__ import annotations

import hashlib
from typing import Iterable

from shared.canonical import canonical_bytes
from services.rewards.domain.lines import FIELDS, OPTIONAL_FIELDS

GENESIS = "0" * 64
HASHED = ("seq",) + FIELDS + ("recorded_at",)


def canonical(row: dict) -> bytes:
    """The canonical bytes of a line: only :data:`HASHED`, sorted keys, compact, UTF-8."""
    body = {name: row.get(name) for name in HASHED}
    body.update({name: row[name] for name in OPTIONAL_FIELDS if row.get(name) is not None})
    return canonical_bytes(body)


def line_hash(row: dict, prev_hash: str) -> str:
    """sha256 over the previous hash and the canonical line."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(row)).hexdigest()


def chain(rows: Iterable[dict], prev_hash: str = GENESIS, first_seq: int = 1) -> list[dict]:
    """Number and link new rows after a chain ending in ``prev_hash`` (pure: returns copies)."""
    out = []
    for seq, row in enumerate(rows, start=first_seq):
        linked = dict(row, seq=seq, prev_hash=prev_hash)
        linked["hash"] = prev_hash = line_hash(linked, prev_hash)
        out.append(linked)
    return out


def verify(rows: Iterable[dict], head: tuple | None = None) -> dict:
    """Check a chain given in seq order.  ``head`` is ``(last_seq, last_hash)`` as recorded apart.

    Problems: ``edited`` (the line's hash no longer matches its content), ``relinked`` (its
    prev_hash is not the hash of the line before), ``missing`` (a seq is absent: a deleted line),
    ``head`` (the chain ends before or after the recorded head: the last lines were deleted or
    lines were added behind the ledger's back)."""
    problems = []
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        count += 1
        if row["seq"] != expected_seq:
            problems.append({"seq": expected_seq, "problem": "missing",
                             "message": f"lines {expected_seq}..{row['seq'] - 1} are missing"})
        elif row["prev_hash"] != prev_hash:
            problems.append({"seq": row["seq"], "problem": "relinked",
                             "message": "prev_hash is not the previous line's hash"})
        if line_hash(row, row["prev_hash"]) != row["hash"]:
            problems.append({"seq": row["seq"], "key": row.get("key"), "problem": "edited",
                             "message": "the line's content does not match its hash"})
        prev_hash, expected_seq = row["hash"], row["seq"] + 1
    last_seq = expected_seq - 1
    if head is not None and (head[0] != last_seq or (last_seq and head[1] != prev_hash)):
        problems.append({"seq": head[0], "problem": "head",
                         "message": f"the ledger's head is line {head[0]}, the chain ends at "
                                    f"line {last_seq}"})
    return {"ok": not problems, "lines": count, "last_seq": last_seq, "problems": problems}
