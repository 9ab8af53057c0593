"""M§三(四)1(3): 每年对中层骨干轮训一次,每三年对干警轮训一次。将社会主义法治理念作为必训内容。
轮训不合格的当年予以补训,补训仍不合格的,中层骨干免职,干警调离政法队伍。"""
import pytest

from shared.errors import Conflict, RuleViolation
from services.training.domain.model import Course, Person, RULE_OF_LAW, \
    rotation_course_has_rule_of_law
from services.training.domain.rotation import (classify_rotation_attempt, due_in_year,
                                               officer_due_year, retraining_due_by,
                                               retraining_effect, retraining_failure,
                                               rotation_status)

from .conftest import d, res

pytestmark = pytest.mark.timeout(10)


def test_rotation_course_without_rule_of_law_module_is_refused():
    with pytest.raises(RuleViolation) as err:
        rotation_course_has_rule_of_law(Course("r", "rotation", modules=frozenset({"ethics"})))
    assert err.value.field == "modules"
    ok = Course("r", "rotation", modules=frozenset({RULE_OF_LAW}))
    assert rotation_course_has_rule_of_law(ok) is ok
    assert rotation_course_has_rule_of_law(Course("s", "skills")).kind == "skills"


def test_rotation_chief_due_every_calendar_year():
    assert due_in_year("chief", d("2026-03-01"), None, 2027)
    assert due_in_year("chief", d("2026-03-01"), None, 2026)


def test_rotation_officer_due_in_last_pass_year_plus_3():
    assert officer_due_year(d("2023-12-31"), d("2010-01-01"), 2026) == 2026
    assert not due_in_year("officer", d("2024-01-01"), None, 2026)
    assert due_in_year("officer", d("2023-06-01"), None, 2026)


def test_rotation_officer_without_a_pass_counts_from_joining():
    assert officer_due_year(None, d("2024-09-01"), 2026) == 2027
    assert officer_due_year(None, None, 2026) == 2026


def test_rotation_leaders_are_not_in_the_rule():
    assert not due_in_year("leader", None, None, 2026)
    assert retraining_effect("head") is None


def test_rotation_retraining_due_by_31_december_of_the_failure_year():
    assert retraining_due_by(d("2026-03-10")) == d("2026-12-31")


def test_rotation_failure_then_retraining_pass(chief):
    history = [res("rotation", "2026-03-10", False)]
    retry = res("rotation", "2026-06-01", True)
    assert classify_rotation_attempt(history, retry) == "retraining"
    assert retraining_failure(history, retry, chief) is None
    st = rotation_status(chief, history + [retry], 2026, d("2026-07-01"))
    assert st.status == "passed" and st.last_pass == d("2026-06-01")


def test_rotation_failed_retraining_removes_a_chief_on_its_date(chief):
    history = [res("rotation", "2026-03-10", False)]
    retry = res("rotation", "2026-09-15", False, course="c-retrain")
    ev = retraining_failure(history, retry, chief)
    assert (ev.effect, ev.effective_date, ev.first_failed_on, ev.position, ev.course_id) == (
        "removed_from_post", d("2026-09-15"), d("2026-03-10"), "chief", "c-retrain")
    st = rotation_status(chief, history + [retry], 2026, d("2026-10-01"))
    assert (st.status, st.effect) == ("retraining_failed", "removed_from_post")


def test_rotation_failed_retraining_transfers_an_officer_out(officer):
    history = [res("rotation", "2026-03-10", False)]
    ev = retraining_failure(history, res("rotation", "2026-12-31", False), officer)
    assert (ev.effect, ev.effective_date) == ("transferred_out", d("2026-12-31"))


def test_rotation_a_first_failure_has_no_consequence_yet(officer):
    assert retraining_failure([], res("rotation", "2026-03-10", False), officer) is None


def test_rotation_a_failure_of_the_previous_year_is_not_retrained_next_year(officer):
    history = [res("rotation", "2025-11-10", False)]
    new = res("rotation", "2026-01-10", False)
    assert classify_rotation_attempt(history, new) == "first"
    assert retraining_failure(history, new, officer) is None


def test_rotation_pass_recorded_twice_in_a_year_is_refused():
    with pytest.raises(Conflict):
        classify_rotation_attempt([res("rotation", "2026-03-10", True)],
                                  res("rotation", "2026-05-10", True))


def test_rotation_nothing_after_a_failed_retraining():
    history = [res("rotation", "2026-03-10", False), res("rotation", "2026-05-10", False)]
    with pytest.raises(Conflict):
        classify_rotation_attempt(history, res("rotation", "2026-07-10", True))


def test_rotation_retraining_must_follow_the_failure():
    with pytest.raises(Conflict) as err:
        classify_rotation_attempt([res("rotation", "2026-03-10", False)],
                                  res("rotation", "2026-03-10", True, course="other"))
    assert err.value.field == "date"


def test_rotation_status_failed_then_retraining_overdue_after_31_december(chief):
    history = [res("rotation", "2026-03-10", False)]
    assert rotation_status(chief, history, 2026, d("2026-12-31")).status == "failed"
    st = rotation_status(chief, history, 2026, d("2027-01-01"))
    assert (st.status, st.retraining_due_by) == ("retraining_overdue", d("2026-12-31"))


def test_rotation_status_chief_due_then_overdue_after_the_year(chief):
    history = [res("rotation", "2025-05-01", True)]
    assert rotation_status(chief, history, 2026, d("2026-12-31")).status == "due"
    assert rotation_status(chief, history, 2026, d("2027-01-01")).status == "overdue"
    assert rotation_status(chief, history, 2025, d("2026-06-01")).status == "passed"


def test_rotation_status_officer_not_due_due_and_overdue(officer):
    history = [res("rotation", "2023-05-01", True)]
    assert rotation_status(officer, history, 2025, d("2025-06-01")).status == "not_due"
    st = rotation_status(officer, history, 2026, d("2026-06-01"))
    assert (st.status, st.due_year) == ("due", 2026)
    assert rotation_status(officer, history, 2027, d("2027-02-01")).status == "overdue"


def test_rotation_status_ignores_results_after_as_of(officer):
    history = [res("rotation", "2023-05-01", True), res("rotation", "2026-08-01", True)]
    assert rotation_status(officer, history, 2026, d("2026-07-31")).status == "due"
    assert rotation_status(officer, history, 2026, d("2026-08-01")).status == "passed"


def test_rotation_status_leader_is_not_due():
    leader = Person("p1", "a1", "leader")
    assert rotation_status(leader, [], 2026, d("2026-06-01")).status == "not_due"
