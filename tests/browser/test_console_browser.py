"""The officer's and the mentor's console in a real browser (issue 22 items 1-2): Playwright
driving Debian's chromium.  An officer signs in, finds the month to self-assess on his home page, deducts points on the month's
template, is told a deduction needs its reason, gives it, and sees the month submitted with its
score; another officer sees his month on notice.  A screenshot of every page goes to the artifacts
folder."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, WIDE, SiteRpc, on
from tests.service.gateway import public_city

pytestmark = pytest.mark.timeout(240)


def test_an_officer_signs_in_and_self_assesses_the_month(site, person_page, shot):
    url = site.url
    month = public_city.open_month()
    page = person_page("zhang3", "o3")
    expect(page.locator("#this-month-state")).to_have_text("未填报")
    shot(page, "officer_home_before", full_page=True)

    page.click("#self-assess")
    on(page, "#self-form", f"{url}/console/self-assessment/{month}")
    assert page.locator("tr[data-item]").count() >= 10
    page.fill("[id='deduct.political.study']", "2")
    page.click("#submit")
    expect(page.locator("[data-field='reason.political.study']")).to_contain_text("理由")
    expect(page.locator("[id='deduct.political.study']")).to_have_value("2")     # kept as typed
    shot(page, "self_assessment_reason_missing", full_page=True)
    with pytest.raises(AssertionError):
        site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})   # nothing written

    page.fill("[id='reason.political.study']", "理论学习缺勤一次")
    page.fill("#note", "本月值班较多")
    page.click("#submit")
    on(page, "#this-month", f"{url}/console?saved={month}")
    expect(page.locator("#this-month-state")).to_have_text("已自评")
    expect(page.locator("#this-month")).to_contain_text("自评 98.0 分")
    shot(page, "officer_home_submitted", full_page=True)
    saved = site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})
    assert saved["self_score"] == 98.0 and saved["deductions"][0]["note"] == "理论学习缺勤一次"
    assert saved["trail"][0]["actor"] == "o3"


def test_an_officer_sees_his_month_on_notice_and_signs_out(site, person_page, shot):
    url = site.url
    page = person_page("gan1", "o1")
    expect(page.locator("#this-month-state")).to_have_text("公示中")
    expect(page.locator("#who")).to_contain_text("o1")
    shot(page, "officer_home_on_notice", full_page=True)
    page.click("nav.top button[type=submit]")
    on(page, "#login", f"{url}/auth/login")
    page.goto(f"{url}/console")
    on(page, "#login", f"{url}/auth/login?next=%2Fconsole")


def test_a_mentor_reviews_his_mentees_month_and_daily_log(site, person_page, shot):
    """Issue 22 item 2: the officer's month, then his mentor's review with a reason for the
    deduction he adds, and the mentee's daily log marked reviewed; no JavaScript; screenshots at 1366×768."""
    from datetime import date, timedelta

    url = site.url
    month = public_city.open_month()
    day = (date.today() - timedelta(days=1)).isoformat()
    site.rpc("scoring", "submit_self_assessment", {"actor": "o3", "subject": "o3", "month": month,
                                                   "as_of": date.today().isoformat(), "item_scores": {}})
    site.rpc("scoring", "write_daily_logs", {"as_of": date.today().isoformat(),
                                             "logs": [{"person": "o3", "date": day, "text": "走访辖区商户3家"}]})
    page = person_page("chief2", "c2", WIDE)
    expect(page.locator("#nav-mentor")).to_have_text("联带审核 (2)")
    page.click("#nav-mentor")
    on(page, "#to-review", f"{url}/console/mentor")
    expect(page.locator(f"tr[data-log='o3|{day}']")).to_contain_text("走访辖区商户3家")
    shot(page, "mentor_waiting", full_page=True)

    page.click(f"[id='review-o3-{month}']")
    on(page, "#review-form", f"{url}/console/mentor/review/o3/{month}")
    page.fill("[id='deduct.performance.daily_log']", "1")
    page.click("#submit")
    expect(page.locator("[data-field='reason.performance.daily_log']")).to_contain_text("理由")
    shot(page, "mentor_review_reason_missing", full_page=True)
    assert site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["state"] == "submitted"

    page.fill("[id='reason.performance.daily_log']", "日志漏记一天")
    page.click("#submit")
    on(page, "#reviewed", f"{url}/console/mentor?reviewed=o3:{month}")
    expect(page.locator("#no-review")).to_be_visible()
    ev = site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})
    assert (ev["state"], ev["score"], ev["trail"][-1]["actor"]) == ("reviewed", 99.0, "c2")

    page.check("#log-0")
    page.fill("#comment", "内容具体")
    page.click("#logs-submit")
    on(page, "#logs-reviewed", f"{url}/console/mentor?logs=1")
    expect(page.locator("#no-logs")).to_be_visible()
    shot(page, "mentor_done", full_page=True)
    assert site.rpc("scoring", "waiting_for", {"person": "c2"})["logs"] == []


def test_a_member_of_the_leading_group_approves_the_checked_evaluations(site, person_page, shot):
    """Issue 22 item 3 (approval): l3 finds the reviewed month of o3 waiting, checks it, approves."""
    from datetime import date

    url = site.url
    month = public_city.open_month()
    today = date.today().isoformat()
    for subject, mentor in (("o3", "c2"), ("l3", "h")):
        site.rpc("scoring", "submit_self_assessment", {"actor": subject, "subject": subject, "month": month,
                                                       "as_of": today, "item_scores": {}})
        site.rpc("scoring", "review", {"actor": mentor, "subject": subject, "month": month, "as_of": today})
    page = person_page("leader3", "l3", WIDE)
    page.click("#nav-approve")
    on(page, "#to-approve", f"{url}/console/approve")
    assert page.locator("tr[data-evaluation]").count() == 1          # not his own month
    page.check("#ev-0")
    shot(page, "approve_waiting", full_page=True)
    page.click("#approve-submit")
    on(page, "#approved", f"{url}/console/approve?approved=1")
    shot(page, "approve_done", full_page=True)
    ev = site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})
    assert (ev["state"], ev["trail"][-1]["actor"]) == ("approved", "l3")



def test_a_member_sends_one_back_from_its_row_with_the_keyboard_and_the_mentor_sees_why(site, person_page, shot):
    """Issue 22 item 3 (send back): l3 opens 退回… on o3's row, writes the reason, sends it; o3's
    month waits again at his mentor c2's with who sent it back and why."""
    from datetime import date

    url = site.url
    month = public_city.open_month()
    today = date.today().isoformat()
    site.rpc("scoring", "submit_self_assessment", {"actor": "o3", "subject": "o3", "month": month,
                                                   "as_of": today, "item_scores": {}})
    site.rpc("scoring", "review", {"actor": "c2", "subject": "o3", "month": month, "as_of": today})
    page = person_page("leader3", "l3", WIDE)
    page.click("#nav-approve")
    on(page, "#to-approve", f"{url}/console/approve")
    page.focus("#back-0")
    page.keyboard.press("Enter")
    page.wait_for_selector("#send-back-one")
    page.focus("#back-reason")
    page.keyboard.type("扣分依据不足")
    shot(page, "send_back_one", full_page=True)
    page.focus("#send-back-one-submit")
    page.keyboard.press("Enter")
    on(page, "#sent-back", f"{url}/console/approve?sent_back=1")
    ev = site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})
    assert (ev["state"], ev["trail"][-1]["action"], ev["trail"][-1]["note"]) == ("submitted", "send_back", "扣分依据不足")
    mentor = person_page("chief2", "c2", WIDE)
    mentor.goto(f"{url}/console/mentor")
    mentor.wait_for_selector(f'[data-sent-back="officer:o3:{month}"]')
    expect(mentor.locator(f'[data-sent-back="officer:o3:{month}"]')).to_contain_text("扣分依据不足")
    shot(mentor, "send_back_at_the_mentor", full_page=True)

def test_a_member_of_the_leading_group_posts_answers_files_and_ranks(site, person_page, shot):
    """Issue 22 item 3: l3 posts o3's approved month on notice, answers the public's objection, then
    in February files the leaders' month (late: after the 15th; his own left to another member) and
    ranks it; the poor one owes a plan."""
    from datetime import date

    url = site.url
    month, feb = public_city.open_month(), public_city.CLOSED_MONTH
    today = date.today().isoformat()
    site.rpc("scoring", "submit_self_assessment", {"actor": "o3", "subject": "o3", "month": month,
                                                   "as_of": today, "item_scores": {}})
    site.rpc("scoring", "review", {"actor": "c2", "subject": "o3", "month": month, "as_of": today})
    site.rpc("scoring", "approve", {"actor": "l1", "subject": "o3", "month": month, "as_of": today})
    for subject, study, approver in (("l1", 8, "l2"), ("l2", 7, "l3"), ("l3", 6, "l1")):
        site.rpc("scoring", "submit_self_assessment", {"actor": subject, "subject": subject, "month": feb,
                                                       "as_of": "2026-03-02", "item_scores": {"political.study": study}})
        site.rpc("scoring", "review", {"actor": "h", "subject": subject, "month": feb, "as_of": "2026-03-02"})
        site.rpc("scoring", "approve", {"actor": approver, "subject": subject, "month": feb, "as_of": "2026-03-02"})
    site.rpc("scoring", "publish_notice", {"actor": "h", "evaluator": "ps", "month": feb, "as_of": "2026-03-02"})
    site.rpc("scoring", "public_object", {"objection_id": "obj-0001-o1", "evaluator": "ps", "month": month,
                                          "subject": "o1", "text": "该同志本月有迟到情况", "contact": "13800000000"})
    page = person_page("leader3", "l3", WIDE)
    page.click("#nav-group")
    on(page, "#filing", f"{url}/console/group")
    expect(page.locator("#notice-state")).to_have_text("公示中")
    shot(page, "group_month", full_page=True)

    page.click("#notice-submit")
    on(page, "#posted", f"{url}/console/group?month={month}&posted=1&until="
        + site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["notice_end"])
    expect(page.locator("#notice-entries tr[data-subject='o3']")).to_be_visible()

    page.fill("#answer-0", "经核实, 已按规定扣分")
    page.click("#answer-submit-0")
    expect(page.locator("[data-field='upheld']")).to_contain_text("是否成立")
    expect(page.locator("#answer-0")).to_have_value("经核实, 已按规定扣分")
    page.check("#upheld-no-0")
    page.click("#answer-submit-0")
    on(page, "#answered", f"{url}/console/group?month={month}&answered=1")
    expect(page.locator("tr[data-objection='obj-0001-o1']")).to_contain_text("不成立")
    shot(page, "group_notice_answered", full_page=True)

    page.fill("#month", feb)
    page.click("#month-go")
    on(page, "#ranking-none", f"{url}/console/group?month={feb}")
    expect(page.locator("#days-left")).to_contain_text("已逾期")
    page.click("#file-submit")
    on(page, "#filed", f"{url}/console/group?month={feb}&filed=2&late=2&waiting=0&left=1")
    expect(page.locator("#filed")).to_contain_text("2 份逾期")
    page.click("#rank-submit")
    on(page, "#ranked", f"{url}/console/group?month={feb}&ranked=3")
    expect(page.locator("table[data-group='leaders'] tr[data-subject='l3']")).to_contain_text("差")
    expect(page.locator("#rectifications tr[data-subject='l3']")).to_contain_text("待提交")
    shot(page, "group_filed_and_ranked", full_page=True)
    assert site.rpc("scoring", "evaluation", {"subject": "l1", "month": feb})["state"] == "filed"


def test_an_officer_is_refused_the_leading_groups_page(site, person_page, shot):
    url = site.url
    page = person_page("zhang3", "o3")
    assert page.locator("#nav-group").count() == 0
    page.goto(f"{url}/console/group")
    page.wait_for_selector("p.error")
    expect(page.locator("h1")).to_have_text("页面不存在")
    shot(page, "group_refused_officer")


def test_the_committee_office_reads_the_board(site, person_page, shot):
    """Issue 22 item 4: the county committee's office sees its agencies' filing against the 15th
    (who is late), the eight targets, the stars per agency as bars and the agencies' classes; another
    county's bureau is not on it; an agency's head is refused the board."""
    from tests.service.gateway.test_console_board import load_roster, rate_the_year

    url = site.url
    rpc = SiteRpc(site)
    load_roster(rpc)
    rate_the_year(rpc)
    page = person_page("office1", "co1", WIDE)
    page.click("#nav-board")
    on(page, "#filing-table", f"{url}/console/board")
    page.fill("#month", public_city.CLOSED_MONTH)
    page.click("#month-go")
    on(page, "#late", f"{url}/console/board?month={public_city.CLOSED_MONTH}")
    expect(page.locator("#late tr[data-late='o3']")).to_contain_text("津市市公安局")
    assert page.locator("#late tr[data-late='o1']").count() == 0           # filed on 11 March
    expect(page.locator("#targets-table tr[data-agency='ps'] td[data-target='1_management_rate']")).to_contain_text("未达标")
    expect(page.locator("#stars-chart tr[data-agency='ps'] .bar span")).to_have_count(2)
    expect(page.locator("#classes-table tr[data-agency='court']")).to_contain_text("未评定")
    assert page.locator("tr[data-agency='ps2']").count() == 0
    shot(page, "board", full_page=True)

    other = person_page("head", "h")
    assert other.locator("#nav-board").count() == 0
    other.goto(f"{url}/console/board")
    other.wait_for_selector("p.error")
    expect(other.locator("h1")).to_have_text("页面不存在")
    shot(other, "board_refused_head")


def test_a_mentor_sees_who_has_no_current_pairing(site, person_page, shot):
    """Issue 22 item 2: c2's section in the roster: o3 paired with him, o4 not."""
    from tests.service.gateway.test_console_board import ROSTER_UNITS

    url = site.url
    site.rpc("roster", "save_units", {"units": ROSTER_UNITS, "effective": "2000-01-01"})
    site.rpc("roster", "create_staff", {"staff": [
        {"id": "c2", "name": "大队长2", "unit": "s2", "position": "chief", "joined": "2010-01-01"},
        {"id": "o3", "name": "干警3", "unit": "s2", "position": "officer", "joined": "2020-01-01"},
        {"id": "o4", "name": "干警4", "unit": "s2", "position": "officer", "joined": "2020-01-01"}]})
    site.rpc("roster", "assign_mentor", {"mentor": "c2", "mentee": "o3", "start": "2020-01-01"})
    page = person_page("chief2", "c2", WIDE)
    page.goto(f"{url}/console/mentor")
    on(page, "#unpaired", f"{url}/console/mentor")
    expect(page.locator("#unpaired tr[data-position='officer']")).to_have_text("干警o4")
    shot(page, "mentor_unpaired", full_page=True)


def test_an_officer_reads_his_daily_logs_and_study_days_on_a_phone(site, person_page, shot):
    """Issue 22 item 1: the officer's own daily logs of the month (one reviewed by his mentor) and his
    study days, at phone width; another officer's log is not on his page."""
    from datetime import date

    today = date.today()
    month = public_city.open_month()
    site.rpc("scoring", "write_daily_logs", {"as_of": today.isoformat(), "logs": [
        {"person": "o3", "date": today.isoformat(), "text": "走访辖区商户3家"},
        {"person": "o4", "date": today.isoformat(), "text": "别人的日志"}]})
    site.rpc("scoring", "review_daily_logs", {"as_of": today.isoformat(), "reviews": [
        {"actor": "c2", "person": "o3", "date": today.isoformat(), "comment": "内容具体"}]})
    site.rpc("training", "upsert_people", {"people": [
        {"id": "o3", "unit_id": "s2", "agency_id": "ps", "position": "officer", "joined": "2020-01-01"}]})
    site.rpc("training", "record_study", {"entries": [{"person": "o3", "date": f"{month}-03"},
                                                      {"person": "o3", "date": f"{month}-10"}]})
    page = person_page("zhang3", "o3", PHONE)
    expect(page.locator(f"#daily-logs tr[data-log='{today.isoformat()}']")).to_contain_text("已审阅")
    expect(page.locator("#daily-logs")).not_to_contain_text("别人的日志")
    expect(page.locator("#study")).to_contain_text("已达标")
    shot(page, "officer_home_phone", full_page=True)
