"""The demo's state and the dated-tree questions it answers locally (who reviews, who approves, which
body evaluates a month), the same dates scoring reads; and how it reads training's certifications."""
import pytest

from lianbao.demo import dated
from lianbao.demo.city import City
from lianbao.demo.state import new_state
from lianbao.demo.training import cert_person

pytestmark = pytest.mark.timeout(10)


def _person(pid, unit, position, supervises=()):
    return {"id": pid, "name": pid, "unit": unit, "position": position, "joined": "2010-01-01",
            "titles": [], "supervises": list(supervises)}


def _state():
    city = City(units=[{"id": "city"}, {"id": "a", "parent": "city"}, {"id": "b", "parent": "city"},
                       {"id": "a_s1", "parent": "a"}],
                committees=["city"], sections=[{"id": "a_s1", "agency": "a"}])
    city.staff = [_person("ha", "a", "head"), _person("la", "a", "leader", ["a_s1"]),
                  _person("hb", "b", "head"), _person("lb", "b", "leader"),
                  _person("c", "a_s1", "chief"), _person("o", "a_s1", "officer")]
    city.pairs = [("ha", "la"), ("la", "c"), ("c", "o"), ("hb", "lb")]
    city.agency_of = {s["id"]: s["unit"] if s["unit"] in ("a", "b") else "a" for s in city.staff}
    state = new_state(None, city, progress=False, year=2025)
    state.evaluator = dict(city.agency_of)
    for s in city.staff:
        if s["position"] in ("head", "leader"):
            state.body_members[s["unit"]].append(s["id"])
    return state


def test_the_city_maps_are_derived_once():
    state = _state()
    assert state.agency_head == {"a": "ha", "b": "hb"}
    assert state.leader_of_section == {"a_s1": "la"}
    assert state.section_chiefs == {"a_s1": ["c"]}
    assert state.sections == {"a_s1": "a"} and state.mentor_of["o"] == "c"
    assert state.parent["a_s1"] == "a"


def test_a_mentor_changed_from_a_day_reviews_from_that_day():
    state = _state()
    state.pair_start["o"] = "2025-01-01"
    dated.new_mentor(state, "o", "la", "2025-10-01")
    assert dated.mentor_on(state, "o", "2024-12-31") is None          # before the first pair
    assert dated.mentor_on(state, "o", "2025-09-30") == "c"
    assert dated.mentor_on(state, "o", "2025-10-01") == "la"
    assert dated.reviewer(state, "o", "officer", "2025-09-30", "2025-08") == "c"


def test_a_section_moved_on_the_15th_counts_for_its_new_agency_that_month():
    state = _state()
    state.section_moves["a_s1"] = ("2025-06-15", "a")
    state.sections["a_s1"] = "b"
    state.leader_changes["a_s1"] = ("2025-06-15", "la")
    state.leader_of_section["a_s1"] = "lb"
    assert dated.last_day("2025-06") == "2025-06-30" and dated.last_day("2025-12") == "2025-12-31"
    assert dated.body(state, "a_s1", "section", "2025-05") == "a"
    assert dated.body(state, "a_s1", "section", "2025-06") == "b"
    assert dated.reviewer(state, "a_s1", "section", "2025-06-14", "2025-05") == "la"
    assert dated.reviewer(state, "a_s1", "section", "2025-07-02", "2025-06") == "lb"
    # the approver is a member of the month's body, neither the subject nor its reviewer
    assert dated.approver(state, "a_s1", "section", "2025-07-02", "2025-06") == "hb"


def test_a_person_without_a_mentor_is_reviewed_by_another_member_of_his_body():
    state = _state()
    del state.mentor_of["la"]
    assert dated.reviewer(state, "la", "officer", "2025-03-02", "2025-02") == "ha"
    assert dated.approver(state, "la", "officer", "2025-03-02", "2025-02") == "ha"   # the only other member


@pytest.mark.parametrize("cert, person", [({"person": "p2"}, "p2"), ({"person": "p3", "person_id": "p3"}, "p3")])
def test_a_certification_names_its_person_as_person(cert, person):
    """training answers ``person`` (and, until 0.2.0, the deprecated ``person_id`` beside it): the demo
    reads ``person`` only, so it needs nothing once ``person_id`` is gone."""
    assert cert_person(cert) == person


def test_a_certification_naming_only_the_old_person_id_is_not_read():
    with pytest.raises(KeyError):
        cert_person({"person_id": "p1"})
