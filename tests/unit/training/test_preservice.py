"""M§三(四)1(2): 新进政法机关人员需经岗前培训,合格后方能上岗;基层一线岗位工作,时间不得少于一年。"""
import pytest

from services.training.domain.preservice import frontline_status, may_take_post

from .conftest import d, res

pytestmark = pytest.mark.timeout(10)


def test_pre_service_no_post_before_passing():
    assert not may_take_post([], d("2026-05-01"))
    assert not may_take_post([res("pre_service", "2026-04-01", False)], d("2026-05-01"))


def test_pre_service_post_from_the_day_of_the_pass():
    results = [res("pre_service", "2026-04-01", False), res("pre_service", "2026-04-20", True)]
    assert not may_take_post(results, d("2026-04-19"))
    assert may_take_post(results, d("2026-04-20"))


def test_pre_service_other_courses_do_not_clear_the_post():
    assert not may_take_post([res("rotation", "2026-04-01", True)], d("2026-05-01"))


def test_frontline_exactly_one_year_completes():
    assert frontline_status(d("2025-09-01"), None, d("2026-09-01")).status == "completed"
    assert frontline_status(d("2025-09-01"), None, d("2026-08-31")).status == "serving"


def test_frontline_left_before_a_year_is_cut_short():
    assert frontline_status(d("2025-09-01"), d("2026-08-31"), d("2026-11-01")).status == "cut_short"
    assert frontline_status(d("2025-09-01"), d("2026-09-01"), d("2026-11-01")).status == "completed"


def test_frontline_year_from_29_february_ends_28_february():
    st = frontline_status(d("2024-02-29"), None, d("2025-02-28"))
    assert st.completes_on == d("2025-02-28") and st.status == "completed"
