"""Browser fixtures and helpers, one set for every browser test (the public pages, the console):
the suite and its gateway in a child process (``site``), one Playwright chromium for the session
(Debian's), a page in a context of its own (``browser_page``), a person's page signed in
(``person_page``: the account, the page, the sign-in), the screenshot helper writing to
tests/browser/artifacts/ (git-ignored), the window sizes, and waiting for a page (``on``)."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.service.gateway.conftest import PASSWORD  # noqa: F401 (one password for every test account)

ARTIFACTS = Path(os.environ.get("LIANBAO_BROWSER_ARTIFACTS") or Path(__file__).with_name("artifacts"))
CHROMIUM = os.environ.get("LIANBAO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# the windows the pages are tried at (``browser_page(**WIDE)``)
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
WIDE = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}
MIN_SECONDS = 1.0                  # GATEWAY_FORM_MIN_SECONDS of tests/browser/public_site.py


# (Playwright's wait_for_url can wait forever under eventlet's monkey-patching when the navigation has
# already finished: every step waits for an element of the page it expects, then checks the address)
def on(page, selector, url):
    page.wait_for_selector(selector)
    assert page.url == url, page.url


def sign_in(page, url, login, path="/console", ready=None, keyboard=False):
    """Open ``path`` not signed in: the browser is sent to the sign-in page, signs in as ``login``
    and comes back to ``path`` (``ready`` on it). With the mouse (the default): the sign-in page's
    address names ``path`` as ``next``; ready is the officer's month (``#this-month``) unless told.
    ``keyboard``: the keyboard alone (the login field has the focus, type, Tab to the password, type,
    Enter); ready is the console's top bar unless told."""
    from playwright.sync_api import expect

    page.goto(f"{url}{path}")
    if keyboard:
        page.wait_for_selector("#login")
        expect(page.locator("#login")).to_be_focused()                 # autofocus
        page.keyboard.type(login)
        page.keyboard.press("Tab")
        expect(page.locator("#password")).to_be_focused()
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        on(page, ready or "nav.top", f"{url}{path}")
        return
    on(page, "#login", f"{url}/auth/login?next={quote(path, safe='')}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    on(page, ready or "#this-month", f"{url}{path}")


def press(page, selector, key="Enter"):
    """A key on an element (the keyboard alone: focus, then the key)."""
    page.focus(selector)
    page.keyboard.press(key)


def answer_check(page):
    """The public form's arithmetic check, answered."""
    question = page.locator("label[for=check]").inner_text()
    a, b = [int(x) for x in question.split(":")[1].split("=")[0].split("+")]
    return str(a + b)


class SiteRpc:
    """``rpc.service.method(payload)`` over the site's pipe (for the test helpers that drive a month)."""

    def __init__(self, site, service=None):
        self._site, self._service = site, service

    def __getattr__(self, name):
        if self._service is None:
            return SiteRpc(self._site, name)
        return lambda payload: self._site.rpc(self._service, name, payload)


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


@pytest.fixture
def person_page(site, browser_page):
    """``person_page(login, person, window=DESKTOP, path="/console", ready=None, keyboard=False)``
    -> a new page of ``person`` signed in as ``login`` (the account made on first use)."""
    made = set()

    def open_page(login, person, window=DESKTOP, **how):
        if login not in made:
            site.account(login, person, PASSWORD)
            made.add(login)
        page = browser_page(**window)
        sign_in(page, site.url, login, **how)
        return page
    return open_page
