"""``lianbao console --demo`` (issue 22 item 6) over a small demo city: after the demo's year (100
staff), the command serves the console on the demo's data and prints an account for each role; each
signs in with the printed password and finds its page filled with the demo's year (the officer's
months and stars, the mentor's page, the leading group's month, the committee's board, the
auditor's chain and the officer's explanation); the officer is refused the auditor's pages."""
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.service.gateway.conftest import free_port

pytestmark = pytest.mark.timeout(900)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    """The demo's year of a city of 100 staff (about two minutes), its files in OUT."""
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run([sys.executable, "-m", "lianbao", "demo", "--staff", "100", "--out", str(out),
                           "--no-progress", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=840)
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def _serve(out: Path, port: int):
    proc = subprocess.Popen([sys.executable, "-m", "lianbao", "console", "--demo", "--out", str(out),
                             "--port", str(port)], cwd=ROOT, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C"):
            return proc, lines
    proc.wait(timeout=30)
    raise AssertionError(f"lianbao console ended ({proc.returncode}): {lines}")


def _sign_in(url, login, password):
    s = requests.Session()
    form = s.get(f"{url}/auth/login", timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    r = s.post(f"{url}/auth/login", data={"login": login, "password": password, "csrf": csrf},
               headers={"Accept": "application/json"}, timeout=30)
    assert r.status_code == 200, (login, r.text)
    return s


def test_the_console_serves_the_demo_year_with_an_account_for_each_role(demo_out):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc, lines = _serve(demo_out, port)
    try:
        assert lines[0].startswith(f"lianbao console: the demo's year on {url}/console")
        assert "today for the console: 2025-12-20" in lines[0]
        accounts = {}
        for line in lines[2:-1]:
            login, password, person, label, _name, page = line.split()
            accounts[login] = (password, person, page)
        assert sorted(accounts) == sorted(["demo-officer", "demo-mentor", "demo-group", "demo-office",
                                           "demo-auditor"])
        assert len({person for _, person, _ in accounts.values()}) == 5
        officer = accounts["demo-officer"][1]

        pages = {}
        for login, (password, _, page) in accounts.items():
            s = _sign_in(url, login, password)
            r = s.get(page, timeout=120)
            assert r.status_code == 200, (login, page, r.text[-2000:])
            pages[login] = (s, r.text)

        home = pages["demo-officer"][1]
        assert 'id="this-month"' in home and "2025-11 月度自评" in home
        assert home.count('<tr data-month="2025-') == 12            # the demo's twelve months
        assert 'id="rating"' in home and "2025" in home
        assert "待审核的月度考核" in pages["demo-mentor"][1] and "尚未结对的人员" in pages["demo-mentor"][1]
        group = pages["demo-group"][1]
        assert "2025-11 月度考评" in group and 'id="filing"' in group
        board = pages["demo-office"][1]
        assert 'id="filing-table"' in board and "工作看板" in board
        assert 'id="nav-audit"' in pages["demo-auditor"][0].get(f"{url}/console", timeout=30).text

        auditor = pages["demo-auditor"][0]
        chain = auditor.get(f"{url}/console/audit/chain", timeout=120)
        assert chain.status_code == 200 and 'id="chain-ok"' in chain.text
        explained = auditor.get(f"{url}/console/audit/explanation",
                                params={"subject": officer, "period": "2025"}, timeout=60)
        assert explained.status_code == 200 and 'id="explanation"' in explained.text
        ledger = auditor.get(f"{url}/console/audit/ledger", params={"period": "2025"}, timeout=120)
        assert ledger.status_code == 200 and "<tr data-seq=" in ledger.text

        refused = pages["demo-officer"][0].get(f"{url}/console/audit/chain", timeout=30)
        assert refused.status_code == 404

    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    proc, again = _serve(demo_out, port)          # started again: the same logins, new passwords
    try:
        old = accounts["demo-officer"][0]
        login, password = again[2].split()[:2]
        assert login == "demo-officer" and password != old
        _sign_in(url, login, password)
        form = requests.Session()
        page = form.get(f"{url}/auth/login", timeout=30)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = form.post(f"{url}/auth/login", data={"login": login, "password": old, "csrf": csrf},
                      headers={"Accept": "application/json"}, timeout=30)
        assert r.status_code != 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def test_without_the_demos_data_the_command_says_so(tmp_path):
    done = subprocess.run([sys.executable, "-m", "lianbao", "console", "--demo", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "run make demo first" in done.stderr
