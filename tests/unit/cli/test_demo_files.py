"""The demo's last files written by a process started with the year (#24 item 5): the same chart
and the same notice workbook as written in the demo's own process; written there when the process
is gone; a process never given its jobs is stopped and leaves nothing behind."""
import pytest
from openpyxl import load_workbook

from lianbao.demo.files import FilesProcess, chart_job, do, draw, xlsx_job

pytestmark = pytest.mark.timeout(120)

AGENCIES = ["a1", "a2", "a3"]
STARS = {1: [0, 1, 2], 2: [3, 0, 1], 3: [10, 12, 9], 4: [20, 18, 25], 5: [4, 6, 3]}
NOTICE = {"period": "2026", "headers": ["编号", "姓名", "金额"],
          "sheets": {"a1": [["p1", "张三", 500], ["p2", "=cmd", 300]], "a2": [["p3", "李四", 0]]},
          "summary_headers": ["单位", "金额"], "summary": [["a1", 800], ["a2", 0]]}


def _values(path):
    wb = load_workbook(path)
    return {name: [[c.value for c in row] for row in wb[name].iter_rows()] for name in wb.sheetnames}


def _jobs(folder):
    return [xlsx_job(NOTICE, folder / "notice.xlsx"), chart_job(folder / "chart.png", 2026, AGENCIES, STARS)]


def test_the_process_writes_what_this_process_writes(tmp_path):
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    here = [do(job) for job in _jobs(tmp_path / "here")]
    files = FilesProcess()
    proc = files.proc
    assert proc is not None
    files.start(_jobs(tmp_path / "there"))
    assert proc.wait(timeout=100) == 0                      # the process wrote them
    assert (tmp_path / "there" / "notice.xlsx").exists() and (tmp_path / "there" / "chart.png").exists()
    there = files.finish()
    assert [p.name for p in there] == ["notice.xlsx", "chart.png"]
    assert there[1].read_bytes() == here[1].read_bytes()
    assert _values(there[0]) == _values(here[0])
    assert files.proc is None and files.data is None       # done and closed


def test_written_here_when_the_process_is_gone(tmp_path):
    files = FilesProcess()
    files.proc.kill()
    files.proc.wait()
    files.start(_jobs(tmp_path))
    workbook, png = files.finish()
    assert png.read_bytes() == draw(tmp_path / "here.png", 2026, AGENCIES, STARS).read_bytes()
    assert _values(workbook)["a1"][3] == ["p2", "'=cmd", 300]


def test_a_process_never_given_jobs_is_stopped(tmp_path):
    files = FilesProcess()
    proc = files.proc
    files.close()
    assert proc.returncode is not None and files.proc is None and files.data is None
    files.close()                                # twice: nothing left to stop
