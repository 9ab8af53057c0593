"""The demo's year exercises the dated unit tree (issue 20): a section of a county procuratorate
moves to the county court on 15 June and is renamed on 1 July. The demo computes who reviews and who
approves locally; it must follow the dated tree as scoring does (no item refused), June counts for the
court (a month is read on its last day), the notices name the section as it was named on the month's
last day, and the rewards' ledger pays its people from the court and reconciles."""
import pytest

from lianbao.demo import months, ratings, reorganisation, setup
from lianbao.demo.city import build_city
from lianbao.demo.state import new_state
from services.scoring.domain.criteria import city_template

pytestmark = pytest.mark.timeout(600)


def test_a_section_moved_on_the_15th_and_renamed_on_the_1st(embedded_suite):
    suite = embedded_suite()
    demo = new_state(suite, build_city(staff=300, seed=11, year=2025), seed=11, progress=False, year=2025)
    sid, src, dest, moved_on, renamed_on, name = reorganisation.reorganisation_plan(demo)
    assert (src[-2:], dest[-2:], moved_on, renamed_on) == ("pr", "ct", "2025-06-15", "2025-07-01")
    setup.load_roster(demo)
    setup.seed_evaluators(demo)
    setup.load_criteria(demo)
    # the self-assessments score the items scoring serves, with their maxima (no copy in the demo)
    assert demo.criteria["officer"] == [(i.id, float(i.max)) for i in city_template("officer").items()]
    assert demo.criteria["section"] == [(i.id, float(i.max)) for i in city_template("section").items()]
    months.draw_profiles(demo)
    months.evaluations(demo, [5])
    old_name = next(u["name"] for u in demo.city.units if u["id"] == sid)
    reorganisation.reorganise(demo)
    months.evaluations(demo, [6, 7])
    assert demo.notes["workflow_item_errors"] == 0, demo.notes["workflow_error_kinds"]
    seen = demo.notes["reorganisation"]
    assert [list(v[2:]) for v in seen["versions"]] == [[src, old_name], [dest, old_name], [dest, name]]
    # June's notice was posted on 3 July, after the rename: the name of 30 June
    assert {m: (n["evaluator"], n["name"]) for m, n in seen["notices"].items()} == {
        "2025-06": (dest, old_name), "2025-07": (dest, name)}
    with suite.rpc() as rpc:
        assert reorganisation.reorganisation_seen(demo, rpc) == {
            "2025-05": {"evaluator": src, "expected": src},
            "2025-06": {"evaluator": dest, "expected": dest},
            "2025-07": {"evaluator": dest, "expected": dest}}
        chief = demo.section_chiefs[sid][0]
        assert rpc.roster.mentor_of({"person": chief, "date": "2025-06-14"})["mentor"] == seen["supervised_by"][0]
        assert rpc.roster.mentor_of({"person": chief, "date": "2025-06-15"})["mentor"] == seen["supervised_by"][1]
    ratings.ratings(demo)
    rec = demo.reconciliation
    assert [len(rec[k]) if isinstance(rec[k], list) else rec[k] for k in ("missing", "extra", "different")] == [0, 0, 0]
    assert demo.chain["ok"] is True
    people = {s["id"] for s in demo.city.staff if s["unit"] == sid}
    with suite.rpc() as rpc:
        lines = rpc.rewards.ledger({"period": "2025", "limit": 5000})["lines"]
    paid = {line["paying_unit"] for line in lines if line["subject"] in people | {sid}}
    assert paid == {dest}
