"""The demo's last files written beside it: the chart (officers' stars per agency,
``stars_per_agency.png``) and a notice's workbook (``notice_<period>.xlsx``).

Importing matplotlib takes about a second of one CPU, and writing a notice of the full city to XLSX
about two; both come last, when the year is done.  So the demo starts a process of its own at the
beginning (:class:`FilesProcess`): it imports matplotlib and openpyxl while the year runs, then waits
for its jobs, writes them (:func:`draw`, ``export_notice.write_xlsx``: the same code as in the demo's
process) while the demo writes its other files, and exits.  If that process cannot start or fails,
the demo writes the same files itself.

    python -m lianbao.demo.files JOBS   # the process's side: JOBS holds {"jobs": [...]}, see do()
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLOURS = {5: "#1b7837", 4: "#7fbf7b", 3: "#d9f0d3", 2: "#f1b6da", 1: "#c51b7d"}
WAIT_SECONDS = 300


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw(path: Path, year: int, agencies: list[str], stars: dict[int, list[int]]) -> Path:
    """The bar chart: per agency (in the order given) the officers rated of each star, stacked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(8, len(agencies) * 0.28), 5))
    bottom = [0] * len(agencies)
    for star in (1, 2, 3, 4, 5):
        values = stars[star]
        ax.bar(agencies, values, bottom=bottom, label=f"{star}★", color=COLOURS[star])
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_title(f"Officers' stars per agency, annual rating {year}")
    ax.set_ylabel("officers rated")
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    ax.legend(ncol=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def chart_job(path: Path, year: int, agencies: list[str], stars: dict[int, list[int]]) -> dict:
    return {"kind": "chart", "path": str(Path(path).resolve()), "year": year, "agencies": agencies,
            "stars": {str(k): v for k, v in stars.items()}}


def xlsx_job(notice: dict, path: Path) -> dict:
    return {"kind": "xlsx", "path": str(Path(path).resolve()), "notice": notice}


def do(job: dict) -> Path:
    """One job, in whichever process: a chart or a notice's workbook."""
    path = Path(job["path"])
    if job["kind"] == "chart":
        return draw(path, job["year"], job["agencies"], {int(k): v for k, v in job["stars"].items()})
    if job["kind"] == "xlsx":
        from lianbao.commands.export_notice import write_xlsx

        return write_xlsx(job["notice"], path)
    raise ValueError(f"unknown job {job['kind']!r}")


class FilesProcess:
    """A ``python -m lianbao.demo.files JOBS`` started now, given its jobs later (:meth:`start`),
    waited for at the end (:meth:`finish`).  The jobs are written to the file JOBS, then the
    process's stdin is closed, which is its signal to begin (nothing is written to a pipe: a
    process that died cannot block the demo)."""

    def __init__(self):
        self.jobs: list[dict] = []
        fd, self.data = tempfile.mkstemp(prefix="lianbao-demo-files-", suffix=".json")
        os.close(fd)
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "lianbao.demo.files", self.data], cwd=ROOT,
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)
        except OSError:
            self.proc = None

    def start(self, jobs: list[dict]) -> None:
        """Hand the jobs over (once); without a live process they are done by :meth:`finish`."""
        self.jobs = list(jobs)
        try:
            if self.proc is not None and self.proc.poll() is None:
                Path(self.data).write_text(json.dumps({"jobs": self.jobs}), encoding="utf-8")
                for job in self.jobs:
                    Path(job["path"]).unlink(missing_ok=True)
                self.proc.stdin.close()
                return
        except (OSError, TypeError, ValueError):     # TypeError: a value JSON cannot hold
            pass
        self.close()

    def finish(self) -> list[Path]:
        """The jobs' files: the process's if it did them all, else written here."""
        try:
            if self.proc is not None and self.proc.wait(timeout=WAIT_SECONDS) == 0 \
                    and all(Path(job["path"]).exists() for job in self.jobs):
                return [Path(job["path"]) for job in self.jobs]
        except (OSError, subprocess.SubprocessError):
            pass
        finally:
            self.close()
        return [do(job) for job in self.jobs]

    def close(self) -> None:
        """Stop the process if it is still there (a year that failed never gives it jobs)."""
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if not proc.stdin.closed:
                proc.stdin.close()
        if self.data:
            Path(self.data).unlink(missing_ok=True)
            self.data = None


def main(argv=None) -> int:
    data = Path((argv or sys.argv[1:])[0])
    _pyplot()                       # the imports, while the demo's year runs
    import openpyxl  # noqa: F401

    import lianbao.commands.export_notice  # noqa: F401

    sys.stdin.buffer.read()         # until the demo closes it: the jobs are written
    text = data.read_text(encoding="utf-8") if data.exists() else ""
    if not text:
        return 1                    # the demo ended without jobs
    for job in json.loads(text)["jobs"]:
        do(job)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
