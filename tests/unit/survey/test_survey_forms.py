"""Rules of forms and batches (SPEC §4, issue 7)."""
import pytest

from services.survey.domain import (check_batch, check_form, is_blank, pack_answers,
                                    split_new_and_duplicates, strict_accepts)
from services.survey.domain.forms import (BAD_ANSWERS, BAD_FORM, BAD_SERIAL, DUPLICATE_SERIAL,
                                          UNKNOWN_FIELD, UNKNOWN_GROUP, UNKNOWN_SUBJECT,
                                          answer_code, answers_problem, valid_serial)

pytestmark = pytest.mark.timeout(10)

SUBJECTS = {"o1": "officer", "s1": "section"}
GROUPS = ("parents", "officers")
GOOD = "S" * 35


def form(serial="F1", subject="o1", group="parents", answers=GOOD, **extra):
    out = {"serial": serial, "subject": subject, "group": group, "answers": answers}
    out.update(extra)
    return out


def check(raw, index=0):
    return check_form(raw, index, SUBJECTS, GROUPS, 35)


def test_valid_form_is_taken():
    out = check(form())
    assert (out.serial, out.subject, out.group, out.answers) == ("F1", "o1", "parents", GOOD)


@pytest.mark.parametrize("serial", ["", " F1", "F1 ", "F\n1", "x" * 65, 17, None])
def test_every_form_has_a_serial_number(serial):
    out = check(form(serial=serial), index=4)
    assert (out.reason, out.field) == (BAD_SERIAL, "forms[4].serial")


def test_serial_of_64_characters_is_accepted():
    assert valid_serial("x" * 64)
    assert not valid_serial("x" * 65)


def test_form_must_be_an_object():
    out = check(["F1", "o1"], index=2)
    assert (out.reason, out.field, out.serial) == (BAD_FORM, "forms[2]", None)


def test_unknown_field_of_a_form_is_named():
    out = check(form(comment="hi"))
    assert (out.reason, out.field, out.serial) == (UNKNOWN_FIELD, "forms[0].comment", "F1")


def test_missing_field_of_a_form_is_named():
    raw = form()
    del raw["group"]
    out = check(raw)
    assert (out.reason, out.field) == (UNKNOWN_GROUP, "forms[0].group")


def test_subject_must_belong_to_the_campaign():
    out = check(form(subject="o9"))
    assert (out.reason, out.field, out.serial) == (UNKNOWN_SUBJECT, "forms[0].subject", "F1")


def test_group_must_be_one_of_the_campaign():
    out = check(form(group="retired_staff"))
    assert (out.reason, out.field) == (UNKNOWN_GROUP, "forms[0].group")


@pytest.mark.parametrize("answers,fragment", [
    ("S" * 34, "needs 35 answers, got 34"),
    ("S" * 36, "needs 35 answers, got 36"),
    ("S" * 10 + "X" + "S" * 24, "item 11"),
    ("s" * 35, "item 1"),
    (list("S" * 35), "must be a string"),
])
def test_answers_are_one_of_four_codes_per_item(answers, fragment):
    out = check(form(answers=answers))
    assert out.reason == BAD_ANSWERS and out.field == "forms[0].answers"
    assert fragment in out.message


def test_all_four_answer_codes_are_valid():
    assert answers_problem("SBDN" * 8 + "SBD", 35) is None


def test_form_answered_dont_know_throughout_is_received():
    out = check(form(answers="N" * 35))
    assert out.answers == "N" * 35
    assert is_blank(out.answers)
    assert not is_blank("N" * 34 + "D")


def test_first_copy_wins_inside_a_batch():
    good, errors = check_batch([form("A"), form("B"), form("A", answers="D" * 35)],
                               SUBJECTS, GROUPS, 35)
    assert [f.serial for f in good] == ["A", "B"]
    assert good[0].answers == GOOD
    assert [(e.index, e.serial, e.reason, e.field) for e in errors] == [
        (2, "A", DUPLICATE_SERIAL, "forms[2].serial")]


def test_a_bad_first_copy_does_not_block_a_later_good_one():
    good, errors = check_batch([form("A", group="nobody"), form("A")], SUBJECTS, GROUPS, 35)
    assert [f.index for f in good] == [1]
    assert [(e.index, e.reason) for e in errors] == [(0, UNKNOWN_GROUP)]


def test_batch_reports_each_bad_form_and_keeps_the_good_ones():
    good, errors = check_batch([form("A"), form("B", subject="zz"), form("C", answers="S"),
                                form("D")], SUBJECTS, GROUPS, 35)
    assert [f.serial for f in good] == ["A", "D"]
    assert [(e.serial, e.field) for e in errors] == [("B", "forms[1].subject"),
                                                     ("C", "forms[2].answers")]


def test_serial_already_in_the_campaign_is_a_duplicate():
    good, _ = check_batch([form("A"), form("B"), form("C")], SUBJECTS, GROUPS, 35)
    new, dups = split_new_and_duplicates(good, inserted_serials=["A", "C"])
    assert [f.serial for f in new] == ["A", "C"]
    assert [(e.index, e.serial, e.reason) for e in dups] == [(1, "B", DUPLICATE_SERIAL)]


def test_strict_mode_takes_none_when_any_form_is_refused():
    assert strict_accepts([])
    _, errors = check_batch([form("A"), form("A")], SUBJECTS, GROUPS, 35)
    assert not strict_accepts(errors)


@pytest.mark.parametrize("token,code", [
    ("满意", "S"), ("基本满意", "B"), ("不满意", "D"), ("不了解", "N"),
    ("S", "S"), ("b", "B"), (" D ", "D"), ("", "N"), (None, "N"),
])
def test_answer_cell_as_code_or_chinese_label(token, code):
    assert answer_code(token) == code


def test_pack_answers_names_every_bad_item():
    assert pack_answers(["满意", "B", "不了解"]) == "SBN"
    with pytest.raises(ValueError, match="item 2: '很好'.*item 3: 'x'"):
        pack_answers(["满意", "很好", "x"])


def test_every_fault_of_a_form_is_listed_with_its_field_the_first_as_the_forms_own():
    """Issue 26: a bad form's error lists each fault (field path each), in a fixed order."""
    err = check_form({"serial": "", "subject": "zz", "group": "nobody", "answers": "SX" * 17,
                      "extra": 1}, 4, SUBJECTS, GROUPS, 35)
    faults = [(f["field"], f["reason"]) for f in err.to_dict()["faults"]]
    assert faults == [("forms[4].serial", "bad_serial"), ("forms[4].extra", "unknown_field"),
                      ("forms[4].subject", "unknown_subject"), ("forms[4].group", "unknown_group"),
                      ("forms[4].answers", "bad_answers")]
    assert (err.field, err.reason) == faults[0]
    answers = err.to_dict()["faults"][-1]["message"]
    assert answers.startswith("needs 35 answers, got 34") and answers.count("'X'") == 17
    missing = check_form({"serial": "A1", "answers": "S" * 35}, 0, SUBJECTS, GROUPS, 35)
    assert [f["field"] for f in missing.to_dict()["faults"]] == ["forms[0].group", "forms[0].subject"]
    good = check_form({"serial": "A1", "subject": "o1", "group": "parents", "answers": "S" * 35},
                      0, SUBJECTS, GROUPS, 35)
    assert good.serial == "A1" and not hasattr(good, "faults")


def _columns(batch):
    return (batch.indexes, batch.serials, batch.subjects, batch.groups, batch.answers)


@pytest.mark.parametrize("raws", [
    [form("A"), form("B", subject="s1", group="officers", answers="SBDN" * 8 + "NNN"), form("C")],
    [form("A"), form("B"), form("A")],                                    # a serial twice
    [form("A"), form("B", subject="zz")], [form("A"), form("B", group="nobody")],
    [form("A"), form("B", answers="S" * 34)], [form("A"), form("B", answers="S" * 34 + "X")],
    [form("A"), form("B", answers="s" * 35)], [form("A"), form(" B")], [form("A"), form("B\n")],
    [form("A"), form("B", answers="S" * 34 + "满")], [form("A"), form("B", answers="S" * 34 + "?")],
    [form("A"), form("B", answers="S" * 34 + "\ud800")], [form("A"), form("B", answers="S" * 34 + "\x00")],
    [form("A"), form("")], [form("A"), form("x" * 65)], [form("A"), form("x" * 64)],
    [form("A"), form(17)], [form("A"), form("B", extra=1)], [form("A"), {"serial": "B"}],
    [form("A"), ["not", "a", "form"]], [form("A"), form("B", subject=None)],
    [form("A"), {"serial": "B", "subject": "o1", "group": "parents", "answer": GOOD}],
])
def test_a_batch_checked_by_columns_takes_what_form_by_form_takes(raws):
    from services.survey.domain import Batch, check_batch_columns
    good, errors = check_batch(raws, SUBJECTS, GROUPS, 35)
    batch, column_errors = check_batch_columns(raws, SUBJECTS, GROUPS, 35)
    assert _columns(batch) == _columns(Batch.of(good))
    assert batch.forms() == good and len(batch) == len(good)
    assert column_errors == errors


def test_new_forms_of_a_batch_and_its_blank_ones():
    from services.survey.domain import blank_count, check_batch_columns, split_new_batch
    batch, _ = check_batch_columns([form("A"), form("B", answers="N" * 35), form("C")], SUBJECTS, GROUPS, 35)
    same, dups = split_new_batch(batch, ["A", "B", "C"])
    assert same is batch and dups == []
    new, dups = split_new_batch(batch, ["A", "C"])
    assert new.serials == ["A", "C"] and new.indexes == [0, 2]
    assert [(e.serial, e.reason, e.field) for e in dups] == [("B", DUPLICATE_SERIAL, "forms[1].serial")]
    assert batch.only({"B"}).answers == ["N" * 35]
    assert blank_count(batch.answers, 35) == 1 == sum(map(is_blank, batch.answers))
    assert blank_count(["N", "NN", "S"], 35) == 2 == sum(map(is_blank, ["N", "NN", "S"]))
