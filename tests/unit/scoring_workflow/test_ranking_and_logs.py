"""Monthly ranking good / middle / poor (001 §一3) and daily logs (M§四6(3), M§五(二)3)."""
from datetime import date
from decimal import Decimal

import pytest

from shared.errors import Conflict, Forbidden, ValidationFailed
from services.scoring.domain.daily_logs import (check_log_date, check_log_reviewer,
                                                is_review_overdue, review_due)
from services.scoring.domain.ranking import (GOOD, MIDDLE, POOR, class_sizes,
                                             next_rectification_state, owes_rectification,
                                             rank_subjects)

pytestmark = pytest.mark.timeout(10)


@pytest.mark.parametrize("n,sizes", [(0, (0, 0, 0)), (1, (0, 1, 0)), (2, (1, 1, 0)), (3, (1, 1, 1)),
                                     (4, (1, 2, 1)), (5, (2, 2, 1)), (6, (2, 2, 2)), (7, (2, 3, 2))])
def test_class_sizes_thirds_remainder_to_middle_then_good(n, sizes):
    assert class_sizes(n) == sizes


def test_rank_subjects_splits_into_thirds_highest_first():
    out = rank_subjects({"a": Decimal(95), "b": Decimal(90), "c": Decimal(85), "d": Decimal(80),
                         "e": Decimal(75), "f": Decimal(70)})
    assert [(r.subject, r.rank, r.klass) for r in out] == [
        ("a", 1, GOOD), ("b", 2, GOOD), ("c", 3, MIDDLE), ("d", 4, MIDDLE), ("e", 5, POOR),
        ("f", 6, POOR)]


def test_rank_subjects_a_tie_across_a_boundary_joins_the_better_class():
    out = rank_subjects({"a": Decimal(95), "b": Decimal(90), "c": Decimal(90)})
    assert [(r.subject, r.rank, r.klass) for r in out] == [
        ("a", 1, GOOD), ("b", 2, MIDDLE), ("c", 2, MIDDLE)]


def test_owes_rectification_only_the_poor():
    assert owes_rectification(POOR) and not owes_rectification(MIDDLE)


def test_next_rectification_state_owed_submitted_filed():
    assert next_rectification_state("owed", "submit") == "submitted"
    assert next_rectification_state("submitted", "file") == "filed"
    with pytest.raises(Conflict):
        next_rectification_state("owed", "file")
    with pytest.raises(Conflict):
        next_rectification_state("filed", "submit")


def test_check_log_date_never_a_future_day():
    check_log_date(date(2026, 3, 2), date(2026, 3, 2))
    with pytest.raises(ValidationFailed):
        check_log_date(date(2026, 3, 3), date(2026, 3, 2))


def test_check_log_reviewer_only_the_mentor():
    check_log_reviewer("c1", "c1")
    with pytest.raises(Forbidden):
        check_log_reviewer("c2", "c1")
    with pytest.raises(Forbidden):
        check_log_reviewer("c2", None)


def test_review_due_friday_log_is_due_monday():
    assert review_due(date(2026, 3, 6)) == date(2026, 3, 9)


def test_is_review_overdue_after_the_next_working_day():
    assert not is_review_overdue(date(2026, 3, 2), False, date(2026, 3, 3))
    assert is_review_overdue(date(2026, 3, 2), False, date(2026, 3, 4))
    assert not is_review_overdue(date(2026, 3, 2), True, date(2026, 3, 9))


def test_review_due_skips_national_day_2025():
    assert review_due(date(2025, 9, 30)) == date(2025, 10, 9)


def test_a_plan_is_not_submitted_before_the_approval_it_follows():
    from services.scoring.domain.ranking import check_submission_day

    check_submission_day(date(2026, 3, 3), date(2026, 3, 3))     # the approval's day
    check_submission_day(date(2026, 3, 1), None)                 # no approval in the trail: no check
    with pytest.raises(Conflict) as err:
        check_submission_day(date(2026, 3, 2), date(2026, 3, 3))
    assert err.value.field == "as_of" and "2026-03-03" in err.value.message
