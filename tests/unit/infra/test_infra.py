"""infra/: alert rules (promtool), the Grafana dashboard, the Prometheus config, docker-compose."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.tools import required_tool

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[3]
INFRA = ROOT / "infra"
SERVICES = ("roster", "scoring", "survey", "training", "rewards")


def _tool(name: str) -> str:
    """The path of an external checker (skips outside CI, fails in CI when it is missing)."""
    return required_tool(name, "apt-get install prometheus" if name == "promtool"
                         else f"apt-get install {name}")


def _rules():
    return [r for g in yaml.safe_load((INFRA / "alerts.yml").read_text())["groups"] for r in g["rules"]]


def test_alert_rules_have_labels_severity_and_annotations():
    for rule in _rules():
        assert {"alert", "expr", "labels", "annotations"} <= set(rule), rule
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}


def test_alert_rules_pass_promtool_check_and_unit_tests():
    promtool = _tool("promtool")
    check = subprocess.run([promtool, "check", "rules", "alerts.yml"], cwd=INFRA, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    test = subprocess.run([promtool, "test", "rules", "alerts.test.yml"], cwd=INFRA, capture_output=True,
                          text=True)
    assert test.returncode == 0, test.stdout + test.stderr


def test_alert_rules_cover_what_operations_asked_for():
    names = {r["alert"] for r in _rules()}
    assert {"LianbaoServiceDown", "LianbaoHighErrorRate", "LianbaoOutboxBacklogGrowing", "LianbaoDeadLetters",
            "LianbaoMentoringCoverageBelow100", "LianbaoEvaluationsOverdue", "LianbaoTargetMissed",
            "LianbaoCalendarMissing"} <= names


def test_prometheus_scrapes_every_service_and_loads_the_rules():
    config = yaml.safe_load((INFRA / "prometheus.yml").read_text())
    assert "/etc/prometheus/alerts.yml" in config["rule_files"]
    job = next(j for j in config["scrape_configs"] if j["job_name"] == "lianbao")
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    assert targets >= {f"{s}:9100" for s in SERVICES}


def _promtool_check_config(config: str, tmp_path) -> None:
    """``promtool check config`` of infra/``config``; promtool resolves rule_files relative to the
    config, so it checks a copy beside a copy of alerts.yml."""
    promtool = _tool("promtool")
    text = (INFRA / config).read_text().replace("/etc/prometheus/alerts.yml", "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(text)
    shutil.copy(INFRA / "alerts.yml", tmp_path / "alerts.yml")
    out = subprocess.run([promtool, "check", "config", "prometheus.yml"], cwd=tmp_path, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_prometheus_config_passes_promtool(tmp_path):
    _promtool_check_config("prometheus.yml", tmp_path)


def test_grafana_dashboard_loads_and_every_panel_queries_prometheus():
    dash = json.loads((INFRA / "grafana" / "dashboards" / "lianbao.json").read_text())
    assert dash["uid"] == "lianbao" and dash["panels"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    for metric in ("lianbao_target_met", "lianbao_target_value", "lianbao_entrypoint_calls_total",
                   "lianbao_outbox_backlog", "lianbao_mentoring_coverage_ratio", "up{"):
        assert metric in exprs
    for p in dash["panels"]:
        assert {"x", "y", "w", "h"} <= set(p["gridPos"])
        assert p["datasource"]["uid"] == "prometheus"
    provisioning = yaml.safe_load((INFRA / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert provisioning["datasources"][0]["uid"] == "prometheus"


def test_docker_compose_file_passes_docker_compose_config(tmp_path):
    from lianbao.commands import secrets_init

    tool = _tool("docker-compose")
    secrets_init.write(tmp_path)
    out = subprocess.run([tool, "-f", "docker-compose.yml", "--env-file", str(tmp_path / ".env"), "config", "-q"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    # without the generated secrets compose refuses to start, rather than fall back to a default
    (tmp_path / "empty.env").write_text("")
    out = subprocess.run([tool, "-f", "docker-compose.yml", "--env-file", str(tmp_path / "empty.env"),
                          "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode != 0 and "lianbao secrets init" in out.stdout + out.stderr


def test_docker_compose_file_runs_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"rabbitmq", "postgres", "prometheus", "grafana", "gateway", "caddy", *SERVICES} <= set(compose["services"])
    for name in SERVICES:
        assert compose["services"][name]["command"] == ["up", name]


def _exported_names() -> set:
    """Every ``lianbao_*`` metric name written in the services' and shared code."""
    import re

    names = set()
    for folder in (ROOT / "services", ROOT / "shared"):
        for path in folder.rglob("*.py"):
            names |= set(re.findall(r"[\"'](lianbao_[a-z0-9_]+)[\"']", path.read_text(encoding="utf-8")))
    return names


def _used_names(text: str) -> set:
    import re

    used = set(re.findall(r"\b(lianbao_[a-z0-9_]+)", text))
    return {re.sub(r"_(bucket|count|sum)$", "", n) if n.endswith(("_bucket", "_count", "_sum")) else n
            for n in used}


def test_alerts_and_dashboard_only_use_metrics_the_services_export():
    exported = _exported_names()
    assert {"lianbao_target_value", "lianbao_target_met", "lianbao_mentoring_coverage_ratio"} <= exported
    alerts = " ".join(r["expr"] for r in _rules())
    dash = json.loads((INFRA / "grafana" / "dashboards" / "lianbao.json").read_text())
    exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    unknown = (_used_names(alerts) | _used_names(exprs)) - exported
    assert not unknown, f"metrics no service exports: {sorted(unknown)}"


def test_dashboard_shows_the_eight_targets_per_agency_health_and_throughput():
    from shared.targets import TARGETS

    dash = json.loads((INFRA / "grafana" / "dashboards" / "lianbao.json").read_text())
    by_title = {p["title"]: p for p in dash["panels"]}
    met = next(p for p in dash["panels"] if "lianbao_target_met" in p["targets"][0]["expr"])
    assert met["type"] == "table" and met["transformations"][0]["options"]["rowField"] == "agency"
    assert met["transformations"][0]["options"]["columnField"] == "target"
    for target in TARGETS:   # each target has its own time series panel besides the tables
        number = target.split("_")[0]
        assert any("lianbao_target_value" in p["targets"][0]["expr"]
                   and (f'"{target}"' in p["targets"][0]["expr"] or f"{number}_.*" in p["targets"][0]["expr"])
                   for p in by_title.values()), target
    exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    for metric in ("lianbao_entrypoint_errors_total", "lianbao_entrypoint_latency_seconds_bucket",
                   "lianbao_events_handled_total", "lianbao_events_dead_lettered_total",
                   "lianbao_outbox_oldest_age_seconds", "lianbao_scoring_overdue_evaluations",
                   "lianbao_rewards_overdue_tasks"):
        assert metric in exprs
    assert dash["templating"]["list"][0]["name"] == "agency"
    for p in dash["panels"]:
        for t in p["targets"]:
            assert t["refId"] and t["expr"].count("(") == t["expr"].count(")"), t


def test_dashboard_file_is_what_its_generator_writes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dashboard", INFRA / "grafana" / "tools" / "build_dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert json.loads((INFRA / "grafana" / "dashboards" / "lianbao.json").read_text()) == module.DASHBOARD


def test_production_compose_passes_docker_compose_config_and_requires_its_secrets():
    tool = _tool("docker-compose")
    from lianbao.commands import secrets_init

    env = {**os.environ, **secrets_init.generate()}     # what `lianbao secrets init` writes into .env
    out = subprocess.run([tool, "-f", "docker-compose.prod.yml", "config", "-q"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    # the secrets are required, never defaulted
    bare = {k: v for k, v in env.items() if k != "RABBITMQ_ERLANG_COOKIE"}
    out = subprocess.run([tool, "-f", "docker-compose.prod.yml", "config", "-q"], cwd=ROOT, env=bare,
                         capture_output=True, text=True)
    assert out.returncode != 0 and "RABBITMQ_ERLANG_COOKIE" in out.stdout + out.stderr


def test_production_compose_has_three_broker_nodes_two_instances_of_each_service_and_a_replica():
    compose = yaml.safe_load((ROOT / "docker-compose.prod.yml").read_text())
    services = compose["services"]
    rabbits = [n for n in services if n.startswith("rabbit")]
    assert len(rabbits) == 3
    for name in rabbits:
        mounts = " ".join(services[name]["volumes"])
        assert "cluster.conf" in mounts and "enabled_plugins" in mounts
    conf = (INFRA / "rabbitmq" / "cluster.conf").read_text()
    assert all(f"rabbit@{n}" in conf for n in rabbits) and "prometheus.tcp.port = 15692" in conf
    assert "rabbitmq_prometheus" in (INFRA / "rabbitmq" / "enabled_plugins").read_text()
    for name in (*SERVICES, "gateway"):
        service = services[name]
        assert service["command"] == ["up", name] and service["deploy"]["replicas"] >= 2
        assert service["environment"]["QUEUE_TYPE"] == "quorum"
        urls = service["environment"]["BROKER_URL"].split(";")
        assert sorted(u.split("@")[1].split(":")[0] for u in urls) == sorted(rabbits)
    replica = services["postgres-replica"]["environment"]
    assert replica["POSTGRESQL_REPLICATION_MODE"] == "slave" and replica["POSTGRESQL_MASTER_HOST"] == "postgres"
    prom = yaml.safe_load((INFRA / "prometheus.prod.yml").read_text())
    jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
    for job in ("rabbitmq", "rabbitmq-per-object"):
        assert jobs[job]["static_configs"][0]["targets"] == [f"{n}:15692" for n in rabbits]
    assert jobs["rabbitmq-per-object"]["metrics_path"] == "/metrics/per-object"
    assert set(jobs["lianbao"]["dns_sd_configs"][0]["names"]) == {*SERVICES, "gateway"}


def test_production_prometheus_config_passes_promtool(tmp_path):
    _promtool_check_config("prometheus.prod.yml", tmp_path)


def test_alert_rules_watch_the_broker_cluster():
    rules = {r["alert"]: r for r in _rules()}
    assert 'up{job="rabbitmq"} == 0' in rules["RabbitMQNodeDown"]["expr"]
    assert "rabbitmq_queues" in rules["RabbitMQQueueLeaderImbalance"]["expr"]
    assert "rabbitmq_raft_log_commit_index" in rules["RabbitMQQuorumQueueBelowReplicas"]["expr"]
    tests = (INFRA / "alerts.test.yml").read_text()
    for name in ("RabbitMQNodeDown", "RabbitMQQueueLeaderImbalance", "RabbitMQQuorumQueueBelowReplicas"):
        assert f"alertname: {name}" in tests
