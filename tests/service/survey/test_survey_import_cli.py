"""``lianbao import forms``: CSV/XLSX files through the survey service (embedded transport)."""
from pathlib import Path

import pytest
from openpyxl import Workbook

from lianbao.cli import build_parser
from lianbao.commands import import_forms as cmd

pytestmark = pytest.mark.timeout(60)

DATA = Path(__file__).resolve().parents[2] / "data" / "survey"


def test_import_forms_is_a_sub_command_of_import():
    args = build_parser().parse_args(["import", "forms", "x.csv", "--campaign", "c1", "--strict"])
    assert (args.func, args.campaign, args.strict) == (cmd.run, "c1", True)


def test_import_reports_each_bad_form_by_line_and_takes_the_good_ones(survey):
    out = cmd.import_forms(DATA / "forms_items.csv", "c1", survey.rpc, batch_size=3, progress=False)
    assert (out["forms"], out["accepted"], out["rejected"], out["duplicates"]) == (8, 4, 4, 1)
    assert [(e["line"], e["serial"], e["field"], e["reason"]) for e in out["errors"]] == [
        (6, "P005", "subject", "unknown_subject"), (7, "P006", "group", "unknown_group"),
        (8, "P007", "answers", "bad_answers"), (9, "P001", "serial", "duplicate_serial")]
    with survey.rpc() as rpc:
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
    o1 = next(s for s in rates["subjects"] if s["id"] == "o1")
    # P001 (labels: S14 B7 D7, two blanks/不了解), P002 D35, P003 all 不了解: 21/63
    assert (o1["forms"], o1["answered"], o1["rate"]) == (3, 63, "0.3333")


def test_importing_the_same_file_twice_changes_nothing(survey):
    first = cmd.import_forms(DATA / "forms_packed.csv", "c1", survey.rpc, progress=False)
    again = cmd.import_forms(DATA / "forms_packed.csv", "c1", survey.rpc, progress=False)
    assert (first["accepted"], again["accepted"], again["rejected"]) == (2, 2, 0)
    with survey.rpc() as rpc:
        assert rpc.survey.get_campaign({"campaign_id": "c1"})["forms_received"] == 2


def test_strict_import_with_a_bad_form_takes_none(survey):
    out = cmd.import_forms(DATA / "forms_items.csv", "c1", survey.rpc, strict=True, batch_size=3,
                           progress=False)
    assert (out["accepted"], out["committed"]) == (0, False)
    assert len(out["errors"]) == 4
    with survey.rpc() as rpc:
        assert rpc.survey.get_campaign({"campaign_id": "c1"})["forms_received"] == 0


def test_import_xlsx(survey, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Serial", "Subject", "Group", "Answers"])
    ws.append([1001, "a1", "企业负责人", "S" * 35])
    ws.append([1002, "a1", "business_owners", "D" * 35])
    path = tmp_path / "forms.xlsx"
    wb.save(path)
    out = cmd.import_forms(path, "c1", survey.rpc, progress=False)
    assert (out["accepted"], out["rejected"]) == (2, 0)
    with survey.rpc() as rpc:
        a1 = rpc.survey.get_rates({"campaign_id": "c1"})["subjects"][0]
    assert (a1["id"], a1["rate"]) == ("a1", "0.5000")


def test_file_without_the_needed_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("serial,subject\nF1,o1\n", encoding="utf-8")
    with pytest.raises(cmd.BadFile, match="group"):
        cmd.read_forms(path)


def test_every_fault_of_a_form_is_reported_with_its_field(survey, tmp_path):
    """Issue 26: a form with several faults gets one error for each (line, field), not the first only."""
    items = ["满意"] * 35
    items[2], items[9] = "很好", "x"
    path = tmp_path / "faults.csv"
    path.write_text("serial,subject,group," + ",".join(f"q{i}" for i in range(1, 36)) + "\n"
                    + "F1,zz,游客," + ",".join(items) + "\n"
                    + "F2,o1,学生家长," + ",".join(["满意"] * 35) + "\n", encoding="utf-8")
    out = cmd.import_forms(path, "c1", survey.rpc, progress=False)
    assert (out["forms"], out["accepted"], out["rejected"]) == (2, 1, 1)
    assert [(e["line"], e["serial"], e["field"], e["reason"]) for e in out["errors"]] == [
        (2, "F1", "subject", "unknown_subject"), (2, "F1", "group", "unknown_group"),
        (2, "F1", "answers", "bad_answers")]
    answers = out["errors"][2]["message"]
    assert "item 3: '很好'" in answers and "item 10: 'x'" in answers      # the cells as written


def _packed(tmp_path, rows, tail=b""):
    path = tmp_path / "forms.csv"
    body = "serial,subject,group,answers\n" + "".join(f"{s},o1,parents,{'S' * 35}\n" for s in rows)
    path.write_bytes(body.encode("utf-8") + tail)
    return path


def test_a_serial_repeated_in_a_later_batch_is_refused_at_its_line_naming_the_first(survey, tmp_path):
    """The file is read a batch at a time; the first-copy rule still spans the whole file (the
    repeats of a serial in later batches, strict and dry runs included: no form was sent then)."""
    path = _packed(tmp_path, ["F1", "F2", "F3", "F4", "F2", "F5", "F1", "F2"])
    assert cmd.repeated_serials(path) == {6: 3, 8: 2, 9: 3}
    for kwargs in ({"dry_run": True}, {"strict": True}, {}):
        out = cmd.import_forms(path, "c1", survey.rpc, batch_size=2, progress=False, **kwargs)
        assert [(e["line"], e["serial"], e["message"]) for e in out["errors"]] == [
            (6, "F2", "serial already given at line 3 of this file"),
            (8, "F1", "serial already given at line 2 of this file"),
            (9, "F2", "serial already given at line 3 of this file")], kwargs
        assert (out["forms"], out["duplicates"]) == (8, 3)
    assert (out["accepted"], out["committed"]) == (5, True)
    with survey.rpc() as rpc:
        assert rpc.survey.get_campaign({"campaign_id": "c1"})["forms_received"] == 5


def test_a_bad_byte_on_the_last_line_is_refused_before_any_form_is_sent(tmp_path):
    path = _packed(tmp_path, [f"F{i}" for i in range(5000)], tail="F9,o1,干警\n".encode("gbk"))

    def no_broker():
        raise AssertionError("a broker was asked for")
    with pytest.raises(cmd.BadFile, match="line 5002, column 7"):
        cmd.import_forms(path, "c1", no_broker, batch_size=100, progress=False)
