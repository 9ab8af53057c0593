"""Import of training results: every bad row by number and column; same file twice changes nothing."""
from datetime import datetime

import pytest

from services.training.domain.importing import check_import, missing_columns, parse_row
from services.training.domain.model import Person

from .conftest import d

pytestmark = pytest.mark.timeout(10)
TODAY = d("2026-11-23")


def row(person, course, on, result):
    return {"person": person, "course_id": course, "date": on, "result": result}


@pytest.fixture
def people():
    return {"p1": Person("p1", "s1", "chief"), "p2": Person("p2", "s1", "officer")}


def test_import_header_needs_the_four_columns():
    assert missing_columns(["person", "date", "extra"]) == ["course_id", "result"]
    assert missing_columns(["result", "date", "course_id", "person"]) == []
    assert missing_columns(["result", "date", "course_id", "person_id"]) == []     # the old name (until 0.2.0)
    assert missing_columns(["result", "date", "course_id", "工号"]) == []


def test_import_row_values_are_checked_by_column():
    fields, problems = parse_row(7, row("", "rot", "2026-02-30", "maybe"))
    assert fields is None
    assert [(p.row, p.column) for p in problems] == [(7, "person"), (7, "date"), (7, "result")]
    fields, problems = parse_row(2, row("p1", "rot", datetime(2026, 3, 1, 0, 0), "合格"))
    assert problems == [] and fields["on"] == d("2026-03-01") and fields["passed"] is True


def test_import_reports_every_bad_row(people, courses):
    rows = [(2, row("p1", "rot", "2026-03-01", "fail")),
            (3, row("ghost", "rot", "2026-03-01", "pass")),
            (4, row("p2", "nocourse", "2026-03-01", "pass")),
            (5, row("p2", "drill", "2027-01-01", "pass")),
            (6, row("p2", "drill", "2026-04-01", "pass")),
            (7, row("p2", "drill", "2026-04-01", "pass"))]
    out = check_import(rows, people, courses, {}, TODAY)
    assert not out.ok
    assert [(p.row, p.column) for p in out.problems] == [
        (3, "person"), (4, "course_id"), (5, "date"), (7, "date")]
    assert [n for n, _ in out.created] == [2, 6]


def test_import_failure_then_retraining_in_one_file_in_date_order(people, courses):
    rows = [(2, row("p1", "rot2", "2026-06-01", "fail")), (3, row("p1", "rot", "2026-03-01", "fail"))]
    out = check_import(rows, people, courses, {}, TODAY)
    assert out.ok and [n for n, _ in out.created] == [3, 2]
    assert [(e.person_id, e.effect, e.effective_date) for e in out.events] == [
        ("p1", "removed_from_post", d("2026-06-01"))]


def test_import_same_file_twice_changes_nothing(people, courses):
    rows = [(2, row("p1", "rot", "2026-03-01", "pass")), (3, row("p2", "ar", "2026-05-01", "pass"))]
    first = check_import(rows, people, courses, {}, TODAY)
    history = {}
    for _, r in first.created:
        history.setdefault(r.person_id, []).append(r)
    again = check_import(rows, people, courses, history, TODAY)
    assert again.ok and again.created == [] and again.events == []
    assert [n for n, _ in again.unchanged] == [2, 3]


def test_import_a_changed_outcome_is_a_conflict_not_an_overwrite(people, courses):
    first = check_import([(2, row("p1", "drill", "2026-03-01", "pass"))], people, courses, {}, TODAY)
    history = {"p1": [r for _, r in first.created]}
    out = check_import([(2, row("p1", "drill", "2026-03-01", "fail"))], people, courses, history, TODAY)
    assert [(p.row, p.column) for p in out.problems] == [(2, "date")] and out.created == []


def test_import_blank_rows_are_skipped_and_numbering_kept(people, courses):
    rows = [(2, row("", "", "", "")), (3, row("p1", "drill", "2026-03-01", "bad"))]
    out = check_import(rows, people, courses, {}, TODAY)
    assert [(p.row, p.column) for p in out.problems] == [(3, "result")]


def test_import_missing_column_is_reported_once_at_the_header(people, courses):
    rows = [(2, {"person_id": "p1", "course_id": "drill", "date": "2026-03-01"}),
            (3, {"person_id": "p2", "course_id": "drill", "date": "2026-03-01"})]
    out = check_import(rows, people, courses, {}, TODAY)
    assert [(p.row, p.column, p.message) for p in out.problems] == [(1, "result", "missing column")]
    assert out.created == []


def test_import_chinese_headers_are_accepted(people, courses):
    rows = [(2, {"工号": "p1", "课程": "drill", "日期": "2026-03-01", "结果": "合格"})]
    out = check_import(rows, people, courses, {}, TODAY)
    assert out.ok and [r.passed for _, r in out.created] == [True]


def test_import_person_ids_read_through_chinese_headers():
    from services.training.domain.importing import person_ids
    assert person_ids([(2, {"工号": " p1 "}), (3, {"person_id": "p2"}), (4, {"工号": ""})]) == {"p1", "p2"}


def test_import_unknown_person_and_course_both_reported(people, courses):
    out = check_import([(2, row("ghost", "nocourse", "2026-03-01", "pass"))], people, courses, {}, TODAY)
    assert [(p.row, p.column) for p in out.problems] == [(2, "person"), (2, "course_id")]


def _old(r):
    """The row as a file with the deprecated column ``person_id`` gives it."""
    return {("person_id" if k == "person" else k): v for k, v in r.items()}


def test_import_reads_the_old_person_id_column_as_person(people, courses):
    """#17 item 3: a file of the old format is checked and created exactly as one naming ``person``."""
    new = [(2, row("p1", "rot", "2026-03-01", "pass")), (3, row("ghost", "rot", "2026-03-01", "pass"))]
    old = [(n, _old(r)) for n, r in new]
    assert "person_id" in old[0][1] and "person" not in old[0][1]
    a, b = (check_import(rows, people, courses, {}, TODAY) for rows in (new, old))
    assert [(p.row, p.column, p.message) for p in b.problems] == [(p.row, p.column, p.message) for p in a.problems]
    assert [(p.row, p.column) for p in b.problems] == [(3, "person")]
    ok = check_import(old[:1], people, courses, {}, TODAY)
    assert ok.ok and [(n, r.person_id, r.course_id) for n, r in ok.created] == [(2, "p1", "rot")]


@pytest.mark.parametrize("other", ["person", "工号", "人员编号"])
def test_import_refuses_a_file_naming_person_twice_naming_person_id(people, courses, other):
    """Both the old column and the new (or its Chinese alias): refused at the header, naming
    ``person_id``, no row checked or created, whichever row order."""
    rows = [(2, {other: "p1", "person_id": "p2", "course_id": "rot", "date": "2026-03-01", "result": "pass"}),
            (3, {other: "p2", "person_id": "p2", "course_id": "rot", "date": "2026-03-01", "result": "pass"})]
    out = check_import(rows, people, courses, {}, TODAY)
    assert not out.ok and out.created == [] and out.unchanged == []
    assert [(p.row, p.column) for p in out.problems] == [(1, "person_id")]
    assert "give 'person' only" in out.problems[0].message and repr(other) in out.problems[0].message
