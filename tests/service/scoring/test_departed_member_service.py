"""A member of a leading group who has left the team (the roster's ``staff_left``) is no member of it
from his departure: he may not approve, post the notice of or file his former body's month dated on
or after it, as himself or named by the operator; dated before it, he may (SPEC §9, M§五(二)3-4)."""
import pytest

from shared.errors import Forbidden

pytestmark = pytest.mark.timeout(90)

FEB = "2026-02"


def test_a_leader_who_left_is_refused_the_steps_of_his_former_body(city):
    with city.rpc() as rpc:
        rpc.scoring.submit_self_assessment({"actor": "o1", "subject": "o1", "month": FEB, "as_of": "2026-03-02",
                                            "item_scores": {"political.study": 7}})
        rpc.scoring.review({"actor": "c1", "subject": "o1", "month": FEB, "as_of": "2026-03-02"})
    city.dispatch("roster", "staff_left", {"event_id": "left-l1", "person": "l1", "kind": "transferred_out",
                                           "date": "2026-03-03", "spell_id": "x-l1"})
    city.wait_quiet(timeout=30)
    approve = {"actor": "l1", "subject": "o1", "month": FEB, "as_of": "2026-03-05"}
    with city.rpc(as_person="l1") as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.scoring.approve(approve)
        assert err.value.field == "actor"
    with city.rpc() as rpc:            # named by the operator: the workflow's membership check
        with pytest.raises(Forbidden) as err:
            rpc.scoring.approve(approve)
        assert err.value.field == "actor"
        for step in (rpc.scoring.publish_notice, rpc.scoring.file_month):
            with pytest.raises(Forbidden) as err:
                step({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-05"})
            assert err.value.field == "actor"
        out = rpc.scoring.approve_batch({"items": [{"actor": "l1", "subject": "o1", "kind": "officer",
                                                    "month": FEB}], "as_of": "2026-03-05"})
        assert [e["index"] for e in out["errors"]] == [0], out
        assert rpc.scoring.evaluation({"subject": "o1", "month": FEB})["state"] == "reviewed"
    with city.rpc(as_person="l1") as rpc:      # the control: dated before his departure, he approves
        assert rpc.scoring.approve({**approve, "as_of": "2026-03-02"})["state"] == "approved"


def _year_file(year):
    return {"year": year, "holidays": [{"date": f"{year}-01-01", "name": "元旦"}], "workdays": []}


def test_the_ranking_s_follow_ups_judge_a_departure_on_the_day_asked(city):
    """The follow-ups (三帮一, 学习班, the talk, the minutes, the calendar) checked the actor on the read
    model's row, undated, while the policy table judged the day of the act: a committee's staff member
    who had left was refused on every day, even one dated before he left, and a leader who had moved to
    another bureau was refused the helpers he named dated to when he led the poor leader's bureau (both
    fail on the code before). Now each is judged on its ``as_of``: the post then, off the team from the
    departure's day (a leader who left is refused dated after it, as before)."""
    from tests.service.scoring.conftest import leaders_assessed_and_approved

    with city.rpc() as rpc:
        leaders_assessed_and_approved(rpc.scoring, FEB)
        ranking = rpc.scoring.rank_month({"actor": "l2", "evaluator": "ps", "month": FEB, "as_of": "2026-03-05"})
        rpc.scoring.save_units({"units": [{"id": "ct", "kind": "agency", "parent": "cnty", "name": "津市市法院"}]})
    assert [r["subject"] for r in ranking["rectifications"]] == ["l3"]
    for person, day in (("l1", "2026-03-13"), ("cl", "2026-04-01")):
        city.dispatch("roster", "staff_left", {"event_id": f"left-{person}", "person": person,
                                               "kind": "transferred_out", "date": day,
                                               "spell_id": f"x-{person}"})
    city.dispatch("roster", "staff_changed", {"event_id": "move-l2", "effective": "2026-04-01", "staff": [
        {"id": "l2", "name": "l2", "unit": "ct", "agency": "ct", "position": "leader", "joined": "2005-01-01",
         "since": "2026-04-01", "titles": [], "supervises": []}]})
    city.wait_quiet(timeout=30)
    poor = {"evaluator": "ps", "month": FEB, "subject": "l3", "helpers": ["l2", "h", "o1"]}
    with city.rpc(as_persons="ps-office", units={"ps"}) as rpc:
        with pytest.raises(Forbidden) as err:          # after he left: no member of ps's group
            rpc.scoring.name_helpers({**poor, "actor": "l1", "as_of": "2026-03-14"})
        assert err.value.field == "actor"
        assert rpc.scoring.poor_followups({"month": FEB, "evaluator": "ps"})["poor"][0]["helpers"] == []
    with city.rpc(as_person="l2") as rpc:
        with pytest.raises(Forbidden):                  # April: a leader of the court
            rpc.scoring.name_helpers({**poor, "actor": "l2", "as_of": "2026-04-02"})
        named = rpc.scoring.name_helpers({**poor, "actor": "l2", "as_of": "2026-03-20"})   # ps's then
    assert named["helpers"] == ["l2", "h", "o1"]
    with city.rpc(as_person="cl") as rpc:               # before he left he loads the calendar
        out = rpc.scoring.load_calendar({"actor": "cl", "calendar": _year_file(2031), "as_of": "2026-03-31"})
        assert (out["year"], out["changed"]) == (2031, True)
    with city.rpc(as_operator="ops") as rpc:            # named on a day from his departure: refused
        with pytest.raises(Forbidden) as err:
            rpc.scoring.load_calendar({"actor": "cl", "calendar": _year_file(2032), "as_of": "2026-04-01"})
        assert err.value.field == "actor"
