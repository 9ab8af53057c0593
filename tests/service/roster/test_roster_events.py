"""The roster's events leave through the outbox and match the contract (shared/contracts/roster)."""
from functools import partial

import pytest

import roster_probe
from conftest import CITY_STAFF, CITY_UNITS
from tests import waiting  # noqa: E402

pytestmark = pytest.mark.timeout(90)


wait_for = partial(waiting.wait_for, timeout=15.0)


def test_events_for_joins_pairs_bans_and_leavers(embedded_suite):
    suite = roster_probe.roster_and_probe(embedded_suite)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": CITY_UNITS})
        rpc.roster.create_staff({"staff": CITY_STAFF})
        rpc.roster.assign_mentor({"mentor": "c", "mentee": "o1", "start": "2026-01-01"})
        rpc.roster.assign_mentor({"mentor": "c", "mentee": "o2", "start": "2026-01-01"})
        ban = rpc.roster.record_ban_violation({"person": "o1", "ban": 4,
                                               "occurred_on": "2026-02-01",
                                               "confirmed_on": "2026-02-03"})
        rpc.roster.record_spell({"person": "c", "kind": "dismissed", "start": "2026-05-01"})

        def kinds():
            return [k for k, _ in roster_probe.RECEIVED]
        assert wait_for(lambda: kinds().count("staff_left") == 1
                        and kinds().count("ban_violated") == 1
                        and kinds().count("mentor_unassigned") == 2), kinds()
        received = dict(roster_probe.RECEIVED)
        assert len(received["staff_joined"]["staff"]) == len(CITY_STAFF)
        event = received["ban_violated"]
        assert (event["person"], event["mentor"]) == ("o1", "c")
        assert event["mentor_case_id"] == ban["cases"][1]["id"]
        assert event["suspension_spell_id"] == ban["suspension"]["id"]
        gone = sorted((e["mentee"], e["end"], e["reason"]) for k, e in roster_probe.RECEIVED
                      if k == "mentor_unassigned")
        assert gone == [("o1", "2026-04-30", "mentor_left"), ("o2", "2026-04-30", "mentor_left")]


def test_a_batch_of_pairs_is_one_event_of_its_pairs(embedded_suite):
    """``assign_mentors`` publishes its pairs in one ``mentors_assigned`` event (at most EVENT_BATCH
    pairs an event), each pair as ``mentor_assigned`` gives one; no ``mentor_assigned`` a pair."""
    suite = roster_probe.roster_and_probe(embedded_suite)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": CITY_UNITS})
        rpc.roster.create_staff({"staff": CITY_STAFF})
        out = rpc.roster.assign_mentors({"pairs": [{"mentor": "c", "mentee": "o1", "start": "2026-01-01"},
                                                   {"mentor": "c2", "mentee": "o3", "start": "2026-02-01"}]})
        assert out["assigned"] == 2 and out["errors"] == []

        def of(kind):
            return [e for k, e in roster_probe.RECEIVED if k == kind]
        assert wait_for(lambda: of("mentors_assigned")), roster_probe.RECEIVED
        suite.wait_quiet(timeout=30)
        [event] = of("mentors_assigned")
        assert sorted((p["mentor"], p["mentee"], p["start"], p["end"]) for p in event["pairs"]) == [
            ("c", "o1", "2026-01-01", None), ("c2", "o3", "2026-02-01", None)]
        assert all(p["pair_id"] for p in event["pairs"])
        assert of("mentor_assigned") == []
