"""退回 in the console over HTTP (issue 22 item 3): a member of the leading group sends an evaluation
waiting for his approval back to the mentor's review, one from its row or the checked ones, with a
reason (its error beside the field); it then waits again in the mentor's list."""
import re
from urllib.parse import quote

import pytest

from tests.service.gateway.conftest import evaluation_of, form_fields, signed_in
from tests.service.gateway.test_console_approve import console  # noqa: F401 (the fixture)

pytestmark = pytest.mark.timeout(180)


def test_a_member_sends_one_back_from_its_row_and_the_mentor_sees_it_again(console):  # noqa: F811
    url, suite, month = console
    o3 = f"officer:o3:{month}"
    s, _ = signed_in(url, "leader3")
    page = s.get(f"{url}/console/approve", timeout=30)
    assert f'href="/console/approve?back={quote(o3)}#send-back-one"' in page.text
    page = s.get(f"{url}/console/approve?back={quote(o3)}", timeout=30)
    assert 'id="send-back-one"' in page.text and f'name="back" value="{o3}"' in page.text
    # one not waiting for him (his own) gets no form
    assert 'id="send-back-one"' not in s.get(f"{url}/console/approve?back=officer:l3:{month}", timeout=30).text
    csrf = form_fields(page.text)["csrf"]
    form = {"csrf": csrf, "action": "send_back", "back": o3, "ev.0": o3}

    r = s.post(f"{url}/console/approve", data={**form, "reason": "  "}, allow_redirects=False, timeout=30)
    assert r.status_code == 400
    assert r.text.index('id="back-reason"') < r.text.index('<div class="field-error" data-field="reason">')
    assert evaluation_of(suite, "o3", month)["state"] == "reviewed"
    # his own slipped in: the whole form refused, nothing sent back
    r = s.post(f"{url}/console/approve", data={**form, "ev.1": f"officer:l3:{month}", "reason": "理由"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="ev"' in r.text
    assert evaluation_of(suite, "o3", month)["state"] == "reviewed"

    r = s.post(f"{url}/console/approve", data={**form, "reason": "扣分依据不足, 请核实"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/console/approve?sent_back=1"
    ev = evaluation_of(suite, "o3", month)
    assert ev["state"] == "submitted"
    assert {k: ev["trail"][-1][k] for k in ("action", "actor", "note", "signed_by")} == {
        "action": "send_back", "actor": "l3", "note": "扣分依据不足, 请核实", "signed_by": "person:l3"}
    page = s.get(f"{url}/console/approve?sent_back=1", timeout=30)
    assert 'id="sent-back"' in page.text and f'data-evaluation="{o3}"' not in page.text

    mentor, _ = signed_in(url, "chief2")           # o3's mentor reviews it again
    page = mentor.get(f"{url}/console/mentor", timeout=30)
    assert f'data-evaluation="{o3}"' in page.text and "扣分依据不足, 请核实" in page.text


def test_a_member_sends_the_checked_ones_back_the_reason_required_beside_its_field(console):  # noqa: F811
    url, suite, month = console
    l3 = f"officer:l3:{month}"
    s, _ = signed_in(url, "leader1")              # l3's own month waits for another member
    page = s.get(f"{url}/console/approve", timeout=30)
    csrf = form_fields(page.text)["csrf"]
    checked = re.findall(rf'name="(ev\.\d+)" value="{l3}"', page.text)
    assert checked and 'id="send-back-submit"' in page.text
    r = s.post(f"{url}/console/approve", data={"csrf": csrf, "action": "send_back", checked[0]: l3},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400
    assert r.text.index('id="reason"') < r.text.index('<div class="field-error" data-field="reason">')
    assert evaluation_of(suite, "l3", month)["state"] == "reviewed"
    r = s.post(f"{url}/console/approve", data={"csrf": csrf, "action": "send_back", checked[0]: l3,
                                               "reason": "请补充材料"}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/console/approve?sent_back=1"
    ev = evaluation_of(suite, "l3", month)
    assert (ev["state"], ev["trail"][-1]["action"], ev["trail"][-1]["note"]) == ("submitted", "send_back", "请补充材料")
