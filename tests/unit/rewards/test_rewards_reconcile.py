"""Reconciliation diff: expected lines vs ledger lines."""
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
    assert not report["ok"] and [r["key"] for r in report["missing"]] == ["2026:a1:1|o1|bonus"]


def test_extra_line_reported():
    ledger = expected() + [dict(expected()[0], key="x|o9|bonus", subject="o9")]
    report = diff(expected(), ledger)
    assert [r["key"] for r in report["extra"]] == ["x|o9|bonus"] and not report["missing"]


def test_different_amount_reported_with_the_field():
    ledger = expected()
    ledger[0] = dict(ledger[0], amount=999)
    report = diff(expected(), ledger)
    assert report["different"] == [{"key": "2026:a1:1|o1|bonus", "fields": ["amount"],
                                    "expected": {"amount": 1000}, "actual": {"amount": 999}}]
