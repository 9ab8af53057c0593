"""Settlement rules: a published rating → ledger lines (SPEC §6, RATING.md §5, M§五(一)3, M§五(二)5)."""
import pytest

from services.rewards.domain.schedule import adapted_schedule
from services.rewards.domain.settlement import disagreements, settle
from rewards_ratings import agency, officer, rating, section

pytestmark = pytest.mark.timeout(10)


def kinds(lines, subject):
    return [(line.kind, line.amount) for line in lines if line.subject == subject]


def test_five_star_officer_gets_bonus_1000_certificate_and_eligibility():  # M§五(二)5(2)①
    lines = settle(rating(officers=[officer("o1", stars=5, score=96.0)]))
    assert kinds(lines, "o1") == [("bonus", 1000), ("certificate", None), ("eligibility", None)]
    bonus = lines[0]
    assert (bonus.paying_unit, bonus.reason, bonus.rule, bonus.basis) == \
        ("a1", "five_stars", "M§五(二)5(2)①", "city_default")
    assert bonus.effective == "2027-01-08" and bonus.source == "2026:a1:1"


def test_four_and_three_star_officers_get_nothing_under_city_defaults():
    lines = settle(rating(officers=[officer("o4", stars=4), officer("o3", stars=3)]))
    assert lines == []


@pytest.mark.parametrize("stars", [1, 2])
def test_officer_two_stars_or_fewer_gets_warning_talk(stars):  # M§五(二)5(2)②
    lines = settle(rating(officers=[officer("o1", stars=stars)]))
    assert kinds(lines, "o1") == [("warning_talk", None)]
    assert lines[0].reason == "two_stars_or_fewer"


def test_dismissal_on_second_consecutive_disqualified_year():  # M§五(二)5(2)③
    lines = settle(rating(officers=[officer("o1", status="disqualified")],
                          disqualified_last_year=["o1"]))
    assert kinds(lines, "o1") == [("dismissal", None)]
    assert lines[0].reason == "disqualified_two_years" and "第83条" in lines[0].rule


def test_no_dismissal_on_first_disqualified_year():
    assert settle(rating(officers=[officer("o1", status="disqualified")])) == []


def test_no_dismissal_when_last_year_disqualified_but_not_this_year():
    lines = settle(rating(officers=[officer("o1", stars=3), officer("o2", status="not_rated")],
                          disqualified_last_year=["o1", "o2"]))
    assert lines == []


def test_five_star_section_gets_plaque_300_per_head_and_eligibility():  # M§五(二)5(1)①
    lines = settle(rating(sections=[section("s1", stars=5)], headcount=12))
    assert kinds(lines, "s1") == [("plaque", None), ("bonus", 3600), ("eligibility", None)]


def test_section_headcount_zero_still_gives_its_bonus_line():
    lines = settle(rating(sections=[section("s1", stars=5)], headcount=0))
    assert kinds(lines, "s1")[1] == ("bonus", 0)


@pytest.mark.parametrize("stars", [1, 2])
def test_section_two_stars_or_fewer_warning_talk_and_rectification(stars):  # M§五(二)5(1)②
    lines = settle(rating(sections=[section("s1", stars=stars)]))
    assert kinds(lines, "s1") == [("warning_talk", None), ("rectification", None)]


def test_section_three_stars_has_no_consequence():
    assert settle(rating(sections=[section("s1", stars=3)])) == []


def test_disqualified_section_admonishment_talk():  # M§五(二)5(1)③
    lines = settle(rating(sections=[section("s1", status="disqualified")]))
    assert kinds(lines, "s1") == [("admonishment_talk", None)]


def test_advanced_agency_commendation_and_plaque():  # M§五(一)3(1)
    lines = settle(rating(agencies=[agency("a1", klass=1, advanced=True)]))
    assert kinds(lines, "a1") == [("commendation", None), ("plaque", None)]
    assert lines[0].paying_unit == "a1"


def test_veto_warning_revokes_eligibility():  # M§五(一)3(2)
    lines = settle(rating(agencies=[agency("a1", klass=3, veto_warning=True)]))
    assert kinds(lines, "a1") == [("eligibility_revoked", None)]


def test_veto_removes():  # M§五(一)3(2)
    lines = settle(rating(agencies=[agency("a1", klass=3, veto_warning=True, veto=True)]))
    assert kinds(lines, "a1") == [("eligibility_revoked", None), ("removal", None)]


def test_half_year_rating_settles_nothing():  # M§五(二)2, RATING.md §5
    lines = settle(rating(officers=[officer("o1", stars=5)], sections=[section("s1", stars=1)],
                          period="2026H1"))
    assert lines == []


def test_order_officers_sections_agencies():
    lines = settle(rating(officers=[officer("o1", stars=1)], sections=[section("s1", stars=5)],
                          agencies=[agency("a1", advanced=True, klass=1)]))
    assert [line.subject_type for line in lines] == ["officer"] + ["section"] * 3 + ["agency"] * 2


def test_identity_is_period_subject_kind_whatever_the_scope_or_version():  # SPEC §6
    lines = settle(rating(officers=[officer("o1", stars=5)], sections=[section("s1", stars=5)]))
    keys = [line.key for line in lines]
    assert len(set(keys)) == len(keys)
    assert keys[0] == "2026|o1|bonus|1" and lines[0].identity == "2026|o1|bonus"
    other = settle(rating(officers=[officer("o1", stars=5)], scope="k2", version=3))
    assert other[0].identity == lines[0].identity and other[0].source == "2026:k2:3"


def test_settle_is_deterministic():
    r = rating(officers=[officer("o1", stars=5)], sections=[section("s1", stars=2)])
    assert settle(r) == settle(r)


def test_announced_amount_used_without_adapted_schedule():  # RATING.md §4 amounts
    r = rating(officers=[officer("o1", stars=5)],
               settlement=[{"subject": "o1", "kind": "bonus", "amount": 1200, "reason": "five_stars"}])
    bonus = settle(r)[0]
    assert (bonus.amount, bonus.basis) == (1200, "rating_rules")


def test_a_rule_packs_four_and_three_star_bonus_announced_in_the_rating_is_paid():  # 000 §二2
    r = rating(officers=[officer("o4", stars=4), officer("o3", stars=3)],
               settlement=[{"subject": "o4", "kind": "bonus", "amount": 600, "reason": "four_stars"},
                           {"subject": "o3", "kind": "bonus", "amount": 300,
                            "reason": "three_stars"}])
    lines = settle(r)
    assert [(x.subject, x.amount, x.reason, x.basis) for x in lines if x.kind == "bonus"] == [
        ("o4", 600, "four_stars", "rating_rules"), ("o3", 300, "three_stars", "rating_rules")]
    assert disagreements(lines, r) == []


def test_an_announced_bonus_at_two_stars_or_fewer_is_never_paid():  # SPEC §6 guardrail
    r = rating(officers=[officer("o2", stars=2)],
               settlement=[{"subject": "o2", "kind": "bonus", "amount": 100,
                            "reason": "two_stars_or_fewer"}])
    assert [x.kind for x in settle(r)] == ["warning_talk"]


def test_adapted_schedule_wins_and_may_pay_four_stars():  # 000 §二2 对接
    schedule = adapted_schedule({"officer": {"5": 1500, "4": 600}}, "agency:a1:2026")
    r = rating(officers=[officer("o5", stars=5), officer("o4", stars=4), officer("o3", stars=3)],
               settlement=[{"subject": "o5", "kind": "bonus", "amount": 1200, "reason": "five_stars"}])
    lines = settle(r, {"a1": schedule})
    assert kinds(lines, "o5")[0] == ("bonus", 1500)
    assert kinds(lines, "o4") == [("bonus", 600)]
    assert kinds(lines, "o3") == []
    assert lines[0].basis == "agency:a1:2026"


def test_schedule_of_another_agency_is_not_applied():
    schedule = adapted_schedule({"officer": {"5": 1500}}, "agency:a2:2026")
    lines = settle(rating(officers=[officer("o1", stars=5)]), {"a2": schedule})
    assert lines[0].amount == 1000


def test_adapted_section_schedule_multiplies_headcount():
    schedule = adapted_schedule({"section_per_head": {"5": 400, "4": 100}}, "agency:a1:2026")
    lines = settle(rating(sections=[section("s5", stars=5), section("s4", stars=4)], headcount=10),
                   {"a1": schedule})
    assert kinds(lines, "s5")[1] == ("bonus", 4000)
    assert kinds(lines, "s4") == [("bonus", 1000)]


def test_disagreements_with_the_ratings_own_settlement_are_reported():
    r = rating(officers=[officer("o1", stars=5)],
               settlement=[{"subject": "o1", "kind": "bonus", "amount": 1000, "reason": "five_stars"},
                           {"subject": "o1", "kind": "warning_talk", "reason": "two_stars_or_fewer"}])
    found = disagreements(settle(r), r)
    assert {"subject": "o1", "kind": "warning_talk", "in": "rating only"} in found
    assert {"subject": "o1", "kind": "certificate", "in": "rewards only"} in found


def test_no_disagreement_when_the_rating_agrees():
    settlement = [{"subject": "o1", "kind": k, "reason": "five_stars"}
                  for k in ("bonus", "certificate", "eligibility")]
    r = rating(officers=[officer("o1", stars=5)], settlement=settlement)
    assert disagreements(settle(r), r) == []
