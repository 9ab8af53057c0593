"""The rules scoring applies when it copies the roster (services/scoring/domain/read_model.py) and
the two workflow/ranking rules that used to sit in the handlers: one test per rule."""
from datetime import date

from services.scoring.domain import ranking
from services.scoring.domain import read_model as rules
from services.scoring.domain import workflow

D = date


def test_a_unit_counts_for_the_agency_the_roster_names():
    assert rules.unit_agency("s1", "section", "a1", "a9") == "a9"
    assert rules.unit_agency("a1", "agency", "city", "a9") == "a9"


def test_without_one_an_agency_is_its_own_and_a_section_is_its_parents():
    assert rules.unit_agency("a1", "agency", "city") == "a1"
    assert rules.unit_agency("city", "city", None) == "city"
    assert rules.unit_agency("s1", "section", "a1") == "a1"
    assert rules.unit_agency("s1", "section", None) is None


def test_the_default_evaluator_is_the_leading_group_of_the_persons_agency():
    assert rules.default_evaluator("a1") == "a1"


def test_a_default_evaluator_follows_the_person_to_another_agency():
    assert rules.evaluator_after_move("a1", rules.DEFAULT, "a2") == "a2"
    assert rules.evaluator_after_move(None, None, "a2") == "a2"


def test_an_evaluator_the_roster_resolved_stays_when_the_person_moves():
    assert rules.evaluator_after_move("city", rules.ROSTER, "a2") == "city"


def test_an_open_exit_sets_left_on_to_its_start():
    for kind in rules.EXIT_KINDS:
        assert rules.left_on_after_spell(None, kind, D(2026, 3, 1), None) == D(2026, 3, 1)


def test_the_same_exit_closed_by_a_return_clears_left_on_and_another_one_leaves_it():
    assert rules.left_on_after_spell(D(2026, 3, 1), "dismissed", D(2026, 3, 1), D(2026, 4, 1)) is None
    assert rules.left_on_after_spell(D(2026, 5, 1), "dismissed", D(2026, 3, 1), D(2026, 4, 1)) \
        == D(2026, 5, 1)


def test_a_spell_that_is_no_exit_leaves_left_on_as_it_was():
    assert rules.left_on_after_spell(None, "leave", D(2026, 3, 1), None) is None
    assert rules.left_on_after_spell(D(2026, 2, 1), "leave", D(2026, 3, 1), None) == D(2026, 2, 1)


def test_the_responsible_reviewer_is_the_actor_when_he_is_one_of_the_reviewers():
    assert workflow.responsible_reviewer("l2", ("l1", "l2")) == "l2"


def test_else_the_first_reviewer_and_none_without_reviewers():
    assert workflow.responsible_reviewer("x", ("l1", "l2")) == "l1"
    assert workflow.responsible_reviewer("x", ()) is None


def test_the_groups_of_officers_ranked_by_position():
    assert ranking.positions_of("leaders") == ("head", "leader")
    assert ranking.positions_of("chiefs") == ("chief",)
    assert ranking.positions_of("officers") == ("officer",)
