"""Attacks on scoring's policy decisions, on the embedded roster + scoring (the town of the roster
history tests): a leader who moved away dating his own inbox back to his old bureau, a transfer and
a unit moved between committees seen by the very next call of the same process (the resolver's
lookups read beside each other, no cache between calls), and a batch of mentor pairs published on
the roster's exchange but signed by another service."""
import pytest
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange

from shared import assertions
from shared.errors import Conflict, Forbidden, NotFound
from tests.service.scoring.test_roster_history_service import (
    PAIRS,
    STAFF,
    UNITS,
    submit,
)

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def town(embedded_suite):
    """The roster history tests' town: c_ps under the county committee cnty, m_ps under the city."""
    suite = embedded_suite(["roster", "scoring"], OUTBOX_POLL_SECONDS=0.1)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": UNITS})
        rpc.roster.create_staff({"staff": STAFF})
        assert rpc.roster.assign_mentors({"pairs": [{"mentor": a, "mentee": b, "start": "2025-06-01"}
                                                    for a, b in PAIRS]})["errors"] == []
    suite.wait_quiet(timeout=60)
    return suite

JULY = "2026-07"


def _ids(rows):
    return sorted(r["id"] for r in rows)


def _l2_moved_away_and_o1_s_july_reviewed(town):
    """l2, c_ps's leader, leads m_ps from 1 June 2026; o1's July evaluation (c_ps) reviewed on 3 August."""
    with town.rpc() as rpc:
        rpc.roster.change_staff({"person": "l2", "effective": "2026-06-01", "unit": "m_ps",
                                 "position": "leader", "supervises": []})
    town.wait_quiet(timeout=60)
    with town.rpc() as rpc:
        submit(rpc, "o1", JULY, "2026-08-03")
        assert rpc.scoring.review({"actor": "c", "subject": "o1", "month": JULY,
                                   "as_of": "2026-08-03"})["state"] == "reviewed"


def test_a_leader_who_moved_away_does_not_read_his_old_bureau_s_pending_evaluations_by_dating_his_inbox(town):
    """l2 led c_ps until 31 May 2026, leads m_ps since. o1's July evaluation (c_ps) waits for c_ps's
    approval in August. l2's inbox today offers him m_ps's, never c_ps's; dated back to March, when he
    sat in c_ps's leading group, it must not hand him c_ps's evaluations of today either (a read is
    judged by today's roles: dating it back lends no former post's units). Nor may a calling system of
    c_ps read, through l2's dated inbox, what waits for him today."""
    _l2_moved_away_and_o1_s_july_reviewed(town)
    with town.rpc() as rpc:
        # control: a member of c_ps's leading group today is offered it
        assert "officer:o1:2026-07" in _ids(rpc.scoring.waiting_for({"person": "l"})["approve"])
    with town.rpc(as_person="l2") as rpc:
        today = rpc.scoring.waiting_for({"person": "l2"})
        assert today["group"] == "m_ps" and "officer:o1:2026-07" not in _ids(today["approve"])
        try:
            dated = rpc.scoring.waiting_for({"person": "l2", "as_of": "2026-03-02"})
        except Forbidden as err:
            assert err.field == "actor" and err.message.startswith("scoring.waiting_for")
        else:
            assert "officer:o1:2026-07" not in _ids(dated["approve"] + dated["review"]), dated
    # l2 sat in c_ps in March: not m_ps's to read then
    with town.rpc(as_system="sys-m_ps", units={"m_ps"}) as rpc, pytest.raises(Forbidden):
        rpc.scoring.waiting_for({"person": "l2", "as_of": "2026-03-02"})


def test_a_transfer_and_a_move_are_seen_by_the_next_call_of_the_same_process(town):
    """Scoring's policy lookups (one statement each, the unit read beside the post) keep nothing from
    one call to the next: a calling system of c_ps reads o2 until he is transferred to m_ps, and not
    one call after; a county's system reads c_ps's results until c_ps is moved out of its county."""
    with town.rpc(as_system="sys-c_ps", units={"c_ps"}) as rpc:
        assert rpc.scoring.person_history({"person": "o2"})["subject"] == "o2"
    # within reach: nothing rated yet
    with town.rpc(as_system="sys-cnty", units={"cnty"}) as rpc, pytest.raises(NotFound):
        rpc.scoring.unit_results({"unit": "c_ps", "period": "2025"})
    with town.rpc() as rpc:
        rpc.roster.change_staff({"person": "o2", "effective": "2026-06-01", "unit": "m_s1"})
        rpc.roster.move_unit({"unit": "c_ps", "parent": "city", "effective": "2026-06-01"})
    town.wait_quiet(timeout=60)
    with town.rpc(as_system="sys-c_ps", units={"c_ps"}) as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.scoring.person_history({"person": "o2"})
        assert "lies outside" in err.value.message
        assert rpc.scoring.person_history({"person": "o1"})["subject"] == "o1"     # still his
    with town.rpc(as_system="sys-m_ps", units={"m_ps"}) as rpc:
        assert rpc.scoring.person_history({"person": "o2"})["subject"] == "o2"
    with town.rpc(as_system="sys-cnty", units={"cnty"}) as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.scoring.unit_results({"unit": "c_ps", "period": "2025"})
        assert "lies outside" in err.value.message


def _publish_on_roster(town, body, signer):
    """``mentors_assigned`` on the roster's exchange, signed as ``signer`` with the suite's own key."""
    config = town.config
    exchange = get_event_exchange("roster", config)
    Publisher(config["AMQP_URI"], serializer="json").publish(
        body, exchange=exchange, routing_key="mentors_assigned", declare=[exchange],
        headers=assertions.event_headers(config, signer, "mentors_assigned", body))


@pytest.mark.parametrize("signer", ["training", "survey", "scoring", "gateway"])
def test_a_mentors_assigned_batch_signed_by_another_service_stores_no_pair(town, signer):
    """The batch event is verified as its single-pair elder is: only the roster's signature makes
    scoring store a pair (here cb as o2's mentor from January, so that cb would review o2's
    February). The same body signed by the roster (control) is stored."""
    pair = {"pair_id": "forged-cb-o2", "mentor": "cb", "mentee": "o2", "start": "2026-01-01", "end": None}
    _publish_on_roster(town, {"event_id": f"forged-{signer}", "pairs": [pair]}, signer)
    town.wait_quiet(timeout=60)
    with town.rpc() as rpc:
        submit(rpc, "o2", "2026-02", "2026-03-02")
        assert _ids(rpc.scoring.waiting_for({"person": "cb", "as_of": "2026-03-02"})["review"]) == []
        assert _ids(rpc.scoring.waiting_for({"person": "c", "as_of": "2026-03-02"})["review"]) == \
            ["officer:o2:2026-02"]
    _publish_on_roster(town, {"event_id": "signed-by-roster", "pairs": [pair]}, "roster")
    town.wait_quiet(timeout=60)
    with town.rpc() as rpc:
        assert _ids(rpc.scoring.waiting_for({"person": "cb", "as_of": "2026-03-02"})["review"]) == \
            ["officer:o2:2026-02"]


def test_a_county_does_not_read_the_board_of_a_bureau_moved_away_by_dating_it_back(town):
    """c_ps lay under the county committee cnty until 30 June 2026 and under the city since; its first
    half-year is rated on 8 July. cnty's board of today lists none of c_ps (a county reads its own
    agencies); dated back to June, the board's tree would list c_ps with the rating published after it
    left, which cnty may not read (unit_results refuses it). A dated board is the city's callers' (and
    the operator's); undated, or as of today, a county reads its own as before."""
    from tests.service.scoring.test_roster_history_service import _file_month

    with town.rpc() as rpc:
        for n in range(1, 7):
            nxt = f"2026-{n + 1:02d}"
            _file_month(rpc, f"2026-{n:02d}", f"{nxt}-02", f"{nxt}-09")
        rpc.roster.move_unit({"unit": "c_ps", "parent": "city", "effective": "2026-07-01"})
    town.wait_quiet(timeout=60)
    with town.rpc() as rpc:
        rpc.scoring.run_rating({"period": "2026H1", "scope": "city", "rating_date": "2026-07-08"})
        # control: the city's callers read c_ps's rating on the board of June
        june = rpc.scoring.committee_board({"committee": "cnty", "month": "2026-06", "as_of": "2026-06-20"})
        assert next(a for a in june["agencies"] if a["agency"] == "c_ps")["rating"]["period"] == "2026H1"
    with town.rpc(as_system="sys-cnty", units={"cnty"}) as rpc:
        with pytest.raises(Forbidden):
            rpc.scoring.unit_results({"unit": "c_ps", "period": "2026H1"})
        assert [a["agency"] for a in rpc.scoring.committee_board({"committee": "cnty", "month": "2026-06"})
                ["agencies"]] == []
        try:
            dated = rpc.scoring.committee_board({"committee": "cnty", "month": "2026-06", "as_of": "2026-06-20"})
        except Forbidden as err:
            assert err.field == "actor" and err.message.startswith("scoring.committee_board")
        else:
            assert all(a["rating"] is None for a in dated["agencies"]), dated
    with town.rpc(as_person="cs") as rpc, pytest.raises(Forbidden):     # the county committee's head
        rpc.scoring.committee_board({"committee": "cnty", "month": "2026-06", "as_of": "2026-06-20"})


def test_a_leader_who_moved_away_does_not_approve_his_old_bureau_s_evaluations_by_dating_the_step_back(town):
    """A write is judged by the roles of the day it is dated (SPEC §8), so l2, who led c_ps until 31 May
    2026 and leads m_ps since, could date an approval to March and approve o1's July evaluation of c_ps,
    reviewed in August: the policy and the leading-group check both asked March, and no step checked that
    its day is not before the step it follows (it approved, dated before the month it approves had even
    begun). A step dated before the evaluation's last step is refused (Conflict naming as_of); nothing
    changes; a member of c_ps's group today approves (the control)."""
    _l2_moved_away_and_o1_s_july_reviewed(town)
    step = {"actor": "l2", "subject": "o1", "month": JULY, "as_of": "2026-03-02"}
    for identity in ({"as_person": "l2"}, {"as_persons": "sys-c_ps", "units": {"c_ps"}}):
        with town.rpc(**identity) as rpc:
            for method, payload in (("approve", step), ("send_back", {**step, "reason": "重新审核"})):
                with pytest.raises((Forbidden, Conflict)) as err:
                    getattr(rpc.scoring, method)(payload)
                assert err.value.field in ("as_of", "actor"), err.value
    with town.rpc() as rpc:
        assert rpc.scoring.evaluation({"subject": "o1", "month": JULY})["state"] == "reviewed"
        assert rpc.scoring.approve({"actor": "l", "subject": "o1", "month": JULY,
                                    "as_of": "2026-08-04"})["state"] == "approved"
    # nor does he post the notice dated back (its three working days over before it was posted, the month
    # filed at once without the public's window)
    with town.rpc(as_person="l2") as rpc, pytest.raises((Forbidden, Conflict)) as err:
        rpc.scoring.publish_notice({"actor": "l2", "evaluator": "c_ps", "month": JULY, "as_of": "2026-03-02"})
    assert err.value.field in ("as_of", "actor"), err.value
    with town.rpc(as_person="l2") as rpc:       # nor in a batch of bodies' months (the item refused)
        out = rpc.scoring.publish_notices({"items": [{"actor": "l2", "evaluator": "c_ps", "month": JULY}],
                                           "as_of": "2026-03-02"})
        assert out["results"] == [None] and out["errors"], out
    with town.rpc() as rpc:
        assert rpc.scoring.evaluation({"subject": "o1", "month": JULY})["state"] == "approved"
    # nor does he answer the public's objection to it, received after he left, dated back to when he led
    with town.rpc(as_person="l") as rpc:
        rpc.scoring.publish_notice({"actor": "l", "evaluator": "c_ps", "month": JULY, "as_of": "2026-08-05"})
    with town.rpc(as_operator="ops") as rpc:
        rpc.scoring.public_object({"objection_id": "obj-o1-07", "evaluator": "c_ps", "month": JULY,
                                   "subject": "o1", "text": "扣分事实有误", "contact": "13800001111",
                                   "as_of": "2026-08-06"})
    answer = {"actor": "l2", "objection_id": "obj-o1-07", "evaluator": "c_ps", "answer": "经核实, 不属实",
              "upheld": False, "as_of": "2026-03-02"}
    with town.rpc(as_person="l2") as rpc, pytest.raises((Forbidden, Conflict)) as err:
        rpc.scoring.answer_objection(answer)
    assert err.value.field in ("as_of", "actor"), err.value
    with town.rpc(as_person="l") as rpc:        # the control: a member of c_ps's group today
        assert rpc.scoring.answer_objection({**answer, "actor": "l", "as_of": "2026-08-07"})["state"] == "answered"
