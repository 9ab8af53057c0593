"""shared.metrics.TargetGauges: the targets of the Method computed when Prometheus scrapes (issue 28)."""
import math
from types import SimpleNamespace

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from shared import targets
from shared.metrics import TargetGauges, _TargetCollector

pytestmark = pytest.mark.timeout(10)


def _provider(rows, ttl):
    p = TargetGauges(results=None)
    p.container = SimpleNamespace(config={"TARGET_GAUGES_SECONDS": ttl}, dependencies=[])
    p.setup()
    calls = []

    def compute():
        calls.append(1)
        if isinstance(rows[0], Exception):
            raise rows.pop(0)
        return rows.pop(0) if len(rows) > 1 else rows[0]
    p.compute = compute
    return p, calls


def _samples(provider):
    registry = CollectorRegistry()
    registry.register(_TargetCollector(provider))
    text = generate_latest(registry).decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(text) for s in f.samples}


def test_a_scrape_shows_each_result_with_its_year_and_nan_for_no_data():
    p, _ = _provider([[(2026, targets.skills_pass_rate("a1", 19, 20)), (2026, targets.skills_pass_rate("a2", 0, 0)),
                       (2025, targets.officer_crimes("city", 1))]], ttl=0)
    s = _samples(p)
    a1 = (("agency", "a1"), ("target", "3_skills_pass_rate"), ("year", "2026"))
    assert s[("lianbao_target_value", a1)] == 0.95 and s[("lianbao_target_met", a1)] == 1.0
    a2 = (("agency", "a2"), ("target", "3_skills_pass_rate"), ("year", "2026"))
    assert math.isnan(s[("lianbao_target_value", a2)]) and math.isnan(s[("lianbao_target_met", a2)])
    city = (("agency", "city"), ("target", "6_no_officer_crimes"), ("year", "2025"))
    assert s[("lianbao_target_met", city)] == 0.0


def test_figures_are_kept_for_the_configured_seconds_only():
    p, calls = _provider([[(2026, targets.officer_crimes("a1", 0))], [(2026, targets.officer_crimes("a1", 2))]],
                         ttl=3600)
    _samples(p), _samples(p)
    assert len(calls) == 1
    p.container.config["TARGET_GAUGES_SECONDS"] = 0
    s = _samples(p)
    assert len(calls) == 2
    assert s[("lianbao_target_value", (("agency", "a1"), ("target", "6_no_officer_crimes"), ("year", "2026")))] == 2


def test_an_unreadable_database_shows_no_target_never_a_stale_one():
    p, calls = _provider([[(2026, targets.officer_crimes("a1", 0))], RuntimeError("database down"),
                          [(2026, targets.officer_crimes("a1", 1))]], ttl=0)
    assert _samples(p)
    assert _samples(p) == {}
    assert list(_samples(p).values()) == [1.0, 0.0]


def test_old_figures_are_shown_once_more_while_one_refresh_runs_in_the_background():
    import time

    old, new = [(2026, targets.officer_crimes("a1", 0))], [(2026, targets.officer_crimes("a1", 3))]
    p, calls = _provider([old, new], ttl=0.05)
    first = _samples(p)
    time.sleep(0.06)
    assert _samples(p) == first                       # not waiting for the computation
    deadline = time.time() + 5
    while len(calls) < 2 and time.time() < deadline:
        time.sleep(0.01)
    key = ("lianbao_target_value", (("agency", "a1"), ("target", "6_no_officer_crimes"), ("year", "2026")))
    assert _samples(p)[key] == 3.0 and len(calls) == 2
