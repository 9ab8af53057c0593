"""Canonical JSON: the one text of a value that is hashed or compared (keys sorted, compact
separators, UTF-8 characters kept as they are)."""
from __future__ import annotations

import json


def canonical_json(value, default=None) -> str:
    """``value`` as canonical JSON text; ``default`` as in :func:`json.dumps` (e.g. ``str`` for dates)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default)


def canonical_bytes(value, default=None) -> bytes:
    """:func:`canonical_json` encoded as UTF-8 (what is hashed)."""
    return canonical_json(value, default).encode("utf-8")


__all__ = ["canonical_bytes", "canonical_json"]
