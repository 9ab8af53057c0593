"""The leading group's page over HTTP (issue 22 item 3): a member of the body's leading group posts
the month's notice, answers the public's objections, files the month by the 15th, ranks it good /
middle / poor and sees the rectifications the poor owe; a person in no leading group is refused
like a missing page, and the page never names another body."""
from datetime import date

import pytest

from services.gateway.console import filing_deadline
from tests.service.gateway import public_city
from tests.service.gateway.conftest import PASSWORD, evaluation_of, form_fields, sign_in_kit, signed_in

pytestmark = pytest.mark.timeout(180)
FEB = public_city.CLOSED_MONTH


def leaders_month(rpc, month, on):
    """The three leaders' month, self-assessed, reviewed by the head, approved by another leader
    (l1 100, l2 99, l3 98: so ranked good, middle, poor), posted by the head the same day."""
    for subject, study, approver in (("l1", 8, "l2"), ("l2", 7, "l3"), ("l3", 6, "l1")):
        rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": month, "as_of": on,
                                            "item_scores": {"political.study": study}})
        rpc.scoring.review({"actor": "h", "subject": subject, "month": month, "as_of": on})
        rpc.scoring.approve({"actor": approver, "subject": subject, "month": month, "as_of": on})
    rpc.scoring.publish_notice({"actor": "h", "evaluator": "ps", "month": month, "as_of": on})


@pytest.fixture
def console(console_gateway):
    url, suite = console_gateway({"leader3": "l3", "zhang3": "o3", "county": "cs"})
    month = public_city.open_month()
    today = date.today().isoformat()
    with suite.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": "o3", "subject": "o3", "month": month, "as_of": today,
                                            "item_scores": {}})
        rpc.scoring.review({"actor": "c2", "subject": "o3", "month": month, "as_of": today})
        rpc.scoring.approve({"actor": "l1", "subject": "o3", "month": month, "as_of": today})
        leaders_month(rpc, FEB, "2026-03-02")
    return url, suite, month


def test_a_member_posts_the_notice_answers_an_objection_files_and_ranks(console):
    url, suite, month = console
    s, _ = signed_in(url, "leader3")
    home = s.get(f"{url}/console", timeout=30)
    assert 'id="nav-group">领导小组' in home.text
    page = s.get(f"{url}/console/group", timeout=30)
    assert page.status_code == 200 and f"{month} 月度考评" in page.text
    assert f'<strong id="deadline">{filing_deadline(month)}</strong>' in page.text
    days = (filing_deadline(month) - date.today()).days
    assert (f"距期限还有 {days} 天" if days > 0 else "今天是最后一天" if days == 0 else f"已逾期 {-days} 天") in page.text
    assert 'data-subject="o1"' in page.text and 'data-subject="o3"' not in page.text    # o3 approved only
    csrf = form_fields(page.text)["csrf"]

    r = s.post(f"{url}/console/group/notice", data={"csrf": csrf, "month": month}, allow_redirects=False,
               timeout=30)
    assert r.status_code == 303 and r.headers["Location"].startswith(f"/console/group?month={month}&posted=1&until=")
    assert evaluation_of(suite, "o3", month)["state"] == "on_notice"
    page = s.get(f"{url}{r.headers['Location']}", timeout=30)
    assert 'id="posted"' in page.text and 'data-subject="o3"' in page.text

    with suite.rpc() as rpc:
        rpc.scoring.public_object({"objection_id": "obj-0001-o1", "evaluator": "ps", "month": month,
                                   "subject": "o1", "text": "该同志本月有迟到情况", "contact": "13800000000"})
    page = s.get(f"{url}/console/group", timeout=30)
    assert 'data-objection="obj-0001-o1"' in page.text and "该同志本月有迟到情况" in page.text
    r = s.post(f"{url}/console/group/objections/obj-0001-o1", data={"csrf": csrf, "month": month,
                                                                     "answer": "经核实, 已按规定扣分"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="upheld"' in r.text and "经核实, 已按规定扣分" in r.text
    r = s.post(f"{url}/console/group/objections/obj-0001-o1",
               data={"csrf": csrf, "month": month, "answer": "经核实, 已按规定扣分", "upheld": "no"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console/group?month={month}&answered=1"
    page = s.get(f"{url}/console/group", timeout=30)
    assert "已答复" in page.text and "不成立: 经核实, 已按规定扣分" in page.text
    assert evaluation_of(suite, "o1", month)["state"] == "on_notice"                      # not upheld
    # another body's objection id: like a missing page
    r = s.post(f"{url}/console/group/objections/obj-9999-xx",
               data={"csrf": csrf, "month": month, "answer": "x", "upheld": "no"}, allow_redirects=False, timeout=30)
    assert r.status_code == 404

    # February: the leaders' notice ran out in March, not filed: l1's and l2's filed now, and late;
    # l3's own is left for another member
    r = s.post(f"{url}/console/group/file", data={"csrf": csrf, "month": FEB}, allow_redirects=False, timeout=30)
    assert r.status_code == 303
    assert r.headers["Location"] == f"/console/group?month={FEB}&filed=2&late=2&waiting=0&left=1"
    assert [evaluation_of(suite, p, FEB)["state"] for p in ("l1", "l2", "l3")] == ["filed", "filed", "on_notice"]
    assert "本人的考核, 由其他成员备案" in s.get(f"{url}{r.headers['Location']}", timeout=30).text
    r = s.post(f"{url}/console/group/rank", data={"csrf": csrf, "month": FEB}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console/group?month={FEB}&ranked=3"
    page = s.get(f"{url}/console/group?month={FEB}", timeout=30)
    assert 'data-group="leaders"' in page.text
    for subject, klass in (("l1", "good"), ("l2", "middle"), ("l3", "poor")):
        assert f'<tr data-subject="{subject}"><td class="n">' in page.text
        assert f'class="class-{klass}"' in page.text
    assert '<table id="rectifications">' in page.text and "待提交" in page.text


def test_a_step_refused_by_the_service_is_shown_beside_its_button(console):
    url, suite, month = console
    s, _ = signed_in(url, "leader3")
    csrf = form_fields(s.get(f"{url}/console/group", timeout=30).text)["csrf"]
    # the open month's notice ends in three working days: nothing to file yet, said so
    r = s.post(f"{url}/console/group/file", data={"csrf": csrf, "month": month}, allow_redirects=False, timeout=30)
    assert r.status_code == 303 and "filed=0" in r.headers["Location"]
    r = s.post(f"{url}/console/group/notice", data={"month": month}, allow_redirects=False, timeout=30)
    assert r.status_code == 403                                                          # no CSRF token
    r = s.post(f"{url}/console/group/notice", data={"csrf": csrf, "month": "2026-13"}, allow_redirects=False,
               timeout=30)
    assert r.status_code == 404


def test_a_person_in_no_leading_group_is_refused_and_another_body_sees_only_its_own(console):
    url, suite, month = console
    officer, _ = signed_in(url, "zhang3")
    assert 'id="nav-group"' not in officer.get(f"{url}/console", timeout=30).text
    r = officer.get(f"{url}/console/group", timeout=30)
    assert r.status_code == 404 and "不是领导小组成员" in r.text
    csrf = form_fields(officer.get(f"{url}/console", timeout=30).text)["csrf"]
    r = officer.post(f"{url}/console/group/notice", data={"csrf": csrf, "month": month}, allow_redirects=False,
                     timeout=30)
    assert r.status_code == 404
    # the county committee's head sits in the county's leading group: his page is the county's month
    county, _ = signed_in(url, "county")
    page = county.get(f"{url}/console/group", timeout=30)
    assert page.status_code == 200
    assert 'data-subject="o1"' not in page.text and 'data-subject="o3"' not in page.text
    assert "津市市公安局 ·" not in page.text


def test_the_poor_ranked_leader_submits_his_plan_and_another_member_files_it(console):
    """M§五(二)5: l3, poor among the leaders in February, gives the reason and his plan on the group's
    page (both required, said beside the field); he may not file his own; l1 files it."""
    url, suite, _ = console
    with suite.rpc() as rpc:
        rpc.scoring.file_month({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-11"})
        rpc.scoring.file_month({"actor": "l2", "evaluator": "ps", "month": FEB, "as_of": "2026-03-11"})
        rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-12"})
    sign_in_kit(suite).store.add("leader1", "l1", PASSWORD)
    s, _ = signed_in(url, "leader3")
    page = s.get(f"{url}/console/group?month={FEB}", timeout=30)
    assert 'id="rect-form-0"' in page.text and 'id="rect-file-0"' not in page.text
    csrf = form_fields(page.text)["csrf"]
    base = {"csrf": csrf, "month": FEB, "action": "submit"}
    r = s.post(f"{url}/console/group/rectifications/l3", data=dict(base, explanation="学习不够"),
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="plan"' in r.text and "学习不够" in r.text
    rect = lambda: next(x for x in suite_rpc(suite).scoring.rectifications({"evaluator": "ps", "month": FEB})  # noqa: E731
                        ["rectifications"] if x["subject"] == "l3")
    assert rect()["state"] == "owed"
    r = s.post(f"{url}/console/group/rectifications/l3",
               data=dict(base, explanation="学习不够", plan="每周集中学习一次"), allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console/group?month={FEB}&rect=submitted:l3"
    assert (rect()["state"], rect()["plan"]) == ("submitted", "每周集中学习一次")
    r = s.post(f"{url}/console/group/rectifications/l3", data={"csrf": csrf, "month": FEB, "action": "file"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="_form"' in r.text and rect()["state"] == "submitted"

    s1, _ = signed_in(url, "leader1")
    page = s1.get(f"{url}/console/group?month={FEB}", timeout=30)
    assert 'id="rect-file-0"' in page.text and 'id="rect-form-0"' not in page.text
    csrf1 = form_fields(page.text)["csrf"]
    r = s1.post(f"{url}/console/group/rectifications/l3", data={"csrf": csrf1, "month": FEB, "action": "file"},
                allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console/group?month={FEB}&rect=filed:l3"
    assert rect()["state"] == "filed"
    assert "l3 的整改措施已备案" in s1.get(f"{url}{r.headers['Location']}", timeout=30).text
    r = s1.post(f"{url}/console/group/rectifications/nobody", data={"csrf": csrf1, "month": FEB, "action": "file"},
                allow_redirects=False, timeout=30)
    assert r.status_code == 404 and "页面不存在" in r.text


class suite_rpc:     # noqa: N801 — a one-call proxy: ``suite_rpc(suite).scoring.method(payload)``
    def __init__(self, suite, service=None):
        self._suite, self._service = suite, service

    def __getattr__(self, name):
        if self._service is None:
            return suite_rpc(self._suite, name)

        def call(payload):
            with self._suite.rpc() as rpc:
                return getattr(getattr(rpc, self._service), name)(payload)
        return call


def test_the_poor_ranked_finds_his_plan_owed_on_his_home_and_gives_it(console):
    """His home lists the rectification he owes (a leader here; a section's chief his section's), its
    form checks both fields beside them, scoring stores it; a person owing nothing gets 404."""
    url, suite, _ = console
    with suite.rpc() as rpc:
        for actor in ("l1", "l2"):
            rpc.scoring.file_month({"actor": actor, "evaluator": "ps", "month": FEB, "as_of": "2026-03-11"})
        rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-12"})
    s, _ = signed_in(url, "leader3")
    home = s.get(f"{url}/console", timeout=30).text
    assert f'href="/console/rectification/{FEB}/l3"' in home and "待提交" in home
    page = s.get(f"{url}/console/rectification/{FEB}/l3", timeout=30)
    assert page.status_code == 200 and 'id="rect-form"' in page.text
    csrf = form_fields(page.text)["csrf"]
    r = s.post(f"{url}/console/rectification/{FEB}/l3", data={"csrf": csrf, "plan": "每周集中学习一次"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="explanation"' in r.text and "每周集中学习一次" in r.text
    r = s.post(f"{url}/console/rectification/{FEB}/l3",
               data={"csrf": csrf, "explanation": "学习不够", "plan": "每周集中学习一次"}, allow_redirects=False,
               timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console?rect=l3:{FEB}"
    with suite.rpc() as rpc:
        [rect] = [x for x in rpc.scoring.rectifications({"evaluator": "ps", "month": FEB})["rectifications"]
                  if x["subject"] == "l3"]
    assert (rect["state"], rect["explanation"]) == ("submitted", "学习不够")
    assert "整改措施已提交" in s.get(f"{url}{r.headers['Location']}", timeout=30).text

    officer, ocsrf = signed_in(url, "zhang3")
    assert "/console/rectification/" not in officer.get(f"{url}/console", timeout=30).text
    assert officer.get(f"{url}/console/rectification/{FEB}/l3", timeout=30).status_code == 404
    r = officer.post(f"{url}/console/rectification/{FEB}/l3",
                     data={"csrf": ocsrf, "explanation": "x", "plan": "y"}, allow_redirects=False, timeout=30)
    assert r.status_code == 404


def sections_month(rpc, month, on):
    """The three sections' month, self-assessed by their chiefs, reviewed by the leader who
    supervises the section, approved by another leader (s1 100, s2 99, s3 98: so ranked good,
    middle, poor), posted by the head the same day."""
    for section, chief, rules, reviewer, approver in (("s1", "c1", 10, "l1", "l2"), ("s2", "c2", 9, "l2", "l3"),
                                                      ("s3", "c3", 8, "l3", "l1")):
        rpc.scoring.submit_self_assessment({"actor": chief, "subject": section, "kind": "section", "month": month,
                                            "as_of": on, "item_scores": {"management.rules": rules}})
        rpc.scoring.review({"actor": reviewer, "subject": section, "kind": "section", "month": month, "as_of": on})
        rpc.scoring.approve({"actor": approver, "subject": section, "kind": "section", "month": month, "as_of": on})
    rpc.scoring.publish_notice({"actor": "h", "evaluator": "ps", "month": month, "as_of": on})


def test_the_chief_of_a_poor_ranked_section_finds_its_plan_on_his_home_and_gives_it(console):
    """M§五(二)5 for a section: s3, poor among the sections in February, owes a plan; its chief c3
    (the roster has him in s3) finds it on his home, gives it there, another member (l1) files it;
    c1, the chief of another section, is not shown it and gets 404 like a missing page."""
    from tests.service.gateway.test_console_board import ROSTER_UNITS

    url, suite, _ = console
    kit = sign_in_kit(suite)
    kit.store.add("chief3", "c3", PASSWORD)
    kit.store.add("chief1", "c1", PASSWORD)
    kit.store.add("leader1", "l1", PASSWORD)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": ROSTER_UNITS, "effective": "2000-01-01"})
        rpc.roster.create_staff({"staff": [
            {"id": "c1", "name": "大队长1", "unit": "s1", "position": "chief", "joined": "2010-01-01"},
            {"id": "c3", "name": "大队长3", "unit": "s3", "position": "chief", "joined": "2010-01-01"}]})
        sections_month(rpc, FEB, "2026-03-02")
        for actor in ("l1", "l2"):
            rpc.scoring.file_month({"actor": actor, "evaluator": "ps", "month": FEB, "as_of": "2026-03-11"})
        rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-12"})
        owed = [(x["subject"], x["state"]) for x in rpc.scoring.rectifications({"evaluator": "ps", "month": FEB})
                ["rectifications"]]
    assert ("s3", "owed") in owed and not any(s in ("s1", "s2", "c3") for s, _ in owed)

    s, _ = signed_in(url, "chief3")
    home = s.get(f"{url}/console", timeout=30).text
    assert 'id="rectifications"' in home and f'data-rect="s3|{FEB}"' in home
    assert f'href="/console/rectification/{FEB}/s3"' in home and "待提交" in home
    page = s.get(f"{url}/console/rectification/{FEB}/s3", timeout=30)
    assert page.status_code == 200 and 'id="rect-form"' in page.text and "s3 · 2026-02 整改措施" in page.text
    csrf = form_fields(page.text)["csrf"]
    r = s.post(f"{url}/console/rectification/{FEB}/s3", data={"csrf": csrf, "explanation": "案件质量不高"},
               allow_redirects=False, timeout=30)
    assert r.status_code == 400 and 'data-field="plan"' in r.text and "案件质量不高" in r.text
    r = s.post(f"{url}/console/rectification/{FEB}/s3",
               data={"csrf": csrf, "explanation": "案件质量不高", "plan": "每案双人复核"}, allow_redirects=False,
               timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console?rect=s3:{FEB}"
    rect = lambda: next(x for x in suite_rpc(suite).scoring.rectifications({"evaluator": "ps", "month": FEB})  # noqa: E731
                        ["rectifications"] if x["subject"] == "s3")
    assert (rect()["state"], rect()["explanation"], rect()["plan"]) == ("submitted", "案件质量不高", "每案双人复核")
    home = s.get(f"{url}{r.headers['Location']}", timeout=30).text
    assert "整改措施已提交" in home and "已提交, 待备案" in home and "修改整改措施" in home

    # the chief of another section: not on his home, 404 for the page and the form
    other, ocsrf = signed_in(url, "chief1")
    assert "/console/rectification/" not in other.get(f"{url}/console", timeout=30).text
    assert other.get(f"{url}/console/rectification/{FEB}/s3", timeout=30).status_code == 404
    r = other.post(f"{url}/console/rectification/{FEB}/s3",
                   data={"csrf": ocsrf, "explanation": "x", "plan": "y"}, allow_redirects=False, timeout=30)
    assert r.status_code == 404 and rect()["plan"] == "每案双人复核"

    # another member of the body files it on the group's page; then it is gone from the chief's home
    s1, _ = signed_in(url, "leader1")
    page = s1.get(f"{url}/console/group?month={FEB}", timeout=30)
    csrf1 = form_fields(page.text)["csrf"]
    r = s1.post(f"{url}/console/group/rectifications/s3", data={"csrf": csrf1, "month": FEB, "action": "file"},
                allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == f"/console/group?month={FEB}&rect=filed:s3"
    assert rect()["state"] == "filed"
    assert "/console/rectification/" not in s.get(f"{url}/console", timeout=30).text
    assert s.get(f"{url}/console/rectification/{FEB}/s3", timeout=30).status_code == 404
