"""RATING.md §5 settlement lines (M§五(二)5, M§五(一)3), and the extension seam."""
from decimal import Decimal

from rating_builders import agency, by_id, lines, months, officer, rate, section, snapshot
from services.scoring.domain.rating import Proposal


def test_five_star_officer_bonus_1000_certificate_eligibility():
    res = rate(snapshot([officer(monthly=months(96))]))
    assert lines(res) == [("o1", "bonus", 1000, "five_stars"),
                          ("o1", "certificate", None, "five_stars"),
                          ("o1", "eligibility", None, "five_stars")]
    assert "amount" not in res["settlement"][1]


def test_officer_five_star_amount_adapted():
    res = rate(snapshot([officer(monthly=months(96))],
                        rules={"amounts": {"officer_five_star": 1500}}))
    assert lines(res)[0] == ("o1", "bonus", 1500, "five_stars")


def test_officer_five_star_amount_0_still_gives_its_line():
    res = rate(snapshot([officer(monthly=months(96))], rules={"amounts": {"officer_five_star": 0}}))
    assert lines(res)[0] == ("o1", "bonus", 0, "five_stars")


def test_non_whole_amount_is_a_decimal_number():
    res = rate(snapshot([officer(monthly=months(96))],
                        rules={"amounts": {"officer_five_star": 999.5}}))
    assert lines(res)[0][2] == 999.5


def test_officer_four_and_three_stars_settle_nothing():
    res = rate(snapshot([officer("o1", monthly=months(92)), officer("o2", monthly=months(85))]))
    assert lines(res) == []


def test_officer_two_stars_warning_talk():
    res = rate(snapshot([officer(monthly=months(70))]))
    assert lines(res) == [("o1", "warning_talk", None, "two_stars_or_fewer")]


def test_officer_one_star_warning_talk():
    res = rate(snapshot([officer(monthly=months(69))]))
    assert lines(res) == [("o1", "warning_talk", None, "two_stars_or_fewer")]


def test_officer_disqualified_two_years_running_is_dismissed():
    res = rate(snapshot([officer(unexcused_absence_days=5, disqualified_last_year=True)]))
    assert lines(res) == [("o1", "dismissal", None, "disqualified_two_years")]


def test_officer_disqualified_once_settles_nothing():
    assert lines(rate(snapshot([officer(unexcused_absence_days=5)]))) == []


def test_officer_not_rated_after_a_disqualified_year_is_not_dismissed():
    res = rate(snapshot([officer(joined="2026-05-01", disqualified_last_year=True)]))
    assert lines(res) == []


def test_mentor_demoted_to_four_stars_gets_no_five_star_lines():
    res = rate(snapshot([officer("m", monthly=months(99)),
                         officer("e", mentor="m", facts=["mass_incident"])]))
    assert lines(res) == []


def test_five_star_section_plaque_bonus_300_per_head_eligibility():
    res = rate(snapshot(sections=[section(score=96, headcount=12)]))
    assert lines(res) == [("s1", "plaque", None, "five_stars"),
                          ("s1", "bonus", 3600, "five_stars"),
                          ("s1", "eligibility", None, "five_stars")]


def test_section_amount_adapted_per_head():
    res = rate(snapshot(sections=[section(score=96, headcount=7)],
                        rules={"amounts": {"section_five_star_per_head": 600}}))
    assert lines(res)[1] == ("s1", "bonus", 4200, "five_stars")


def test_section_two_stars_or_fewer_warning_talk_and_rectification():
    for score in (70, 10):
        res = rate(snapshot(sections=[section(score=score)]))
        assert lines(res) == [("s1", "warning_talk", None, "two_stars_or_fewer"),
                              ("s1", "rectification", None, "two_stars_or_fewer")]


def test_section_three_and_four_stars_settle_nothing():
    assert lines(rate(snapshot(sections=[section(score=80), section("s2", score=94)]))) == []


def test_section_disqualified_admonishment_talk():
    res = rate(snapshot(sections=[section(score=99, facts=["failed_inspection"])]))
    assert lines(res) == [("s1", "admonishment_talk", None, "disqualified")]


def test_agency_advanced_commendation_and_plaque():
    res = rate(snapshot(agencies=[agency(score=95)]))
    assert lines(res) == [("c1", "commendation", None, "advanced"),
                          ("c1", "plaque", None, "advanced")]


def test_agency_veto_warning_revokes_eligibility_and_veto_removes():
    res = rate(snapshot(agencies=[agency(score=70, previous_class=3)]))
    assert lines(res) == [("c1", "eligibility_revoked", None, "veto_warning"),
                          ("c1", "removal", None, "veto")]


def test_half_year_rating_has_no_settlement():
    res = rate(snapshot([officer(monthly=months(96, 6)), officer("o2", monthly=months(60, 6))],
                        sections=[section(score=99)], agencies=[agency(score=70)],
                        period="2026H1", rating_date="2026-07-08"))
    assert [o["stars"] for o in res["officers"]] == [5, 1]
    assert res["settlement"] == []


def test_settlement_order_officers_sections_agencies_input_order():
    res = rate(snapshot([officer("o2", monthly=months(70)), officer("o1", monthly=months(99))],
                        sections=[section(score=99, headcount=1)], agencies=[agency(score=95)]))
    assert [(s, k) for s, k, _a, _r in lines(res)] == [
        ("o2", "warning_talk"), ("o1", "bonus"), ("o1", "certificate"), ("o1", "eligibility"),
        ("s1", "plaque"), ("s1", "bonus"), ("s1", "eligibility"),
        ("c1", "commendation"), ("c1", "plaque")]


# --- extensions (the plug-in seam) ------------------------------------------------------------

class FakePack:
    name = "pack:a1@1"

    def propose(self, kind, subject, snapshot):
        if kind == "officer" and subject.id == "o1":
            return Proposal(points=(("pack:a1@1 extra", Decimal("2.5"), "extra criterion"),))
        if kind == "officer" and subject.id == "o2":
            return Proposal(disqualify=(("late_logs", "pack:a1@1 logs", "daily logs missing"),),
                            settlement=(("training", "pack_rule", None),))
        if kind == "agency":
            return Proposal(points=(("pack:a1@1 agency", -5, "image incident"),),
                            settlement=(("fine", "pack_rule", Decimal(200)),))
        return None


class Broken:
    name = "broken"

    def propose(self, kind, subject, snapshot):
        if subject.id == "o1":
            raise RuntimeError("boom")
        return Proposal(points=(("broken", 1.5, "a float is junk"),))  # junk for everyone else


def _ext_snapshot():
    return snapshot([officer("o1", monthly=months(93)), officer("o2", monthly=months(93)),
                     officer("o3", monthly=months(93))], agencies=[agency(score=90)])


def test_extension_points_count_and_are_explained():
    res = by_id(rate(_ext_snapshot(), extensions=[FakePack()]))
    assert (res["o1"]["score"], res["o1"]["stars"]) == (95.5, 5)
    assert {"rule": "pack:a1@1 extra", "points": 2.5, "text": "extra criterion"} in res["o1"][
        "explanation"]


def test_extension_disqualification_and_settlement_lines():
    res = rate(_ext_snapshot(), extensions=[FakePack()])
    o2 = by_id(res)["o2"]
    assert (o2["status"], o2["reasons"]) == ("disqualified", ["late_logs"])
    assert ("o2", "training", None, "pack_rule") in lines(res)
    a = res["agencies"][0]
    assert (a["score"], a["class"]) == (85.0, 2)
    assert lines(res, "c1") == [("c1", "fine", 200, "pack_rule")]


def test_failing_extension_is_reported_and_skipped_for_that_subject():
    res = by_id(rate(_ext_snapshot(), extensions=[Broken(), FakePack()]))
    o1 = res["o1"]
    assert o1["score"] == 95.5                                  # FakePack still applies
    failed = [e for e in o1["explanation"] if e["rule"] == "extension:broken"]
    assert len(failed) == 1 and "boom" in failed[0]["text"]
    o3 = res["o3"]                                              # junk is refused, score unchanged
    assert o3["score"] == 93.0
    assert [e["rule"] for e in o3["explanation"]][0] == "extension:broken"


def test_no_extension_settlement_on_a_half_year():
    snap = _ext_snapshot()
    snap["period"], snap["rating_date"] = "2026H1", "2026-07-08"
    for o in snap["officers"]:
        o["monthly"] = months(93, 6)
    assert rate(snap, extensions=[FakePack()])["settlement"] == []
