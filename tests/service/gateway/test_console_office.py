"""The committee office's rating pages over HTTP (issue 22 item 4): the county committee's office
runs the annual rating, looks at the preview (per agency who gets how many stars; nothing stored),
publishes exactly what it looked at; a preview gone stale is refused beside the button; the
period is checked beside its field; an agency's head and a committee member are refused like a
missing page, and another county's office previews only its own agencies."""
import re

import pytest

from tests.service.gateway.conftest import read_or_none, signed_in
from tests.service.gateway.test_console_board import load_roster
from tests.service.scoring.conftest import drive_month

pytestmark = pytest.mark.timeout(240)


def year_ready(rpc):
    """January through every step (o2 94, o3 97, everyone else 100) and the bureau's evaluation:
    what the annual rating reads, nothing rated yet."""
    drive_month(rpc, "2026-01", {"o2": {"political.study": 2}, "o3": {"political.study": 5}},
                submit_on="2026-02-02", file_on="2026-02-09", skip=("h",))
    rpc.scoring.record_agency_evaluation({
        "agency": "ps", "year": 2026, "group": "county",
        "standards": {"structures": 16, "mentoring": 15, "joint_work": 14, "rules_and_bans": 16,
                      "central_tasks": 15, "effectiveness": 14}})


@pytest.fixture
def office(console_gateway):
    url, suite = console_gateway({"office1": "co1", "office2": "co2", "head": "h", "member": "cm1"})
    with suite.rpc() as rpc:
        load_roster(rpc)
        rpc.roster.create_staff({"staff": [{"id": "cm1", "name": "政法委委员", "unit": "cnty",
                                            "position": "leader", "joined": "2015-01-01"}]})
        year_ready(rpc)
    return url, suite


def _rating(suite, unit="ps", period="2026"):
    return read_or_none(suite, "scoring", "unit_results", {"unit": unit, "period": period}, "no rating")


def test_the_office_previews_then_publishes_the_annual_rating(office):
    url, suite = office
    s, csrf = signed_in(url, "office1")
    form = s.get(f"{url}/console/office/rating", timeout=30)
    assert form.status_code == 200 and 'id="rating-form"' in form.text and 'value="2026"' in form.text

    bad = s.get(f"{url}/console/office/rating?period=2026H2", timeout=30)
    assert bad.status_code == 400
    assert re.search(r'data-field="period">[^<]*考评期间', bad.text) and 'id="preview"' not in bad.text

    page = s.get(f"{url}/console/office/rating?period=2026&rating_date=2026-11-20", timeout=60)
    assert page.status_code == 200, page.text
    row = page.text.split('<tr data-agency="ps">')[1].split("</tr>")[0]
    assert '<td class="n" data-stars="5">8</td>' in row and '<td class="n" data-stars="4">1</td>' in row
    assert "类" in row                                   # the bureau's class
    assert '<tr data-officer="o2">' in page.text and "津市市人民法院" not in page.text.split('id="preview"')[0]
    assert _rating(suite) is None                         # the preview stored nothing
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page.text).group(1)

    stale = s.post(f"{url}/console/office/rating", data={"csrf": csrf, "period": "2026", "rating_date": "2026-11-20",
                                                        "digest": "0" * 64}, allow_redirects=False, timeout=60)
    assert stale.status_code == 409 and 'data-field="digest"' in stale.text and _rating(suite) is None
    no_csrf = s.post(f"{url}/console/office/rating", data={"period": "2026", "digest": digest},
                     allow_redirects=False, timeout=30)
    assert no_csrf.status_code == 403 and _rating(suite) is None

    done = s.post(f"{url}/console/office/rating", data={"csrf": csrf, "period": "2026", "rating_date": "2026-11-20",
                                                       "digest": digest}, allow_redirects=False, timeout=60)
    assert done.status_code == 303, done.text
    assert done.headers["Location"].startswith("/console/office/rating?period=2026&published=2026%3Acnty%3A1")
    stored = _rating(suite)
    assert stored["rating_id"] == "2026:cnty:1"
    assert sum(1 for o in stored["officers"] if o.get("stars") == 5) == 8
    after = s.get(url + done.headers["Location"], timeout=60)
    assert 'id="published"' in after.text and 'id="unchanged"' in after.text
    assert re.search(r'id="publish-submit"\s+disabled', after.text)


def test_only_the_office_of_the_committee_may_and_only_its_own_agencies(office):
    url, suite = office
    for login in ("head", "member"):
        other, _ = signed_in(url, login)
        r = other.get(f"{url}/console/office/rating?period=2026", timeout=30)
        assert r.status_code == 404 and "页面不存在" in r.text and 'id="preview"' not in r.text
    other, csrf = signed_in(url, "office2")
    page = other.get(f"{url}/console/office/rating?period=2026", timeout=60)
    assert page.status_code == 200 and "津市市公安局" not in page.text and 'data-officer="o2"' not in page.text
    r = other.post(f"{url}/console/office/rating", data={"csrf": csrf, "period": "2026", "digest": "a" * 64},
                   allow_redirects=False, timeout=60)
    assert r.status_code in (400, 409) and _rating(suite) is None


PACK_YAML = """\
format: lianbao-rule-pack/1
version: 1
effective_from: "2026"
title: 公安局星级标准
rules:
  cutoffs: {5: 98, 4: 91}
"""


def _post_pack(s, url, csrf, **fields):
    return s.post(f"{url}/console/office/packs", data={"csrf": csrf, "agency": "ps", "period": "2026", **fields},
                  allow_redirects=False, timeout=60)


def test_the_office_reviews_an_agencys_rule_pack_then_adopts_it(office):
    """Issue 22 item 4: a pack that breaks the city's guardrails is refused beside the field with
    every problem; a good one is previewed (who changes stars and why, against the city's rules) with
    nothing stored; adopted, it is the agency's version 1, registered by the office's person."""
    url, suite = office
    s, csrf = signed_in(url, "office1")
    page = s.get(f"{url}/console/office/packs?agency=ps", timeout=30)
    assert page.status_code == 200 and 'id="pack-form"' in page.text and 'id="no-versions"' in page.text

    bad_yaml = _post_pack(s, url, csrf, pack="rules: [", action="preview")
    assert bad_yaml.status_code == 400 and re.search(r'data-field="pack">[^<]*YAML', bad_yaml.text)
    bad = _post_pack(s, url, csrf, pack=PACK_YAML.replace("{5: 98, 4: 91}", "{5: 80, 4: 91}"), action="preview")
    assert bad.status_code == 422 and 'data-problem="pack.rules.cutoffs' in bad.text and 'id="preview"' not in bad.text

    seen = _post_pack(s, url, csrf, pack=PACK_YAML, action="preview")
    assert seen.status_code == 200, seen.text
    # January: o3's 97 had five stars under the city's 95, four at 98 (o2's 94 keeps four, 100 keeps five)
    assert '<span id="change-count">1 个对象有变化</span>' in seen.text
    row = seen.text.split('<tr data-subject="o3">')[1].split("</tr>")[0]
    assert "5 星 · 97.0 分" in row and "4 星 · 97.0 分" in row and "pack:ps/v1:rules.cutoffs" in row
    assert "不再适用: 5 stars by the cut-offs" in row
    assert "现行 10100 元 → 报来 9100 元" in seen.text
    with suite.rpc() as rpc:
        assert rpc.scoring.pack_history({"agency": "ps"})["versions"] == []          # nothing stored
    reviewed = re.search(r'name="reviewed" value="([0-9a-f]{64})"', seen.text).group(1)

    edited = _post_pack(s, url, csrf, pack=PACK_YAML + "# changed\n", reviewed=reviewed, action="adopt")
    assert edited.status_code == 400 and 'data-field="adopt"' in edited.text
    done = _post_pack(s, url, csrf, pack=PACK_YAML, reviewed=reviewed, action="adopt")
    assert done.status_code == 303 and "adopted=1&created=1" in done.headers["Location"]
    with suite.rpc() as rpc:
        version = rpc.scoring.pack_history({"agency": "ps"})["versions"][0]
    assert (version["version"], version["registered_by"], version["document"]["rules"]["cutoffs"]["5"]) == (1, "co1", 98)
    after = s.get(url + done.headers["Location"], timeout=30)
    assert 'id="adopted"' in after.text and '<tr data-version="1">' in after.text


def test_only_the_office_reviews_packs_and_only_of_its_agencies(office):
    url, suite = office
    head, csrf = signed_in(url, "head")
    assert head.get(f"{url}/console/office/packs?agency=ps", timeout=30).status_code == 404
    r = _post_pack(head, url, csrf, pack=PACK_YAML, action="preview")
    assert r.status_code == 404 and 'id="preview"' not in r.text
    other, csrf2 = signed_in(url, "office2")
    assert other.get(f"{url}/console/office/packs?agency=ps", timeout=30).status_code == 404
    r = _post_pack(other, url, csrf2, pack=PACK_YAML, reviewed="0" * 64, action="adopt")
    assert r.status_code == 404
    with suite.rpc() as rpc:
        assert rpc.scoring.pack_history({"agency": "ps"})["versions"] == []


def _settled(suite, period="2026"):
    """Wait for rewards to settle the rating scoring published (its event)."""
    from tests.waiting import wait_for

    def notice():
        with suite.rpc(as_operator="ops") as rpc:
            try:
                return rpc.rewards.notice({"period": period})
            except Exception as err:             # NotFound until the event is handled
                if "nothing settled" in str(err):
                    return None
                raise
    return wait_for(notice, timeout=60)


def test_the_office_downloads_its_agencies_notice_as_xlsx_and_csv(office):
    """Issue 22 item 4: the period's notice of results and rewards as rewards stored it, for the
    committee's agencies only; rewards decides (it keeps the roster's tree and posts): another
    county's office is refused the county's notice at rewards itself, an officer too."""
    import csv
    import io

    from openpyxl import load_workbook

    from shared.errors import Forbidden

    url, suite = office
    with suite.rpc() as rpc:
        rpc.scoring.run_rating({"period": "2026", "scope": "cnty", "rating_date": "2026-11-20"})
    whole = _settled(suite)
    suite.wait_quiet(timeout=30)
    s, _ = signed_in(url, "office1")
    page = s.get(f"{url}/console/office/notices", timeout=60)
    assert page.status_code == 200 and 'id="xlsx-2026"' in page.text and 'id="csv-2026"' in page.text
    assert 'id="xlsx-2025H1"' not in page.text and 'id="xlsx-2025"' in page.text   # 2025H1: nothing settled

    book = s.get(f"{url}/console/office/notices/2026.xlsx", timeout=60)
    assert book.status_code == 200 and book.headers["Content-Disposition"].endswith('notice_2026_cnty.xlsx"')
    wb = load_workbook(io.BytesIO(book.content))
    assert wb.sheetnames == ["津市市委政法委", "津市市公安局", "发放汇总"]      # by the roster's names
    ps = wb["津市市公安局"]
    assert [c.value for c in ps[2]] == whole["headers"]
    assert sorted(r[0].value for r in ps.iter_rows(min_row=3)) == sorted(r[0] for r in whole["sheets"]["ps"])
    table = s.get(f"{url}/console/office/notices/2026.csv", timeout=60)
    assert table.status_code == 200 and table.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert rows[0] == ["发放单位", *whole["headers"]] and {r[0] for r in rows[1:]} == {"cnty", "ps"}
    assert any(r[1] == "o3" for r in rows[1:])
    assert s.get(f"{url}/console/office/notices/2025H1.csv", timeout=30).status_code == 404
    assert s.get(f"{url}/console/office/notices/2026H2.csv", timeout=30).status_code == 404

    other, _ = signed_in(url, "office2")
    assert other.get(f"{url}/console/office/notices/2026.xlsx", timeout=30).status_code == 404
    assert 'id="xlsx-2026"' not in other.get(f"{url}/console/office/notices", timeout=60).text
    head, _ = signed_in(url, "head")
    assert head.get(f"{url}/console/office/notices/2026.csv", timeout=30).status_code == 404
    for person in ("co2", "o3"):                   # rewards itself: outside their units
        with suite.rpc(as_person=person) as rpc:
            with pytest.raises(Forbidden):
                rpc.rewards.notice({"period": "2026", "unit": "cnty"})
    with suite.rpc(as_person="co1") as rpc:
        assert list(rpc.rewards.notice({"period": "2026", "unit": "cnty"})["sheets"]) == ["cnty", "ps"]
        with pytest.raises(Forbidden):              # the whole city's: the city's only
            rpc.rewards.notice({"period": "2026"})
