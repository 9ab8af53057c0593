"""A committee's office has its role in training (issue 18, the policy table): training keeps the
roster's unit tree (``units_saved``), so the county committee's office records a result of an
officer of a bureau below it, the office of another county may not, nor may an officer."""
import pytest

from shared.errors import Forbidden

pytestmark = pytest.mark.timeout(60)

UNITS = [
    {"id": "city", "name": "市委政法委", "kind": "committee", "parent": None, "agency": "city", "level": "city"},
    {"id": "k1", "name": "一县委政法委", "kind": "committee", "parent": "city", "agency": "k1", "level": "county"},
    {"id": "k2", "name": "二县委政法委", "kind": "committee", "parent": "city", "agency": "k2", "level": "county"},
    {"id": "a1", "name": "一县公安局", "kind": "agency", "parent": "k1", "agency": "a1", "level": "county"},
    {"id": "s1", "name": "刑侦大队", "kind": "section", "parent": "a1", "agency": "a1", "level": "county"},
    {"id": "s2", "name": "治安大队", "kind": "section", "parent": "a1", "agency": "a1", "level": "county"},
]
OFFICES = [
    {"id": "k1-clerk", "unit_id": "k1", "agency_id": "k1", "position": "officer", "joined": "2010-01-01"},
    {"id": "k2-clerk", "unit_id": "k2", "agency_id": "k2", "position": "officer", "joined": "2010-01-01"},
]
RESULT = {"person_id": "off1", "course_id": "drill", "date": "2026-05-01", "result": "pass"}


def test_the_committee_office_records_results_below_it(training):
    suite = training()
    suite.dispatch("roster", "units_saved", {"event_id": "units-1", "units": UNITS})
    with suite.rpc(as_operator="ops") as rpc:
        rpc.training.upsert_people({"people": OFFICES})
    suite.wait_quiet(timeout=30)
    for person, words in (("k2-clerk", "outside"), ("off2", "officer")):
        with suite.rpc(as_person=person) as rpc:
            with pytest.raises(Forbidden) as err:
                rpc.training.record_result(RESULT)
            assert err.value.field == "actor" and words in err.value.message, err.value.message
    with suite.rpc(as_operator="ops") as rpc:
        assert rpc.training.results_of({"person_id": "off1"})["results"] == []      # nothing written
    with suite.rpc(as_person="k1-clerk") as rpc:      # the control: the county committee's office
        rpc.training.record_result(RESULT)
    with suite.rpc(as_operator="ops") as rpc:
        assert [r["course_id"] for r in rpc.training.results_of({"person_id": "off1"})["results"]] == ["drill"]
