"""The officer's console over HTTP (issue 22 item 1): signed in at the gateway, an officer sees the
month to self-assess, the year's months, the latest rating and training, and sends the month's
self-assessment, a reason for every deduction.  The same pages in a real browser:
tests/browser/test_console_browser.py."""

import pytest
import requests

from tests.service.gateway import public_city
from tests.service.gateway.conftest import evaluation_of, form_fields, signed_in

pytestmark = pytest.mark.timeout(180)

@pytest.fixture
def console(console_gateway):
    return console_gateway({"zhang3": "o3",      # o3 has not self-assessed the month just over
                            "gan1": "o1"})       # o1's month is on notice


def test_the_console_asks_for_a_sign_in_first(console):
    url, _ = console
    r = requests.get(f"{url}/console", allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/auth/login?next=%2Fconsole"
    r = requests.get(f"{url}/console/self-assessment/2026-01", allow_redirects=False, timeout=30)
    assert r.status_code == 303 and "next=%2Fconsole%2Fself-assessment%2F2026-01" in r.headers["Location"]


def test_an_officer_self_assesses_the_month_with_a_reason_for_each_deduction(console):
    url, suite = console
    month = public_city.open_month()
    s, _ = signed_in(url, "zhang3")
    home = s.get(f"{url}/console", timeout=30)
    assert home.status_code == 200 and 'id="this-month-state">未填报' in home.text
    assert f'href="/console/self-assessment/{month}"' in home.text

    form = s.get(f"{url}/console/self-assessment/{month}", timeout=30)
    assert form.status_code == 200 and 'name="deduct.political.study"' in form.text
    csrf = form_fields(form.text)["csrf"]

    # a deduction without its reason: refused on the form, naming the field; nothing written
    r = s.post(f"{url}/console/self-assessment/{month}",
               data={"csrf": csrf, "deduct.political.study": "2"}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="reason.political.study"' in r.text
    assert 'value="2"' in r.text                           # what was typed stays on the form
    # points over the item's maximum, and not a number
    r = s.post(f"{url}/console/self-assessment/{month}",
               data={"csrf": csrf, "deduct.political.study": "9", "reason.political.study": "x",
                     "deduct.integrity.bans": "abc", "reason.integrity.bans": "y"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400
    assert 'data-field="deduct.political.study"' in r.text and 'data-field="deduct.integrity.bans"' in r.text
    assert evaluation_of(suite, "o3", month) is None

    # with the reason: sent, and the home page shows it
    r = s.post(f"{url}/console/self-assessment/{month}",
               data={"csrf": csrf, "deduct.political.study": "2", "reason.political.study": "理论学习缺勤一次",
                     "note": "本月值班较多"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console?saved={month}"
    saved = evaluation_of(suite, "o3", month)
    assert saved["state"] == "submitted" and saved["self_score"] == 98.0
    assert saved["deductions"][0]["items"] == ["political.study"]
    assert saved["deductions"][0]["note"] == "理论学习缺勤一次"
    assert saved["trail"][0]["actor"] == "o3" and saved["trail"][0]["note"] == "本月值班较多"
    home = s.get(f"{url}/console?saved={month}", timeout=30)
    assert 'id="this-month-state">已自评' in home.text and "自评 98.0 分" in home.text
    assert 'id="saved"' in home.text
    again = s.get(f"{url}/console/self-assessment/{month}", timeout=30)      # shown as sent, to amend
    assert 'value="2"' in again.text and 'value="理论学习缺勤一次"' in again.text and "本月值班较多" in again.text

    # the same form again changes nothing (the service's own "safe to run twice")
    again = s.post(f"{url}/console/self-assessment/{month}",
                   data={"csrf": csrf, "deduct.political.study": "2", "reason.political.study": "理论学习缺勤一次",
                         "note": "本月值班较多"}, allow_redirects=False, timeout=30)
    assert again.status_code == 303
    assert len(evaluation_of(suite, "o3", month)["trail"]) == 1


def test_a_self_assessment_needs_the_csrf_token_and_a_month_that_is_over(console):
    url, suite = console
    s, _ = signed_in(url, "zhang3")
    month = public_city.open_month()
    r = s.post(f"{url}/console/self-assessment/{month}", data={"deduct.political.study": ""},
               allow_redirects=False, timeout=30)
    assert r.status_code == 403 and evaluation_of(suite, "o3", month) is None
    form = s.get(f"{url}/console/self-assessment/2099-01", timeout=30)
    csrf = form_fields(form.text)["csrf"]
    r = s.post(f"{url}/console/self-assessment/2099-01", data={"csrf": csrf}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'id="form-error"' in r.text and "month" in r.text
    assert evaluation_of(suite, "o3", "2099-01") is None
    r = s.get(f"{url}/console/self-assessment/2026-13", timeout=30)
    assert r.status_code == 404


def test_an_officer_sees_the_months_of_the_year_and_that_his_month_is_on_notice(console):
    url, _ = console
    month = public_city.open_month()
    s, _ = signed_in(url, "gan1")
    home = s.get(f"{url}/console", timeout=30)
    assert home.status_code == 200 and 'id="this-month-state">公示中' in home.text
    if month.startswith(str(__import__("datetime").date.today().year)):
        assert f'data-month="{month}"' in home.text
    # the public city rates 2026H1 today (public_city.OPEN_PERIOD): o1's latest rating, explained
    assert '<div class="card" id="rating">' in home.text and f"{public_city.OPEN_PERIOD} · " in home.text
    assert '<table id="explanation">' in home.text
    assert "修改自评" not in home.text                   # past submitted: no more changes here


def test_an_officer_sees_his_own_study_days_and_allowance_months(console):
    """Issue 22 item 1: the month's study days (training's report of his unit, his line only: o4's
    days in the same section are not on his page) and the year's allowance months."""
    url, suite = console
    month = public_city.open_month()
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": [
            {"id": "o3", "unit_id": "s2", "agency_id": "ps", "position": "officer", "joined": "2020-01-01"},
            {"id": "o4", "unit_id": "s2", "agency_id": "ps", "position": "officer", "joined": "2020-01-01"}]})
        rpc.training.record_study({"entries": [{"person": "o3", "date": f"{month}-03"},
                                               {"person": "o4", "date": f"{month}-03"},
                                               {"person": "o4", "date": f"{month}-04"}]})
    s, _ = signed_in(url, "zhang3")
    page = s.get(f"{url}/console", timeout=30)
    assert page.status_code == 200
    study = page.text.split('<p id="study">')[1].split("</p>")[0]
    assert f"{month}: 学习 <strong>1</strong> 天 (每月至少 2 天)" in study and "还差 1 天" in study
    assert "o4" not in page.text.split("<h2>学习日</h2>")[1]
    assert 'id="allowances-none"' in page.text          # no all-round title: no allowance month
    other, _ = signed_in(url, "gan1")                   # o1: not in training's read model
    assert 'id="study-none"' in other.get(f"{url}/console", timeout=30).text


def test_an_officer_reads_his_own_daily_logs_of_the_month(console):
    """Issue 22 item 1: this month's logs of the signed-in officer with their review; another's are not
    on his page."""
    from datetime import date, timedelta

    url, suite = console
    today = date.today()
    days = [today.replace(day=1), today] if today.day > 1 else [today]
    with suite.rpc() as rpc:
        rpc.scoring.write_daily_logs({"as_of": today.isoformat(), "logs": [
            *({"person": "o3", "date": d.isoformat(), "text": f"日志{d.day}"} for d in days),
            {"person": "o1", "date": today.isoformat(), "text": "别人的日志"},
            {"person": "o3", "date": (today.replace(day=1) - timedelta(days=1)).isoformat(), "text": "上月"}]})
        rpc.scoring.review_daily_logs({"as_of": today.isoformat(), "reviews": [
            {"actor": "c2", "person": "o3", "date": days[0].isoformat(), "comment": "内容具体"}]})
    s, _ = signed_in(url, "zhang3")
    page = s.get(f"{url}/console", timeout=30).text
    table = page.split('<table id="daily-logs">')[1].split("</table>")[0]
    assert [f'data-log="{d.isoformat()}"' in table for d in days] == [True] * len(days)
    assert "已审阅</span> c2" in table and "内容具体" in table
    assert "别人的日志" not in page and "上月" not in table
    assert table.count("<tr data-log=") == len(days)


def test_the_office_objections_address_takes_a_signed_in_person_to_the_console(console):
    """The leading group answers its notice's objections in the console (/console/group), signed in; the
    office's old address of the queue takes a person there, never to a page of its own."""
    url, _ = console
    r = requests.get(f"{url}/office/objections/ps", allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/auth/login?next=%2Foffice%2Fobjections%2Fps"
    s, _ = signed_in(url, "gan1")
    r = s.get(f"{url}/office/objections/ps", allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/console/group"
