"""Who is who on a date in scoring's read model (SPEC §9, issue 27): one test per rule."""
from datetime import date

import pytest

from services.scoring.domain import asof
from shared.errors import Conflict, Forbidden

D = date


def test_the_reviewer_is_the_mentor_on_the_acts_date_not_on_the_day_it_is_entered():
    # c1 mentors o1 until 4 July, c2 from 5 July; a review dated 2 July entered on 8 July
    spans = [asof.Span(D(2026, 1, 1), D(2026, 7, 4), "c1"), asof.Span(D(2026, 7, 5), None, "c2")]
    assert asof.span_on(spans, D(2026, 7, 2)).value == "c1"
    assert asof.span_on(spans, D(2026, 7, 5)).value == "c2"
    asof.check_reviewer_of("c1", ("c1",), "o1", D(2026, 7, 2))
    with pytest.raises(Forbidden) as err:
        asof.check_reviewer_of("c2", ("c1",), "o1", D(2026, 7, 2))
    assert err.value.field == "actor"


def test_the_months_evaluator_is_the_one_on_its_last_day():
    spans = [asof.Span(D(2020, 1, 1), D(2026, 6, 9), "ps", "staff_by_agency"),
             asof.Span(D(2026, 6, 10), None, "city", "division_leader_by_city")]
    assert asof.month_evaluator(spans, "2026-05", D(2020, 1, 1), [], "p").value == "ps"
    assert asof.month_evaluator(spans, "2026-06", D(2020, 1, 1), [], "p").value == "city"


@pytest.mark.parametrize("left, evaluated", [(D(2026, 6, 1), False), (D(2026, 6, 30), False),
                                             (D(2026, 7, 1), True)])
def test_who_left_during_the_month_is_not_evaluated_for_it(left, evaluated):
    spans = [asof.Span(D(2020, 1, 1), None, "ps")]
    if evaluated:
        assert asof.month_evaluator(spans, "2026-06", D(2020, 1, 1), [(left, None)], "p")
    else:
        with pytest.raises(Conflict) as err:
            asof.month_evaluator(spans, "2026-06", D(2020, 1, 1), [(left, None)], "p")
        assert err.value.field == "month"


def test_a_return_ends_the_exit_and_a_month_before_joining_is_not_evaluated():
    exits = [(D(2026, 2, 10), D(2026, 5, 19))]
    assert not asof.on_team(D(2020, 1, 1), exits, D(2026, 3, 31))
    assert asof.on_team(D(2020, 1, 1), exits, D(2026, 5, 31))
    with pytest.raises(Conflict):
        asof.month_evaluator([asof.Span(D(2026, 3, 1), None, "ps")], "2026-02", D(2026, 3, 1), [],
                             "o4")


def test_no_answer_from_the_roster_is_said_so_never_a_default():
    with pytest.raises(Conflict) as err:
        asof.month_evaluator([], "2026-06", D(2020, 1, 1), [], "p")
    assert err.value.field == "subject" and "not resolved" in err.value.message


def test_a_section_is_reviewed_by_its_supervising_leader_and_without_one_it_is_said_so():
    posts = {"l1": asof.Post(D(2020, 1, 1), "ps", None, "leader", ("s1",)),
             "l2": asof.Post(D(2020, 1, 1), "ps", None, "leader", ("s2", "s3")),
             "h": asof.Post(D(2020, 1, 1), "ps", None, "head", ("s4",))}
    assert asof.section_supervisors(posts, "s2") == ["l2"]
    assert asof.section_reviewers(["l2"], "s2", D(2026, 3, 2)) == ("l2",)
    assert asof.section_supervisors(posts, "s4") == []        # a head does not supervise (分管)
    with pytest.raises(Conflict) as err:
        asof.section_reviewers([], "s4", D(2026, 3, 2))
    assert err.value.field == "subject" and "分管领导" in err.value.message


def test_a_post_holds_until_the_next_one_starts():
    posts = [asof.Post(D(2020, 1, 1), "ps", "s1", "chief"),
             asof.Post(D(2026, 6, 10), "ps", None, "leader")]
    assert asof.post_on(posts, D(2026, 6, 9)).position == "chief"
    assert asof.post_on(posts, D(2026, 6, 10)).position == "leader"
    assert asof.post_on(posts, D(2019, 12, 31)) is None
