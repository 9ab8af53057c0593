"""Rule packs: the language and its guardrails (SPEC §6, RATING.md §4, 000 §二2).  A refused pack
lists every violation by field."""
import pytest

from services.scoring.domain import packs
from shared.errors import RuleViolation, ValidationFailed
from tests.unit.plugins.builders import pack

pytestmark = pytest.mark.timeout(30)


def refused(doc, agency="a1"):
    with pytest.raises(RuleViolation) as exc:
        packs.parse_pack(doc, agency)
    return {d["field"]: d["message"] for d in exc.value.details}, exc.value


def test_a_valid_pack_is_accepted_with_its_parts_normalised():
    p = packs.parse_pack(pack(3, "2027H1", rules={"cutoffs": {"5": 96, "4": 91.5},
                                                   "five_star_quota": 0.2},
                              rewards={"officer": {"5": 1500}}), "a1")
    assert (p.agency, p.version, p.effective_from, p.label) == ("a1", 3, "2027H1", "pack:a1/v3")
    assert packs.snapshot_rules(p) == {"cutoffs": {"5": 96, "4": packs.Decimal("91.5")},
                                       "five_star_quota": packs.Decimal("0.2"),
                                       "amounts": {"officer_five_star": 1500}}


def test_cutoffs_must_decrease_strictly():
    errors, _ = refused(pack(rules={"cutoffs": {"4": 95}}))
    assert "rules" not in errors
    assert "pack.rules.cutoffs.4" in errors and "decrease strictly" in errors["pack.rules.cutoffs.4"]
    errors, _ = refused(pack(rules={"cutoffs": {"3": 69}}))     # ★2 stays at 70
    assert "★3 69 is not above ★2 70" in errors["pack.rules.cutoffs.3"]


def test_cutoffs_within_0_to_105_and_quota_in_0_1():
    errors, _ = refused(pack(rules={"cutoffs": {"5": 106}, "five_star_quota": 0}))
    assert set(errors) == {"pack.rules.cutoffs.5", "pack.rules.five_star_quota"}


def test_amounts_within_the_citys_limits():
    errors, _ = refused(pack(rewards={"officer": {"5": 2001}, "section_per_head": {"5": -1}}))
    assert "above the city's limit 2000" in errors["pack.rewards.officer.5"]
    assert "not negative" in errors["pack.rewards.section_per_head.5"]
    # exactly twice the default is within the limit
    assert packs.parse_pack(pack(rewards={"officer": {"5": 2000},
                                          "section_per_head": {"5": 600}}), "a1")


def test_schedule_pays_nothing_at_two_stars_or_fewer():
    errors, _ = refused(pack(rewards={"officer": {"2": 100, "1": 50}}))
    assert set(errors) == {"pack.rewards.officer.2", "pack.rewards.officer.1"}
    assert "nothing at two stars or fewer" in errors["pack.rewards.officer.2"]


def test_schedule_grows_with_the_stars_flat_bonus_is_welfare():
    errors, _ = refused(pack(rewards={"officer": {"5": 800, "4": 800}}))
    assert "grow with the stars" in errors["pack.rewards.officer.4"]
    errors, _ = refused(pack(rewards={"section_per_head": {"4": 100, "3": 150}}))
    assert "★3 150 is not below ★4 100" in errors["pack.rewards.section_per_head.3"]
    ok = packs.parse_pack(pack(rewards={"officer": {"5": 1200, "4": 500, "3": 100}}), "a1")
    assert packs.schedule(ok.doc)["officer"] == {1: 0, 2: 0, 3: 100, 4: 500, 5: 1200}


def test_the_seeds_stricter_reading_is_noted_not_refused():
    p = packs.parse_pack(pack(rewards={"officer": {"4": 300}}), "a1")
    notes = dict(packs.notes(p.doc))
    assert "差额设置星级奖金" in notes["rewards.officer.4"]
    assert packs.notes(packs.parse_pack(pack(rewards={"officer": {"5": 1200}}), "a1").doc) == []


@pytest.mark.parametrize("key,value", [("absence_days", 6), ("months_below_60", 4),
                                       ("satisfaction_floor", 0.59)])
def test_thresholds_may_not_lift_a_disqualification_of_the_method(key, value):
    errors, _ = refused(pack(thresholds={key: value}))
    assert "may not lift" in errors[f"pack.thresholds.{key}"]


def test_stricter_thresholds_are_accepted():
    assert packs.parse_pack(pack(thresholds={"absence_days": 3, "months_below_60": 2,
                                             "satisfaction_floor": 0.7}), "a1")


def test_no_pack_may_waive_or_redefine_a_fact_of_the_method():
    errors, _ = refused(pack(waive=["mass_incident"], facts=[
        {"id": "secret_leak", "applies_to": ["officer"], "meaning": "not so serious"}]))
    assert "may lift a disqualification or a ban" in errors["pack.waive[0]"]
    assert "fact of the Method" in errors["pack.facts[0].id"]


def test_criteria_stay_inside_a_dimension_and_its_points():
    crit = {"id": "x", "applies_to": "officer", "dimension": "performance", "points": 12,
            "when": {"fact": "model_case"}}
    facts = [{"id": "model_case", "applies_to": ["officer"], "meaning": "办理精品案件"}]
    errors, _ = refused(pack(facts=facts, criteria=[
        crit, dict(crit, id="y", points=9),
        dict(crit, id="z", dimension="cooperation", when={"fact": "unknown_fact"})]))
    assert "more than its 20" in errors["pack.criteria[1].points"]
    assert "not a dimension of an officer" in errors["pack.criteria[2].dimension"]
    assert "unknown_fact" in errors["pack.criteria[2].when.fact"]


def test_every_violation_is_listed_by_field():
    doc = pack(rules={"cutoffs": {"4": 99}, "five_star_quota": 2},
               rewards={"officer": {"2": 10, "5": 5000}}, thresholds={"absence_days": 9},
               waive=["ban"], disqualify=[{"applies_to": "section", "when": {"figure": "nope",
                                                                           "below": 1}}])
    errors, exc = refused(doc)
    assert set(errors) == {"pack.rules.cutoffs.4", "pack.rules.five_star_quota",
                           "pack.rewards.officer.5", "pack.rewards.officer.2",
                           "pack.thresholds.absence_days", "pack.waive[0]",
                           "pack.disqualify[0].when.figure"}
    assert exc.field == "pack.rules.cutoffs.4" and "7 guardrail" in exc.message


def test_structure_errors_name_every_field():
    with pytest.raises(ValidationFailed) as exc:
        packs.parse_pack({"version": 0, "effective_from": "2026-01", "colour": "red"}, "a1")
    fields = {d["field"] for d in exc.value.details}
    assert fields == {"pack.version", "pack.effective_from", "pack.colour"}


def test_a_pack_for_another_agency_is_refused():
    errors, _ = refused(dict(pack(), agency="a2"), "a1")
    assert "for a2, not a1" in errors["pack.agency"]
