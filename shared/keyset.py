"""Keyed pages of a list read in a service (issue 21 item 3): a page is ``limit`` rows whose key comes
after ``after``, in the order Python sorts the keys, read with one keyed query instead of the whole
list.

PostgreSQL compares strings by the database's collation (``en_US``: ``a_b`` before ``aB``…), Python
and SQLite by code point; a page must follow the order the whole list is answered in, so a string
key is compared and sorted under ``COLLATE "C"`` (byte order of UTF-8: code point order) there.
"""
from __future__ import annotations

LIMIT_MAX = 500


def code_point(column, session):
    """``column`` compared and ordered by code point on ``session``'s database."""
    bind = session.get_bind()
    if bind is not None and bind.dialect.name == "postgresql":
        return column.collate("C")
    return column


def split(rows: list, limit: int, key):
    """``(the page, next)``: the first ``limit`` of ``rows`` (read ``limit + 1``) and the key of the
    page's last row when there is a further row, else None."""
    page = rows[:limit]
    return page, (key(page[-1]) if len(rows) > limit and page else None)
