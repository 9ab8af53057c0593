"""The mentor's console over HTTP (issue 22 item 2): a mentor sees his mentees' evaluations waiting
for review and reviews one (further deductions, a reason for each), and marks their daily logs
reviewed; another mentor's mentee is refused like a missing page; every POST needs the CSRF token
and nothing is written from a refused form.  In a browser: tests/browser/test_console_browser.py."""
import re
from datetime import date, timedelta

import pytest

from tests.service.gateway import public_city
from tests.service.gateway.conftest import evaluation_of, form_fields, signed_in

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def console(console_gateway):
    return console_gateway({"zhang3": "o3",      # c2's mentee
                            "chief2": "c2",      # mentors o3 (and o4)
                            "chief1": "c1"})     # mentors o1 and o2


def _submit_o3(suite, month):
    with suite.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": "o3", "subject": "o3", "month": month,
                                            "as_of": date.today().isoformat(), "item_scores": {}})


def test_a_mentor_reviews_his_mentees_month_with_a_reason_for_each_deduction(console):
    url, suite = console
    month = public_city.open_month()
    s, _ = signed_in(url, "chief2")
    home = s.get(f"{url}/console", timeout=30)
    assert home.status_code == 200 and 'id="nav-mentor"' not in home.text     # nothing waits yet
    _submit_o3(suite, month)
    home = s.get(f"{url}/console", timeout=30)
    assert 'href="/console/mentor" id="nav-mentor">联带审核 (1)' in home.text
    page = s.get(f"{url}/console/mentor", timeout=30)
    assert page.status_code == 200 and f'data-evaluation="officer:o3:{month}"' in page.text
    assert f'href="/console/mentor/review/o3/{month}"' in page.text

    # another mentor: o3's month is not his to review (like a missing page), nor o3's own
    other, _ = signed_in(url, "chief1")
    assert other.get(f"{url}/console/mentor/review/o3/{month}", timeout=30).status_code == 404
    assert f"officer:o3:{month}" not in other.get(f"{url}/console/mentor", timeout=30).text
    mentee, _ = signed_in(url, "zhang3")
    assert mentee.get(f"{url}/console/mentor/review/o3/{month}", timeout=30).status_code == 404

    form = s.get(f"{url}/console/mentor/review/o3/{month}", timeout=30)
    assert form.status_code == 200 and 'name="deduct.political.study"' in form.text
    csrf = form_fields(form.text)["csrf"]
    target = f"{url}/console/mentor/review/o3/{month}"
    # no CSRF token: 403, nothing written
    r = s.post(target, data={"deduct.political.study": "1", "reason.political.study": "x"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 403 and evaluation_of(suite, "o3", month)["state"] == "submitted"
    # a deduction without its reason, points over the maximum: on the form beside the field
    r = s.post(target, data={"csrf": csrf, "deduct.political.study": "2", "deduct.integrity.bans": "99",
                             "reason.integrity.bans": "y"}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="reason.political.study"' in r.text
    assert 'data-field="deduct.integrity.bans"' in r.text and 'value="2"' in r.text
    assert evaluation_of(suite, "o3", month)["state"] == "submitted"
    # with the reason: reviewed as c2, the deduction and its reason stored
    r = s.post(target, data={"csrf": csrf, "deduct.political.study": "2", "reason.political.study": "学习笔记缺两次",
                             "note": "其余属实"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console/mentor?reviewed=o3:{month}"
    ev = evaluation_of(suite, "o3", month)
    assert (ev["state"], ev["score"], ev["self_score"]) == ("reviewed", 98.0, 100.0)
    assert ev["deductions"][-1] == {"id": "review.political.study", "items": ["political.study"],
                                    "points": "2", "note": "学习笔记缺两次"}
    assert (ev["trail"][-1]["action"], ev["trail"][-1]["actor"], ev["trail"][-1]["note"]) == ("review", "c2", "其余属实")
    page = s.get(f"{url}/console/mentor?reviewed=o3:{month}", timeout=30)
    assert 'id="reviewed"' in page.text and 'id="no-review"' in page.text
    # reviewed: the form is gone (nothing to review twice)
    assert s.get(target, timeout=30).status_code == 404


def test_a_mentor_marks_his_mentees_daily_logs_reviewed(console):
    url, suite = console
    today = date.today()
    day = (today - timedelta(days=1)).isoformat()
    with suite.rpc() as rpc:
        rpc.scoring.write_daily_logs({"as_of": today.isoformat(), "logs": [
            {"person": "o3", "date": day, "text": "走访辖区商户"},
            {"person": "o1", "date": day, "text": "值班"}]})
    s, _ = signed_in(url, "chief2")
    page = s.get(f"{url}/console/mentor", timeout=30)
    assert f'data-log="o3|{day}"' in page.text and "走访辖区商户" in page.text
    assert f'data-log="o1|{day}"' not in page.text            # c1's mentee
    csrf = form_fields(page.text)["csrf"]
    r = s.post(f"{url}/console/mentor/logs", data={"log.0": f"o3|{day}"}, allow_redirects=False, timeout=30)
    assert r.status_code == 403
    r = s.post(f"{url}/console/mentor/logs", data={"csrf": csrf}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="log"' in r.text
    # a field given twice is not a form of the page: 400, not the console failing
    r = s.post(f"{url}/console/mentor/logs", data=[("csrf", csrf), ("log.0", f"o3|{day}"), ("log.0", f"o3|{day}")],
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "log.0" in r.text
    # one log that is not his among his own: refused whole, nothing written
    r = s.post(f"{url}/console/mentor/logs", data={"csrf": csrf, "log.0": f"o3|{day}", "log.1": f"o1|{day}"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "o1" in re.search(r'id="log-error"[^>]*>([^<]*)<', r.text).group(1)
    with suite.rpc() as rpc:
        assert [lg["person"] for lg in rpc.scoring.waiting_for({"person": "c2"})["logs"]] == ["o3"]
    r = s.post(f"{url}/console/mentor/logs", data={"csrf": csrf, "log.0": f"o3|{day}", "comment": "好"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/console/mentor?logs=1"
    with suite.rpc() as rpc:
        assert rpc.scoring.waiting_for({"person": "c2"})["logs"] == []
        assert [lg["person"] for lg in rpc.scoring.waiting_for({"person": "c1"})["logs"]] == ["o1"]
    page = s.get(f"{url}/console/mentor?logs=1", timeout=30)
    assert 'id="logs-reviewed"' in page.text and 'id="no-logs"' in page.text


def test_a_mentor_sees_who_in_his_section_has_no_current_pairing(console):
    """Issue 22 item 2: the roster's pairs of the day; o4 (s2) has none, o3 is c2's mentee; o2 has
    none either but sits in another section: not on c2's page."""
    from tests.service.gateway.test_console_board import ROSTER_UNITS

    url, suite = console
    staff = [{"id": "c2", "name": "大队长2", "unit": "s2", "position": "chief", "joined": "2010-01-01"},
             {"id": "o3", "name": "干警3", "unit": "s2", "position": "officer", "joined": "2020-01-01"},
             {"id": "o4", "name": "干警4", "unit": "s2", "position": "officer", "joined": "2020-01-01"},
             {"id": "o2", "name": "干警2", "unit": "s1", "position": "officer", "joined": "2020-01-01"}]
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": ROSTER_UNITS, "effective": "2000-01-01"})
        rpc.roster.create_staff({"staff": staff})
        rpc.roster.assign_mentor({"mentor": "c2", "mentee": "o3", "start": "2020-01-01"})
    s, _ = signed_in(url, "chief2")
    page = s.get(f"{url}/console/mentor", timeout=30)
    assert page.status_code == 200
    unpaired = page.text.split('<table id="unpaired">')[1].split("</table>")[0]
    assert '<tr data-position="officer"><td>干警</td><td><span data-person="o4">o4</span></td></tr>' in unpaired
    assert 'data-person="o3"' not in unpaired and 'data-person="o2"' not in unpaired
    assert '<tr data-position="chief">' in unpaired            # c2 himself: no mentor in the roster
    with suite.rpc() as rpc:
        rpc.roster.assign_mentor({"mentor": "c2", "mentee": "o4", "start": "2020-01-01"})
    assert 'data-person="o4"' not in s.get(f"{url}/console/mentor", timeout=30).text
    # a person the roster does not know (c1): nothing listed, said so
    other, _ = signed_in(url, "chief1")
    assert 'id="unpaired-unknown"' in other.get(f"{url}/console/mentor", timeout=30).text
