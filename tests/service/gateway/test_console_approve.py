"""Approval in the console over HTTP (issue 22 item 3, first part): a member of the leading group sees
the reviewed evaluations waiting for his approval — never his own, his mentee's nor one he reviewed —
and approves the checked ones at once; a forged choice refuses the whole form, nothing written."""
from datetime import date

import pytest

from tests.service.gateway import public_city
from tests.service.gateway.conftest import evaluation_of, form_fields, signed_in

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def console(console_gateway):
    url, suite = console_gateway({"leader3": "l3", "leader1": "l1", "chief2": "c2"})
    month = public_city.open_month()
    today = date.today().isoformat()
    with suite.rpc() as rpc:
        for subject, mentor in (("o3", "c2"), ("l3", "h")):
            rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": month,
                                                "as_of": today, "item_scores": {}})
            rpc.scoring.review({"actor": mentor, "subject": subject, "month": month, "as_of": today})
    return url, suite, month


def test_a_member_approves_the_checked_evaluations_never_his_own(console):
    url, suite, month = console
    s, _ = signed_in(url, "leader3")
    home = s.get(f"{url}/console", timeout=30)
    assert 'href="/console/approve" id="nav-approve">考核审定 (1)' in home.text
    page = s.get(f"{url}/console/approve", timeout=30)
    assert page.status_code == 200 and f'data-evaluation="officer:o3:{month}"' in page.text
    assert f'data-evaluation="officer:l3:{month}"' not in page.text           # his own
    csrf = form_fields(page.text)["csrf"]
    chief, _ = signed_in(url, "chief2")                                       # not a member
    assert 'id="no-approve"' in chief.get(f"{url}/console/approve", timeout=30).text

    r = s.post(f"{url}/console/approve", data={"ev.0": f"officer:o3:{month}"}, allow_redirects=False, timeout=30)
    assert r.status_code == 403
    r = s.post(f"{url}/console/approve", data={"csrf": csrf}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="ev"' in r.text
    # his own slipped in beside o3's: the whole form refused, nothing approved
    r = s.post(f"{url}/console/approve", data={"csrf": csrf, "ev.0": f"officer:o3:{month}",
                                               "ev.1": f"officer:l3:{month}"}, allow_redirects=False, timeout=30)
    assert r.status_code == 400 and f"officer:l3:{month}" in r.text
    assert evaluation_of(suite, "o3", month)["state"] == "reviewed"
    assert evaluation_of(suite, "l3", month)["state"] == "reviewed"

    r = s.post(f"{url}/console/approve", data={"csrf": csrf, "ev.0": f"officer:o3:{month}", "note": "同意"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/console/approve?approved=1"
    ev = evaluation_of(suite, "o3", month)
    assert (ev["state"], ev["trail"][-1]["actor"], ev["trail"][-1]["note"]) == ("approved", "l3", "同意")
    page = s.get(f"{url}/console/approve?approved=1", timeout=30)
    assert 'id="approved"' in page.text and 'id="no-approve"' in page.text

    # another member approves l3's own month
    other, csrf1 = signed_in(url, "leader1")
    page = other.get(f"{url}/console/approve", timeout=30)
    assert f'data-evaluation="officer:l3:{month}"' in page.text
    r = other.post(f"{url}/console/approve", data={"csrf": form_fields(page.text)["csrf"],
                                                   "ev.0": f"officer:l3:{month}"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and evaluation_of(suite, "l3", month)["state"] == "approved"
