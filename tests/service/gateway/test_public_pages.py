"""The public pages over HTTP (issue 23): the notice and its objections, the online satisfaction
form (a serial per form, counted once), the human check, rate limits, hostile input, QR codes.
The same pages in a real browser: tests/browser/test_public_browser.py."""
import html
import re
import time

import pytest
import requests

from tests.service.gateway import city, public_city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(180)

ANSWERS = "SBDN" * 8 + "SSB"          # 35


def _ticket(page: str) -> tuple[str, str]:
    ticket = re.search(r'name="ticket" value="([^"]+)"', page).group(1)
    a, b = map(int, re.search(r"验证: (\d) \+ (\d) = \?", page).groups())
    return html.unescape(ticket), str(a + b)


@pytest.fixture
def gateway(start_gateway):
    url, suite = start_gateway(city.classes(), GATEWAY_FORM_MIN_SECONDS=0.5, LIANBAO_PUBLIC_SECRET=None,
                               GATEWAY_PUBLIC_SECRET="test-secret-of-the-public-pages")
    public_city.load(suite)
    return url, suite


def _objections(url):
    r = requests.get(f"{url}/scoring/objections", params={"evaluator": "ps"}, headers=auth("city"), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["objections"]


def test_the_open_notice_shows_who_score_and_window_and_takes_one_objection(gateway):
    url, _ = gateway
    month = public_city.open_month()
    page = requests.get(f"{url}/public/notice/ps/{month}", timeout=30)
    assert page.status_code == 200 and "公示期" in page.text and "干警1" in page.text
    assert "99.00" in page.text and "提出异议" in page.text
    assert "13800001111" not in page.text and "mentor" not in page.text
    ticket, answer = _ticket(page.text)
    time.sleep(0.6)
    body = {"ticket": ticket, "check": answer, "about": "officer:o1", "text": "得分与实际不符",
            "contact": "13800001111"}
    sent = requests.post(f"{url}/public/notice/ps/{month}", data=body, timeout=30)
    assert sent.status_code == 200 and "异议已收到" in sent.text, sent.text
    again = requests.post(f"{url}/public/notice/ps/{month}", data=body, timeout=30)   # sent twice
    assert again.status_code == 200 and "异议已收到" in again.text
    queue = _objections(url)
    assert [(o["subject"], o["text"], o["contact"], o["state"]) for o in queue] == [
        ("o1", "得分与实际不符", "13800001111", "open")]


def test_after_the_window_the_page_says_it_closed_and_takes_nothing(gateway):
    url, _ = gateway
    page = requests.get(f"{url}/public/notice/ps/{public_city.CLOSED_MONTH}", timeout=30)
    assert page.status_code == 200 and "公示已结束" in page.text
    assert "<form" not in page.text and "干警1" not in page.text
    r = requests.post(f"{url}/public/notice/ps/{public_city.CLOSED_MONTH}",
                      data={"ticket": "x.y", "check": "1", "about": "officer:o1", "text": "t",
                            "contact": "13800001111"}, timeout=30)
    assert r.status_code == 400 and _objections(url) == []
    assert requests.get(f"{url}/public/notice/nowhere/{public_city.CLOSED_MONTH}", timeout=30).status_code == 404


@pytest.mark.parametrize("field,value,expect", [
    ("text", "<script>alert(1)</script>", "不可包含"),
    ("text", "控制\x01字符", "控制字符"),
    ("text", "长" * 1200, "最多 1000"),
    ("contact", "<img src=x onerror=alert(1)>", "电话号码或电子邮箱"),
    ("contact", "１３８", "电话号码或电子邮箱"),
    ("about", "officer:o9", "not on notice"),
    ("about", "<b>", "请选择"),
    ("check", "99", "验证题答案不正确"),
    ("ticket", "forged.ticket", "表单已失效"),
])
def test_hostile_input_in_every_field_of_an_objection_is_refused_with_a_message_and_nothing_stored(
        gateway, field, value, expect):
    url, _ = gateway
    month = public_city.open_month()
    ticket, answer = _ticket(requests.get(f"{url}/public/notice/ps/{month}", timeout=30).text)
    time.sleep(0.6)
    body = {"ticket": ticket, "check": answer, "about": "officer:o1", "text": "有异议", "contact": "13800001111"}
    body[field] = value
    r = requests.post(f"{url}/public/notice/ps/{month}", data=body, timeout=30)
    assert r.status_code in (400, 409), r.text
    assert expect in html.unescape(r.text)
    assert "<script>alert" not in r.text and "<img src=x" not in r.text      # echoed escaped
    assert _objections(url) == []


def _progress(url):
    r = requests.get(f"{url}/survey/campaigns/c1/progress", headers=auth("city"), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def _survey_form(url, query="?group=parents"):
    page = requests.get(f"{url}/public/survey/c1{query}", timeout=30)
    assert page.status_code == 200, page.text
    return page


def test_a_respondent_answers_and_the_same_form_sent_again_is_not_counted(gateway):
    url, _ = gateway
    page = _survey_form(url)
    assert page.text.count('type="radio"') == 35 * 4 and "学生家长" in page.text
    for label in "德能勤绩廉学":
        assert f"<h2>{label}</h2>" in page.text
    ticket, answer = _ticket(page.text)
    body = {"ticket": ticket, "check": answer, "subject": "ps",
            **{f"q{n}": code for n, code in enumerate(ANSWERS, 1)}}
    time.sleep(0.6)
    first = requests.post(f"{url}/public/survey/c1?group=parents", data=body, timeout=30)
    assert first.status_code == 200 and "提交成功" in first.text, first.text
    again = requests.post(f"{url}/public/survey/c1?group=parents", data=body, timeout=30)
    assert again.status_code == 409 and "此问卷已提交过" in again.text
    progress = _progress(url)
    assert progress["forms"] == 1 and progress["groups"]["parents"] == 1
    serial = re.search(r'class="mono">(W[A-Z0-9]{12})<', first.text).group(1)
    used = requests.post(f"{url}/survey/campaigns/c1/serials-used", json={"serials": [serial]},
                         headers=auth("city"), timeout=30).json()["used"]
    assert used == [serial]


@pytest.mark.parametrize("change,expect", [
    ({"q7": "X"}, "第 7 项未作答"),
    ({"q35": ""}, "第 35 项未作答"),
    ({"subject": "<script>"}, "请选择被评议的单位"),
    ({"subject": "nobody"}, "not a subject"),
    ({"group": "aliens"}, "请选择您所属的调查对象类别"),
    ({"check": "abc"}, "验证题答案不正确"),
    ({"q1": "S\x00"}, "控制字符"),
    ({"ticket": ""}, "表单已失效"),
])
def test_hostile_or_wrong_survey_forms_are_refused_with_a_message_and_nothing_counted(gateway, change, expect):
    url, _ = gateway
    ticket, answer = _ticket(_survey_form(url, "").text)
    body = {"ticket": ticket, "check": answer, "subject": "ps", "group": "parents",
            **{f"q{n}": code for n, code in enumerate(ANSWERS, 1)}}
    body.update(change)
    time.sleep(0.6)
    r = requests.post(f"{url}/public/survey/c1", data=body, timeout=30)
    assert r.status_code == 400, r.text
    assert expect in html.unescape(r.text)
    assert _progress(url)["forms"] == 0


def test_a_form_sent_at_once_or_too_large_is_refused(gateway):
    url, _ = gateway
    ticket, answer = _ticket(_survey_form(url).text)
    body = {"ticket": ticket, "check": answer, "subject": "ps",
            **{f"q{n}": code for n, code in enumerate(ANSWERS, 1)}}
    fast = requests.post(f"{url}/public/survey/c1?group=parents", data=body, timeout=30)
    assert fast.status_code == 400 and "提交过快" in fast.text
    huge = requests.post(f"{url}/public/survey/c1?group=parents", data={**body, "x": "a" * 40_000}, timeout=30)
    assert huge.status_code == 413
    assert _progress(url)["forms"] == 0


def test_links_and_qr_codes_per_campaign_and_group(gateway):
    url, _ = gateway
    links = requests.get(f"{url}/public/survey/c1/links", timeout=30)
    assert links.status_code == 200 and links.text.count("<svg") == 11       # all groups, then each of ten
    assert f"{url}/public/survey/c1?group=parents" in links.text
    qr = requests.get(f"{url}/public/survey/c1/qr.svg", params={"group": "parents"}, timeout=30)
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg")
    assert requests.get(f"{url}/public/survey/c1/qr.svg", params={"group": "aliens"}, timeout=30).status_code == 404
    assert requests.get(f"{url}/public/survey/nope", timeout=30).status_code == 404


def test_each_address_is_rate_limited(start_gateway):
    url, suite = start_gateway(city.classes(), GATEWAY_PUBLIC_POSTS=3, GATEWAY_PUBLIC_VIEWS=5,
                               GATEWAY_PUBLIC_SECRET="test-secret-of-the-public-pages")
    public_city.load(suite, notices=False)
    codes = [requests.post(f"{url}/public/survey/c1", data={"ticket": "x"}, timeout=30).status_code
             for _ in range(4)]
    assert codes[:3] == [400, 400, 400] and codes[3] == 429
    views = [requests.get(f"{url}/public/survey/c1", timeout=30) for _ in range(6)]
    assert [v.status_code for v in views] == [200] * 5 + [429]
    assert int(views[-1].headers["Retry-After"]) >= 1 and "请求过于频繁" in views[-1].text


def test_a_units_half_year_notice_shows_stars_takes_an_objection_and_closes(gateway):
    url, _ = gateway
    page = requests.get(f"{url}/public/notice/ps/{public_city.OPEN_PERIOD}", timeout=30)
    assert page.status_code == 200, page.text
    assert "2026年上半年星级初评结果公示" in page.text and "公示期" in page.text
    row = re.search(r"<tr><td>干警1</td><td>[^<]+</td><td class=\"n\">([0-9.]+)</td>"
                    r"<td class=\"stars\"><span aria-hidden=\"true\">(★*)</span> (\S+)</td></tr>", page.text)
    assert row is not None, page.text
    assert row.group(3) == "五星级" and row.group(2) == "★★★★★" and float(row.group(1)) >= 95
    assert "不参加评星" in page.text and "13800001111" not in page.text
    ticket, answer = _ticket(page.text)
    time.sleep(0.6)
    body = {"ticket": ticket, "check": answer, "about": "officer:o1", "text": "星级评定与实际不符",
            "contact": "13800001111"}
    sent = requests.post(f"{url}/public/notice/ps/{public_city.OPEN_PERIOD}", data=body, timeout=30)
    assert sent.status_code == 200 and "异议已收到" in sent.text, sent.text
    assert requests.post(f"{url}/public/notice/ps/{public_city.OPEN_PERIOD}", data=body,
                         timeout=30).status_code == 200                 # sent twice: stored once
    queue = _objections(url)
    assert [(o["month"], o["subject"], o["text"]) for o in queue] == [
        (public_city.OPEN_PERIOD, "o1", "星级评定与实际不符")]
    closed = requests.get(f"{url}/public/notice/ps/{public_city.CLOSED_PERIOD}", timeout=30)
    assert closed.status_code == 200 and "公示已结束" in closed.text and "2026-01-08" in closed.text
    assert "<form" not in closed.text and "干警1" not in closed.text


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(start_gateway):
    # no proxy trusted: a client varying X-Forwarded-For is still one address
    url, suite = start_gateway(city.classes(), GATEWAY_PUBLIC_VIEWS=3,
                               GATEWAY_PUBLIC_SECRET="test-secret-of-the-public-pages")
    public_city.load(suite, notices=False, periods=False)
    codes = [requests.get(f"{url}/public/survey/c1/links", headers={"X-Forwarded-For": f"203.0.113.{n}"},
                          timeout=30).status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_count(start_gateway):
    url, suite = start_gateway(city.classes(), GATEWAY_PUBLIC_VIEWS=2, GATEWAY_TRUSTED_PROXIES="127.0.0.1",
                               GATEWAY_PUBLIC_SECRET="test-secret-of-the-public-pages")
    public_city.load(suite, notices=False, periods=False)

    def view(client, forged=""):
        xff = f"{forged}, {client}" if forged else client
        return requests.get(f"{url}/public/survey/c1/links", headers={"X-Forwarded-For": xff},
                            timeout=30).status_code

    assert [view("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert [view("203.0.113.2") for _ in range(2)] == [200, 200]         # another client: its own count
    # the client's own say (left of what the proxy appended) is never believed
    assert view("203.0.113.1", forged="198.51.100.99") == 429


@pytest.mark.parametrize("path", ["/office/survey", "/office/survey/c1/keying", "/office/survey/c1/progress",
                                  "/office/objections/ps"])
def test_the_office_pages_send_a_caller_without_a_session_to_sign_in(gateway, path):
    url, _ = gateway
    for headers in ({}, auth("city")):          # a calling system's token is no sign-in for a page
        r = requests.get(f"{url}{path}", headers=headers, allow_redirects=False, timeout=30)
        assert r.status_code == 303, r.text
        assert r.headers["Location"] == "/auth/login?next=" + path.replace("/", "%2F")


def test_a_closed_campaigns_page_says_it_ended_and_names_nobody(gateway):
    """The survey gives the public an open campaign's subjects only: once closed, the form's page says
    the survey has ended (200, as before), lists none of its subjects and takes no form (409)."""
    url, suite = gateway
    page = _survey_form(url)
    ticket, answer = _ticket(page.text)
    assert "刑侦大队" in page.text
    assert "干警1" in _survey_form(url, "?subject=o1").text
    with suite.rpc() as rpc:
        rpc.survey.close_campaign({"campaign_id": "c1"})
    for query in ("", "?group=parents", "?subject=o1"):
        closed = requests.get(f"{url}/public/survey/c1{query}", timeout=30)
        assert closed.status_code == 200 and "本次调查已结束" in closed.text, closed.text
        assert "刑侦大队" not in closed.text and "干警1" not in closed.text and "<form" not in closed.text
    body = {"ticket": ticket, "check": answer, "subject": "o1",
            **{f"q{n}": code for n, code in enumerate(ANSWERS, 1)}}
    time.sleep(0.6)
    late = requests.post(f"{url}/public/survey/c1?group=parents", data=body, timeout=30)
    assert late.status_code == 409 and "本次调查已结束" in late.text and "刑侦大队" not in late.text
