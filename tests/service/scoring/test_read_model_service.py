"""The read models: roster and survey events feed them through the inbox (safe to run twice);
``rate_snapshot`` is the engine behind RPC."""
import pytest

from shared.errors import Conflict, Forbidden, ValidationFailed
from tests.service.scoring.conftest import PEOPLE, satisfaction_published, wait_for

pytestmark = pytest.mark.timeout(90)


def test_roster_events_feed_the_read_model_once(city):
    joined = {"event_id": "e-join-1", "staff": [
        {"id": "n1", "name": "新警", "unit": "s1", "agency": "ps", "section": "s1",
         "position": "officer", "joined": "2026-01-05", "titles": [], "supervises": []}]}
    city.dispatch("roster", "staff_joined", joined)
    city.dispatch("roster", "staff_joined", joined)                    # redelivered
    city.dispatch("roster", "evaluators_resolved", {"event_id": "e-ev-1", "resolved_at": "t1",
                                                    "people": [{"person": "n1", "spans": [
                                                        {"start": "2026-01-05", "end": None,
                                                         "group": "ps", "rule": "staff_by_agency"}]}]})
    city.dispatch("roster", "mentor_assigned", {"event_id": "e-m-1", "pair_id": "p1",
                                                "mentor": "c1", "mentee": "n1",
                                                "start": "2026-01-05", "end": None})
    city.dispatch("roster", "status_spell_recorded", {"event_id": "e-sp-1", "spell": {
        "id": "sp1", "person": "n1", "kind": "leave", "leave_kind": "sick", "start": "2026-02-01",
        "end": "2026-05-31", "host_unit": None, "note": None}})
    with city.rpc() as rpc:
        def mentor_review_works():
            try:
                rpc.scoring.submit_self_assessment({"actor": "n1", "subject": "n1", "month": "2026-01",
                                                    "as_of": "2026-02-02"})
            except Exception:
                return False
            return True
        assert wait_for(mentor_review_works)
        assert wait_for(lambda: _review(rpc))
        snap = rpc.scoring.snapshot({"period": "2026H1", "scope": "ps", "rating_date": "2026-07-08"})
        n1 = next(o for o in snap["officers"] if o["id"] == "n1")
        assert n1["leave"] == [{"kind": "sick", "from": "2026-02-01", "to": "2026-05-31"}]
        assert n1["mentor"] == "c1"          # (s1 has no monthly score here: not in the snapshot)
    city.dispatch("roster", "staff_left", {"event_id": "e-left", "person": "n1",
                                           "kind": "transferred_out", "date": "2025-12-31",
                                           "spell_id": "x"})
    with city.rpc() as rpc:
        assert wait_for(lambda: all(o["id"] != "n1" for o in rpc.scoring.snapshot(
            {"period": "2026H1", "scope": "ps", "rating_date": "2026-07-08"})["officers"]))


def test_a_batch_of_pairs_feeds_the_read_model_and_is_safe_twice(city):
    """``mentors_assigned`` (one event for a batch of ``assign_mentors``): each pair stored and each
    mentee's mentor now set, as ``mentor_assigned`` does for one; the same pairs again (another
    event id, so the handler runs again) change nothing."""
    pairs = [{"pair_id": "pb1", "mentor": "c2", "mentee": "o1", "start": "2026-01-01", "end": None},
             {"pair_id": "pb2", "mentor": "c1", "mentee": "o3", "start": "2026-01-01", "end": None}]
    city.dispatch("roster", "mentors_assigned", {"event_id": "e-ms-1", "pairs": pairs})
    city.dispatch("roster", "mentors_assigned", {"event_id": "e-ms-2", "pairs": pairs})

    def mentors():
        snap = city_snapshot(city)
        return {o["id"]: o["mentor"] for o in snap["officers"] if o["id"] in ("o1", "o3")}
    assert wait_for(lambda: mentors() == {"o1": "c2", "o3": "c1"}), mentors()
    with city.rpc() as rpc:
        for subject, mentor, other in (("o1", "c2", "c1"), ("o3", "c1", "c2")):
            rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": "2026-01",
                                                "as_of": "2026-02-02"})
            with pytest.raises(Forbidden):      # the mentor before the pair no longer reviews
                rpc.scoring.review({"actor": other, "subject": subject, "month": "2026-01",
                                    "as_of": "2026-02-02"})
            assert rpc.scoring.review({"actor": mentor, "subject": subject, "month": "2026-01",
                                       "as_of": "2026-02-02"})["state"] == "reviewed"


def city_snapshot(city):
    with city.rpc() as rpc:
        return rpc.scoring.snapshot({"period": "2026H1", "scope": "ps", "rating_date": "2026-07-08"})


def _review(rpc):
    try:
        return rpc.scoring.review({"actor": "c1", "subject": "n1", "month": "2026-01",
                                   "as_of": "2026-02-02"})["state"] == "reviewed"
    except Exception:
        return False


def test_satisfaction_counts_a_final_publication_is_not_replaced_by_a_draft(city):
    def event(eid, final, satisfied):
        return satisfaction_published(eid, "c1", "2026H1", "cnty", final, {"o1": (satisfied, 0, 10)})
    city.dispatch("survey", "satisfaction_rates_published", event("s-1", True, 30))
    city.dispatch("survey", "satisfaction_rates_published", event("s-2", False, 1))
    with city.rpc() as rpc:
        def sat():
            snap = rpc.scoring.snapshot({"period": "2026H1", "scope": "ps", "rating_date": "2026-07-08"})
            return next(o for o in snap["officers"] if o["id"] == "o1").get("satisfaction")
        assert wait_for(lambda: sat() == {"satisfied": 30, "basic": 0, "dissatisfied": 10})


def test_rate_snapshot_names_the_bad_field(city):
    with city.rpc() as rpc:
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.rate_snapshot({"period": "2026", "rating_date": "2027-01-08", "officers": [
                {"id": "o1", "agency": "a", "joined": "2020-01-01", "monthly": {"2026-13": 90}}]})
        assert err.value.field == "officers[0].monthly.2026-13"
        out = rpc.scoring.rate_snapshot({"period": "2026", "rating_date": "2027-01-08", "officers": [
            {"id": "o1", "agency": "a", "joined": "2020-01-01", "monthly": {"2026-01": 95}}]})
        assert out["officers"][0]["stars"] == 5


def test_template_and_criteria_pack_seam(city):
    with city.rpc() as rpc:
        t = rpc.scoring.template({"kind": "section"})
        assert [d["label"] for d in t["dimensions"]][0] == "团结协作" and t["total"] == 100
        ext = rpc.scoring.register_criteria_pack({
            "agency": "ps", "kind": "officer", "version": 1, "effective_from": "2026-03",
            "items": [{"dimension": "performance", "id": "ps.cases", "label": "办案", "max": 4}],
            "maxima": {"performance.targets": 8}})
        assert ext["version"] == "city-1+ps.1"
        assert rpc.scoring.template({"kind": "officer", "agency": "ps", "month": "2026-02"})[
            "version"] == "city-1"
        ev = rpc.scoring.submit_self_assessment({"actor": "o1", "subject": "o1", "month": "2026-03",
                                                 "as_of": "2026-04-01", "item_scores": {"ps.cases": 3}})
        assert ev["score"] == 99.0 and ev["template_version"] == "city-1+ps.1"


def test_no_caller_types_an_evaluator_in_and_a_later_load_keeps_the_rosters(city):
    """Issue 27 item 1: evaluators reach scoring only from the roster's ``evaluators_resolved``
    (the city fixture sent h → cnty); ``upsert_people`` refuses the field by name, and loading
    the same people again never replaces what the roster resolved."""
    h = next(p for p in PEOPLE if p["id"] == "h")
    with city.rpc() as rpc:
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.upsert_people({"people": [{**h, "evaluator": "ps"}]})
        assert err.value.field == "people[0].evaluator"
        assert rpc.scoring.upsert_people({"people": PEOPLE})["unchanged"] == len(PEOPLE)
        march = rpc.scoring.submit_self_assessment({"actor": "h", "subject": "h", "month": "2026-03",
                                                    "as_of": "2026-04-01"})
        assert march["evaluator"] == "cnty"
        # a person the roster has not resolved yet is his agency's (the default until it does)
        assert rpc.scoring.submit_self_assessment({"actor": "l1", "subject": "l1", "month": "2026-03",
                                                   "as_of": "2026-04-01"})["evaluator"] == "ps"


def test_save_units_dates_a_move_as_the_roster_does(city):
    """scoring.save_units (a bulk load of the read model) dates a change like the roster's tree
    (SPEC §9): 刑侦大队 (s1) loaded under the county court from 15 March counts for it in March
    (read on the month's last day), for the bureau in February; a change without a date, or dated
    before the unit's latest version, is refused naming ``effective``."""
    with city.rpc() as rpc:
        court = {"id": "ct", "kind": "agency", "parent": "cnty", "name": "津市市人民法院"}
        assert rpc.scoring.save_units({"units": [court]})["created"] == 1
        moved = {"id": "s1", "kind": "section", "parent": "ct", "agency": "ct", "name": "刑侦大队"}
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.save_units({"units": [moved]})
        assert err.value.field == "effective"
        assert rpc.scoring.save_units({"units": [moved], "effective": "2026-03-15"})["changed"] == 1
        assert rpc.scoring.save_units({"units": [moved], "effective": "2026-03-15"})["unchanged"] == 1
        with pytest.raises(Conflict) as err:
            rpc.scoring.save_units({"units": [dict(moved, parent="ps", agency="ps")],
                                    "effective": "2026-03-01"})
        assert err.value.field == "effective"
        # the sections due of each agency, read on the month's last day
        def due(month, agency):
            out = rpc.scoring.overdue_evaluations({"month": month, "as_of": "2026-06-30"})
            return {o["subject"] for o in out["overdue"] if o.get("agency") == agency}
        assert "s1" in due("2026-02", "ps") and "s1" not in due("2026-02", "ct")
        assert "s1" in due("2026-03", "ct") and "s1" not in due("2026-03", "ps")


def test_an_event_that_breaks_its_contract_is_dead_lettered_naming_the_field(city):
    """The event entry point loads every event with its schema before the handler: a staff_joined
    without a position never reaches scoring's read model, and its dead letter names the field."""
    from shared.dlq import list_dead_letters

    city.dispatch("roster", "staff_joined", {"event_id": "e-bad", "staff": [
        {"id": "n9", "name": "新警", "unit": "s1", "agency": "ps", "section": "s1",
         "joined": "2026-01-05", "titles": [], "supervises": []}]})          # no position
    letters = wait_for(lambda: list_dead_letters(city.config), timeout=60)
    assert [(letter["routing_key"], letter["body"]["event_id"]) for letter in letters] == [
        ("staff_joined", "e-bad")]
    assert letters[0]["error"].startswith("shared.errors.ValidationFailed: staff[0].position:")
    with city.rpc() as rpc:
        snap = rpc.scoring.snapshot({"period": "2026H1", "scope": "ps", "rating_date": "2026-07-08"})
        assert all(o["id"] != "n9" for o in snap["officers"])
