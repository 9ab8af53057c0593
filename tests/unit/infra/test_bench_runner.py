"""bench/run_all.py (issue 24 item 1): every benchmark three times, median and spread, judged at the median."""
import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(10)

_spec = importlib.util.spec_from_file_location("run_all", Path(__file__).resolve().parents[3] / "bench" / "run_all.py")
run_all = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_all)


def _run(figure, baseline, met, limits=None):
    r = {"name": "b", "figure": figure, "baseline": baseline, "ratio": round(figure / baseline, 2), "unit": "s",
         "target": "<= 3x", "met": met, "wall": 1.0}
    if limits:
        r["limits"] = limits
    return r


def test_median_and_spread_of_figure_baseline_and_ratio():
    row = run_all.summarise("b", [_run(9.0, 3.0, False), _run(6.0, 3.0, True), _run(7.5, 2.5, True)])
    assert row["figure"] == {"median": 7.5, "min": 6.0, "max": 9.0}
    assert row["baseline"] == {"median": 3.0, "min": 2.5, "max": 3.0}
    assert row["ratio"] == {"median": 3.0, "min": 2.0, "max": 3.0}


def test_a_target_is_judged_at_the_median_not_at_one_run():
    limits = {"ratio": 3}
    one_good_run = [_run(9.9, 3.0, False, limits), _run(6.0, 3.0, True, limits), _run(9.6, 3.0, False, limits)]
    row = run_all.summarise("b", one_good_run)
    assert row["met"] is False and row["met_runs"] == 1 and row["judged"] == "medians against the limits"
    one_bad_run = [_run(9.9, 3.0, False, limits), _run(6.0, 3.0, True, limits), _run(8.7, 3.0, True, limits)]
    assert run_all.summarise("b", one_bad_run)["met"] is True           # median ratio 2.9


def test_more_is_better_limits_and_the_boundary_meets():
    runs = [dict(_run(2.0, 1.0, True), limits={"min_ratio": 0.8}), dict(_run(0.8, 1.0, True), limits={"min_ratio": 0.8}),
            dict(_run(0.5, 1.0, False), limits={"min_ratio": 0.8})]
    assert run_all.summarise("b", runs)["met"] is True                  # median 0.8 meets ≥ 0.8


def test_without_limits_the_run_with_the_median_figure_decides():
    row = run_all.summarise("b", [_run(5.0, 1.0, True), _run(9.0, 1.0, False), _run(7.0, 1.0, False)])
    assert row["met"] is False and row["judged"] == "the run with the median figure"


def test_a_failed_run_fails_the_row():
    row = run_all.summarise("b", [_run(5.0, 1.0, True), {"name": "b", "error": "boom", "wall": 1.0}])
    assert "error" in row and "1 of 2 runs failed" in row["error"]
    assert "FAILED" in "\n".join(run_all.table([row]))


def test_the_table_shows_median_and_min_max():
    row = run_all.summarise("b", [_run(9.0, 3.0, False, {"ratio": 3}), _run(6.0, 3.0, True, {"ratio": 3}),
                                  _run(7.5, 2.5, True, {"ratio": 3})])
    text = "\n".join(run_all.table([row]))
    assert "7.50 s (6.00 s–9.00 s)" in text and "3.00 (2.00–3.00)" in text and "yes (2 of 3 runs met)" in text
    assert "nproc" in run_all.machine()
