"""Every command that reads a file refuses a bad one with exit 2 and the line and column, never a
traceback (issue 19): malformed YAML/JSON/CSV, ``!!python`` tags, another encoding, NUL bytes."""
import pytest

from lianbao.cli import main

pytestmark = pytest.mark.timeout(60)

BAD = {
    "broken.yml": (b"label: x\n  bad: [1\n", "line 2, column 6"),
    "python.yml": (b'label: x\nrules: !!python/object/apply:os.system ["echo pwned"]\n', "line 2, column 8"),
    "tagged.yml": (b"!!python/name:os.system\n", "line 1, column 1"),
    "broken.json": (b'{"period": "2026",\n "x": }\n', "line 2, column 7"),
    "latin1.json": ('{"label": "caf\u00e9"}'.encode("latin-1"), "line 1, column 15"),
    "utf16.yml": ("label: 民警\n".encode("utf-16"), "line 1, column 1"),
    "nul.yml": (b"label: x\nb: \x00\n", "line 2, column 4"),
}
CSV = {
    "quote.csv": (b'id,name\no1,"abc\n', "line 2"),
    "gbk.csv": ("id,name\no1,干警\n".encode("gbk"), "line 2, column 4"),
    "nul.csv": (b"id,name\x00\no1,a\n", "line 1, column 8"),
    "esc.csv": (b"id,name\no1,a\x1b[2J\n", "line 2, column 5"),
}


def _run(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("verb", ["check", "register", "preview"])
def test_packs_refuse_a_bad_file_naming_line_and_column(tmp_path, capsys, name, verb):
    content, where = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    extra = ["--period", "2026", "--local"] if verb == "preview" else []
    code, err = _run(["packs", verb, str(path), "--agency", "a1", *extra], capsys)
    assert code == 2 and where in err and name in err, err
    assert "pwned" not in err


@pytest.mark.parametrize("name", ["broken.json", "latin1.json", "nul.yml"])
def test_rate_refuses_a_bad_file_naming_line_and_column(tmp_path, capsys, name):
    content, where = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, err = _run(["rate", str(path)], capsys)
    assert code == 2 and where.replace(", column", " column") in err.replace(", column", " column"), err


@pytest.mark.parametrize("name", sorted(BAD))
def test_calendar_load_refuses_a_bad_file_naming_line_and_column(tmp_path, capsys, name):
    content, where = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, err = _run(["calendar", "load", str(path), "--actor", "staff1"], capsys)
    assert code == 2 and where in err and name in err, err
    assert "pwned" not in err


@pytest.mark.parametrize("name", sorted(CSV))
@pytest.mark.parametrize("command", [["import", "roster"], ["import", "training"],
                                     ["import", "forms", "--campaign", "c1"]])
def test_imports_refuse_a_bad_file_before_any_broker(tmp_path, capsys, name, command):
    content, where = CSV[name]
    path = tmp_path / name
    path.write_bytes(content)
    code, err = _run([*command, str(path), "--no-progress"], capsys)
    assert code == 2 and where in err and name in err, err


def test_an_xlsx_that_is_not_one_is_refused(tmp_path, capsys):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"id,name\n")
    code, err = _run(["import", "roster", str(path)], capsys)
    assert code == 2 and "not an XLSX workbook" in err
