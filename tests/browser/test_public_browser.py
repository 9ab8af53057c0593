"""The public pages, the keying page and the office's pages in a real browser (issue 23):
Playwright driving Debian's chromium.  A respondent answers on a phone-sized window and a second
submission of the same form is not counted; a clerk keys ten forms with the keyboard alone (the
keystrokes and seconds per form are measured and printed, not asserted: README); a batch whose
answer is lost is sent again and counted once; an objection reaches the leading group's list and is
answered there; hostile input is refused with a message and nothing stored.  A screenshot of every
page goes to the artifacts folder."""
import time

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, MIN_SECONDS, PASSWORD, PHONE, answer_check, on, sign_in
from tests.service.gateway import public_city
from tests.service.gateway.conftest import auth

pytestmark = pytest.mark.timeout(240)

ANSWERS = "SBDN" * 8 + "SSB"
LABEL = {"S": "满意", "B": "基本满意", "D": "不满意", "N": "不了解"}


def _progress(url):
    return requests.get(f"{url}/survey/campaigns/c1/progress", headers=auth("city"), timeout=30).json()


def _objections(url):
    return requests.get(f"{url}/scoring/objections", params={"evaluator": "ps"}, headers=auth("city"),
                        timeout=30).json()["objections"]


# the county committee's office keys and follows its campaign c1 (owner cnty), signed in at the gateway:
# the roster's events give the survey its tree and the posts (its read model decides the roles)
TREE = [{"id": "city", "name": "市委政法委", "kind": "committee", "parent": None, "agency": "city", "level": "city"},
        {"id": "cnty", "name": "津市市委政法委", "kind": "committee", "parent": "city", "agency": "cnty",
         "level": "county"},
        {"id": "ps", "name": "津市市公安局", "kind": "agency", "parent": "cnty", "agency": "ps", "level": "county"},
        {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "ps", "agency": "ps", "level": "county"}]
POSTS = [{"id": "ko", "name": "委机关干部", "unit": "cnty", "agency": "cnty", "position": "officer",
          "joined": "2015-01-01", "titles": [], "supervises": []},
         {"id": "h", "name": "局长", "unit": "ps", "agency": "ps", "position": "head", "joined": "2000-01-01",
          "titles": [], "supervises": []}]


WORK = "#work:not([hidden])"       # an office page's work area, once signed in


def _office(site):
    """The survey fed with the tree and the posts; accounts of the committee's office clerk (``office1``,
    person ko) and of the bureau's head (``head1``, person h: his units lie below the campaign's owner)."""
    site.event("roster", "units_saved", {"event_id": "office-units", "units": TREE})
    site.event("roster", "staff_joined", {"event_id": "office-posts", "staff": POSTS})
    site.account("office1", "ko", PASSWORD)
    site.account("head1", "h", PASSWORD)


def test_a_respondent_answers_on_a_phone_and_the_same_form_again_is_not_counted(site, browser_page, shot):
    url = site.url
    page = browser_page(**PHONE)
    page.goto(f"{url}/public/survey/c1?group=parents")
    assert page.locator("#group-label").inner_text() == "学生家长"
    assert page.locator("fieldset").count() == 35
    shot(page, "survey_form_phone", full_page=True)
    shown = time.monotonic()
    page.select_option("#subject", "ps")
    for number, code in enumerate(ANSWERS, 1):
        page.locator(f"input[name=q{number}][value={code}]").check()
    page.fill("#check", answer_check(page))
    time.sleep(max(0.0, MIN_SECONDS + 0.2 - (time.monotonic() - shown)))
    page.click("button[type=submit]")
    page.wait_for_selector("#done")
    assert "提交成功" in page.locator("#done").inner_text()
    shot(page, "survey_done_phone", full_page=True)
    assert _progress(url)["forms"] == 1
    page.reload()                    # the browser sends the same form (its POST) again
    page.wait_for_selector("#duplicate")
    assert "不重复计数" in page.locator("#duplicate").inner_text()
    shot(page, "survey_duplicate_phone", full_page=True)
    assert _progress(url)["forms"] == 1


def test_a_clerk_keys_ten_forms_with_the_keyboard_alone(site, browser_page, shot, capsys):
    url = site.url
    _office(site)
    page = browser_page(**DESKTOP)
    sign_in(page, url, "office1", "/office/survey/c1/keying", ready=WORK)
    expect(page.locator("#serial")).to_be_focused()
    keying = {"1": "S", "2": "B", "3": "D", "0": "N"}
    codes = "1230" * 8 + "112"                       # the 35 answers as typed (numpad)
    assert "".join(keying[c] for c in codes) == ANSWERS
    keystrokes = 0
    started = time.perf_counter()
    for n in range(10):
        if n == 0:                                    # serial, subject and group of the first form
            for text in ("P2026-0001", "ps", "6"):
                page.keyboard.type(text)
                page.keyboard.press("Enter")
                keystrokes += len(text) + 1
        else:                                         # the next serial is filled in: Enter accepts it
            page.keyboard.press("Enter")
            keystrokes += 1
        page.keyboard.type(codes)
        page.keyboard.press("Enter")
        keystrokes += len(codes) + 1
    expect(page.locator("#accepted")).to_have_text("10", timeout=30_000)
    seconds = time.perf_counter() - started
    shot(page, "keying_ten_forms", full_page=True)
    progress = _progress(url)
    assert progress["forms"] == 10 and progress["groups"]["parents"] == 10
    counts = page.locator("#counts tbody tr").first.inner_text()
    assert "津市市公安局" in counts and "学生家长" in counts and "10" in counts
    with capsys.disabled():
        print(f"\nkeying: 10 forms, {keystrokes} keystrokes ({keystrokes / 10:.1f} per form), "
              f"{seconds:.2f} s ({seconds / 10:.2f} s per form, automated typing)")

    # checked as typed: a serial already used, an unknown code, the wrong length
    page.fill("#serial", "P2026-0003")
    expect(page.locator("#serial-hint")).to_contain_text("已使用")
    page.fill("#serial", "P2026-0100")
    expect(page.locator("#serial-hint")).to_have_text("")
    page.focus("#answers")
    page.keyboard.type("12x")
    assert "不是答案代码" in page.locator("#answers-hint").inner_text()
    page.fill("#answers", "")
    page.keyboard.type("1" * 34)
    page.keyboard.press("Enter")
    assert "应为 35 位" in page.locator("#answers-hint").inner_text()
    page.keyboard.type("11")
    assert "多了 1 位" in page.locator("#answers-hint").inner_text()
    shot(page, "keying_checks", full_page=True)
    assert page.locator("#pending").inner_text() == "0" and _progress(url)["forms"] == 10


def test_a_batch_whose_answer_is_lost_is_sent_again_and_counted_once(site, browser_page):
    url = site.url
    page = browser_page(**DESKTOP)
    keys = []

    def lose_the_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:              # the gateway takes the batch, its answer never arrives
            route.fetch()
            route.abort("connectionreset")
        else:
            route.continue_()

    _office(site)
    page.route("**/survey/campaigns/c1/batches", lose_the_answer)
    sign_in(page, url, "office1", "/office/survey/c1/keying", ready=WORK)
    expect(page.locator("#serial")).to_be_focused()
    for text in ("L-01", "s1", "0", "1" * 35):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")            # send now
    expect(page.locator("#accepted")).to_have_text("1", timeout=30_000)
    log = page.locator("#batch-log").inner_text()
    assert len(keys) == 2 and keys[0] == keys[1] and keys[0] in log      # sent again with the same key
    assert log.count("批次 ") == 1
    assert _progress(url)["forms"] == 1
    assert page.evaluate("localStorage.getItem('lianbao.keying.c1.outbox')") == "[]"


def test_an_objection_reaches_the_leading_groups_queue(site, browser_page, shot):
    url = site.url
    month = public_city.open_month()
    page = browser_page(**PHONE)
    page.goto(f"{url}/public/notice/ps/{month}")
    shot(page, "notice_open_phone", full_page=True)
    shown = time.monotonic()
    page.select_option("#about", "officer:o1")
    page.fill("#text", "该同志本月有迟到记录, 得分偏高")
    page.fill("#contact", "13800001111")
    page.fill("#check", answer_check(page))
    time.sleep(max(0.0, MIN_SECONDS + 0.2 - (time.monotonic() - shown)))
    page.click("button[type=submit]")
    page.wait_for_selector("#done")
    shot(page, "notice_objection_received_phone", full_page=True)

    # the objection is in the leading group's queue, the contact with it (for the group only); the group
    # answers it in the console, signed in (/console/group: tests/browser/test_console_browser.py)
    [objection] = _objections(url)
    assert "得分偏高" in objection["text"] and objection["contact"] == "13800001111"
    assert (objection["state"], objection["subject"], objection["answer"]) == ("open", "o1", None)
    # the office's old address of the queue asks a person to sign in, then leads to the console
    office = browser_page(**DESKTOP)
    office.goto(f"{url}/office/objections/ps")
    office.wait_for_selector("input[name=login]")
    assert "next=%2Foffice%2Fobjections%2Fps" in office.url
    shot(office, "objections_sign_in", full_page=True)


def test_hostile_input_is_refused_with_a_message_and_nothing_stored(site, browser_page, shot):
    url = site.url
    month = public_city.open_month()
    page = browser_page(**DESKTOP)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    cases = [("#text", "<script>alert(1)</script>", "不可包含"),
             ("#text", "x" * 5000, "最多 1000"),             # past the textarea's maxlength: sent by a script
             ("#contact", "javascript:alert(1)", "电话号码或电子邮箱"),
             ("#contact", "1380000\u0007", "控制字符"),
             ("#check", "999", "验证题答案不正确")]
    for n, (field, value, message) in enumerate(cases):
        page.goto(f"{url}/public/notice/ps/{month}")
        shown = time.monotonic()
        page.select_option("#about", "officer:o2")
        page.fill("#text", "有异议")
        page.fill("#contact", "13800001111")
        page.fill("#check", answer_check(page))
        page.evaluate("([sel, value]) => { const el = document.querySelector(sel); el.removeAttribute('maxlength'); "
                      "el.value = value; }", [field, value])
        time.sleep(max(0.0, MIN_SECONDS + 0.2 - (time.monotonic() - shown)))
        page.click("button[type=submit]")
        page.wait_for_selector("p.error")
        assert message in page.locator("p.error").first.inner_text()
        if n == 0:
            shot(page, "notice_hostile_refused", full_page=True)
    page.goto(f"{url}/public/notice/ps/{public_city.CLOSED_MONTH}")
    assert "公示已结束" in page.locator("#closed").inner_text() and page.locator("form").count() == 0
    shot(page, "notice_closed", full_page=True)
    assert dialogs == [] and _objections(url) == []

    page.goto(f"{url}/public/survey/c1")                     # the survey: a wrong code, a script as subject
    shown = time.monotonic()
    page.select_option("#group", "officers")
    page.select_option("#subject", "s1")
    for number, code in enumerate(ANSWERS, 1):
        page.locator(f"input[name=q{number}][value={code}]").check()
    page.evaluate("() => { const r = document.querySelector('input[name=q3][value=D]'); r.value = 'Z'; "
                  "const s = document.querySelector('#subject'); s.options[1].value = '<script>alert(2)</script>'; "
                  "s.selectedIndex = 1; }")
    page.fill("#check", answer_check(page))
    time.sleep(max(0.0, MIN_SECONDS + 0.2 - (time.monotonic() - shown)))
    page.click("button[type=submit]")
    page.wait_for_selector("p.error")
    errors = " ".join(page.locator("p.error").all_inner_texts())
    assert "第 3 项未作答" in errors and "请选择被评议的单位" in errors
    shot(page, "survey_hostile_refused", full_page=True)
    assert dialogs == [] and _progress(url)["forms"] == 0


def test_the_office_follows_a_campaign_and_gets_the_rates_once_closed(site, browser_page, shot):
    url = site.url
    site.rpc("survey", "submit_batch", {"campaign_id": "c1", "batch_id": "paper-1", "forms": [
        {"serial": f"P{n}", "subject": "ps" if n % 2 else "s1",
         "group": "parents" if n % 3 else "officers", "answers": ANSWERS} for n in range(12)]})
    page = browser_page(**DESKTOP)
    page.goto(f"{url}/public/survey/c1/links")
    assert page.locator(".qr svg").count() == 11
    shot(page, "survey_links_qr", full_page=True)
    _office(site)
    sign_in(page, url, "office1", "/office/survey/c1/progress", ready=WORK)
    expect(page.locator("#forms")).to_have_text("12")
    assert page.locator("#state").inner_text() == "进行中" and page.locator("#rate").inner_text() == "—"
    shot(page, "progress_open", full_page=True)
    rates = site.rpc("survey", "close_campaign", {"campaign_id": "c1"})
    page.reload()
    expect(page.locator("#state")).to_have_text("已结束")
    expected = f"{float(rates['totals']['rate']) * 100:.2f}%"
    expect(page.locator("#rate")).to_have_text(expected)
    shot(page, "progress_closed", full_page=True)
    with page.expect_download() as download:
        page.click("#xlsx")
    assert download.value.suggested_filename == "survey_c1.xlsx"
    assert open(download.value.path(), "rb").read(2) == b"PK"


def test_a_half_years_notice_with_stars_takes_an_objection_on_a_phone_and_closes(site, browser_page, shot):
    url = site.url
    page = browser_page(**PHONE)
    page.goto(f"{url}/public/notice/ps/{public_city.OPEN_PERIOD}")
    page.wait_for_selector("#entries")
    assert "2026年上半年星级初评结果公示" in page.locator("h1").inner_text()
    first = page.locator("#entries tbody tr").first.inner_text()
    assert "干警1" in first and "★★★★★" in first and "五星级" in first
    shot(page, "period_notice_open_phone", full_page=True)
    shown = time.monotonic()
    page.select_option("#about", "officer:o1")
    page.fill("#text", "该同志上半年有一次通报批评, 五星级不实")
    page.fill("#contact", "someone@example.cn")
    page.fill("#check", answer_check(page))
    time.sleep(max(0.0, MIN_SECONDS + 0.2 - (time.monotonic() - shown)))
    page.click("button[type=submit]")
    page.wait_for_selector("#done")
    assert page.url.endswith(f"/public/notice/ps/{public_city.OPEN_PERIOD}")
    shot(page, "period_notice_objection_received_phone", full_page=True)
    queue = [o for o in _objections(url) if o["month"] == public_city.OPEN_PERIOD]
    assert [(o["subject"], o["contact"], o["state"]) for o in queue] == [("o1", "someone@example.cn", "open")]

    page.goto(f"{url}/public/notice/ps/{public_city.CLOSED_PERIOD}")
    page.wait_for_selector("#closed")
    assert "公示已结束" in page.locator("#closed").inner_text()
    assert page.locator("form").count() == 0 and page.locator("#entries").count() == 0
    shot(page, "period_notice_closed_phone", full_page=True)


def test_the_office_signs_in_finds_its_campaign_and_another_units_head_is_refused(site, browser_page, shot):
    """Signed in, the county committee's office lists its campaign and keys a form through the token routes
    as itself (session cookie + X-CSRF-Token; a POST without the header is refused); the bureau's head, whose
    units lie below the campaign's owner, lists nothing, gets the missing campaign's page, and his batch
    (sent with his own CSRF token) is the missing campaign's 404: nothing counted."""
    url = site.url
    _office(site)
    page = browser_page(**DESKTOP)
    sign_in(page, url, "office1", "/office/survey", ready="#campaigns")
    assert page.locator("#campaigns tbody tr").count() == 1
    assert page.locator("#campaigns tbody tr").first.get_attribute("data-id") == "c1"
    shot(page, "office_campaigns", full_page=True)
    listed = page.evaluate("async () => (await (await fetch('/survey/campaigns')).json()).campaigns")
    assert [c["campaign_id"] for c in listed] == ["c1"]       # the HTTP route too, as the person
    page.click("#campaigns a:has-text('录入')")
    on(page, "#work:not([hidden])", f"{url}/office/survey/c1/keying")
    for text in ("K-01", "ps", "6", "1230" * 8 + "112"):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")            # send now
    expect(page.locator("#accepted")).to_have_text("1", timeout=30_000)
    shot(page, "office_keyed_signed_in", full_page=True)
    assert _progress(url)["forms"] == 1
    no_csrf = page.evaluate("""async () => (await fetch("/survey/campaigns/c1/batches", {method: "POST",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify({batch_id: "no-csrf",
        forms: [{serial: "K-99", subject: "ps", group: "parents", answers: "S".repeat(35)}]})})).status""")
    assert no_csrf == 403 and _progress(url)["forms"] == 1
    page.goto(f"{url}/office/survey/c1/progress")
    expect(page.locator("#forms")).to_have_text("1")

    other = browser_page(**DESKTOP)
    sign_in(other, url, "head1", "/office/survey", ready="#none")
    assert other.locator("#campaigns").count() == 0
    assert other.evaluate("async () => (await (await fetch('/survey/campaigns')).json()).campaigns") == []
    status = other.evaluate("""async () => (await fetch("/survey/campaigns/c1/batches", {method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": lianbao.csrf}, body: JSON.stringify({
        batch_id: "foreign", forms: [{serial: "H-01", subject: "ps", group: "parents",
        answers: "S".repeat(35)}]})})).status""")
    assert status == 404
    other.goto(f"{url}/office/survey/c1/keying")
    other.wait_for_selector("h1")
    assert other.url == f"{url}/office/survey/c1/keying"
    assert "页面不存在" in other.locator("h1").inner_text()
    assert other.locator("#serial").count() == 0
    shot(other, "office_refused_outside_units", full_page=True)
    assert _progress(url)["forms"] == 1
