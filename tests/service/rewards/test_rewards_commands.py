"""``lianbao export notice`` and ``lianbao ledger verify|reconcile`` against the embedded service."""
import argparse
import csv

import openpyxl
import pytest
from sqlalchemy import text

from lianbao.commands import export_notice, ledger
from rewards_ratings import agency, officer, rating_payload, section
from tests.service.rewards.conftest import rewards_engine, wait_for

pytestmark = pytest.mark.timeout(60)


def two_agency_rating():
    payload = rating_payload(
        officers=[officer("o1", stars=5, score=96.5), officer("o2", stars=2, score=71.0)],
        sections=[section("s1", stars=5, score=95.0)],
        agencies=[agency("a1", klass=1, advanced=True, score=93.0)], headcount=4)
    payload["subjects"]["o2"]["paying_unit"] = "a2:法院"      # a unit id unfit for a sheet title
    return payload


def test_notice_export_xlsx_and_csv_opened_and_checked(rewards, tmp_path):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(two_agency_rating())
    for month in ("2026-01", "2026-02"):
        rewards.dispatch("training", "allowance_due", {
            "event_id": f"e-{month}", "allowance_id": f"o1:{month}", "person_id": "o1",
            "unit_id": "s1", "agency_id": "a1", "month": month, "amount": 50,
            "reason": "all_round_officer"})
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({"kind": "allowance"})["total"] == 2)
    args = argparse.Namespace(period="2026", out=str(tmp_path), format="both", timeout=20)
    assert export_notice.run(args, proxy_factory=rewards.rpc) == 0

    wb = openpyxl.load_workbook(tmp_path / "notice_2026.xlsx")
    assert wb.sheetnames == ["a1", "a2_法院", "发放汇总"]
    a1 = [list(r) for r in wb["a1"].iter_rows(values_only=True)]
    assert a1[0] == ["2026 公示 — a1"] + [None] * 8
    assert a1[1][:3] == ["对象编号", "名称", "类别"]
    assert a1[2][:8] == ["o1", "干警o1", "干警", "评星", 5, 96.5,
                         "奖金；颁发证书；取得评先评优和提拔晋级晋职基本资格", 1000]
    assert a1[3][0] == "s1" and a1[3][7] == 1200
    assert a1[4][0] == "a1" and a1[4][6] == "表彰；授牌"
    a2 = [list(r) for r in wb["a2_法院"].iter_rows(values_only=True)]
    assert a2[2][:7] == ["o2", "干警o2", "干警", "评星", 2, 71.0, "警告谈话"]
    summary = [list(r) for r in wb["发放汇总"].iter_rows(values_only=True)]
    assert summary[0] == ["发放单位", "奖金笔数", "奖金(元)", "津贴笔数", "津贴(元)", "合计(元)"]
    assert summary[1:] == [["a1", 2, 2200, 2, 100, 2300]]

    with (tmp_path / "notice_2026_payout.csv").open(encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh))[1] == ["a1", "2", "2200", "2", "100", "2300"]
    with (tmp_path / "notice_2026_a1.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][0] == "o1" and rows[1][7] == "1000" and len(rows) == 4


def test_notice_of_an_unknown_period_exits_2(rewards, tmp_path, capsys):
    args = argparse.Namespace(period="2030", out=str(tmp_path), format="both", timeout=20)
    assert export_notice.run(args, proxy_factory=rewards.rpc) == 2
    assert "period" in capsys.readouterr().err


def test_ledger_verify_and_reconcile_exit_codes(rewards, capsys):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(two_agency_rating())
    verify = argparse.Namespace(timeout=20)
    reconcile = argparse.Namespace(period="2026", timeout=20)
    assert ledger.run_verify(verify, proxy_factory=rewards.rpc) == 0
    assert ledger.run_reconcile(reconcile, proxy_factory=rewards.rpc) == 0
    with rewards_engine(rewards).begin() as conn:
        conn.execute(text("UPDATE ledger_line SET amount = 1 WHERE key = '2026|o1|bonus|1'"))
    capsys.readouterr()
    assert ledger.run_verify(verify, proxy_factory=rewards.rpc) == 1
    assert '"edited"' in capsys.readouterr().out
    assert ledger.run_reconcile(reconcile, proxy_factory=rewards.rpc) == 1


def test_a_periods_notice_is_computed_once_per_version_of_its_data(rewards):
    from services.rewards import handlers

    with rewards.rpc() as rpc:
        rpc.rewards.settle(two_agency_rating())
        before = handlers.NOTICES.computed
        first = rpc.rewards.notice({"period": "2026"})
        assert rpc.rewards.notice({"period": "2026"}) == first
        assert handlers.NOTICES.computed - before == 1
    rewards.dispatch("training", "allowance_due", {
        "event_id": "e-cache", "allowance_id": "o1:2026-05", "person_id": "o1", "unit_id": "s1",
        "agency_id": "a1", "month": "2026-05", "amount": 50, "reason": "all_round_officer"})
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({"kind": "allowance"})["total"] == 1)
        second = rpc.rewards.notice({"period": "2026"})
    assert second != first and handlers.NOTICES.computed - before == 2


def test_a_periods_notice_is_stored_per_version_and_read_by_a_process_that_never_computed_it(
        rewards, monkeypatch):
    """Stored (stored_notice): with the memory cache empty (a restart, another worker) the notice
    of a known version is read, not computed; a new ledger line is a new version."""
    from services.rewards import handlers

    calls = []
    compute = handlers._notice

    def counted(uow, period):
        calls.append(period)
        return compute(uow, period)

    monkeypatch.setattr(handlers, "_notice", counted)
    with rewards.rpc() as rpc:
        rpc.rewards.settle(two_agency_rating())
        first = rpc.rewards.notice({"period": "2026"})
        handlers.NOTICES.clear()
        assert rpc.rewards.notice({"period": "2026"}) == first and calls == ["2026"]
    rewards.dispatch("training", "allowance_due", {
        "event_id": "e-stored", "allowance_id": "o1:2026-06", "person_id": "o1", "unit_id": "s1",
        "agency_id": "a1", "month": "2026-06", "amount": 50, "reason": "all_round_officer"})
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({"kind": "allowance"})["total"] == 1)
        handlers.NOTICES.clear()
        second = rpc.rewards.notice({"period": "2026"})
        handlers.NOTICES.clear()
        assert rpc.rewards.notice({"period": "2026"}) == second != first
    assert calls == ["2026", "2026"]
