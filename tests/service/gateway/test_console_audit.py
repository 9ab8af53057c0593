"""The auditor's console over HTTP (issue 22 item 5): a person named by config ``AUDITORS`` reads a
person's rating explained line by line, the rewards ledger of a period with its reconciliation, and
the ledger's hash chain verified (an edited line shown); an officer is refused the pages like a
missing page; the auditor writes nothing, through the console's forms nor the JSON routes."""
import pytest
from sqlalchemy import text

from tests.service.gateway import public_city
from tests.service.gateway.conftest import signed_in
from tests.service.gateway.test_console_board import load_roster, rate_the_year
from tests.service.rewards.conftest import rewards_engine

pytestmark = pytest.mark.timeout(240)
YEAR = "2026"


@pytest.fixture
def audit(console_gateway):
    url, suite = console_gateway({"auditor": "aud", "zhang3": "o3"}, AUDITORS="aud")
    with suite.rpc() as rpc:
        load_roster(rpc)
        rate_the_year(rpc)                           # the county's 2026: settled into the ledger
    suite.wait_quiet(timeout=60)
    return url, suite


def test_the_auditor_reads_an_explanation_the_ledger_of_a_period_and_the_chain(audit):
    url, suite = audit
    s, _ = signed_in(url, "auditor")
    home = s.get(f"{url}/console", timeout=30)
    assert home.status_code == 200 and 'id="nav-audit"' in home.text
    page = s.get(f"{url}/console/audit", timeout=30)
    assert page.status_code == 200 and 'id="explanation-form"' in page.text
    assert page.text.count('method="post"') == 1 and 'action="/auth/logout"' in page.text   # sign-out only

    with suite.rpc() as rpc:
        expected = rpc.scoring.explanation({"subject": "o1", "period": YEAR})
        ledger = rpc.rewards.ledger({"period": YEAR})
        chain = rpc.rewards.verify_chain({})
    page = s.get(f"{url}/console/audit/explanation",
                 params={"subject": "o1", "period": YEAR}, timeout=30)
    assert page.status_code == 200, page.text
    assert expected["explanation"] and page.text.count("<tr><td class=\"mono\">") == len(expected["explanation"])
    for line in expected["explanation"]:
        assert line["rule"] in page.text

    page = s.get(f"{url}/console/audit/explanation", params={"subject": "", "period": "2025X"}, timeout=30)
    assert page.status_code == 400
    assert 'data-field="subject"' in page.text and 'data-field="period"' in page.text

    assert ledger["total"] > 0
    page = s.get(f"{url}/console/audit/ledger", params={"period": YEAR}, timeout=30)
    assert page.status_code == 200, page.text
    assert page.text.count("<tr data-seq=") == ledger["total"]
    assert f"共 {ledger['total']} 行" in page.text and "对账: 一致" in page.text

    page = s.get(f"{url}/console/audit/chain", timeout=30)
    assert page.status_code == 200 and 'id="chain-ok"' in page.text
    assert chain["ok"] and f"共 {chain['lines']} 行" in page.text

    first = ledger["lines"][0]
    with rewards_engine(suite).begin() as conn:       # a tamperer edits a line behind the ledger's back
        conn.execute(text("UPDATE ledger_line SET amount = 100000 WHERE seq = :s"), {"s": first["seq"]})
    page = s.get(f"{url}/console/audit/chain", timeout=30)
    assert page.status_code == 200 and 'id="chain-broken"' in page.text
    assert f'<tr data-seq="{first["seq"]}"><td class="n">{first["seq"]}</td><td>内容被改动' in page.text
    page = s.get(f"{url}/console/audit/ledger", params={"period": YEAR}, timeout=30)
    assert "对账: 不一致" in page.text


def test_an_officer_is_refused_the_auditors_pages_like_a_missing_page(audit):
    url, _ = audit
    s, _ = signed_in(url, "zhang3")
    assert 'id="nav-audit"' not in s.get(f"{url}/console", timeout=30).text
    for path in ("/console/audit", "/console/audit/chain", "/console/audit/explanation?subject=o1",
                 f"/console/audit/ledger?period={YEAR}"):
        page = s.get(url + path, timeout=30)
        assert page.status_code == 404 and "页面不存在" in page.text, path
        assert "哈希" not in page.text and "评星结果说明" not in page.text


def test_the_auditor_writes_nothing(audit):
    """The console's forms and the JSON routes, as the auditor: every write refused, nothing stored."""
    url, suite = audit
    month = public_city.open_month()
    s, csrf = signed_in(url, "auditor")
    with suite.rpc() as rpc:
        before = rpc.rewards.verify_chain({})["lines"], rpc.scoring.public_notice({"evaluator": "ps", "month": month})

    r = s.post(f"{url}/console/self-assessment/{month}", data={"csrf": csrf}, timeout=30)
    assert r.status_code in (400, 403) and "reads only" in r.text
    r = s.post(f"{url}/console/approve", data={"csrf": csrf, "ev.0": f"officer:o1:{month}"}, timeout=30)
    assert r.status_code in (400, 403, 404)
    for step in ("notice", "file", "rank"):
        r = s.post(f"{url}/console/group/{step}", data={"csrf": csrf, "month": month}, timeout=30)
        assert r.status_code == 404, (step, r.status_code)       # he sits in no leading group
    r = s.post(f"{url}/console/mentor/logs", data={"csrf": csrf, "log.0": f"o1|{month}-02"}, timeout=30)
    assert r.status_code == 400

    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    writes = [(f"/scoring/people/o1/evaluations/{month}/approval", {"actor": "aud"}),
              (f"/scoring/people/aud/evaluations/{month}/self-assessment", {"actor": "aud", "item_scores": {}}),
              (f"/scoring/evaluators/ps/notices/{month}", {"actor": "aud"}),
              ("/rewards/tasks/done", {"key": "2026|o2|warning_talk|1", "done": "2026-12-20"})]
    for path, body in writes:
        r = s.post(url + path, json=body, headers=headers, timeout=30)
        assert r.status_code == 403 and "reads only" in r.text, (path, r.status_code, r.text)

    with suite.rpc(as_person="aud") as rpc:
        with pytest.raises(Exception, match="reads only"):
            rpc.scoring.submit_self_assessment({"actor": "aud", "subject": "aud", "month": month, "item_scores": {}})
        with pytest.raises(Exception, match="reads only"):
            rpc.scoring.publish_notice({"actor": "aud", "evaluator": "ps", "month": month})
    with suite.rpc() as rpc:
        after = rpc.rewards.verify_chain({})["lines"], rpc.scoring.public_notice({"evaluator": "ps", "month": month})
        with pytest.raises(Exception):
            rpc.scoring.evaluation({"subject": "aud", "month": month})
    assert after == before
