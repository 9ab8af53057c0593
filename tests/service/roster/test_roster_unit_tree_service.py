"""The unit tree through time as a caller sees it (SPEC §9, issue 20): a section moved to another
agency, renamed, a unit dissolved; every "as of" answer reads the tree of the day asked; the
events carry the effective date."""
from functools import partial

import pytest

import roster_probe
from conftest import CITY_STAFF, CITY_UNITS
from tests import waiting

pytestmark = pytest.mark.timeout(120)
wait_for = partial(waiting.wait_for, timeout=15.0)


def test_a_section_moved_to_another_agency_mid_month(roster):
    """刑侦大队 (o1, o2, c) moves from the county bureau to the county justice bureau on 15 March."""
    with roster.rpc() as rpc:
        with pytest.raises(Exception) as err:     # l (the bureau's) still supervises it
            rpc.roster.move_unit({"unit": "c_ps_s1", "parent": "c_just",
                                  "effective": "2026-03-15"})
        assert "unit" in str(err.value) and "supervises" in str(err.value)
        rpc.roster.change_staff({"person": "l", "supervises": [], "effective": "2026-03-15"})
        out = rpc.roster.move_unit({"unit": "c_ps_s1", "parent": "c_just",
                                    "effective": "2026-03-15"})
        assert out["changed"] is True
        assert [(v["since"], v["until"], v["parent"], v["agency"]) for v in out["versions"]] == [
            ("1900-01-01", "2026-03-14", "c_ps", "c_ps"),
            ("2026-03-15", None, "c_just", "c_just")]
        # the same command again changes nothing
        assert rpc.roster.move_unit({"unit": "c_ps_s1", "parent": "c_just",
                                     "effective": "2026-03-15"})["changed"] is False

        def members(agency, day):
            return sorted(p["id"] for p in rpc.roster.people_of_agency(
                {"agency": agency, "date": day})["people"])
        assert members("c_ps", "2026-03-14") == ["c", "c2", "h", "l", "l2", "o1", "o2", "o3"]
        assert members("c_ps", "2026-03-15") == ["c2", "h", "l", "l2", "o3"]
        assert members("c_just", "2026-03-15") == ["c", "jh", "o1", "o2"]
        under = rpc.roster.members_of({"unit": "c_ps", "date": "2026-03-01",
                                       "include_subunits": True})["members"]
        assert {m["id"]: m["agency"] for m in under}["o1"] == "c_ps"
        assert rpc.roster.evaluator_of({"person": "o1", "date": "2026-03-14"})["group"] == "c_ps"
        assert rpc.roster.evaluator_of({"person": "o1", "date": "2026-03-15"})["group"] == "c_just"
        section = rpc.roster.evaluator_of_section({"unit": "c_ps_s1", "date": "2026-03-01"})
        assert (section["group"], section["supervisors"]) == ("c_ps", ["l"])
        section = rpc.roster.evaluator_of_section({"unit": "c_ps_s1", "date": "2026-03-31"})
        assert (section["group"], section["supervisors"]) == ("c_just", [])

        cov = rpc.roster.mentoring_coverage({"date": "2026-03-31", "unit": "cnty"})
        assert cov["by_agency"]["c_just"]["officer"]["total"] == 2
        assert rpc.roster.get_units({"under": "c_ps", "date": "2026-03-14"})["units"][1]["id"] \
            == "c_ps_s1"
        assert "c_ps_s1" not in {u["id"] for u in rpc.roster.get_units(
            {"under": "c_ps", "date": "2026-03-15"})["units"]}
        # history is not rewritten before the latest change
        with pytest.raises(Exception) as err:
            rpc.roster.move_unit({"unit": "c_ps_s1", "parent": "c_ps", "effective": "2026-03-01"})
        assert "effective" in str(err.value)


def test_a_move_that_breaks_the_tree_names_the_field(roster):
    with roster.rpc() as rpc:
        with pytest.raises(Exception) as err:
            rpc.roster.move_unit({"unit": "c_ps", "parent": "c_just", "effective": "2026-05-01"})
        assert "parent" in str(err.value) and "an agency sits under a committee" in str(err.value)
        with pytest.raises(Exception) as err:
            rpc.roster.move_unit({"unit": "c_ps_s1", "parent": "nowhere",
                                  "effective": "2026-05-01"})
        assert "parent" in str(err.value)
        with pytest.raises(Exception) as err:
            rpc.roster.save_units({"units": [dict(CITY_UNITS[3], parent="m_ps")],
                                   "effective": "not a day"})
        assert "effective" in str(err.value)


def test_rename_and_the_tree_of_each_day(roster):
    with roster.rpc() as rpc:
        rpc.roster.rename_unit({"unit": "c_ps_s2", "name": "巡特警大队", "effective": "2026-05-01"})
        names = {d: {u["id"]: u["name"] for u in rpc.roster.get_units(
            {"under": "c_ps", "date": d})["units"]}["c_ps_s2"] for d in ("2026-04-30", "2026-05-01")}
        assert names == {"2026-04-30": "治安大队", "2026-05-01": "巡特警大队"}
        history = rpc.roster.unit_history({"unit": "c_ps_s2"})
        assert [v["name"] for v in history["versions"]] == ["治安大队", "巡特警大队"]
        assert history["dissolved"] is None


def test_a_unit_is_dissolved_only_once_empty(roster):
    with roster.rpc() as rpc:
        with pytest.raises(Exception) as err:      # o3 and c2 hold posts in it
            rpc.roster.dissolve_unit({"unit": "c_ps_s2", "effective": "2026-06-01"})
        assert "unit" in str(err.value) and "o3" in str(err.value)
        with pytest.raises(Exception) as err:      # two sections sit under it
            rpc.roster.dissolve_unit({"unit": "c_ps", "effective": "2026-06-01"})
        assert "c_ps_s1" in str(err.value)
        for pid in ("c2", "o3"):
            rpc.roster.change_staff({"person": pid, "unit": "c_ps_s1", "effective": "2026-05-20"})
        rpc.roster.change_staff({"person": "l2", "supervises": [], "effective": "2026-05-20"})
        out = rpc.roster.dissolve_unit({"unit": "c_ps_s2", "effective": "2026-06-01"})
        assert (out["dissolved"], out["changed"]) == ("2026-06-01", True)
        again = rpc.roster.dissolve_unit({"unit": "c_ps_s2", "effective": "2026-06-01"})
        assert again["changed"] is False
        assert rpc.roster.unit_history({"unit": "c_ps_s2"})["dissolved"] == "2026-06-01"
        # the past still answers with the unit; the day of the dissolution no longer
        assert [m["id"] for m in rpc.roster.members_of(
            {"unit": "c_ps_s2", "date": "2026-05-01"})["members"]] == ["c2", "o3"]
        with pytest.raises(Exception) as err:
            rpc.roster.members_of({"unit": "c_ps_s2", "date": "2026-06-01"})
        assert "did not exist" in str(err.value)
        with pytest.raises(Exception) as err:      # nobody joins a dissolved unit
            rpc.roster.change_staff({"person": "o1", "unit": "c_ps_s2", "effective": "2026-07-01"})
        assert "unit" in str(err.value)


def test_a_move_publishes_the_versions_and_the_people_whose_agency_changes(embedded_suite):
    suite = roster_probe.roster_and_probe(embedded_suite)
    with suite.rpc() as rpc:
        rpc.roster.save_units({"units": CITY_UNITS})
        rpc.roster.create_staff({"staff": CITY_STAFF})
        rpc.roster.change_staff({"person": "l", "supervises": [], "effective": "2026-03-15"})
        assert wait_for(lambda: any(k == "evaluators_resolved" for k, _ in roster_probe.RECEIVED))
        roster_probe.RECEIVED.clear()
        rpc.roster.move_unit({"unit": "c_ps_s1", "parent": "c_just", "effective": "2026-03-15"})

        def of(kind):
            return [e for k, e in roster_probe.RECEIVED if k == kind]
        def moved_people():      # (l's own change may come in after the clear: not moved)
            return [e for e in of("staff_changed") if e["staff"][0]["agency"] == "c_just"]
        assert wait_for(lambda: of("units_saved") and len(moved_people()) == 3
                        and of("evaluators_resolved")), roster_probe.RECEIVED
        saved = of("units_saved")[0]
        assert saved["effective"] == "2026-03-15"
        assert [(u["since"], u["until"], u["agency"]) for u in saved["units"]] == [
            ("1900-01-01", "2026-03-14", "c_ps"), ("2026-03-15", None, "c_just")]
        moved = sorted((e["staff"][0]["id"], e["staff"][0]["agency"], e["staff"][0]["since"],
                        e["effective"]) for e in moved_people())
        assert moved == [(p, "c_just", "2026-03-15", "2026-03-15") for p in ("c", "o1", "o2")]
        spans = {p["person"]: p["spans"] for e in of("evaluators_resolved") for p in e["people"]}
        assert [(s["start"], s["group"]) for s in spans["o1"]] == [
            ("2020-01-01", "c_ps"), ("2026-03-15", "c_just")]
