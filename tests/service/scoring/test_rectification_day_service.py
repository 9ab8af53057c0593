"""A rectification's filing (备案) is judged on one day: the policy table judges the caller's roles on
the payload's ``as_of``, and the service checked the actor's membership of the leading group today
(its check's date never set) while it recorded ``filed_on = as_of``, never compared with the plan's
submission. Now the membership is checked on ``as_of`` too, and a person or a calling system may not
date a filing before the plan it files was submitted (``Conflict`` naming ``as_of``); the operator and
the suite's services would date theirs freely (as for the trail's steps), but the table lets neither
file one."""
import pytest

from shared.errors import Conflict, Forbidden
from tests.service.scoring.conftest import leaders_assessed_and_approved

pytestmark = pytest.mark.timeout(120)

FEB = "2026-02"
OFFICE = {"as_persons": "ps-office", "units": {"ps"}}      # the bureau's system acting for its persons


def _l3_owes_and_submits(suite, submitted_on):
    """l1, l2, l3 of ps's leading group assessed and approved in March, February ranked: l3 is poor,
    owes a rectification and submits his plan on ``submitted_on``."""
    with suite.rpc() as rpc:
        sc = rpc.scoring
        leaders_assessed_and_approved(sc, FEB)
        ranking = sc.rank_month({"actor": "l1", "evaluator": "ps", "month": FEB, "as_of": "2026-03-05"})
        assert [(r["subject"], r["state"]) for r in ranking["rectifications"]] == [("l3", "owed")]
        assert sc.submit_rectification({"actor": "l3", "evaluator": "ps", "month": FEB, "subject": "l3",
                                        "explanation": "分管工作落实不力", "plan": "每周督办",
                                        "as_of": submitted_on})["submitted_on"] == submitted_on


def _file(actor, as_of):
    return {"actor": actor, "evaluator": "ps", "month": FEB, "subject": "l3", "as_of": as_of}


def test_a_filing_is_not_dated_before_the_plan_it_files(city):
    _l3_owes_and_submits(city, "2026-03-10")
    for identity in ({"as_person": "l1"}, OFFICE):
        with city.rpc(**identity) as rpc, pytest.raises(Conflict) as err:
            rpc.scoring.file_rectification(_file("l1", "2026-03-09"))
        assert err.value.field == "as_of", err.value.message
    with city.rpc() as rpc:
        assert rpc.scoring.rectifications({"evaluator": "ps"})["rectifications"][0]["state"] == "submitted"
    with city.rpc(**OFFICE) as rpc:                   # the control: dated on the day it was submitted
        filed = rpc.scoring.file_rectification(_file("l1", "2026-03-10"))
    assert (filed["state"], filed["filed_on"], filed["submitted_on"]) == ("filed", "2026-03-10", "2026-03-10")


def test_the_member_of_the_filing_s_day_files_it(city):
    """l2 sat in ps's leading group in March and leads the county court since 1 April: his filing dated
    20 March (after the plan's submission) passes the policy of that day and the service's membership
    of that day (before, the service asked about today and refused him: fails on the code before);
    dated before the submission it is refused, and dated April the policy refuses him."""
    _l3_owes_and_submits(city, "2026-03-10")
    with city.rpc() as rpc:
        rpc.scoring.save_units({"units": [{"id": "ct", "kind": "agency", "parent": "cnty", "name": "津市市法院"}]})
    city.dispatch("roster", "staff_changed", {"event_id": "move-l2", "effective": "2026-04-01", "staff": [
        {"id": "l2", "name": "l2", "unit": "ct", "agency": "ct", "position": "leader", "joined": "2005-01-01",
         "since": "2026-04-01", "titles": [], "supervises": []}]})
    city.wait_quiet(timeout=30)
    with city.rpc(as_person="l2") as rpc:
        with pytest.raises(Forbidden):
            rpc.scoring.file_rectification(_file("l2", "2026-04-02"))      # not ps's any more
        with pytest.raises(Conflict) as err:
            rpc.scoring.file_rectification(_file("l2", "2026-03-09"))
        assert err.value.field == "as_of"
        filed = rpc.scoring.file_rectification(_file("l2", "2026-03-20"))
    assert (filed["state"], filed["filed_on"]) == ("filed", "2026-03-20")


def _submit(actor, as_of):
    return {"actor": actor, "evaluator": "ps", "month": FEB, "subject": "l3", "as_of": as_of,
            "explanation": "分管工作落实不力", "plan": "每周督办"}


def test_a_submission_is_not_dated_before_the_approval_it_follows(city):
    """``submit_rectification`` took ``submitted_on`` from ``as_of`` unchecked: a plan owed from the
    ranking of l3's score approved on 3 March was submitted "on" 1 March, by l3 himself or by the
    bureau's system keying it for him (fails on the code before). Now ``Conflict`` naming ``as_of``,
    nothing stored; dated the day of the approval it is taken (the operator and the suite's services
    would date theirs freely, but the table lets neither submit one)."""
    _l3_owes_and_submits(city, "2026-03-03")
    for identity in ({"as_person": "l3"}, OFFICE):
        with city.rpc(**identity) as rpc, pytest.raises(Conflict) as err:
            rpc.scoring.submit_rectification({**_submit("l3", "2026-03-01"), "plan": "改"})
        assert err.value.field == "as_of", err.value.message
        assert "2026-03-03" in err.value.message
    with city.rpc() as rpc:
        stored = rpc.scoring.rectifications({"evaluator": "ps"})["rectifications"][0]
    assert (stored["submitted_on"], stored["plan"]) == ("2026-03-03", "每周督办")
    with city.rpc(as_person="l3") as rpc:                 # the control: dated the approval's day
        again = rpc.scoring.submit_rectification({**_submit("l3", "2026-03-03"), "plan": "每日督办"})
    assert (again["state"], again["submitted_on"], again["plan"]) == ("submitted", "2026-03-03", "每日督办")
