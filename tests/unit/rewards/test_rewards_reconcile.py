"""Reconciliation diff: expected lines vs the ledger's lines in force (by identity)."""
import pytest

from services.rewards.domain.reconcile import diff
from services.rewards.domain.settlement import settle
from rewards_ratings import officer, rating, section

pytestmark = pytest.mark.timeout(10)


def expected():
    return [line.to_dict() for line in settle(rating(officers=[officer("o1", stars=5)],
                                                     sections=[section("s1", stars=1)]))]


def test_equal_sets_have_no_difference():
    report = diff(expected(), expected())
    assert report["ok"] and report["expected"] == report["ledger"] == 5


def test_missing_line_reported():
    report = diff(expected(), expected()[1:])
    assert not report["ok"] and [r["key"] for r in report["missing"]] == ["2026|o1|bonus|1"]


def test_extra_line_reported():
    ledger = expected() + [dict(expected()[0], key="2026|o9|bonus|1", subject="o9")]
    report = diff(expected(), ledger)
    assert [r["key"] for r in report["extra"]] == ["2026|o9|bonus|1"] and not report["missing"]


def test_different_amount_reported_with_the_field():
    ledger = expected()
    ledger[0] = dict(ledger[0], amount=999)
    report = diff(expected(), ledger)
    assert report["different"] == [{"key": "2026|o1|bonus|1", "identity": "2026|o1|bonus",
                                    "fields": ["amount"], "expected": {"amount": 1000},
                                    "actual": {"amount": 999}}]


def test_a_reversed_line_and_its_correction_reconcile_with_the_new_amount():
    first = expected()
    bonus = first[0]
    reversal = dict(bonus, key="2026|o1|bonus|2", amount=-1000, reason="corrected",
                    reverses=bonus["key"])
    correction = dict(bonus, key="2026|o1|bonus|3", amount=1200)
    want = [dict(bonus, amount=1200)] + first[1:]
    report = diff(want, first + [reversal, correction])
    assert report["ok"], report
    assert (report["lines"], report["ledger"], report["reversals"]) == (7, 5, 1)
    # without the correction the old amount is no longer in force: the new one is missing
    report = diff(want, first + [reversal])
    assert [r["key"] for r in report["missing"]] == ["2026|o1|bonus|1"]


def test_two_lines_in_force_for_one_identity_are_a_problem():
    doubled = expected() + [dict(expected()[0], key="2026:k2:1|o1|bonus", source="2026:k2:1")]
    report = diff(expected(), doubled)
    assert not report["ok"]
    assert [(p["problem"], p["key"]) for p in report["problems"]] == [
        ("doubled", "2026:k2:1|o1|bonus"), ("unbalanced", "2026|o1|bonus|1")]


def test_a_reversal_that_does_not_cancel_is_a_problem():
    first = expected()
    report = diff(first[1:], first + [dict(first[0], key="2026|o1|bonus|2", amount=-900,
                                           reverses=first[0]["key"])])
    assert [p["problem"] for p in report["problems"]] == ["unbalanced", "unbalanced"]
