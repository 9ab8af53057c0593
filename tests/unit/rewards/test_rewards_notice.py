"""The public notice (公示) tables and the payout summary per paying unit."""
import pytest

from services.rewards.domain.allowance import allowance_line
from services.rewards.domain.notice import notice_tables, payout_summary
from services.rewards.domain.settlement import settle
from rewards_ratings import agency, officer, rating, section

pytestmark = pytest.mark.timeout(10)


def test_one_table_per_unit_with_consequences():
    r = rating(officers=[officer("o1", stars=5, score=96.5), officer("o2", status="not_rated")],
               sections=[section("s1", stars=5)], agencies=[agency("a1", klass=1, advanced=True)],
               headcount=10)
    lines = [line.to_dict() for line in settle(r)]
    tables = notice_tables([r], lines)
    assert list(tables["sheets"]) == ["a1"]
    rows = tables["sheets"]["a1"]
    assert rows[0][:6] == ("o1", "干警o1", "干警", "评星", 5, 96.5)
    assert rows[0][6] == "奖金；颁发证书；取得评先评优和提拔晋级晋职基本资格" and rows[0][7] == 1000
    assert rows[1][3] == "不参加评星" and rows[1][7] is None
    assert rows[2][7] == 3000
    assert rows[3][3] == "1类 先进单位" and rows[3][6] == "表彰；授牌"


def test_payout_summary_per_paying_unit():
    r = rating(officers=[officer("o1", stars=5)], sections=[section("s1", stars=5)], headcount=2)
    lines = [line.to_dict() for line in settle(r)]
    lines += [allowance_line("o1", "a2", f"2026-{m:02d}", 50).to_dict() for m in range(1, 4)]
    assert payout_summary(lines) == [("a1", 2, 1600, 0, 0, 1600), ("a2", 0, 0, 3, 150, 150)]
