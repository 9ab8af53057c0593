"""M§一3: 干警考技考能合格率达95%以上 (以上含本数)."""
from fractions import Fraction

import pytest

from services.training.domain.passrate import meets_pass_rate_target, pass_rate, pass_rates_by_unit

from .conftest import d, res

Y_START, Y_END = d("2026-01-01"), d("2026-12-31")
pytestmark = pytest.mark.timeout(10)


def test_pass_rate_19_of_20_meets_95_percent():
    assert meets_pass_rate_target(Fraction(19, 20))
    assert not meets_pass_rate_target(Fraction(18, 19))


def test_pass_rate_counts_each_test_at_its_final_result():
    results = [res("skills", "2026-02-01", True, person=f"p{i}", course="drill") for i in range(19)]
    results.append(res("skills", "2026-02-01", False, person="p19", course="drill"))
    rate = pass_rate(results, Y_START, Y_END)
    assert (rate.passed, rate.taken, rate.rate, rate.meets_target) == (19, 20, Fraction(19, 20), True)


def test_pass_rate_rotation_retraining_pass_counts_as_one_pass():
    results = [res("rotation", "2026-03-01", False), res("rotation", "2026-06-01", True, course="r2")]
    rate = pass_rate(results, Y_START, Y_END)
    assert (rate.passed, rate.taken) == (1, 1)


def test_pass_rate_leaves_out_the_all_round_title_and_other_periods():
    results = [res("all_round_assessment", "2026-03-01", False),
               res("skills", "2025-12-31", False), res("skills", "2026-01-01", True)]
    assert (pass_rate(results, Y_START, Y_END).passed, pass_rate(results, Y_START, Y_END).taken) == (1, 1)


def test_pass_rate_is_null_not_zero_without_tests():
    rate = pass_rate([], Y_START, Y_END)
    assert rate.rate is None and rate.meets_target is None


def test_pass_rate_per_unit():
    results = [res("skills", "2026-02-01", True, person="a"), res("skills", "2026-02-01", False, person="b"),
               res("skills", "2026-02-01", True, person="c"), res("skills", "2026-02-01", True, person="x")]
    by_unit = pass_rates_by_unit(results, {"a": "s1", "b": "s1", "c": "s2"}, Y_START, Y_END)
    assert {u: (r.passed, r.taken) for u, r in by_unit.items()} == {"s1": (1, 2), "s2": (1, 1)}


def test_pass_rate_per_unit_on_each_results_date():
    """Issue 20: a result counts in the unit its person held on the result's date; a rotation
    failed before a transfer and retrained after it is one test, in the unit of the retraining."""
    from services.training.domain.posts import Post, post_on

    posts = {"a": [Post(d("2020-01-01"), "s1", "psb", "officer"), Post(d("2026-06-01"), "s2", "court", "officer")]}

    def unit_of(pid, day):
        post = post_on(posts.get(pid, ()), day)
        return post.unit_id if post else None

    results = [res("skills", "2026-03-01", False, person="a", course="drill"),
               res("rotation", "2026-04-15", False, person="a", course="rot"),
               res("rotation", "2026-09-15", True, person="a", course="retrain")]
    by_unit = pass_rates_by_unit(results, unit_of, Y_START, Y_END)
    assert {u: (r.passed, r.taken) for u, r in by_unit.items()} == {"s1": (0, 1), "s2": (1, 1)}
