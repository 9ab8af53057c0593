"""The committee office's pages in a real browser (issue 22 item 4): Playwright driving Debian's
chromium at 1366×768, keyboard only where a person would type.  The county committee's office runs
the annual rating, is told beside the field that a period is needed, looks at the preview (who gets
how many stars in each agency), publishes it, and the officer reads his stars on his home; an agency's head is refused the page like a missing
one.  A screenshot of every page goes to the artifacts folder."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import WIDE, SiteRpc, on

pytestmark = pytest.mark.timeout(300)


def test_the_office_runs_previews_and_publishes_the_annual_rating(site, person_page, shot):
    from tests.service.gateway.test_console_board import load_roster
    from tests.service.gateway.test_console_office import year_ready

    url = site.url
    rpc = SiteRpc(site)
    load_roster(rpc)
    year_ready(rpc)
    page = person_page("office1", "co1", WIDE)
    page.click("#nav-board")
    on(page, "#filing-table", f"{url}/console/board")
    page.click("#office-rating")
    on(page, "#rating-form", f"{url}/console/office/rating")
    shot(page, "office_rating_form", full_page=True)

    # keyboard only: no period chosen, Enter in the date field runs the form
    page.focus("#rating_date")
    page.keyboard.type("2026-11-20")
    page.keyboard.press("Enter")
    on(page, "[data-field='period']", f"{url}/console/office/rating?period=&rating_date=2026-11-20")
    expect(page.locator("[data-field='period']")).to_contain_text("考评期间")
    expect(page.locator("#rating_date")).to_have_value("2026-11-20")               # kept as typed
    shot(page, "office_rating_period_missing", full_page=True)

    page.focus("#period")
    page.keyboard.press("ArrowDown")            # 2026 年上半年
    page.keyboard.press("ArrowDown")            # 2026 年度
    expect(page.locator("#period")).to_have_value("2026")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#preview-submit")).to_be_focused()
    page.keyboard.press("Enter")
    on(page, "#preview", f"{url}/console/office/rating?period=2026&rating_date=2026-11-20")
    row = page.locator("#preview-table tr[data-agency='ps']")
    expect(row.locator("td[data-stars='5']")).to_have_text("8")
    expect(row.locator("td[data-stars='4']")).to_have_text("1")
    page.focus("#detail-ps summary")
    page.keyboard.press("Enter")                # open the bureau's officers
    expect(page.locator("tr[data-officer='o2']")).to_be_visible()
    shot(page, "office_rating_preview", full_page=True)
    with pytest.raises(AssertionError):        # nothing stored by the preview
        site.rpc("scoring", "unit_results", {"unit": "ps", "period": "2026"})

    page.focus("#publish-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#published")
    assert page.url.startswith(f"{url}/console/office/rating?period=2026&published=2026%3Acnty%3A1"
                               "&rating_date=2026-11-20&until="), page.url
    expect(page.locator("#published")).to_contain_text("2026:cnty:1")
    expect(page.locator("#unchanged")).to_be_visible()
    shot(page, "office_rating_published", full_page=True)
    stored = site.rpc("scoring", "unit_results", {"unit": "ps", "period": "2026"})
    assert stored["rating_id"] == "2026:cnty:1"

    # the officer reads the stars the office published, and why, on his own home
    officer = person_page("zhang3", "o3", WIDE)
    expect(officer.locator("#rating")).to_contain_text("2026")
    expect(officer.locator("#rating")).to_contain_text("(5 星)")
    expect(officer.locator("#rating")).to_contain_text("97.0 分")
    shot(officer, "officer_reads_the_published_stars", full_page=True)


def test_an_agency_head_is_refused_the_offices_pages(site, person_page, shot):
    from tests.service.gateway.test_console_board import load_roster

    url = site.url
    load_roster(SiteRpc(site))
    page = person_page("head", "h", WIDE)
    for address in ("/console/office/rating?period=2026", "/console/office/packs?agency=ps"):
        page.goto(url + address)
        page.wait_for_selector("p.error")
        expect(page.locator("h1")).to_have_text("页面不存在")
        assert page.locator("#preview").count() == 0
    shot(page, "office_pages_refused_head")


def test_the_office_reviews_a_rule_pack_and_adopts_it_with_the_keyboard(site, person_page, shot):
    """A pack breaking the guardrails: every problem beside the field, nothing stored; the right
    one previewed (o3 loses his fifth star, and why), then adopted."""
    from tests.service.gateway.test_console_board import load_roster
    from tests.service.gateway.test_console_office import PACK_YAML, year_ready

    url = site.url
    rpc = SiteRpc(site)
    load_roster(rpc)
    year_ready(rpc)
    page = person_page("office1", "co1", WIDE)
    page.goto(f"{url}/console/office/rating")
    page.wait_for_selector("#office-packs")
    page.focus("#office-packs")
    page.keyboard.press("Enter")
    on(page, "#pack-form", f"{url}/console/office/packs")

    page.focus("#agency")
    page.keyboard.press("ArrowDown")            # 津市市人民法院
    page.keyboard.press("ArrowDown")            # 津市市公安局
    expect(page.locator("#agency")).to_have_value("ps")
    page.keyboard.press("Tab")                  # the period: this year
    page.keyboard.press("Tab")
    expect(page.locator("#pack")).to_be_focused()
    page.keyboard.type(PACK_YAML.replace("{5: 98, 4: 91}", "{5: 80, 4: 91}"))
    page.keyboard.press("Tab")
    expect(page.locator("#preview-submit")).to_be_focused()
    page.keyboard.press("Enter")
    on(page, "#pack-problems", f"{url}/console/office/packs")
    expect(page.locator("#pack-problems li").first).to_contain_text("pack.rules.cutoffs")
    expect(page.locator("#pack")).to_have_value(PACK_YAML.replace("{5: 98, 4: 91}", "{5: 80, 4: 91}"))
    shot(page, "office_pack_refused", full_page=True)

    page.focus("#pack")
    page.keyboard.press("Control+A")
    page.keyboard.type(PACK_YAML)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    on(page, "#preview", f"{url}/console/office/packs")
    expect(page.locator("#changes tr[data-subject='o3']")).to_contain_text("pack:ps/v1:rules.cutoffs")
    expect(page.locator("#change-count")).to_have_text("1 个对象有变化")
    shot(page, "office_pack_preview", full_page=True)
    assert site.rpc("scoring", "pack_history", {"agency": "ps"})["versions"] == []

    page.focus("#adopt-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#adopted")
    assert page.url.endswith("/console/office/packs?agency=ps&period=2026&adopted=1&created=1"), page.url
    expect(page.locator("#history tr[data-version='1']")).to_contain_text("co1")
    shot(page, "office_pack_adopted", full_page=True)
    assert site.rpc("scoring", "pack_history", {"agency": "ps"})["versions"][0]["registered_by"] == "co1"


def test_the_office_downloads_the_notice_with_the_keyboard(site, person_page, shot):
    """The period's notice of the committee's agencies, as rewards stored it: XLSX and CSV
    downloads kept with the screenshots."""
    import io

    from openpyxl import load_workbook

    from tests.browser.conftest import ARTIFACTS
    from tests.service.gateway.test_console_board import load_roster
    from tests.service.gateway.test_console_office import year_ready
    from tests.waiting import wait_for

    url = site.url
    rpc = SiteRpc(site)
    load_roster(rpc)
    year_ready(rpc)
    site.rpc("scoring", "run_rating", {"period": "2026", "scope": "cnty", "rating_date": "2026-11-20"})

    def settled():
        try:
            return site.rpc("rewards", "notice", {"period": "2026"})
        except AssertionError:
            return None
    wait_for(settled, timeout=60)
    page = person_page("office1", "co1", WIDE)
    page.goto(f"{url}/console/board")
    page.wait_for_selector("#office-notices")
    page.focus("#office-notices")
    page.keyboard.press("Enter")
    on(page, "#notices", f"{url}/console/office/notices")
    expect(page.locator("#notices tr[data-period='2026']")).to_contain_text("津市市公安局")
    shot(page, "office_notices", full_page=True)

    page.focus("#xlsx-2026")
    with page.expect_download() as got:
        page.keyboard.press("Enter")
    download = got.value
    assert download.suggested_filename == "notice_2026_cnty.xlsx"
    path = ARTIFACTS / "test_the_office_downloads_the_notice_with_the_keyboard__notice_2026_cnty.xlsx"
    download.save_as(path)
    assert "津市市公安局" in load_workbook(io.BytesIO(path.read_bytes())).sheetnames
    page.focus("#csv-2026")
    with page.expect_download() as got:
        page.keyboard.press("Enter")
    text = got.value.path().read_bytes().decode("utf-8-sig")
    assert text.startswith("发放单位,") and "\nps,o3," in text.replace("\r\n", "\n")
