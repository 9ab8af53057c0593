"""Bad input (issue 8): unknown people or courses, a pass recorded twice, a date in the future."""
import pytest

from shared.errors import Conflict, NotFound, ValidationFailed
from services.training.domain.results import (Certified, RecheckPassed, TitleRevoked,
                                              check_new_result, consequences, known_course,
                                              known_person, same_as_recorded)
from services.training.domain.rotation import RetrainingFailed

from .conftest import d, res

pytestmark = pytest.mark.timeout(10)
TODAY = d("2026-11-23")


def test_result_dated_in_the_future_is_refused():
    with pytest.raises(ValidationFailed) as err:
        check_new_result([], res("skills", "2026-11-24", True), TODAY)
    assert err.value.field == "date"
    check_new_result([], res("skills", "2026-11-23", True), TODAY)


def test_result_for_unknown_person_or_course_is_refused(officer, courses):
    with pytest.raises(NotFound) as err:
        known_person({"p1": officer}, "nobody")
    assert err.value.field == "person"
    with pytest.raises(NotFound) as err:
        known_course(courses, "nocourse")
    assert err.value.field == "course_id"


def test_result_same_course_same_day_twice_is_refused():
    first = res("skills", "2026-05-01", False)
    with pytest.raises(Conflict):
        check_new_result([first], res("skills", "2026-05-01", True), TODAY)
    assert same_as_recorded([first], res("skills", "2026-05-01", False))
    assert not same_as_recorded([first], res("skills", "2026-05-01", True))


def test_pre_service_pass_recorded_twice_is_refused():
    with pytest.raises(Conflict):
        check_new_result([res("pre_service", "2026-01-10", True)],
                         res("pre_service", "2026-02-10", True), TODAY)
    check_new_result([res("pre_service", "2026-01-10", False)],
                     res("pre_service", "2026-02-10", True), TODAY)


def test_skills_pass_recorded_twice_in_a_year_is_refused():
    with pytest.raises(Conflict):
        check_new_result([res("skills", "2026-01-10", True)], res("skills", "2026-02-10", True), TODAY)
    check_new_result([res("skills", "2025-01-10", True)], res("skills", "2026-02-10", True), TODAY)


def test_consequence_of_a_failed_retraining(chief):
    history = [res("rotation", "2026-03-10", False)]
    assert consequences(history, res("rotation", "2026-04-10", False), chief) == [
        RetrainingFailed("p1", "chief", "removed_from_post", d("2026-04-10"), d("2026-03-10"),
                         "c-rotation")]


def test_consequences_of_the_all_round_title(officer):
    c = res("all_round_assessment", "2023-03-15", True)
    assert consequences([], c, officer) == [Certified("p1", d("2023-03-15"), d("2026-03-15"))]
    ok = res("all_round_recheck", "2026-03-01", True)
    assert consequences([c], ok, officer) == [
        RecheckPassed("p1", d("2023-03-15"), d("2026-03-01"), d("2029-03-15"))]
    bad = res("all_round_recheck", "2026-03-01", False)
    assert consequences([c], bad, officer) == [
        TitleRevoked("p1", d("2023-03-15"), d("2026-03-01"), "recheck_failed")]
    assert consequences([], res("all_round_assessment", "2026-03-15", False), officer) == []
