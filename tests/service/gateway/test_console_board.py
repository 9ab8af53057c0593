"""The committee office's board over HTTP (issue 22 item 4, first part): a staffer of the county
committee's office sees, for every agency under the committee, the month's filing against the 15th
(who is late), the eight targets (met / missed / no data), stars per agency as a chart and the
agencies' classes; a staffer of another committee sees only his own agencies; anyone not in a
committee is refused like a missing page."""
import pytest

from services.gateway.console import filing_deadline
from tests.service.gateway import public_city
from tests.service.gateway.conftest import signed_in
from tests.service.scoring.conftest import drive_month

pytestmark = pytest.mark.timeout(240)
FEB = public_city.CLOSED_MONTH

#: the roster's tree: scoring's small city (same ids), a court under the county committee with no
#: evaluations, and another county committee with its own bureau
ROSTER_UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee"},
    {"id": "cnty", "name": "津市市委政法委", "kind": "committee", "parent": "city"},
    {"id": "ps", "name": "津市市公安局", "kind": "agency", "parent": "cnty", "agency_type": "public_security"},
    {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "ps"},
    {"id": "s2", "name": "治安大队", "kind": "section", "parent": "ps"},
    {"id": "s3", "name": "法制大队", "kind": "section", "parent": "ps"},
    {"id": "cnty_office", "name": "委机关", "kind": "section", "parent": "cnty"},
    {"id": "court", "name": "津市市人民法院", "kind": "agency", "parent": "cnty", "agency_type": "court"},
    {"id": "cnty2", "name": "澧县县委政法委", "kind": "committee", "parent": "city"},
    {"id": "cnty2_office", "name": "委机关", "kind": "section", "parent": "cnty2"},
    {"id": "ps2", "name": "澧县公安局", "kind": "agency", "parent": "cnty2", "agency_type": "public_security"},
]
ROSTER_STAFF = [
    {"id": "co1", "name": "委机关干部", "unit": "cnty_office", "position": "officer", "joined": "2015-01-01"},
    {"id": "co2", "name": "澧县委机关干部", "unit": "cnty2_office", "position": "officer", "joined": "2015-01-01"},
    {"id": "h", "name": "局长", "unit": "ps", "position": "head", "joined": "2000-01-01"},
]


def load_roster(rpc):
    rpc.roster.save_units({"units": ROSTER_UNITS, "effective": "2000-01-01"})
    rpc.roster.create_staff({"staff": ROSTER_STAFF})
    # scoring's read model knows the office's staff too (its policy reads their roles there)
    rpc.scoring.upsert_people({"people": [{"id": p["id"], "agency": p["unit"].removesuffix("_office"),
                                           "position": p["position"], "joined": p["joined"]}
                                          for p in ROSTER_STAFF[:2]]})


def rate_the_year(rpc):
    """January through every step (o2 94, o3 97, everyone else 100), the bureau's own evaluation,
    then the county's annual rating: the bureau's officers rated (4 and 5 stars) and its class."""
    drive_month(rpc, "2026-01", {"o2": {"political.study": 2}, "o3": {"political.study": 5}},
                submit_on="2026-02-02", file_on="2026-02-09", skip=("h",))
    rpc.scoring.record_agency_evaluation({
        "agency": "ps", "year": 2026, "group": "county",
        "standards": {"structures": 16, "mentoring": 15, "joint_work": 14, "rules_and_bans": 16,
                      "central_tasks": 15, "effectiveness": 14}})
    return rpc.scoring.run_rating({"period": "2026", "scope": "cnty", "rating_date": "2026-11-20"})


@pytest.fixture
def console(console_gateway):
    url, suite = console_gateway({"office1": "co1", "office2": "co2", "head": "h", "zhang3": "o3"})
    with suite.rpc() as rpc:
        load_roster(rpc)
        rated = rate_the_year(rpc)
    return url, suite, rated


def test_the_office_sees_its_agencies_filing_targets_stars_and_classes(console):
    url, suite, rated = console
    s, _ = signed_in(url, "office1")
    assert 'id="nav-board">工作看板' in s.get(f"{url}/console", timeout=30).text
    page = s.get(f"{url}/console/board?month={FEB}", timeout=60)
    assert page.status_code == 200, page.text
    assert "津市市委政法委 · 工作看板" in page.text
    assert f'<strong id="deadline">{filing_deadline(FEB)}</strong>' in page.text and "期限已过" in page.text
    assert '<tr data-agency="ps">' in page.text and '<tr data-agency="court">' in page.text
    assert 'data-agency="ps2"' not in page.text and "澧县" not in page.text          # another county's
    # February: o1 filed on 11 March, on time; every other due subject of the bureau is late
    assert '<tr data-late="o3">' in page.text and 'data-late="o1"' not in page.text
    assert "0 / 2 个单位全部备案" in page.text
    # the eight targets: a column each per agency; the bureau's target 1 missed (nothing filed on time)
    assert page.text.count('data-target="1_management_rate"') == 2
    assert '<td data-target="1_management_rate"><span class="missed">未达标</span>' in page.text
    assert '<td data-target="8_public_satisfaction"><span class="nodata">无数据</span>' in page.text
    # stars per agency: the bureau's 9 rated officers, 8 with 5 stars and 1 with 4, as CSS bars
    ps_stars = page.text.split('<table id="stars-chart">')[1].split('</table>')[0]
    assert 'aria-label="5星 8 人; 4星 1 人; "' in ps_stars
    assert '<span class="s5" style="width:88.9%"' in ps_stars and '<span class="s4" style="width:11.1%"' in ps_stars
    assert '<td class="n">9</td>' in ps_stars and "4.89" in ps_stars
    agency = next(a for a in rated["result"]["agencies"] if a["id"] == "ps")
    classes = page.text.split('<table id="classes-table">')[1].split('</table>')[0]
    assert f"<td>{agency['class']} 类</td>" in classes and "未评定" in classes        # the court: none


def test_another_committee_sees_only_its_own_and_an_agency_head_is_refused(console):
    url, suite, _ = console
    other, _ = signed_in(url, "office2")
    page = other.get(f"{url}/console/board?month={FEB}", timeout=60)
    assert page.status_code == 200 and '<tr data-agency="ps2">' in page.text
    assert 'data-agency="ps"' not in page.text and "津市市公安局" not in page.text and 'data-late="o3"' not in page.text
    head, _ = signed_in(url, "head")
    assert 'id="nav-board"' not in head.get(f"{url}/console", timeout=30).text
    r = head.get(f"{url}/console/board", timeout=30)
    assert r.status_code == 404 and "不是政法委机关人员" in r.text
    officer, _ = signed_in(url, "zhang3")              # unknown to the roster
    assert officer.get(f"{url}/console/board", timeout=30).status_code == 404


def test_the_board_asks_a_handful_of_calls_whatever_the_number_of_agencies(console, monkeypatch):
    """Issue 22 item 4: the board's data is one call to scoring's committee board and one to each
    other owner of targets, never one per agency: ten more agencies under the committee, the same
    calls (their rows 无数据 until scoring's tree has them)."""
    from services.gateway import app

    url, suite, _ = console
    calls = []
    real = app._Upstream.call

    def counted(self, target, args=(), **kw):
        calls.append((target, dict(args[0]) if args and isinstance(args[0], dict) else None))
        return real(self, target, args, **kw)

    monkeypatch.setattr(app._Upstream, "call", counted)
    s, _ = signed_in(url, "office1")
    assert s.get(f"{url}/console/board?month={FEB}", timeout=60).status_code == 200
    first = sorted(target for target, _ in calls)
    assert first == sorted(["roster.get_staff", "roster.get_units", "scoring.committee_board", "roster.targets",
                            "training.targets", "survey.targets", "scoring.waiting_for"]), first
    assert not any((payload or {}).get("agency") or (payload or {}).get("unit") for _, payload in calls)
    # each owner's targets of the office's committee, never the whole city's
    assert [payload.get("committee") for target, payload in calls if target.endswith(".targets")] == ["cnty"] * 3

    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": ROSTER_UNITS + [
            {"id": f"extra{i}", "name": f"单位{i}", "kind": "agency", "parent": "cnty", "agency_type": "court"}
            for i in range(10)], "effective": "2000-01-01"})
    calls.clear()
    page = s.get(f"{url}/console/board?month={FEB}", timeout=60)
    assert page.status_code == 200 and page.text.count('<tr data-agency="extra') == 4 * 10
    assert sorted(target for target, _ in calls) == first
    assert '<td data-target="1_management_rate"><span class="missed">未达标</span>' in page.text   # still the bureau's


#: the units under each county committee in ROSTER_UNITS (itself included: the roster counts a
#: committee as a body of targets 2, 4-7)
UNDER = {"cnty": {"cnty", "ps", "court"}, "cnty2": {"cnty2", "ps2"}}
OWNERS = ("roster", "scoring", "training", "survey")


def test_each_owner_answers_a_county_office_its_own_agencies_targets_only(console):
    """The scope leak closed: a county committee's office reads each owner's targets of its own
    committee (the agencies under it on the day, no city row), is refused the whole city's and another
    county's (``Forbidden`` naming it, as any unit outside one's units); the city's caller (the
    operator, as ``lianbao targets``; a system of the root) still gets every agency and the city."""
    from shared.errors import Forbidden

    _, suite, _ = console
    suite.wait_quiet(timeout=60)            # the roster's staff reached every read model
    with suite.rpc(as_operator="ops") as rpc:
        city_wide = {o: getattr(rpc, o).targets({"year": 2026})["targets"] for o in OWNERS}
    with suite.rpc(as_system="city-sys", units={"city"}) as rpc:
        assert {o: getattr(rpc, o).targets({"year": 2026})["targets"] for o in OWNERS} == city_wide
    for owner in OWNERS:
        assert "city" in {t["agency"] for t in city_wide[owner]}, owner
    assert {"ps", "ps2", "court", "city"} <= {t["agency"] for t in city_wide["roster"]}
    for login, committee, other in (("co1", "cnty", "cnty2"), ("co2", "cnty2", "cnty")):
        with suite.rpc(as_person=login) as rpc:
            for owner in OWNERS:
                targets = getattr(rpc, owner).targets
                got = targets({"year": 2026, "committee": committee})["targets"]
                assert got == [t for t in city_wide[owner] if t["agency"] in UNDER[committee]], (owner, login)
                with pytest.raises(Forbidden) as refused:
                    targets({"year": 2026})
                assert refused.value.message.startswith(f"{owner}.targets:") and "the whole city" in refused.value.message
                with pytest.raises(Forbidden) as refused:
                    targets({"year": 2026, "committee": other})
                assert f"committee {other!r}" in refused.value.message
                with pytest.raises(Forbidden):
                    targets({"year": 2026, "agency": "ps2" if committee == "cnty" else "ps"})
    # the bureau's own figures reach its county's office: the roster's five and scoring's target 1
    with suite.rpc(as_person="co1") as rpc:
        assert {t["target"] for t in rpc.roster.targets({"year": 2026, "committee": "cnty"})["targets"]
                if t["agency"] == "ps"} == {"2_no_incompetent_leaders", "4_no_cadre_selection_violations",
                                            "5_no_dereliction_cases", "6_no_officer_crimes",
                                            "7_violations_investigated"}
        assert [t["target"] for t in rpc.scoring.targets({"year": 2026, "committee": "cnty"})["targets"]
                if t["agency"] == "ps"] == ["1_management_rate"]
