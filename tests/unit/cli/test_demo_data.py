"""``make demo`` reuses one data folder per output folder instead of leaving ~300 MB behind each run."""
import pytest

from lianbao.commands.demo import clean_data_folders

pytestmark = pytest.mark.timeout(10)


def test_the_data_folder_of_the_last_run_and_old_timestamped_ones_are_removed(tmp_path):
    out = tmp_path / "demo"
    data = out / "data"
    (data / "scoring").mkdir(parents=True)
    (data / "scoring.db").write_bytes(b"x" * 10)
    for old in ("data-1764300000", "data-1764300999"):
        (out / old).mkdir()
        (out / old / "roster.db").write_bytes(b"x")
    (out / "data-notes").mkdir()                        # not a demo's folder: left alone
    (out / "notice_2025.xlsx").write_bytes(b"keep")     # the outputs are rewritten by the run, not removed
    clean_data_folders(out, data)
    assert sorted(p.name for p in out.iterdir()) == ["data-notes", "notice_2025.xlsx"]


def test_a_missing_output_folder_is_fine(tmp_path):
    clean_data_folders(tmp_path / "nothing", tmp_path / "nothing" / "data")
    assert not (tmp_path / "nothing").exists()
