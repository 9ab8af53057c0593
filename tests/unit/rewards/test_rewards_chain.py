"""Tamper evidence: the hash chain over ledger lines."""
import pytest

from services.rewards.domain.chain import GENESIS, chain, line_hash, verify

pytestmark = pytest.mark.timeout(10)


def rows(n=4):
    base = [{"key": f"r|o{i}|bonus", "source": "r", "period": "2026", "subject": f"o{i}",
             "subject_type": "officer", "kind": "bonus", "amount": 1000, "paying_unit": "a1",
             "reason": "five_stars", "rule": "M§五(二)5(2)①", "basis": "city_default",
             "effective": "2027-01-08", "recorded_at": "2027-01-09T10:00:00"} for i in range(n)]
    return chain(base)


def test_chain_links_each_line_to_the_previous_hash():
    linked = rows()
    assert linked[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(linked, linked[1:]))
    assert [r["seq"] for r in linked] == [1, 2, 3, 4]


def test_intact_chain_verifies():
    linked = rows()
    report = verify(linked, (4, linked[-1]["hash"]))
    assert report == {"ok": True, "lines": 4, "last_seq": 4, "problems": []}


def test_edited_amount_detected():
    linked = rows()
    linked[1]["amount"] = 5000
    report = verify(linked, (4, linked[-1]["hash"]))
    assert not report["ok"]
    assert [(p["seq"], p["problem"]) for p in report["problems"]] == [(2, "edited")]


def test_edited_and_rehashed_line_breaks_the_next_link():
    linked = rows()
    linked[1]["amount"] = 5000
    linked[1]["hash"] = line_hash(linked[1], linked[1]["prev_hash"])
    problems = verify(linked, (4, linked[-1]["hash"]))["problems"]
    assert [(p["seq"], p["problem"]) for p in problems] == [(3, "relinked")]


def test_deleted_line_detected():
    linked = rows()
    del linked[2]
    problems = verify(linked, (4, linked[-1]["hash"]))["problems"]
    assert problems[0]["problem"] == "missing" and problems[0]["seq"] == 3


def test_deleted_last_line_detected_by_the_head():
    linked = rows()
    head = (4, linked[-1]["hash"])
    problems = verify(linked[:-1], head)["problems"]
    assert [p["problem"] for p in problems] == ["head"]


def test_chain_continues_after_existing_head():
    first = rows(2)
    more = chain([dict(first[0], key="x")], prev_hash=first[-1]["hash"], first_seq=3)
    assert verify(first + more, (3, more[-1]["hash"]))["ok"]


def test_empty_ledger_verifies():
    assert verify([], (0, GENESIS))["ok"]
