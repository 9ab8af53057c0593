"""Follow-ups of the monthly ranking (001 §一3): referrals twice running, 三帮一, the poor leader's talk."""
from datetime import date

import pytest

from services.scoring.domain import exports, followups
from shared.errors import RuleViolation, ValidationFailed

pytestmark = pytest.mark.timeout(30)


def test_two_months_good_is_a_referral():
    assert followups.referrals_due({"a": "good"}, {"a": "good"}) == {"a": "good"}


def test_good_then_middle_is_none():
    assert followups.referrals_due({"a": "good"}, {"a": "middle"}) == {}


def test_poor_twice_is_a_referral():
    assert followups.referrals_due({"a": "poor"}, {"a": "poor"}) == {"a": "poor"}
    assert followups.owes_helpers("poor") and not followups.owes_helpers("middle")


def test_middle_twice_good_then_poor_and_a_missing_month_make_none():
    assert followups.referrals_due({"a": "middle", "b": "good"}, {"a": "middle", "b": "poor",
                                                                 "c": "good"}) == {}


def test_only_units_and_leaders_are_referred_and_only_a_poor_leader_is_talked_to():
    assert followups.is_referral_group("units") and followups.is_referral_group("leaders")
    assert not followups.is_referral_group("officers") and not followups.is_referral_group("reserve")
    assert followups.owes_collective_talk("leaders", "poor")
    assert not followups.owes_collective_talk("units", "poor")
    assert not followups.owes_collective_talk("leaders", "middle")


def test_the_talk_is_due_ten_working_days_after_the_ranking_holidays_skipped():
    # ranked 30 September 2025: 9, 10, 11 (Sat), 13, 14, 15, 16, 17, 20, 21 October
    assert followups.talk_due(date(2025, 9, 30)) == date(2025, 10, 21)


def test_the_minutes_go_to_all_four_addressees():
    assert followups.check_addressees(list(followups.ADDRESSEES) + ["市委政法委档案"])
    with pytest.raises(RuleViolation) as err:
        followups.check_addressees(["organization_department", "standing_committee",
                                    "superior_political_legal"])
    assert err.value.field == "addressees" and "discipline_commission" in err.value.message


def test_the_meeting_comes_after_the_ranked_month():
    followups.check_meeting_date(date(2026, 4, 1), date(2026, 3, 31))
    with pytest.raises(ValidationFailed) as err:
        followups.check_meeting_date(date(2026, 3, 31), date(2026, 3, 31))
    assert err.value.field == "meeting_date"


def test_three_helpers_distinct_not_the_subject_and_known():
    known = {"h1", "h2", "h3", "h4", "s"}
    assert followups.check_helpers("s", ["h1", "h2", "h3"], known) == ["h1", "h2", "h3"]
    for helpers, field in ((["h1", "h2"], "helpers"), (["h1", "h2", "h3", "h4"], "helpers"),
                           (["h1", "h1", "h2"], "helpers[1]"), (["h1", "h2", "x"], "helpers[2]")):
        with pytest.raises(ValidationFailed) as err:
            followups.check_helpers("s", helpers, known)
        assert err.value.field == field
    with pytest.raises(RuleViolation) as err:
        followups.check_helpers("s", ["h1", "s", "h2"], known)
    assert err.value.field == "helpers[1]"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_injection_is_written_as_text_in_csv(text):
    import csv
    import io

    rows = list(csv.reader(io.StringIO(exports.csv_bytes(["h"], [[text, 5, None]]).decode("utf-8-sig"),
                                       newline="")))
    assert rows[1] == ["'" + text, "5", ""]


def test_formula_injection_is_written_as_text_in_xlsx():
    import io

    from openpyxl import load_workbook

    body = exports.xlsx_bytes("t", ["a", "b", "c"], [["=HYPERLINK(\"http://x\")", "-1", 7],
                                                     ["safe", "@x", -3]])
    ws = load_workbook(io.BytesIO(body)).active
    assert ws["A2"].data_type == "s" and ws["A2"].value == "=HYPERLINK(\"http://x\")"
    assert ws["B2"].data_type == "s" and ws["B3"].data_type == "s"
    assert ws["C2"].value == 7 and ws["C3"].value == -3 and ws["A3"].value == "safe"


def _xlsx_asking_the_sheet(title, headers, rows) -> bytes:
    """xlsx_bytes as it was before #24 item 5: the last row's cells found by asking the sheet its
    size after every row (``ws[ws.max_row]``, which counts every cell)."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(headers))
    for row in rows:
        ws.append([v for v in row])
        for cell in ws[ws.max_row]:
            if exports.is_dangerous(cell.value) or cell.data_type == "f":
                cell.data_type = "s"
                cell.quotePrefix = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cells(body):
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(body)).active
    return ws.title, [(c.coordinate, c.value, c.data_type, c.quotePrefix) for row in ws.iter_rows() for c in row]


def test_xlsx_cells_are_those_written_by_asking_the_sheet_its_size():
    """The export keeps the last row and the widest row itself (#24 item 5): the same cells, values,
    types and quote prefixes as asking the sheet after every row, for rows of any length (shorter,
    longer, empty), dangerous text, numbers and blanks."""
    cases = [
        ("t", ["a", "b", "c"], [["=HYPERLINK(\"http://x\")", "-1", 7], ["safe", "@x", -3]]),
        ("long title that is cut at thirty-one", ["h"], [["=1", "x", "+2", None], [], ["ok"], ["\tx", 1.5]]),
        ("empty", [], [[], ["=a"], ["b", "-c"]]),
        ("none", ["a"], []),
        ("many", ["编号", "名称"], [[f"r{i}", "=SUM(A1)" if i % 7 == 0 else f"名{i}", i] for i in range(300)]),
    ]
    for title, headers, rows in cases:
        assert _cells(exports.xlsx_bytes(title, headers, rows)) == \
            _cells(_xlsx_asking_the_sheet(title, headers, rows)), title
