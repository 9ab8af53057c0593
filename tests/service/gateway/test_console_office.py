"""The committee office's rating pages over HTTP (issue 22 item 4): the county committee's office
runs the annual rating, looks at the preview (per agency who gets how many stars; nothing stored),
publishes exactly what it looked at; a preview gone stale is refused beside the button; the
period is checked beside its field; an agency's head and a committee member are refused like a
missing page, and another county's office previews only its own agencies."""
import re

import pytest

from services.gateway.signin import SignInKit
from tests.service.gateway import city, public_city
from tests.service.gateway.test_console import PASSWORD, signed_in
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
def office(start_gateway):
    url, suite = start_gateway(city.classes(), GATEWAY_PUBLIC_SECRET="test-secret-of-the-console-pages")
    public_city.load(suite, campaign=False)
    kit = next(dep for container in suite.runner.containers for dep in container.dependencies
               if isinstance(dep, SignInKit))
    for login, person in (("office1", "co1"), ("office2", "co2"), ("head", "h"), ("member", "cm1")):
        kit.store.add(login, person, PASSWORD)
    with suite.rpc() as rpc:
        load_roster(rpc)
        rpc.roster.create_staff({"staff": [{"id": "cm1", "name": "政法委委员", "unit": "cnty",
                                            "position": "leader", "joined": "2015-01-01"}]})
        year_ready(rpc)
    return url, suite


def _rating(suite, unit="ps", period="2026"):
    with suite.rpc() as rpc:
        try:
            return rpc.scoring.unit_results({"unit": unit, "period": period})
        except Exception as err:              # NotFound travels as a LianbaoError
            if "no rating" in str(err):
                return None
            raise


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
