"""Every command and code example of README.md and docs/ runs as written, on a fresh copy of the
repository (its tracked files only, nothing left over from a previous run).

The marker convention (also at the top of README.md): a fenced block is run according to the HTML
comment on the line just before it.

* no marker — ```` ```bash ```` and ```` ```python ```` blocks run as they are, with the venv's
  ``bin/`` on ``PATH`` (what ``. .venv/bin/activate`` gives) and nothing started: they must start
  what they need (``lianbao up --embedded ... &``);
* ``<!-- example: broker -->`` — needs RabbitMQ and PostgreSQL: run against this test's own vhost
  and databases; the harness rewrites the README's addresses (``amqp://guest:guest@127.0.0.1:5672/``
  and ``lianbao_{service}``) to them, and the block starts what it needs;
* ``<!-- example: broker, services -->`` — as ``broker``, with the five services already started
  (``lianbao up``), as a reader who followed the section before has them;
* ``<!-- example: not run: REASON -->`` — not run, for the reason given (long runs like ``make demo``,
  a Docker engine); the list is printed by ``test_blocks_not_run_say_why``.
* ```` ```console ```` blocks: each ``$ command`` line runs, and every output line shown below it must
  appear in that order in what it prints (``…`` stands for lines left out).

Any port 8000 written in a block (``localhost:8000``, ``127.0.0.1:8000``) is replaced by a free port,
and every background process a block starts is stopped when it ends.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!--\s*example:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")
RUNNABLE = {"bash", "sh", "python", "console"}
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672/"


@dataclass
class Block:
    path: str
    line: int
    language: str
    marker: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def not_run(self) -> str | None:
        m = re.match(r"not run\s*[:—-]?\s*(.*)", self.marker)
        return m.group(1).strip() if m else None

    @property
    def broker(self) -> bool:
        return self.marker.startswith("broker")

    @property
    def services(self) -> bool:
        return "services" in self.marker


def documents() -> list[Path]:
    return [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))


def blocks() -> list[Block]:
    out = []
    for path in documents():
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            m = FENCE.match(lines[i])
            if not m:
                i += 1
                continue
            language, start = m.group(1).lower(), i
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            previous = lines[start - 1] if start else ""
            marker = MARKER.search(previous)
            if language in RUNNABLE:
                out.append(Block(str(path.relative_to(ROOT)), start + 1, language,
                                 marker.group(1) if marker else "", "\n".join(lines[start + 1:end]) + "\n"))
            i = end + 1
    return out


ALL = blocks()
TO_RUN = [b for b in ALL if b.not_run is None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """The repository's tracked (and new, not ignored) files, as a fresh clone has them."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    target = tmp_path_factory.mktemp("clone")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    os.symlink(Path(sys.executable).resolve().parents[1] if not (ROOT / ".venv").exists() else ROOT / ".venv",
               target / ".venv")
    return target


def _environment(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LIANBAO_", "BROKER_URL", "DATABASE_URL", "GATEWAY_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def _rewrite(block: Block, text: str, port: int, amqp: str | None, db_prefix: str | None) -> str:
    text = re.sub(r"(localhost|127\.0\.0\.1):8000\b", lambda m: f"{m.group(1)}:{port}", text)
    if amqp:
        text = text.replace(DEFAULT_BROKER, amqp)
    if db_prefix:
        text = text.replace("lianbao_{service}", f"{db_prefix}_{{service}}")
    return text


def _run(argv, cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """Run in a new session and stop whatever it left running in the background.  The output goes to
    a file, not a pipe: a background process would hold a pipe open after the block ends."""
    import tempfile

    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if timed_out:
                proc.wait(timeout=30)
        log.seek(0)
        out = log.read()
    if timed_out:
        pytest.fail(f"timed out after {timeout} s:\n{out[-4000:]}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, "")


def _console(block_text: str) -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for line in block_text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line.rstrip())
    return steps


def _in_order(expected: list[str], actual: str) -> str | None:
    lines = [line.rstrip() for line in actual.splitlines()]
    at = 0
    for want in expected:
        if not want or "…" in want:
            continue
        while at < len(lines) and lines[at] != want:
            at += 1
        if at == len(lines):
            return want
        at += 1
    return None


@pytest.fixture
def broker_env(request):
    """The harness's own vhost-scoped broker and databases for a ``broker`` block."""
    block = request.node.callspec.params["block"]
    if not block.broker:
        yield None
        return
    from tests.conftest import AMQP_URL, PG_URL, _drop_databases

    tag = "x" + uuid.uuid4().hex[:10]
    yield {"amqp": AMQP_URL, "template": f"{PG_URL}/lianbao_{tag}_{{service}}", "prefix": f"lianbao_{tag}",
           "tag": tag}
    _drop_databases(tag)


def _params():
    out = []
    for block in TO_RUN:
        marks = [pytest.mark.timeout(600)]
        if block.broker:
            marks.append(pytest.mark.broker)
        out.append(pytest.param(block, id=block.id, marks=marks))
    return out


@pytest.mark.parametrize("block", _params())
def test_the_example_runs_as_written(block, fresh_copy, broker_env, tmp_path):
    port = _free_port()
    extra = {}
    if broker_env:
        extra = {"BROKER_URL": broker_env["amqp"], "DATABASE_URL_TEMPLATE": broker_env["template"]}
    env = _environment(extra)
    text = _rewrite(block, block.text, port, broker_env and broker_env["amqp"],
                    broker_env and broker_env["prefix"])
    services = None
    if block.services:
        services = subprocess.Popen([sys.executable, "-m", "lianbao", "up"], cwd=fresh_copy, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    start_new_session=True)
        ready = subprocess.run([sys.executable, "-m", "lianbao", "health", "--wait", "120"], cwd=fresh_copy,
                               env=env, capture_output=True, text=True, timeout=300)
        assert ready.returncode == 0, ready.stdout + ready.stderr
    try:
        if block.language == "console":
            for command, expected in _console(text):
                done = _run(["bash", "-o", "pipefail", "-c", command], fresh_copy, env, 300)
                missing = _in_order(expected, done.stdout)
                assert missing is None, (f"{block.id}: `{command}` did not print {missing!r}; it printed:\n"
                                         f"{done.stdout[-4000:]}")
            return
        if block.language == "python":
            script = tmp_path / "example.py"
            script.write_text(text, encoding="utf-8")
            argv = [sys.executable, str(script)]
        else:
            argv = ["bash", "-e", "-o", "pipefail", "-c", text]
        done = _run(argv, fresh_copy, env, 540)
        assert done.returncode == 0, f"{block.id} exited {done.returncode}:\n{done.stdout[-6000:]}"
    finally:
        if services is not None:
            os.killpg(services.pid, signal.SIGTERM)
            try:
                services.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(services.pid, signal.SIGKILL)


def test_blocks_not_run_say_why(capsys):
    skipped = [b for b in ALL if b.not_run is not None]
    for block in skipped:
        assert block.not_run, f"{block.id}: a block not run must say why (<!-- example: not run: WHY -->)"
    with capsys.disabled():
        print("\nexamples not run:" + "".join(f"\n  {b.id}: {b.not_run}" for b in skipped))


def test_markers_are_known_and_blocks_are_found():
    assert any(b.path == "README.md" for b in TO_RUN)
    for block in ALL:
        assert block.marker in ("", "broker", "broker, services") or block.not_run is not None, (
            f"{block.id}: unknown marker {block.marker!r}")
