"""Rules of the questionnaire (001 §一2, SPEC §4 reading, issue 7)."""
import pytest

from services.survey.domain import (DIMENSIONS, default_questionnaire, dimension_runs,
                                    ensure_questionnaire_can_change, next_version, validate_items)
from services.survey.domain.questionnaire import Questionnaire, default_item_dimension
from shared.errors import RuleViolation, ValidationFailed

pytestmark = pytest.mark.timeout(10)


def test_default_questionnaire_has_35_items_over_six_dimensions():
    q = default_questionnaire()
    assert q.item_count == 35
    assert set(q.dimensions) == set(DIMENSIONS)


@pytest.mark.parametrize("number,dimension", [
    (1, "morality"), (6, "morality"), (7, "ability"), (12, "ability"), (13, "diligence"),
    (18, "diligence"), (19, "results"), (24, "results"), (25, "integrity"), (30, "integrity"),
    (31, "learning"), (35, "learning"),
])
def test_default_item_dimension_boundaries(number, dimension):
    assert default_item_dimension(number) == dimension


@pytest.mark.parametrize("number", [0, 36])
def test_default_item_dimension_outside_the_35_items(number):
    with pytest.raises(ValueError):
        default_item_dimension(number)


def test_validate_items_names_the_bad_dimension():
    with pytest.raises(ValidationFailed) as err:
        validate_items([{"dimension": "morality"}, {"dimension": "beauty"}])
    assert err.value.field == "items[1].dimension"


def test_validate_items_refuses_an_empty_questionnaire():
    with pytest.raises(ValidationFailed) as err:
        validate_items([])
    assert err.value.field == "items"


def test_validate_items_keeps_order_and_texts():
    dims, texts = validate_items([{"dimension": "learning", "text": "学习"}, {"dimension": "morality"}])
    assert dims == ("learning", "morality")
    assert texts == ("学习", "")


def test_next_version_starts_at_one_and_follows_the_highest():
    assert next_version([]) == 1
    assert next_version([1, 3, 2]) == 4


def test_questionnaire_frozen_once_forms_arrive():
    ensure_questionnaire_can_change(0)
    with pytest.raises(RuleViolation) as err:
        ensure_questionnaire_can_change(1)
    assert err.value.field == "questionnaire"


def test_dimension_runs_of_the_default_questionnaire():
    runs = dimension_runs(default_questionnaire())
    assert runs == {"morality": [(0, 6)], "ability": [(6, 6)], "diligence": [(12, 6)],
                    "results": [(18, 6)], "integrity": [(24, 6)], "learning": [(30, 5)]}


def test_dimension_runs_of_interleaved_items():
    q = Questionnaire("k", 1, ("morality", "morality", "ability", "morality"))
    assert dimension_runs(q) == {"morality": [(0, 2), (3, 1)], "ability": [(2, 1)]}
