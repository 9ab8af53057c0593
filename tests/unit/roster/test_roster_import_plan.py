"""Import planning (rows → new / changed / unchanged, every bad row by row and column)."""
from datetime import date

from services.roster.domain.importing import check_header, normalise_header, plan_import
from services.roster.domain.model import Staff


def row(pid, unit="c_ps_s1", position="officer", joined="2020-01-01", **extra):
    out = {"id": pid, "name": f"n{pid}", "unit": unit, "position": position, "joined": joined}
    out.update(extra)
    return out


def test_good_rows_are_all_new(units):
    plan = plan_import([(2, row("a")), (3, row("b", position="chief"))], units, {})
    assert plan.ok
    assert [s.id for s in plan.new] == ["a", "b"]


def test_bad_rows_are_reported_by_row_and_column(units):
    rows = [(2, row("a")), (3, row("b", unit="nowhere")), (4, row("c", joined="2020-13-01")),
            (5, row("d", position="boss")), (6, row("", )), (7, row("a", unit="c_ps_s2"))]
    plan = plan_import(rows, units, {})
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "unit"), (4, "joined"), (5, "position"), (6, "id"), (7, "unit")]


def test_reimport_of_same_rows_changes_nothing(units):
    first = plan_import([(2, row("a", titles=""))], units, {})
    existing = {s.id: s for s in first.new}
    again = plan_import([(2, row("a"))], units, existing)
    assert (again.new, again.changed, again.unchanged) == ([], [], 1)


def test_changed_row_is_a_change(units):
    existing = {"a": Staff("a", "na", "c_ps_s1", "officer", date(2020, 1, 1))}
    plan = plan_import([(2, row("a", unit="c_ps_s2"))], units, existing)
    assert plan.changed[0][1].unit == "c_ps_s2"


def test_chinese_header_and_positions(units):
    header = normalise_header(["工号", "姓名", "单位", "职务", "入队日期", "分管科室"])
    assert check_header(header) == []
    plan = plan_import([(2, dict(zip(header, ["l", "李", "c_ps", "班子成员", "2010-05-01",
                                              "c_ps_s1;c_ps_s2"])))], units, {})
    assert plan.new[0].position == "leader"
    assert plan.new[0].supervises == ("c_ps_s1", "c_ps_s2")


def test_header_missing_and_unknown_columns():
    errors = check_header(normalise_header(["id", "name", "unit", "position", "colour"]))
    assert {(e.row, e.column) for e in errors} == {(1, "joined"), (1, "colour")}


def test_a_row_with_several_faults_reports_each_column_at_fault(units):
    bad = row("e", unit="nowhere", joined="2020-02-30", position="boss", titles="emperor", extra="x")
    bad["name"] = ""
    plan = plan_import([(2, row("a")), (3, bad)], units, {})
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "extra"), (3, "name"), (3, "unit"), (3, "position"), (3, "joined"), (3, "titles")]
    assert [s.id for s in plan.new] == ["a"]


def test_an_officer_with_a_court_title_supervising_a_section_gets_both_faults(units):
    plan = plan_import([(2, row("f", position="officer", supervises="c_ps_s2", titles="法院院长"))],
                       units, {})
    assert [e.column for e in plan.errors] == ["titles", "supervises"]


def test_ids_named_are_the_ids_the_plan_reads():
    from services.roster.domain.importing import ids_named

    assert ids_named([{"id": " o1 "}, {"id": ""}, {"name": "x"}, {"id": None}, {"id": "o2"}]) == {"o1", "o2"}
