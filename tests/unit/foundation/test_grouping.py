"""shared.grouping (issue 19): a person's rows in one batch, whatever their distance in the file, with
the file spread into temporary files (the CLI's training import and the gateway's upload use it)."""
from shared.grouping import grouped_batches


def _entries(n_people=20, per_person=5):
    # person k's rows far apart: p0, p1, ..., p19, p0, p1, ...
    return [(line, {"person_id": f"p{line % n_people}", "n": str(line)})
            for line in range(2, 2 + n_people * per_person)]


def test_each_keys_rows_are_in_one_batch_and_every_call_gives_the_same_batches():
    entries = _entries()
    with grouped_batches(iter(entries), 12, lambda row: row["person_id"], buckets=4) as batches:
        first, second = list(batches()), list(batches())
    assert first == second
    where = {}
    for n, (rows, numbers) in enumerate(first):
        assert len(rows) <= 12 and len(rows) == len(numbers)
        assert [r["n"] for r in rows] == [str(x) for x in numbers]
        for row in rows:
            assert where.setdefault(row["person_id"], n) == n, row
    assert sorted(x for _, numbers in first for x in numbers) == [line for line, _ in entries]
    assert len(where) == 20


def test_a_group_larger_than_a_batch_is_a_batch_of_its_own_and_rows_without_a_key_are_not_grouped():
    entries = [(2, {"k": "a"}), (3, {"k": ""}), (4, {"k": "a"}), (5, {"k": "a"}), (6, {"k": ""})]
    with grouped_batches(entries, 2, lambda row: row["k"], buckets=1) as batches:
        out = [numbers for _, numbers in batches()]
    assert out == [[2, 4, 5], [3, 6]]


def test_no_entries_no_batch():
    with grouped_batches(iter(()), 5, lambda row: row["k"]) as batches:
        assert list(batches()) == []
