"""The demo's 1 October repair of the mentoring chain (issue 27): a newcomer whose pair was waiting
for his first day loses it when his future mentor is removed from the chief's post on 15 September
(the roster cuts future pairs too); the repair gives him a mentor from his first day."""
from lianbao.demo import dated, mentoring, setup
from lianbao.demo.city import City
from lianbao.demo.state import new_state

UNITS = [{"id": "city", "name": "市委政法委", "kind": "committee"},
         {"id": "a", "name": "公安局", "kind": "agency", "parent": "city", "agency_type": "public_security"},
         {"id": "a_s1", "name": "刑侦大队", "kind": "section", "parent": "a"}]


def _person(pid, unit, position, joined, supervises=()):
    return {"id": pid, "name": pid, "unit": unit, "position": position, "joined": joined,
            "titles": [], "supervises": list(supervises)}


def _city() -> City:
    city = City(units=UNITS, committees=["city"], agencies=[{"id": "a", "group": "city_unit", "name": "公安局"}],
                sections=[{"id": "a_s1", "agency": "a"}])
    city.staff = [_person("h", "a", "head", "2000-01-01"),
                  _person("l", "a", "leader", "2005-01-01", ["a_s1"]),
                  _person("c1", "a_s1", "chief", "2010-01-01"),
                  _person("c2", "a_s1", "chief", "2012-01-01"),
                  _person("o1", "a_s1", "officer", "2020-01-01"),
                  _person("n", "a_s1", "officer", "2025-10-11")]      # joins after the repair
    city.pairs = [("h", "l"), ("l", "c1"), ("l", "c2"), ("c1", "o1"), ("c1", "n")]
    city.agency_of = {s["id"]: "a" for s in city.staff} | {"a_s1": "a"}
    return city


def test_a_newcomer_whose_future_pair_was_cut_gets_a_mentor_from_his_first_day(embedded_suite):
    suite = embedded_suite(["roster"])
    state = new_state(suite, _city(), progress=False, year=2025)
    setup.load_roster(state)
    with suite.rpc() as rpc:
        assert rpc.roster.mentor_of({"person": "n", "date": "2025-10-11"})["mentor"] == "c1"
        # what training's retraining_failed does to a chief (M§三(四)1(3)): removed from the post
        out = rpc.roster.change_staff({"person": "c1", "effective": "2025-09-15", "position": "officer"})
        assert {(u["mentor"], u["mentee"]) for u in out["unassigned"]} >= {("c1", "n"), ("c1", "o1")}
        assert rpc.roster.mentor_of({"person": "n", "date": "2025-10-11"})["mentor"] is None
    state.demoted, state.transferred = {"c1"}, {}
    mentoring.repair_mentoring(state)
    with suite.rpc() as rpc:
        assert rpc.roster.mentor_of({"person": "n", "date": "2025-10-11"})["mentor"] == "c2"
        assert rpc.roster.mentor_of({"person": "o1", "date": "2025-10-01"})["mentor"] == "c2"
        assert rpc.roster.mentoring_coverage({"date": "2025-12-31"})["officer"]["without"] == []
    # the demo reviews with the mentor the roster (and so scoring) knows on each date
    assert dated.mentor_on(state, "n", "2025-10-10") is None
    assert dated.mentor_on(state, "n", "2025-11-02") == "c2"
    assert dated.mentor_on(state, "o1", "2025-09-01") == "c1"
    assert dated.mentor_on(state, "o1", "2025-11-02") == "c2"
