"""Writes infra/grafana/dashboards/lianbao.json (run: python infra/grafana/tools/build_dashboard.py).

One place for the dashboard's panels: the eight targets of the Method per agency (M§一), the domain
gauges the services export, service health and throughput. Metric names are the ones the services
export (tests/unit/infra/test_infra.py checks each against the code).
"""
from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "dashboards" / "lianbao.json"
DS = {"type": "prometheus", "uid": "prometheus"}
AG = 'agency=~"$agency"'
# the targets carry the year they are of: this year, and last year until its annual ratings are filed
TG = 'agency=~"$agency",year=~"$year"'


def q(expr, legend="", ref="A", instant=False, table=False):
    t = {"refId": ref, "expr": expr, "legendFormat": legend}
    if instant:
        t["instant"] = True
        t["range"] = False
    if table:
        t["format"] = "table"
    return t


def panel(pid, title, kind, grid, targets, unit=None, description="", options=None, transformations=None,
          thresholds=None, mappings=None):
    defaults = {}
    if unit:
        defaults["unit"] = unit
    if thresholds:
        defaults["thresholds"] = {"mode": "absolute", "steps": thresholds}
        defaults["color"] = {"mode": "thresholds"}
    if mappings:
        defaults["mappings"] = mappings
    p = {"id": pid, "title": title, "type": kind, "datasource": DS, "description": description,
         "gridPos": dict(zip("xywh", grid)), "targets": targets,
         "fieldConfig": {"defaults": defaults, "overrides": []}, "options": options or {}}
    if transformations:
        p["transformations"] = transformations
    return p


RED_GREEN = [{"color": "red", "value": None}, {"color": "green", "value": 1}]
MET = [{"type": "value", "options": {"0": {"text": "未达标 missed", "color": "red"},
                                     "1": {"text": "达标 met", "color": "green"}}}]


def pivot(row="agency", column="target"):
    return [{"id": "groupingToMatrix", "options": {"columnField": column, "rowField": row,
                                                   "valueField": "Value"}}]


PANELS = [
    panel(1, "The eight targets (M§一): met or missed, per agency", "table", (0, 0, 24, 8),
          [q(f"max by (agency, target) (lianbao_target_met{{{TG}}})", instant=True, table=True)],
          description="1 met, 0 missed; an empty cell is no data (NaN: nothing due, tested or answered yet). "
                      "Computed by the owning service when Prometheus scrapes it: scoring 1, roster "
                      "2 4 5 6 7, training 3, survey 8. Pick the year: this one, or last year until its "
                      "annual ratings are filed.",
          transformations=pivot(), thresholds=RED_GREEN, mappings=MET,
          options={"cellHeight": "sm", "showHeader": True}),
    panel(2, "Target values per agency (shares 0..1, counts)", "table", (0, 8, 24, 8),
          [q(f"max by (agency, target) (lianbao_target_value{{{TG}}})", instant=True, table=True)],
          transformations=pivot()),
    panel(3, "1 Management implementation rate (filed on time / due)", "timeseries", (0, 16, 8, 8),
          [q(f'lianbao_target_value{{target="1_management_rate",{TG}}}', "{{agency}}"),
           q(f"lianbao_management_implementation_rate{{{AG}}}", "{{agency}} (scoring)", "B")],
          unit="percentunit"),
    panel(4, "3 Skills pass rate (target ≥ 95%)", "timeseries", (8, 16, 8, 8),
          [q(f'lianbao_target_value{{target="3_skills_pass_rate",{TG}}}', "{{agency}}")],
          unit="percentunit"),
    panel(5, "8 Public satisfaction (target ≥ 90%)", "timeseries", (16, 16, 8, 8),
          [q(f'lianbao_target_value{{target="8_public_satisfaction",{TG}}}', "{{agency}}"),
           q("lianbao_survey_satisfaction_rate", "{{owner}} {{period}} (survey)", "B")],
          unit="percentunit"),
    panel(6, "2 4 5 6 Leaders incompetent, cadre-selection violations, dereliction cases, officer crimes",
          "timeseries", (0, 24, 12, 8),
          [q(f'lianbao_target_value{{target=~"2_.*|4_.*|5_.*|6_.*",{TG}}}', "{{target}} {{agency}}")]),
    panel(7, "7 Violations investigated / reported", "timeseries", (12, 24, 12, 8),
          [q(f'lianbao_target_value{{target="7_violations_investigated",{TG}}}', "{{agency}}")],
          unit="percentunit"),
    panel(8, "Mentoring coverage (每名干警有人带)", "timeseries", (0, 32, 8, 8),
          [q(f"lianbao_mentoring_coverage_ratio{{{AG}}}", "{{agency}}")], unit="percentunit"),
    panel(9, "Monthly evaluations overdue (not filed by the 15th)", "timeseries", (8, 32, 8, 8),
          [q(f"lianbao_scoring_overdue_evaluations{{{AG}}}", "{{agency}}")]),
    panel(10, "Talks and rectifications overdue", "timeseries", (16, 32, 8, 8),
          [q("lianbao_rewards_overdue_tasks", "{{kind}}")]),
    panel(11, "Service up", "stat", (0, 40, 8, 6), [q('up{job="lianbao"}', "{{lianbao_service}}")],
          thresholds=RED_GREEN),
    panel(12, "Calls per second by service", "timeseries", (8, 40, 16, 6),
          [q("sum by (service) (rate(lianbao_entrypoint_calls_total[5m]))", "{{service}}")], unit="reqps"),
    panel(13, "Errors per second by service and class", "timeseries", (0, 46, 12, 8),
          [q("sum by (service, error) (rate(lianbao_entrypoint_errors_total[5m]))", "{{service}} {{error}}")]),
    panel(14, "p95 latency by method", "timeseries", (12, 46, 12, 8),
          [q("histogram_quantile(0.95, sum by (service, method, le) "
             "(rate(lianbao_entrypoint_latency_seconds_bucket[5m])))", "{{service}}.{{method}}")], unit="s"),
    panel(15, "Outbox backlog and oldest age", "timeseries", (0, 54, 12, 8),
          [q("lianbao_outbox_backlog", "{{service}} backlog"),
           q("lianbao_outbox_oldest_age_seconds", "{{service}} oldest (s)", "B")]),
    panel(16, "Events handled, redelivered, dead-lettered", "timeseries", (12, 54, 12, 8),
          [q("sum by (service) (rate(lianbao_events_handled_total[5m]))", "{{service}} handled/s"),
           q("sum by (service) (rate(lianbao_events_redelivered_total[5m]))", "{{service}} redelivered/s", "B"),
           q("sum by (service) (increase(lianbao_events_dead_lettered_total[1h]))",
             "{{service}} dead-lettered (1h)", "C")]),
    panel(17, "Survey forms received per second", "timeseries", (0, 62, 12, 8),
          [q("sum(rate(lianbao_survey_forms_received_total[5m]))", "received/s"),
           q("sum by (reason) (rate(lianbao_survey_forms_rejected_total[5m]))", "rejected {{reason}}", "B")]),
    panel(18, "Ledger lines written per hour", "timeseries", (12, 62, 12, 8),
          [q("sum by (source) (increase(lianbao_rewards_ledger_lines_written_total[1h]))", "{{source}}")]),
]

DASHBOARD = {
    "uid": "lianbao", "title": "lianbao — 联带包创精细化管理", "tags": ["lianbao"], "timezone": "browser",
    "schemaVersion": 39, "version": 2, "refresh": "30s", "time": {"from": "now-24h", "to": "now"},
    "editable": True,
    "templating": {"list": [{
        "name": "agency", "label": "agency", "type": "query", "datasource": DS,
        "query": {"query": "label_values(lianbao_target_met, agency)", "refId": "agency"},
        "definition": "label_values(lianbao_target_met, agency)", "refresh": 2, "includeAll": True,
        "multi": True, "allValue": ".*", "current": {"text": "All", "value": "$__all"}}, {
        "name": "year", "label": "year", "type": "query", "datasource": DS,
        "query": {"query": "label_values(lianbao_target_met, year)", "refId": "year"},
        "definition": "label_values(lianbao_target_met, year)", "refresh": 2, "sort": 2,
        "includeAll": False, "multi": False}]},
    "annotations": {"list": []},
    "panels": PANELS,
}

if __name__ == "__main__":
    OUT.write_text(json.dumps(DASHBOARD, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT} ({len(PANELS)} panels)")
