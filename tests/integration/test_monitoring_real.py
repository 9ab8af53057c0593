"""Issue 28: operations see the truth.

The five services as ``lianbao up`` processes on RabbitMQ + PostgreSQL, each serving /metrics on a
free port, and Debian's Prometheus (``.ci/run`` installs it) scraping them every 2 s with the
suite's alert rules loaded (a copy of ``infra/alerts.yml`` whose ``for:`` durations are a few
seconds). A small city lives a month through the services, then:

* every owner's target gauges are there from the first scrape, for the eight targets × (agencies +
  city), with the values ``lianbao targets`` prints; a query for another year changes nothing;
* every query of every panel of the Grafana dashboard (infra/grafana/dashboards/lianbao.json) returns
  data from that Prometheus (an empty panel fails, named);
* a missed target and a stopped service each raise their alert (Prometheus' /api/v1/alerts), and
  each alert resolves once the target is met again / the service is back.
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
import requests
import yaml
from shared.assertions import signed_event_dispatcher as event_dispatcher

from lianbao.commands._rpc import cluster_proxy
from shared import targets
from shared.config import SERVICES, load_config
from tests.conftest import AMQP_URL, PG_URL, _drop_databases
from tests.tools import required_tool
from tests.service.ops import month

pytestmark = [pytest.mark.broker, pytest.mark.timeout(420)]

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "infra" / "alerts.yml"
DASHBOARD = ROOT / "infra" / "grafana" / "dashboards" / "lianbao.json"
YEAR = month.YEAR
Y = str(YEAR)
AGENCIES = ("a1", "a2")
ALERT_FOR = "3s"


def _prometheus() -> str:
    return required_tool("prometheus", "apt-get install prometheus", fallback="/usr/bin/prometheus")


def _run(*args, env, timeout=60):
    return subprocess.run([sys.executable, "-m", "lianbao", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


# -- the stack -------------------------------------------------------------------------------------
class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: dict[str, subprocess.Popen] = {}
        self.prom = None
        ports = month.free_ports(len(SERVICES) + 1)
        self.ports = dict(zip(SERVICES, ports))
        self.prom_port = ports[-1]
        self.vhost = "lianbao_mon_" + uuid.uuid4().hex[:10]
        self.tag = "t" + uuid.uuid4().hex[:10]
        self.amqp = f"{AMQP_URL.rsplit('/', 1)[0]}/{self.vhost}"
        self.env = dict(os.environ)
        self.env.pop("LIANBAO_CONFIG", None)
        self.env.update({"BROKER_URL": self.amqp, "DATABASE_URL_TEMPLATE": f"{PG_URL}/lianbao_{self.tag}_{{service}}",
                         "LIANBAO_DATA": str(tmp / "data"), "PYTHONUNBUFFERED": "1", "EVENT_MAX_ATTEMPTS": "2",
                         "OUTBOX_POLL_SECONDS": "0.2", "TARGET_GAUGES_SECONDS": "0",
                         **{f"{n.upper()}_METRICS_PORT": str(p) for n, p in self.ports.items()}})
        self.config = load_config(env=self.env)
        self.config["RPC_TIMEOUT"] = 20

    # broker and services
    def vhost_up(self):
        subprocess.run(["rabbitmqctl", "add_vhost", self.vhost], check=True, capture_output=True, timeout=60)
        subprocess.run(["rabbitmqctl", "set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*"],
                       check=True, capture_output=True, timeout=60)
        from kombu import Connection
        from nameko.standalone.events import get_event_exchange

        with Connection(self.amqp) as conn:      # as a deployment's admin does (lianbao rabbit setup)
            channel = conn.channel()
            for name in SERVICES:
                get_event_exchange(name, self.config)(channel).declare()

    def start(self, name):
        log = open(self.tmp / f"{name}.log", "a")
        self.procs[name] = subprocess.Popen([sys.executable, "-m", "lianbao", "up", name], env=self.env,
                                            stdout=log, stderr=subprocess.STDOUT)

    def stop(self, name):
        proc = self.procs.pop(name)
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def wait_healthy(self, names, timeout=120):
        deadline = time.time() + timeout
        out = None
        while time.time() < deadline:
            out = _run("health", *names, "--json", "--timeout", "5", env=self.env)
            if out.returncode == 0:
                return
            time.sleep(1)
        logs = {n: (self.tmp / f"{n}.log").read_text()[-2000:] for n in names}
        pytest.fail(f"services never became healthy: {out and out.stdout} {logs}")

    # prometheus
    def start_prometheus(self, binary):
        rules = yaml.safe_load(ALERTS.read_text())
        for group in rules["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = ALERT_FOR
        (self.tmp / "alerts.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
        config = {
            "global": {"scrape_interval": "2s", "evaluation_interval": "1s", "scrape_timeout": "2s"},
            "rule_files": [str(self.tmp / "alerts.yml")],
            "scrape_configs": [{"job_name": "lianbao", "metrics_path": "/metrics", "static_configs": [
                {"targets": [f"127.0.0.1:{p}"], "labels": {"lianbao_service": n}} for n, p in self.ports.items()]}],
        }
        (self.tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.prom = subprocess.Popen(
            [binary, f"--config.file={self.tmp / 'prometheus.yml'}", f"--storage.tsdb.path={self.tmp / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.prom_port}", "--storage.tsdb.retention.time=1h"],
            stdout=open(self.tmp / "prometheus.log", "w"), stderr=subprocess.STDOUT)
        assert month.wait_for(self._ready, timeout=60), (self.tmp / "prometheus.log").read_text()[-3000:]

    def _ready(self):
        try:
            return requests.get(f"{self.api}/-/ready", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    @property
    def api(self):
        return f"http://127.0.0.1:{self.prom_port}"

    def query(self, expr):
        r = requests.get(f"{self.api}/api/v1/query", params={"query": expr}, timeout=10)
        r.raise_for_status()
        body = r.json()
        assert body["status"] == "success", body
        return body["data"]["result"]

    def alerts(self, name):
        r = requests.get(f"{self.api}/api/v1/alerts", timeout=10)
        r.raise_for_status()
        return [a for a in r.json()["data"]["alerts"] if a["labels"]["alertname"] == name]

    def close(self):
        for name in list(self.procs):
            self.stop(name)
        if self.prom is not None:
            self.prom.terminate()
            try:
                self.prom.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.prom.kill()
        subprocess.run(["rabbitmqctl", "delete_vhost", self.vhost], capture_output=True, timeout=60)
        _drop_databases(self.tag)


# -- the city ----------------------------------------------------------------------------------------
def _survey_forms(prefix, subject, satisfied, dissatisfied):
    return ([month_form(f"{prefix}S{i}", subject, "S" * 35) for i in range(satisfied)]
            + [month_form(f"{prefix}D{i}", subject, "D" * 35) for i in range(dissatisfied)])


def month_form(serial, subject, answers, group="parents"):
    return {"serial": serial, "subject": subject, "group": group, "answers": answers}


def allowance(i):
    return {"event_id": f"alw-mon-{i}", "allowance_id": f"o1:{YEAR - 10 - i // 12}-{i % 12 + 1:02d}",
            "person": "o1", "unit_id": "a1_s1", "agency_id": "a1", "month": f"{YEAR - 10 - i // 12}-{i % 12 + 1:02d}",
            "amount": 50, "reason": "all_round_officer"}


def live_a_month(stack) -> dict:
    """month.run_month (roster, training, rewards) plus a survey campaign and scoring's evaluations."""
    dispatch = event_dispatcher(stack.config)
    with cluster_proxy(stack.config, timeout=20) as rpc:
        seen = month.run_month(rpc, dispatch)
        half = f"{YEAR}H1" if date.today().month <= 6 else f"{YEAR}H2"
        rpc.survey.create_campaign({"campaign_id": "mon", "period": half, "owner": "cityc",
                                    "subjects": [{"id": "a1", "kind": "agency", "name": "市公安局"},
                                                 {"id": "a2", "kind": "agency", "name": "市中级法院"}]})
        rpc.survey.submit_batch({"campaign_id": "mon", "batch_id": "b0",
                                 "forms": _survey_forms("a1", "a1", 10, 0) + _survey_forms("a2", "a2", 8, 2)})
        rpc.survey.get_rates({"campaign_id": "mon"})         # the per-campaign gauge
        # target 8 pools closed campaigns only (issue 18 item 4): the same forms in one closed
        # (the open one keeps receiving the traffic's forms)
        rpc.survey.create_campaign({"campaign_id": "mon-closed", "period": half, "owner": "cityc",
                                    "subjects": [{"id": "a1", "kind": "agency", "name": "市公安局"},
                                                 {"id": "a2", "kind": "agency", "name": "市中级法院"}]})
        rpc.survey.submit_batch({"campaign_id": "mon-closed", "batch_id": "c0",
                                 "forms": _survey_forms("a1", "a1", 10, 0) + _survey_forms("a2", "a2", 8, 2)})
        rpc.survey.close_campaign({"campaign_id": "mon-closed"})
        assert month.wait_for(lambda: {r["agency"] for r in rpc.scoring.targets({})["targets"]} >= set(AGENCIES),
                              timeout=60), "scoring never learnt the roster"
        rpc.scoring.overdue_evaluations({})                  # the overdue gauges of the latest month
        seen["violation"] = next(f for f in rpc.roster.discipline_facts({"agency": "a1"})["facts"]
                                 if f["kind"] == "violation")
    return seen


def traffic(stack, seconds):
    """A few seconds of ordinary work (and a few refusals) while Prometheus scrapes, so that every
    rate() of the dashboard has increases inside its window."""
    from shared.errors import ValidationFailed

    dispatch = event_dispatcher(stack.config)
    end = time.time() + seconds
    i = 0
    with cluster_proxy(stack.config, timeout=20) as rpc:
        while time.time() < end:
            for name in SERVICES:
                getattr(rpc, name).health()
            try:
                rpc.roster.record_discipline_fact({"kind": "incompetent_leader", "person": "o1",
                                                   "occurred_on": month.D0})
            except ValidationFailed:
                pass
            rpc.survey.submit_batch({"campaign_id": "mon", "batch_id": f"t{i}",
                                     "forms": [month_form(f"T{i}", "a1", "S" * 35),
                                               month_form(f"X{i}", "a1", "S" * 35, group="nobody")]})
            dispatch("training", "allowance_due", allowance(i))
            dispatch("training", "retraining_failed", {"event_id": f"poison-{uuid.uuid4().hex}", "person_id": "o2"})
            i += 1
            time.sleep(0.5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    binary = _prometheus()
    s = Stack(tmp_path_factory.mktemp("monitoring"))
    try:
        s.vhost_up()
        for name in SERVICES:
            s.start(name)
        s.wait_healthy(SERVICES)
        s.start_prometheus(binary)
        s.seen = live_a_month(s)
        yield s
    finally:
        s.close()


# -- the gauges ----------------------------------------------------------------------------------------
def _target_series(stack):
    """{(target, agency, year): (value, met)} from every service's /metrics, scraped like Prometheus."""
    out = {}
    for name, port in stack.ports.items():
        samples = month.scrape(port)
        for (metric, labels), v in samples.items():
            if metric in ("lianbao_target_value", "lianbao_target_met"):
                labels = dict(labels)
                key = (labels["target"], labels["agency"], labels["year"])
                assert targets.OWNERS[labels["target"]] == name, f"{name} exports {key}, owned by another"
                value, met = out.get(key, (None, None))
                out[key] = (v, met) if metric == "lianbao_target_value" else (value, v)
    return out


def _printed(stack, *args):
    out = _run("targets", "--json", "--timeout", "10", *args, env=stack.env, timeout=90)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def _same(gauge, printed):
    if printed is None:
        return gauge is None or math.isnan(gauge)
    if isinstance(printed, bool):
        return gauge == (1.0 if printed else 0.0)
    return gauge is not None and round(gauge, 4) == pytest.approx(printed)


def test_the_eight_targets_per_agency_and_city_are_on_metrics_with_the_values_lianbao_targets_prints(stack):
    series = _target_series(stack)
    rows = _printed(stack, "--year", Y)      # the default is the last complete year
    mine = {(r["target"], r["agency"]) for r in rows if r["reported"]}
    for agency in AGENCIES + (targets.CITY,):
        missing = [tg for tg in targets.TARGETS if (tg, agency, Y) not in series]
        assert not missing, f"{agency}: no series for {missing}"
        assert all((tg, agency) in mine for tg in targets.TARGETS), agency
    assert len({(tg, a) for tg, a, y in series if y == Y and a in AGENCIES + (targets.CITY,)}) == 8 * 3
    for r in rows:
        key = (r["target"], r["agency"], Y)
        if not r["reported"]:
            assert key not in series or all(v is None or math.isnan(v) for v in series[key]), key
            continue
        value, met = series[key]
        assert _same(value, r["value"]), (key, value, r["value"])
        assert _same(met, r["met"]), (key, met, r["met"])
    # the month's own figures, by hand (tests/service/ops/month.py)
    assert series[("3_skills_pass_rate", "city", Y)] == (0.75, 0.0)
    assert series[("7_violations_investigated", "city", Y)] == (0.5, 0.0)
    assert series[("2_no_incompetent_leaders", "a1", Y)] == (1.0, 0.0)
    assert series[("8_public_satisfaction", "a1", Y)] == (1.0, 1.0)
    assert series[("1_management_rate", "city", Y)][1] in (0.0, 1.0)


def test_a_query_for_another_year_never_changes_what_prometheus_sees(stack):
    before = _target_series(stack)
    for year in (YEAR - 1, YEAR - 3):
        _printed(stack, "--year", str(year))
        _printed(stack, "--agency", "a1", "--year", str(year))
    after = _target_series(stack)
    assert {k for k in after} == {k for k in before}
    assert not [k for k in after if k[2] == str(YEAR - 3)]
    # this year, and last year only where its owner has not filed its ratings (scoring: no annual rating of
    # last year stored here) or in January (the others cannot see the ratings)
    years = {(k[0], k[2]) for k in after}
    for tg in targets.TARGETS:
        shown = {y for g, y in years if g == tg}
        expected = {Y, str(YEAR - 1)} if (tg == targets.MANAGEMENT_RATE or date.today().month == 1) else {Y}
        assert shown == expected, (tg, shown)


def test_prometheus_stores_the_targets_from_its_first_scrapes(stack):
    found = month.wait_for(lambda: len(stack.query(f'count by (agency, target) (lianbao_target_met{{year="{Y}"}})'))
                           >= 8 * 3 or None, timeout=30)
    assert found, stack.query("lianbao_target_met")


# -- the dashboard ---------------------------------------------------------------------------------------
def _dashboard_queries():
    dash = json.loads(DASHBOARD.read_text())
    for panel in dash["panels"]:
        for target in panel["targets"]:
            yield panel["title"], target["refId"], target["expr"]


def _concrete(expr):
    """The dashboard's variables as Grafana fills them: every agency, this year."""
    return expr.replace("$agency", ".*").replace("$year", Y)


def _empty_panels(stack):
    empty = []
    for title, ref, expr in _dashboard_queries():
        values = [float(r["value"][1]) for r in stack.query(_concrete(expr))]
        if not values or all(math.isnan(v) for v in values):
            empty.append(f"{title} [{ref}]: {expr}")
    return empty


def test_every_panel_query_of_the_dashboard_returns_data(stack):
    """Each query as Grafana sends it (instant, the variables filled in); a few seconds of traffic
    first so every rate() has increases in its window (again, up to four times, on a busy machine)."""
    for _ in range(4):
        traffic(stack, 6)
        time.sleep(2)
        empty = _empty_panels(stack)
        if not empty:
            break
    assert not empty, "panels without data:\n" + "\n".join(empty)
    variables = json.loads(DASHBOARD.read_text())["templating"]["list"]
    for var in variables:           # label_values(metric, label): the metric must carry the label
        metric, label = re.fullmatch(r"label_values\((\w+), (\w+)\)", var["definition"]).groups()
        values = {r["metric"].get(label) for r in stack.query(metric)}
        assert values - {None}, var["name"]
        if label == "year":
            assert Y in values


# -- the alerts --------------------------------------------------------------------------------------------
def _firing(stack, name, **labels):
    return [a for a in stack.alerts(name) if a["state"] == "firing"
            and all(a["labels"].get(k) == v for k, v in labels.items())]


def test_a_missed_target_raises_its_alert_and_it_resolves_when_met(stack):
    labels = {"target": "7_violations_investigated", "agency": "a1", "year": Y}
    assert month.wait_for(lambda: _firing(stack, "LianbaoTargetMissed", **labels), timeout=30), \
        stack.alerts("LianbaoTargetMissed")
    # and no alert for a target with no data or met
    assert not _firing(stack, "LianbaoTargetMissed", target="4_no_cadre_selection_violations")
    with cluster_proxy(stack.config, timeout=20) as rpc:      # the violation is investigated
        rpc.roster.investigate({"fact_id": stack.seen["violation"]["id"], "investigated_on": month.D0})
    assert month.wait_for(lambda: not [a for a in stack.alerts("LianbaoTargetMissed")
                                       if all(a["labels"].get(k) == v for k, v in labels.items())] or None,
                          timeout=30), stack.alerts("LianbaoTargetMissed")
    assert month.wait_for(lambda: stack.query(
        f'lianbao_target_met{{target="7_violations_investigated",agency="city",year="{Y}"}} == 1') or None, timeout=15)


def _first_scrape(port, timeout=120):
    """The first /metrics a (re)started service answers."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            return month.scrape(port)
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail(f"/metrics on {port} never answered")


def test_a_stopped_service_raises_its_alert_and_it_resolves_when_back(stack):
    """training (the owner of target 3) stops: LianbaoServiceDown fires for it; started again, its
    very first scrape already has target 3 for every agency and the city, and the alert resolves."""
    assert not _firing(stack, "LianbaoServiceDown")
    stack.stop("training")
    assert month.wait_for(lambda: _firing(stack, "LianbaoServiceDown", lianbao_service="training"), timeout=30), \
        stack.alerts("LianbaoServiceDown")
    assert not _firing(stack, "LianbaoServiceDown", lianbao_service="roster")
    stack.start("training")
    first = _first_scrape(stack.ports["training"])
    for agency, (value, met) in {"a1": (1.0, 1.0), "a2": (0.5, 0.0), "city": (0.75, 0.0)}.items():
        labels = {"target": "3_skills_pass_rate", "agency": agency, "year": Y}
        assert month.value(first, "lianbao_target_value", **labels) == value, agency
        assert month.value(first, "lianbao_target_met", **labels) == met, agency
    stack.wait_healthy(["training"])
    assert month.wait_for(lambda: not stack.alerts("LianbaoServiceDown") or None, timeout=30), \
        stack.alerts("LianbaoServiceDown")
