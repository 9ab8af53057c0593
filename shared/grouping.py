"""Batches that keep a group's rows together (issue 19): ``lianbao import training`` and the gateway's
``POST /training/results`` send all of a person's rows in one batch, so the rules on one person's
results (a course passed once a year, pre-service once, the rotation and all-round sequences), which
the target checks within a batch plus what is stored, are checked before anything is written however
far apart the rows are in the file.

Memory stays bounded: the rows are spread as they are read into temporary files by their key's hash;
the batches are then made from one file at a time.
"""
from __future__ import annotations

import hashlib
import json
import tempfile
from contextlib import ExitStack, contextmanager
from itertools import groupby
from pathlib import Path

BUCKETS = 64


def _slot(key: str, number: int, buckets: int) -> int:
    if not key:
        return number % buckets
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()[0] % buckets


@contextmanager
def grouped_batches(entries, size: int, group, buckets: int = BUCKETS):
    """``entries``: ``(number, row)`` pairs (a row a JSON-able dict, its number its line in the file),
    read once, as they come, into ``buckets`` temporary files by the hash of ``group(row)`` (a person;
    ``""``: not grouped). Yields a maker of batches: each call gives ``(rows, their numbers)`` lists,
    every row of one key in the same batch (whole groups of one bucket at a time, at most ``size``
    rows unless one group is larger: then it is a batch of its own; within a batch by key, then
    number). Every call gives the same batches (a check pass, then a write pass); none when there was
    no entry. The files go when the block ends."""
    with tempfile.TemporaryDirectory(prefix="lianbao-group-") as tmp:
        files: dict = {}
        with ExitStack() as open_files:
            for number, row in entries:
                key = group(row) or ""
                slot = _slot(key, number, buckets)
                if slot not in files:
                    files[slot] = open_files.enter_context(open(Path(tmp) / f"{slot}.jsonl", "w", encoding="utf-8"))
                files[slot].write(json.dumps([key, number, row], ensure_ascii=False) + "\n")

        def batches():
            rows, numbers = [], []
            for slot in sorted(files):
                with open(Path(tmp) / f"{slot}.jsonl", encoding="utf-8") as fh:
                    found = sorted((json.loads(line) for line in fh), key=lambda e: (not e[0], e[0], e[1]))
                for _, run in groupby(found, key=lambda e: e[0] or e[1]):
                    run = list(run)
                    if rows and len(rows) + len(run) > size:
                        yield rows, numbers
                        rows, numbers = [], []
                    rows += [e[2] for e in run]
                    numbers += [e[1] for e in run]
            if rows:
                yield rows, numbers

        yield batches
