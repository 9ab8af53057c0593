"""Criteria templates and deductions (M§五(二)1, 1(1)②, 1(2)②)."""
from decimal import Decimal

import pytest

from shared.errors import RuleViolation, ValidationFailed
from services.scoring.domain.criteria import (Deduction, assign_deductions, check_template,
                                              city_template, extend_template, given_scores,
                                              item_scores, total_score)

pytestmark = pytest.mark.timeout(10)


def test_city_template_officers_have_the_five_dimensions_of_20_points():
    t = city_template("officer")
    assert [d.label for d in t.dimensions] == ["政治坚定", "廉洁自律", "工作绩效", "执法办事公正", "勤政爱民"]
    assert [d.max for d in t.dimensions] == [20] * 5
    assert t.total == 100


def test_city_template_sections_have_the_five_dimensions_of_20_points():
    t = city_template("section")
    assert [d.label for d in t.dimensions] == ["团结协作", "整体素质", "严格管理", "公正执法和工作绩效", "群众满意"]
    assert [d.max for d in t.dimensions] == [20] * 5


def test_city_template_unknown_kind_is_refused():
    with pytest.raises(ValidationFailed):
        city_template("agency")


def test_given_scores_missing_items_get_their_maximum():
    t = city_template("officer")
    s = given_scores(t, {"political.study": 7})
    assert s["political.study"] == 7 and s["political.discipline"] == 12
    assert total_score(s) == 99


def test_given_scores_above_the_item_maximum_names_the_item():
    with pytest.raises(ValidationFailed) as e:
        given_scores(city_template("officer"), {"political.study": Decimal("8.01")})
    assert e.value.field == "item_scores.political.study"


def test_given_scores_below_zero_is_refused():
    with pytest.raises(ValidationFailed):
        given_scores(city_template("officer"), {"political.study": -1})


def test_given_scores_at_the_bounds_0_and_max_are_accepted():
    s = given_scores(city_template("officer"), {"political.study": 0, "political.discipline": 12})
    assert s["political.study"] == 0 and s["political.discipline"] == 12


def test_given_scores_unknown_item_is_refused():
    with pytest.raises(ValidationFailed) as e:
        given_scores(city_template("officer"), {"nope": 1})
    assert e.value.field == "item_scores.nope"


def test_assign_deductions_one_fact_matching_two_items_is_deducted_once():
    t = city_template("officer")
    d = Deduction("f1", ("integrity.clean", "integrity.bans"), Decimal(3))
    assigned = assign_deductions(t, [d])
    assert list(assigned) == ["integrity.bans"]  # first in template order
    scores = item_scores(t, {}, [d])
    assert total_score(scores) == 97


def test_assign_deductions_the_same_fact_id_twice_counts_once():
    t = city_template("officer")
    d = Deduction("f1", ("integrity.bans",), Decimal(3))
    assert total_score(item_scores(t, {}, [d, d])) == 97


def test_item_scores_an_item_never_goes_below_zero():
    t = city_template("officer")
    facts = [Deduction("f1", ("political.study",), Decimal(6)),
             Deduction("f2", ("political.study",), Decimal(6))]
    scores = item_scores(t, {}, facts)
    assert scores["political.study"] == 0   # 8 - 12 floors at 0, nothing spills to other items
    assert total_score(scores) == 92


def test_assign_deductions_unknown_item_and_nonpositive_points_are_refused():
    t = city_template("officer")
    with pytest.raises(ValidationFailed) as e:
        assign_deductions(t, [Deduction("f1", ("x",), Decimal(1))])
    assert e.value.field == "deductions[0].items"
    with pytest.raises(ValidationFailed) as e:
        assign_deductions(t, [Deduction("f1", ("political.study",), Decimal(0))])
    assert e.value.field == "deductions[0].points"


def test_extend_template_a_rule_pack_adds_items_keeping_100_points():
    t = city_template("officer")
    pack = {"agency": "a1", "version": 2,
            "items": [{"dimension": "performance", "id": "a1.cases", "label": "办案数", "max": 4}],
            "maxima": {"performance.targets": 8}}
    ext = extend_template(t, pack)
    assert ext.total == 100 and ext.item("a1.cases").max == 4
    assert ext.version == "city-1+a1.2" and ext.sources[-1] == "pack:a1:2"


def test_extend_template_a_pack_that_breaks_100_points_is_refused():
    pack = {"agency": "a1", "version": 1,
            "items": [{"dimension": "performance", "id": "a1.cases", "max": 4}]}
    with pytest.raises(RuleViolation):
        extend_template(city_template("officer"), pack)


def test_check_template_accepts_the_city_templates():
    check_template(city_template("officer"))
    check_template(city_template("section"))
