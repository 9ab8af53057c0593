"""The whole month in a real browser, end to end as the people do it (issue 22): the officer
self-assesses, his mentor reviews, a member of the leading group approves and posts the notice, a
member of the public objects on the public notice page, the member answers, the notice's three
working days pass and he files the month; in February's ranking the poor-ranked leader gives his
reason and plan on the leading group's page and another member files it; the committee's office
previews and publishes the annual rating; the officer reads his stars and their explanation (at
1366×768 and at phone width); the auditor reads the explanation, the ledger and the chain.  The forms
are used with the keyboard alone (focus, type, Tab, Space, Enter); another mentor's mentee is refused
like a missing page.  Playwright driving Debian's chromium; a screenshot of every page at 1366×768
and of the officer's pages at phone width."""
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MIN_SECONDS, PASSWORD, PHONE, WIDE, SiteRpc, answer_check, on, press, sign_in
from tests.service.gateway import public_city

pytestmark = pytest.mark.timeout(600)

FEB = public_city.CLOSED_MONTH


def test_the_month_end_to_end_as_the_people_do_it(site, browser_page, shot):
    from tests.service.gateway.test_console_board import load_roster
    from tests.service.gateway.test_console_group import leaders_month

    url, month = site.url, public_city.open_month()
    for login, person in (("zhang3", "o3"), ("chief2", "c2"), ("leader3", "l3"), ("leader1", "l1"),
                          ("office1", "co1"), ("auditor", "aud")):
        site.account(login, person, PASSWORD)

    # 1. the officer self-assesses the month that ended, keyboard only
    officer = browser_page(**WIDE)
    sign_in(officer, url, "zhang3", keyboard=True)
    expect(officer.locator("#this-month-state")).to_have_text("未填报")
    shot(officer, "01_officer_home")
    press(officer, "#self-assess")
    on(officer, "#self-form", f"{url}/console/self-assessment/{month}")
    officer.focus("[id='deduct.political.study']")
    officer.keyboard.type("2")
    officer.keyboard.press("Tab")
    expect(officer.locator("[id='reason.political.study']")).to_be_focused()
    officer.keyboard.type("理论学习缺勤一次")
    shot(officer, "02_officer_self_assessment", full_page=True)
    press(officer, "#submit")
    on(officer, "#saved", f"{url}/console?saved={month}")
    expect(officer.locator("#this-month-state")).to_have_text("已自评")

    phone = browser_page(**PHONE)
    sign_in(phone, url, "zhang3", f"/console/self-assessment/{month}", keyboard=True)
    shot(phone, "02_officer_self_assessment_phone", full_page=True)

    # 2. his mentor reviews it: one more deduction, its reason; another mentor's mentee is a missing page
    mentor = browser_page(**WIDE)
    sign_in(mentor, url, "chief2", keyboard=True)
    press(mentor, "#nav-mentor")
    on(mentor, "#to-review", f"{url}/console/mentor")
    shot(mentor, "03_mentor_waiting", full_page=True)
    press(mentor, f"[id='review-o3-{month}']")
    on(mentor, "#review-form", f"{url}/console/mentor/review/o3/{month}")
    mentor.focus("[id='deduct.performance.daily_log']")
    mentor.keyboard.type("1")
    mentor.keyboard.press("Tab")
    mentor.keyboard.type("日志漏记一天")
    shot(mentor, "04_mentor_review", full_page=True)
    press(mentor, "#submit")
    on(mentor, "#reviewed", f"{url}/console/mentor?reviewed=o3:{month}")
    mentor.goto(f"{url}/console/mentor/review/o1/{month}")
    mentor.wait_for_selector("p.error")
    expect(mentor.locator("h1")).to_have_text("页面不存在")
    shot(mentor, "05_mentor_another_mentee_refused")
    assert site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["state"] == "reviewed"

    # 3. a member of the leading group approves it (Space checks the box, Enter sends)
    member = browser_page(**WIDE)
    sign_in(member, url, "leader3", keyboard=True)
    press(member, "#nav-approve")
    on(member, "#to-approve", f"{url}/console/approve")
    press(member, "#ev-0", "Space")
    expect(member.locator("#ev-0")).to_be_checked()
    shot(member, "06_member_approve", full_page=True)
    press(member, "#approve-submit")
    on(member, "#approved", f"{url}/console/approve?approved=1")
    assert site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["state"] == "approved"

    # 4. ... and posts the notice
    press(member, "#nav-group")
    on(member, "#filing", f"{url}/console/group")
    press(member, "#notice-submit")
    member.wait_for_selector("#posted")
    expect(member.locator("#notice-entries tr[data-subject='o3']")).to_be_visible()
    shot(member, "07_group_notice_posted", full_page=True)

    # 5. a member of the public objects to o3's score on the public notice
    public = browser_page(**PHONE)
    public.goto(f"{url}/public/notice/ps/{month}")
    public.wait_for_selector("#about")
    shown = time.monotonic()
    public.select_option("#about", "officer:o3")
    public.fill("#text", "该同志本月值班有缺岗, 得分偏高")
    public.fill("#contact", "13800002222")
    public.fill("#check", answer_check(public))
    time.sleep(max(0.0, MIN_SECONDS + 0.2 - (time.monotonic() - shown)))
    public.click("button[type=submit]")
    public.wait_for_selector("#done")
    shot(public, "08_public_objection_phone", full_page=True)

    # 6. the member answers it: not upheld
    member.goto(f"{url}/console/group")
    member.wait_for_selector("#answer-0")
    expect(member.locator("#objections")).to_contain_text("值班有缺岗")
    member.focus("#answer-0")
    member.keyboard.type("经核实, 值班记录完整, 异议不成立")
    press(member, "#upheld-no-0", "Space")
    shot(member, "09_group_objection_answer", full_page=True)
    press(member, "#answer-submit-0")
    on(member, "#answered", f"{url}/console/group?month={month}&answered=1")
    assert site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["state"] == "on_notice"

    # 7. the notice's three working days pass: the member files the month
    notice_end = date.fromisoformat(site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["notice_end"])
    later = notice_end + timedelta(days=1)
    site.today(later.isoformat())            # the sessions of the days before have expired: signed in again
    sign_in(member, url, "leader3", f"/console/group?month={month}", keyboard=True)
    expect(member.locator("#notice-state")).to_have_text("公示已结束")
    press(member, "#file-submit")
    member.wait_for_selector("#filed")
    shot(member, "10_group_filed", full_page=True)
    assert site.rpc("scoring", "evaluation", {"subject": "o3", "month": month})["state"] == "filed"
    sign_in(officer, url, "zhang3", keyboard=True)
    expect(officer.locator(f"#months tr[data-month='{month}']")).to_contain_text("已归档")

    # 8. February's ranking: l3 poor among the leaders gives his reason and plan; l1 files it
    leaders_month(SiteRpc(site), FEB, "2026-03-02")
    member.goto(f"{url}/console/group?month={FEB}")
    member.wait_for_selector("#file-submit")
    press(member, "#file-submit")
    member.wait_for_selector("#filed")
    press(member, "#rank-submit")
    member.wait_for_selector("#ranked")
    expect(member.locator("#rectifications tr[data-subject='l3']")).to_contain_text("待提交")
    member.focus("#explanation-0")
    member.keyboard.type("理论学习投入不足")
    member.keyboard.press("Tab")
    expect(member.locator("#plan-0")).to_be_focused()
    member.keyboard.type("每周集中学习一次, 月底向班子报告")
    shot(member, "11_group_rectification_plan", full_page=True)
    press(member, "#rect-submit-0")
    on(member, "#rect-done", f"{url}/console/group?month={FEB}&rect=submitted:l3")
    expect(member.locator("#rectifications tr[data-subject='l3']")).to_contain_text("已提交")
    other = browser_page(**WIDE)
    sign_in(other, url, "leader1", f"/console/group?month={FEB}", keyboard=True)
    press(other, "#rect-file-0")
    on(other, "#rect-done", f"{url}/console/group?month={FEB}&rect=filed:l3")
    expect(other.locator("#rectifications tr[data-subject='l3']")).to_contain_text("已备案")
    shot(other, "12_group_rectification_filed", full_page=True)

    # 9. the committee's office previews and publishes the annual rating of the month's year
    load_roster(SiteRpc(site))
    year = month[:4]
    office = browser_page(**WIDE)
    sign_in(office, url, "office1", "/console/office/rating", keyboard=True)
    office.select_option("#period", year)
    press(office, "#preview-submit")
    office.wait_for_selector("#preview")
    shot(office, "13_office_rating_preview", full_page=True)
    press(office, "#publish-submit")
    office.wait_for_selector("#published")
    shot(office, "14_office_rating_published", full_page=True)
    rated = site.rpc("scoring", "explanation", {"subject": "o3", "period": year})
    assert rated["explanation"]

    # 10. the officer reads his stars and their explanation, at 1366×768 and on a phone
    officer.goto(f"{url}/console")
    officer.wait_for_selector("#rating")
    expect(officer.locator("#rating")).to_contain_text(year)
    stars = rated.get("stars")
    assert stars, rated                                    # 97 points: stars by the cut-offs
    expect(officer.locator("#rating")).to_contain_text(f"({stars} 星)")
    expect(officer.locator("#months tr[data-month='" + month + "']")).to_contain_text("已归档")
    assert officer.locator("#explanation tbody tr").count() == len(rated["explanation"])
    shot(officer, "15_officer_reads_stars", full_page=True)
    sign_in(phone, url, "zhang3", keyboard=True)
    expect(phone.locator("#rating")).to_contain_text(year)
    shot(phone, "15_officer_reads_stars_phone", full_page=True)

    # 11. the auditor reads the explanation, the year's ledger and the chain; writes nothing
    auditor = browser_page(**WIDE)
    sign_in(auditor, url, "auditor", keyboard=True)
    press(auditor, "#nav-audit")
    on(auditor, "#explanation-form", f"{url}/console/audit")
    shot(auditor, "16_auditor_lookups", full_page=True)
    auditor.focus("#subject")
    auditor.keyboard.type("o3")
    auditor.keyboard.press("Tab")
    auditor.keyboard.type(year)
    auditor.keyboard.press("Enter")
    on(auditor, "#explanation", f"{url}/console/audit/explanation?subject=o3&period={year}")
    assert auditor.locator("#explanation tbody tr").count() == len(rated["explanation"])
    shot(auditor, "17_auditor_explanation", full_page=True)
    auditor.goto(f"{url}/console/audit")
    auditor.focus("#ledger-period")
    auditor.keyboard.type(year)
    auditor.keyboard.press("Enter")
    on(auditor, "#ledger-total", f"{url}/console/audit/ledger?period={year}&paying_unit=")
    shot(auditor, "18_auditor_ledger", full_page=True)
    auditor.goto(f"{url}/console/audit")
    press(auditor, "#chain-go")
    on(auditor, "#chain-ok", f"{url}/console/audit/chain")
    shot(auditor, "19_auditor_chain", full_page=True)
