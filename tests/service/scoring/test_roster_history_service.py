"""Scoring knows what the roster knows (issue 27, SPEC §9), on the embedded roster + scoring:
evaluators, mentors and reviewers reach scoring only through the roster's events, with their dates;
nobody pushes them."""
import pytest

from shared.errors import Conflict, Forbidden

pytestmark = pytest.mark.timeout(240)

UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee"},
    {"id": "cnty", "name": "津市市委政法委", "kind": "committee", "parent": "city"},
    {"id": "c_ps", "name": "津市市公安局", "kind": "agency", "parent": "cnty",
     "agency_type": "public_security"},
    {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "c_ps"},
    {"id": "s2", "name": "治安大队", "kind": "section", "parent": "c_ps"},
    {"id": "s3", "name": "法制大队", "kind": "section", "parent": "c_ps"},   # nobody supervises it
    {"id": "m_ps", "name": "常德市公安局", "kind": "agency", "parent": "city",
     "agency_type": "public_security", "rank": "division"},
    {"id": "m_s1", "name": "法制支队", "kind": "section", "parent": "m_ps"},
]
J = "2015-01-01"
STAFF = [
    {"id": "ch", "name": "书记", "unit": "city", "position": "head", "joined": J},
    {"id": "cl", "name": "副书记", "unit": "city", "position": "leader", "joined": J},
    {"id": "cs", "name": "县委书记", "unit": "cnty", "position": "head", "joined": J},
    {"id": "h", "name": "局长", "unit": "c_ps", "position": "head", "joined": J},
    {"id": "l", "name": "副局长", "unit": "c_ps", "position": "leader", "joined": J,
     "supervises": ["s1"]},
    {"id": "l2", "name": "政委", "unit": "c_ps", "position": "leader", "joined": J,
     "titles": ["political_commissar"], "supervises": ["s2"]},
    {"id": "c", "name": "大队长", "unit": "s1", "position": "chief", "joined": J},
    {"id": "cb", "name": "副大队长", "unit": "s1", "position": "chief", "joined": J},
    {"id": "c2", "name": "大队长2", "unit": "s2", "position": "chief", "joined": J},
    {"id": "c3", "name": "大队长3", "unit": "s3", "position": "chief", "joined": J},
    {"id": "o1", "name": "干警1", "unit": "s1", "position": "officer", "joined": "2020-01-01"},
    {"id": "o2", "name": "干警2", "unit": "s1", "position": "officer", "joined": "2020-01-01"},
    {"id": "mh", "name": "市局局长", "unit": "m_ps", "position": "head", "joined": J},
    {"id": "ml", "name": "市局副局长", "unit": "m_ps", "position": "leader", "joined": J,
     "supervises": ["m_s1"]},
    {"id": "ml2", "name": "市局副局长2", "unit": "m_ps", "position": "leader", "joined": J},
    {"id": "mc", "name": "支队长", "unit": "m_s1", "position": "chief", "joined": J},
]
PAIRS = [("h", "l"), ("h", "l2"), ("l", "c"), ("l", "cb"), ("l2", "c2"), ("c", "o1"), ("c", "o2"),
         ("mh", "ml"), ("mh", "ml2"), ("ml", "mc")]


@pytest.fixture
def town(embedded_suite):
    suite = embedded_suite(["roster", "scoring"], OUTBOX_POLL_SECONDS=0.1)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": UNITS})
        rpc.roster.create_staff({"staff": STAFF})
        out = rpc.roster.assign_mentors({"pairs": [{"mentor": a, "mentee": b, "start": "2025-06-01"}
                                                   for a, b in PAIRS]})
        assert out["errors"] == []
    suite.wait_quiet(timeout=60)
    return suite


def submit(rpc, subject, month, on, kind="officer", actor=None):
    return rpc.scoring.submit_self_assessment({"actor": actor or subject, "subject": subject,
                                               "kind": kind, "month": month, "as_of": on})


def test_a_review_dated_before_a_mentor_change_entered_after_it(town):
    with town.rpc() as rpc:
        rpc.roster.reassign_mentor({"mentor": "cb", "mentee": "o1", "start": "2026-07-05"})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        assert rpc.roster.mentor_of({"person": "o1", "date": "2026-07-02"})["mentor"] == "c"
        submit(rpc, "o1", "2026-06", "2026-07-02")
        # entered on 8 July, dated 2 July: the mentor of 2 July reviews, not the one of today
        with pytest.raises(Forbidden) as err:
            rpc.scoring.review({"actor": "cb", "subject": "o1", "month": "2026-06",
                                "as_of": "2026-07-02"})
        assert err.value.field == "actor"
        assert rpc.scoring.review({"actor": "c", "subject": "o1", "month": "2026-06",
                                   "as_of": "2026-07-02"})["state"] == "reviewed"
        # July, reviewed in August: the new mentor
        submit(rpc, "o1", "2026-07", "2026-08-03")
        with pytest.raises(Forbidden):
            rpc.scoring.review({"actor": "c", "subject": "o1", "month": "2026-07",
                                "as_of": "2026-08-03"})
        assert rpc.scoring.review({"actor": "cb", "subject": "o1", "month": "2026-07",
                                   "as_of": "2026-08-03"})["state"] == "reviewed"


def test_a_promotion_to_leader_mid_year_moves_the_evaluator_to_the_committee(town):
    with town.rpc() as rpc:
        out = rpc.roster.change_staff({"person": "mc", "effective": "2026-06-10", "unit": "m_ps",
                                       "position": "leader"})
        assert [p["end"] for p in out["unassigned"]] == ["2026-06-09"]    # ml no longer mentors
        rpc.roster.assign_mentor({"mentor": "mh", "mentee": "mc", "start": "2026-06-10"})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        may = submit(rpc, "mc", "2026-05", "2026-06-02")
        june = submit(rpc, "mc", "2026-06", "2026-07-02")
        assert (may["evaluator"], may["agency"]) == ("m_ps", "m_ps")
        assert (june["evaluator"], june["agency"]) == ("city", "m_ps")   # M§五(二)3, SPEC §9
        # the committee's leading group approves June, not the bureau's
        rpc.scoring.review({"actor": "ml", "subject": "mc", "month": "2026-05", "as_of": "2026-06-02"})
        rpc.scoring.review({"actor": "mh", "subject": "mc", "month": "2026-06", "as_of": "2026-07-02"})
        with pytest.raises(Forbidden):
            rpc.scoring.approve({"actor": "ml2", "subject": "mc", "month": "2026-06",
                                 "as_of": "2026-07-03"})
        assert rpc.scoring.approve({"actor": "cl", "subject": "mc", "month": "2026-06",
                                    "as_of": "2026-07-03"})["state"] == "approved"
        assert rpc.scoring.approve({"actor": "ml2", "subject": "mc", "month": "2026-05",
                                    "as_of": "2026-06-03"})["state"] == "approved"


def test_a_secondment_passing_its_six_month_mark_in_march(town):
    with town.rpc() as rpc:
        rpc.roster.record_spell({"person": "o2", "kind": "secondment", "start": "2025-09-20",
                                 "end": "2026-08-31", "host_unit": "m_s1"})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        feb = submit(rpc, "o2", "2026-02", "2026-03-02")
        mar = submit(rpc, "o2", "2026-03", "2026-04-01")
        assert feb["evaluator"] == "c_ps" and mar["evaluator"] == "m_ps"
        assert rpc.roster.evaluator_of({"person": "o2", "date": "2026-03-31"})["group"] == "m_ps"


@pytest.mark.parametrize("day, march", [("2026-03-01", "m_ps"), ("2026-03-15", "m_ps"),
                                        ("2026-03-31", "m_ps"), ("2026-04-01", "c_ps")])
def test_a_transfer_on_the_first_the_fifteenth_and_the_last_day(town, day, march):
    with town.rpc() as rpc:
        rpc.roster.change_staff({"person": "o2", "effective": day, "unit": "m_s1"})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        assert submit(rpc, "o2", "2026-02", "2026-03-02")["evaluator"] == "c_ps"
        got = submit(rpc, "o2", "2026-03", "2026-04-02")
        assert (got["evaluator"], got["agency"]) == (march, march)
        before = rpc.roster.members_of({"unit": "s1", "date": "2026-02-28"})["members"]
        assert "o2" in {x["id"] for x in before}       # the roster as it was, not as it is


def test_a_section_is_reviewed_by_its_supervising_leader_and_one_without_is_said_so(town):
    with town.rpc() as rpc:
        assert rpc.roster.evaluator_of_section({"unit": "s3", "date": "2026-03-02"})["supervisors"] == []
        assert rpc.roster.evaluator_of_section({"unit": "s1", "date": "2026-03-02"})["supervisors"] == ["l"]
        for sec, chief in (("s1", "c"), ("s3", "c3")):
            submit(rpc, sec, "2026-02", "2026-03-02", kind="section", actor=chief)
        with pytest.raises(Forbidden):
            rpc.scoring.review({"actor": "l2", "subject": "s1", "kind": "section",
                                "month": "2026-02", "as_of": "2026-03-02"})
        assert rpc.scoring.review({"actor": "l", "subject": "s1", "kind": "section",
                                   "month": "2026-02", "as_of": "2026-03-02"})["state"] == "reviewed"
        with pytest.raises(Conflict) as err:
            rpc.scoring.review({"actor": "l", "subject": "s3", "kind": "section",
                                "month": "2026-02", "as_of": "2026-03-02"})
        assert err.value.field == "subject" and "分管领导" in err.value.message


def test_who_left_during_a_month_is_not_evaluated_and_a_return_is_a_new_spell(town):
    with town.rpc() as rpc:
        rpc.roster.record_spell({"person": "o2", "kind": "transferred_out", "start": "2026-04-15"})
        back = rpc.roster.return_to_team({"person": "o2", "date": "2026-06-01", "unit": "m_s1",
                                          "position": "officer"})
        assert back["exit"]["end"] == "2026-05-31" and back["staff"]["joined"] == "2020-01-01"
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        assert submit(rpc, "o2", "2026-03", "2026-04-01")["evaluator"] == "c_ps"
        with pytest.raises(Conflict) as err:
            submit(rpc, "o2", "2026-04", "2026-05-04")
        assert err.value.field == "month"
        assert submit(rpc, "o2", "2026-06", "2026-07-01")["evaluator"] == "m_ps"


def _file_month(rpc, month, on, filed_on):
    submit(rpc, "o1", month, on)
    rpc.scoring.review({"actor": "c", "subject": "o1", "month": month, "as_of": on,
                        "item_scores": {"diligence.public": 8}})
    rpc.scoring.approve({"actor": "l2", "subject": "o1", "month": month, "as_of": on})
    posted = rpc.scoring.publish_notice({"actor": "l2", "evaluator": "c_ps", "month": month,
                                         "as_of": on})
    assert posted["posted"] == 1
    filed = rpc.scoring.file_month({"actor": "l2", "evaluator": "c_ps", "month": month,
                                    "as_of": filed_on})
    assert filed["filed"] == 1
    # item by item, what the body's month did not have (nobody else self-assessed)
    assert {x["subject"] for x in filed["not_filed"]} >= {"o2", "c", "cb", "s1", "s2", "s3"}


def test_a_past_period_re_rated_after_a_transfer_gives_the_same_result(town):
    with town.rpc() as rpc:
        for n in range(1, 7):
            nxt = f"2026-{n + 1:02d}"
            _file_month(rpc, f"2026-{n:02d}", f"{nxt}-02", f"{nxt}-09")
        first = rpc.scoring.run_rating({"period": "2026H1", "scope": "city",
                                        "rating_date": "2026-07-08"})
        assert any(o["id"] == "o1" for o in first["result"]["officers"])
        rpc.roster.change_staff({"person": "o1", "effective": "2026-08-01", "unit": "m_s1"})
        rpc.roster.reassign_mentor({"mentor": "mc", "mentee": "o1", "start": "2026-08-01"})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        again = rpc.scoring.run_rating({"period": "2026H1", "scope": "city",
                                        "rating_date": "2026-07-08"})
        assert again["unchanged"] is True and again["rating_id"] == first["rating_id"]
        assert again["result"] == first["result"]
        snap = rpc.scoring.snapshot({"period": "2026H1", "scope": "city", "rating_date": "2026-07-08"})
        o1 = next(o for o in snap["officers"] if o["id"] == "o1")
        assert (o1["agency"], o1.get("mentor")) == ("c_ps", "c")     # as on 30 June


def test_targets_answer_as_of_a_date(town):
    with town.rpc() as rpc:
        rpc.roster.record_discipline_fact({"kind": "officer_crime", "person": "o1",
                                           "occurred_on": "2026-04-01", "reported_on": "2026-05-01"})

        def crimes(as_of):
            out = rpc.roster.targets({"year": 2026, "agency": "city", "as_of": as_of})
            assert out["as_of"] == as_of
            return next(t for t in out["targets"] if t["target"] == "6_no_officer_crimes")["value"]

        assert crimes("2026-04-30") == 0
        assert crimes("2026-05-01") == 1
        sc = rpc.scoring.targets({"year": 2026, "as_of": "2026-03-15"})
        assert sc["as_of"] == "2026-03-15" and sc["year"] == 2026


def test_a_past_period_re_rated_after_its_section_moved_gives_the_same_result(town):
    """Issue 20: the unit tree is dated too. 刑侦大队 (s1) moves to the city bureau after the
    half-year; the half-year re-rated gives the same rating (its sections and people counted in the
    agencies of its last day)."""
    with town.rpc() as rpc:
        for n in range(1, 7):
            month, nxt = f"2026-{n:02d}", f"2026-{n + 1:02d}"
            on = f"{nxt}-02"
            submit(rpc, "s1", month, on, kind="section", actor="c")
            rpc.scoring.review({"actor": "l", "subject": "s1", "kind": "section", "month": month,
                                "as_of": on})
            rpc.scoring.approve({"actor": "l2", "subject": "s1", "kind": "section",
                                 "month": month, "as_of": on})
            submit(rpc, "o1", month, on)
            rpc.scoring.review({"actor": "c", "subject": "o1", "month": month, "as_of": on,
                                "item_scores": {"diligence.public": 8}})
            rpc.scoring.approve({"actor": "l2", "subject": "o1", "month": month, "as_of": on})
            assert rpc.scoring.publish_notice({"actor": "l2", "evaluator": "c_ps", "month": month,
                                               "as_of": on})["posted"] == 2
            assert rpc.scoring.file_month({"actor": "l2", "evaluator": "c_ps", "month": month,
                                           "as_of": f"{nxt}-09"})["filed"] == 2
        first = rpc.scoring.run_rating({"period": "2026H1", "scope": "city",
                                        "rating_date": "2026-07-08"})
        assert "s1" in {x["id"] for x in first["result"]["sections"]}     # rated with its agency
        rpc.roster.change_staff({"person": "l", "supervises": [], "effective": "2026-08-01"})
        rpc.roster.move_unit({"unit": "s1", "parent": "m_ps", "effective": "2026-08-01"})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        # the move reached scoring: August's section month is the city bureau's
        aug = submit(rpc, "s1", "2026-08", "2026-09-01", kind="section", actor="c")
        assert (aug["agency"], aug["evaluator"]) == ("m_ps", "m_ps")
        again = rpc.scoring.run_rating({"period": "2026H1", "scope": "city",
                                        "rating_date": "2026-07-08"})
        assert again["unchanged"] is True and again["rating_id"] == first["rating_id"]


@pytest.mark.parametrize("day, march", [("2026-03-01", "m_ps"), ("2026-03-15", "m_ps"),
                                        ("2026-03-31", "m_ps"), ("2026-04-01", "c_ps")])
def test_a_section_moved_on_the_first_the_fifteenth_and_the_last_day(town, day, march):
    """SPEC §9 as for a person's transfer: the section's month counts for the agency it belongs to
    on the month's last day, and so do its people's."""
    with town.rpc() as rpc:
        rpc.roster.change_staff({"person": "l", "supervises": [], "effective": day})
        rpc.roster.move_unit({"unit": "s1", "parent": "m_ps", "effective": day})
    town.wait_quiet(timeout=30)
    with town.rpc() as rpc:
        feb = submit(rpc, "s1", "2026-02", "2026-03-02", kind="section", actor="c")
        assert (feb["agency"], feb["evaluator"]) == ("c_ps", "c_ps")
        got = submit(rpc, "s1", "2026-03", "2026-04-02", kind="section", actor="c")
        assert (got["agency"], got["evaluator"]) == (march, march)
        officer = submit(rpc, "o1", "2026-03", "2026-04-02")
        assert (officer["agency"], officer["evaluator"]) == (march, march)
