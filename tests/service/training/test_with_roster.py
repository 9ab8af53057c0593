"""Training and the roster together, through real events: the roster's staff feed training's read
model, and a failed retraining makes the roster remove a chief from the post and transfer an
officer out (M§三(四)1(3))."""
import pytest

from shared.runner import service_class

from .conftest import COURSES, TrainingListener, wait_for

pytestmark = pytest.mark.timeout(90)

UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee"},
    {"id": "psb", "name": "市公安局", "kind": "agency", "parent": "city",
     "agency_type": "public_security", "rank": "division"},
    {"id": "crim", "name": "刑侦支队", "kind": "section", "parent": "psb"},
]
STAFF = [
    {"id": "chief9", "name": "李科长", "unit": "crim", "position": "chief", "joined": "2010-01-01"},
    {"id": "off9", "name": "王警官", "unit": "crim", "position": "officer", "joined": "2016-01-01"},
]


def fail(rpc, person, course, day):
    return rpc.training.record_result({"person_id": person, "course_id": course, "date": day,
                                       "result": "fail"})


def test_failed_retraining_the_roster_removes_the_chief_and_transfers_the_officer(embedded_suite):
    suite = embedded_suite(classes=[service_class("roster"), service_class("training"),
                                    TrainingListener],
                           TRAINING_TODAY="2026-11-23", OUTBOX_POLL_SECONDS=0.1)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": UNITS})
        rpc.roster.create_staff({"staff": STAFF})
        rpc.training.register_courses({"courses": COURSES})
        # the roster's staff_joined event feeds training's read model
        person = wait_for(lambda: _known(rpc, "off9"))
        assert (person["unit_id"], person["agency_id"], person["position"]) == (
            "crim", "psb", "officer")
        wait_for(lambda: _known(rpc, "chief9"))
        fail(rpc, "chief9", "rot", "2026-03-10")
        fail(rpc, "chief9", "retrain", "2026-09-15")
        fail(rpc, "off9", "rot", "2026-04-01")
        fail(rpc, "off9", "retrain", "2026-10-20")

        def chief_removed():
            staff = rpc.roster.get_staff({"person": "chief9"})
            return staff if staff["position"] != "chief" else None

        assert wait_for(chief_removed)["position"] == "officer"

        def transferred():
            spells = rpc.roster.spells_of({"person": "off9"})["spells"]
            return [s for s in spells if s["kind"] == "transferred_out"]

        spell = wait_for(transferred)
        assert [s["start"] for s in spell] == ["2026-10-20"]
        # and the roster's staff_left comes back to training's read model
        left = wait_for(lambda: (_known(rpc, "off9") or {}).get("left_on") and _known(rpc, "off9"))
        assert (left["left_on"], left["status"]) == ("2026-10-20", "transferred_out")


def _known(rpc, person_id):
    from shared.errors import NotFound
    try:
        return rpc.training.get_person({"person_id": person_id})
    except NotFound:
        return None


TWO_AGENCIES = UNITS + [
    {"id": "court", "name": "市中级人民法院", "kind": "agency", "parent": "city",
     "agency_type": "court", "rank": "division"},
    {"id": "civil", "name": "民事审判庭", "kind": "section", "parent": "court"},
]


def test_a_transfer_keeps_each_result_and_month_in_the_agency_of_its_date(embedded_suite):
    """Issue 20 item 1: training's read model is dated from the roster's events (``since``): a
    result counts for the agency its person was in on the result's date, a month's study report
    shows the unit of that month, whatever happened later."""
    suite = embedded_suite(classes=[service_class("roster"), service_class("training")],
                           TRAINING_TODAY="2026-11-23", OUTBOX_POLL_SECONDS=0.1)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": TWO_AGENCIES})
        rpc.roster.create_staff({"staff": STAFF})
        rpc.training.register_courses({"courses": COURSES})
        wait_for(lambda: _known(rpc, "off9"))
        rpc.training.record_result({"person_id": "off9", "course_id": "drill", "date": "2026-03-10",
                                    "result": "fail"})
        rpc.training.record_study({"entries": [{"person_id": "off9", "date": "2026-05-04"}]})
        # transferred to the court on 1 June (entered later: the roster dates it)
        rpc.roster.change_staff({"person": "off9", "effective": "2026-06-01", "unit": "civil"})
        wait_for(lambda: (_known(rpc, "off9") or {}).get("agency_id") == "court")
        rpc.training.record_result({"person_id": "off9", "course_id": "pre", "date": "2026-07-01",
                                    "result": "pass"})

        def skills(agency):
            out = rpc.training.targets({"year": 2026, "agency": agency, "as_of": "2026-11-23"})
            return [(t["detail"]["passed"], t["detail"]["taken"]) for t in out["targets"]]

        assert skills("psb") == [(0, 1)]          # the March test, sat at the bureau
        assert skills("court") == [(1, 1)]        # the July one, at the court
        rates = rpc.training.pass_rate({"end": "2026-11-23"})
        assert {u["unit_id"]: (u["passed"], u["taken"]) for u in rates["units"]} == {
            "crim": (0, 1), "civil": (1, 1)}
        may = rpc.training.study_report({"month": "2026-05"})
        assert [u["unit_id"] for u in may["units"] if any(p["person"] == "off9" for p in u["people"])] == ["crim"]
        june = rpc.training.study_report({"month": "2026-06"})
        assert [u["unit_id"] for u in june["units"] if any(p["person"] == "off9" for p in u["people"])] == ["civil"]


def test_a_section_moved_to_another_agency_keeps_each_result_in_the_agency_of_its_date(
        embedded_suite):
    """Issue 20: the unit tree is dated too. 刑侦支队 moves from the bureau to the court on 1 June;
    the roster tells training its people's agency from that day (``staff_changed``, ``since``), so a
    result of March, entered after the move, still counts for the bureau and one of July for the
    court."""
    suite = embedded_suite(classes=[service_class("roster"), service_class("training")],
                           TRAINING_TODAY="2026-11-23", OUTBOX_POLL_SECONDS=0.1)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": TWO_AGENCIES})
        rpc.roster.create_staff({"staff": STAFF})
        rpc.training.register_courses({"courses": COURSES})
        wait_for(lambda: _known(rpc, "off9"))
        rpc.roster.move_unit({"unit": "crim", "parent": "court", "effective": "2026-06-01"})
        wait_for(lambda: (_known(rpc, "off9") or {}).get("agency_id") == "court")
        assert (_known(rpc, "off9")["unit_id"]) == "crim"
        rpc.training.record_result({"person_id": "off9", "course_id": "drill", "date": "2026-03-10",
                                    "result": "fail"})
        rpc.training.record_result({"person_id": "off9", "course_id": "pre", "date": "2026-07-01",
                                    "result": "pass"})

        def skills(agency):
            out = rpc.training.targets({"year": 2026, "agency": agency, "as_of": "2026-11-23"})
            return [(t["detail"]["passed"], t["detail"]["taken"]) for t in out["targets"]]

        assert skills("psb") == [(0, 1)]          # March: the section was the bureau's
        assert skills("court") == [(1, 1)]        # July: the court's
