"""Browser fixtures (the public pages, the console): Playwright on Debian's chromium, a screenshot
helper writing to tests/browser/artifacts/ (git-ignored)."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("LIANBAO_BROWSER_ARTIFACTS") or Path(__file__).with_name("artifacts"))
CHROMIUM = os.environ.get("LIANBAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    """One chromium for the session: under eventlet's monkey-patching, a second start of
    Playwright's sync API in the same process never returns."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    manager = sync_playwright().start()
    browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage"])
    yield browser
    # not closed here: under eventlet, Playwright's shutdown can wait forever; the driver and
    # chromium end with this process (the driver watches its parent's pipe)


@pytest.fixture
def browser_page(chromium):
    """``browser_page(**context_options)`` -> a new page in a context of its own."""
    contexts = []

    def new_page(**options):
        context = chromium.new_context(accept_downloads=True, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    try:
        yield new_page
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def shot(request):
    """``shot(page, name, **options)``: a PNG of the page in the artifacts folder, named after the test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:80]

    def take(page, name, **options):
        path = ARTIFACTS / f"{test}__{name}.png"
        page.screenshot(path=str(path), **options)
        return path
    return take


class Site:
    """The suite and its gateway in a child process (:mod:`tests.browser.public_site`)."""

    def __init__(self, tmp_path):
        from tests.service.gateway.conftest import free_port, write_tokens

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        tokens = write_tokens(tmp_path / "tokens.yml")
        root = Path(__file__).resolve().parents[2]
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.browser.public_site", str(self.port),
                                      str(tokens), str(tmp_path / "data")], cwd=root, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            self.close()
            raise RuntimeError(f"the site did not start: {line!r}")

    def rpc(self, service: str, method: str, payload: dict):
        self.proc.stdin.write(json.dumps(["rpc", service, method, payload]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("OK "):
            raise AssertionError(f"{service}.{method}: {line.strip()}")
        return json.loads(line[3:])

    def account(self, login: str, person: str, password: str) -> dict:
        """A sign-in account of the gateway (as ``lianbao accounts add``)."""
        self.proc.stdin.write(json.dumps(["account", login, person, password]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("OK "):
            raise AssertionError(f"account {login}: {line.strip()}")
        return json.loads(line[3:])

    def today(self, day: str) -> None:
        """Scoring's today and the console's clock move to ``day`` (a notice's working days pass)."""
        self.proc.stdin.write(json.dumps(["today", day]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("OK "):
            raise AssertionError(f"today {day}: {line.strip()}")

    def event(self, service: str, event_type: str, payload: dict) -> None:
        """Publish an event as ``service`` (e.g. the roster's ``staff_joined``, for the survey's read model)."""
        self.proc.stdin.write(json.dumps(["event", service, event_type, payload]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line.startswith("OK "):
            raise AssertionError(f"event {service}.{event_type}: {line.strip()}")

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):      # the site hung or its pipe broke: stop it
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def site(tmp_path):
    running = Site(tmp_path)
    try:
        yield running
    finally:
        running.close()
