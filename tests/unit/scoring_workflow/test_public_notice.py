"""The public notice's rules (issue 23): what is shown while open, nothing after, plain-text
objections with a contact."""
from datetime import date

import pytest

from shared.errors import ValidationFailed
from services.scoring.domain import public_notice
from services.scoring.domain import public_notice as rules


def _p(subject, state="on_notice", start=date(2026, 3, 5), end=date(2026, 3, 10), score=95.0):
    return public_notice.Posted("officer", subject, f"name-{subject}", "unit", score, state, start, end)


def test_open_from_the_posting_day_through_the_last_working_day():
    rows = [_p("a"), _p("b", score=99.0)]
    assert public_notice.notice_view(rows, date(2026, 3, 4))["status"] == "not_started"
    for day in (5, 9, 10):
        view = public_notice.notice_view(rows, date(2026, 3, day))
        assert view["status"] == "open"
        assert [e["subject"] for e in view["entries"]] == ["b", "a"]       # best score first
    closed = public_notice.notice_view(rows, date(2026, 3, 11))
    assert (closed["status"], closed["entries"], closed["end"]) == ("closed", [], "2026-03-10")


def test_filed_entries_are_never_shown_and_a_reposted_one_has_its_own_window():
    rows = [_p("a", state="filed"), _p("b", start=date(2026, 3, 10), end=date(2026, 3, 13))]
    view = public_notice.notice_view(rows, date(2026, 3, 12))
    assert [e["subject"] for e in view["entries"]] == ["b"]
    assert (view["start"], view["end"]) == ("2026-03-10", "2026-03-13")


def test_nothing_posted():
    assert public_notice.notice_view([], date(2026, 3, 5)) == {"status": "none", "start": None, "end": None,
                                                               "entries": []}


@pytest.mark.parametrize("contact", ["13800001111", "+86 138-0000-1111", "a.b@example.cn"])
def test_a_contact_is_a_phone_number_or_an_email_address(contact):
    assert public_notice.check_objection("有异议", f" {contact} ") == ("有异议", contact)


@pytest.mark.parametrize("text,contact,field", [
    ("<script>x</script>", "13800001111", "text"),
    ("a\x1b[31m", "13800001111", "text"),
    ("x" * (public_notice.TEXT_MAX + 1), "13800001111", "text"),
    ("", "13800001111", "text"),
    ("有异议", "", "contact"),
    ("有异议", "<img src=x>", "contact"),
    ("有异议", "call me", "contact"),
])
def test_markup_control_characters_and_overlong_text_are_refused_naming_the_field(text, contact, field):
    with pytest.raises(ValidationFailed) as err:
        public_notice.check_objection(text, contact)
    assert err.value.field == field


def test_line_breaks_are_plain_text():
    assert public_notice.check_objection("第一行\n第二行", "13800001111")[0] == "第一行\n第二行"


# -- a period's notice (half-year, annual) ------------------------------------------------------------

def test_stars_as_the_method_publishes_them():
    assert [rules.published_result("officer", {"status": "rated", "stars": n}) for n in (5, 4, 3, 2, 1)] == [
        "五星级", "四星级", "三星级", "二星级", "一星级"]
    assert rules.published_result("section", {"status": "not_rated", "stars": None}) == "不参加评星"
    assert rules.published_result("officer", {"status": "disqualified", "stars": None,
                                              "reasons": ["absences"]}) == "取消评星资格"
    assert rules.published_result("agency", {"class": 1, "advanced": True}) == "一类 先进单位"
    assert rules.published_result("agency", {"class": 2, "veto_warning": True}) == "二类 一票否决预告"
    with pytest.raises(ValueError):
        rules.published_result("officer", {"status": "rated", "stars": 6})


def _entry(subject, kind="officer", score=90.0, status="rated", stars=4, unit="刑侦大队"):
    return rules.PeriodEntry(kind, subject, subject, unit, score, status, stars,
                             rules.published_result(kind, {"status": status, "stars": stars}))


def test_a_period_notice_lists_sections_first_then_officers_best_first_while_open_only():
    entries = [_entry("o1", score=88.0, stars=3), _entry("o2", score=96.0, stars=5),
               _entry("s1", kind="section", score=91.0), _entry("o3", score=None, status="not_rated", stars=None)]
    start, end = date(2026, 7, 3), date(2026, 7, 8)
    assert rules.period_notice_view(entries, start, end, date(2026, 7, 2))["status"] == "not_started"
    view = rules.period_notice_view(entries, start, end, date(2026, 7, 8))
    assert view["status"] == "open" and (view["start"], view["end"]) == ("2026-07-03", "2026-07-08")
    assert [(e["subject"], e["stars"], e["result"]) for e in view["entries"]] == [
        ("s1", 4, "四星级"), ("o2", 5, "五星级"), ("o1", 3, "三星级"), ("o3", None, "不参加评星")]
    closed = rules.period_notice_view(entries, start, end, date(2026, 7, 9))
    assert (closed["status"], closed["entries"]) == ("closed", [])
    assert rules.period_notice_view([], None, None, date(2026, 7, 6))["status"] == "none"
