"""Issue 11: a scripted month through roster, training and rewards, then every service's /metrics
scraped over HTTP; and ``lianbao targets`` printing the eight targets."""
import re

import pytest

from lianbao.cli import main
from tests.service.ops import month

pytestmark = pytest.mark.timeout(120)
NAMES = ("roster", "training", "rewards")


@pytest.fixture
def city_month(embedded_suite):
    ports = dict(zip(NAMES, month.free_ports(len(NAMES))))
    suite = embedded_suite(list(NAMES), METRICS_PORTS=ports, EVENT_MAX_ATTEMPTS=2, OUTBOX_POLL_SECONDS=0.2,
                           TARGET_GAUGES_SECONDS=0)
    with suite.rpc() as rpc:
        seen = month.run_month(rpc, suite.dispatch)
    return suite, ports, seen


def _scrape_settled(ports):
    """Scrape until the outboxes are drained and the poison event reached the dead-letter queue."""
    def ready():
        scraped = {n: month.scrape(p) for n, p in ports.items()}
        drained = all(month.value(s, "lianbao_outbox_backlog", service=n) == 0 for n, s in scraped.items())
        dead = month.value(scraped["roster"], "lianbao_events_dead_lettered_total", service="roster",
                           method="on_retraining_failed")
        return scraped if drained and dead else None
    return month.wait_for(ready) or {n: month.scrape(p) for n, p in ports.items()}


def test_a_scripted_month_shows_on_every_services_metrics_over_http(city_month):
    suite, ports, seen = city_month
    assert seen["replayed"]["replayed"] is True
    assert seen["replayed"]["fact"]["id"] == seen["incompetent"]["fact"]["id"]
    assert seen["investigated_again"]["replayed"] is True
    assert seen["refused"] == "person"
    month.check_month(_scrape_settled(ports))


def test_targets_rpcs_answer_the_same_figures_as_the_gauges(city_month):
    suite, ports, seen = city_month
    roster = {(r["agency"], r["target"]): r for r in seen["roster_targets"]["targets"]}
    assert roster[("a1", "2_no_incompetent_leaders")]["met"] is False
    assert roster[("city", "7_violations_investigated")]["detail"] == {"investigated": 1, "reported": 2}
    assert roster[("cityc", "5_no_dereliction_cases")]["value"] == 0      # a committee is listed too
    training = {(r["agency"], r["target"]): r for r in seen["training_targets"]["targets"]}
    assert training[("city", "3_skills_pass_rate")]["value"] == 0.75
    with suite.rpc() as rpc:
        only = rpc.roster.targets({"agency": "a2", "year": month.YEAR})["targets"]
        assert {r["agency"] for r in only} == {"a2"} and len(only) == 5
        assert rpc.roster.targets({"year": month.YEAR - 1})["targets"][-1]["detail"] == {
            "investigated": 0, "reported": 0}
        facts = rpc.roster.discipline_facts({"agency": "a1"})["facts"]
        assert sorted(f["kind"] for f in facts) == ["incompetent_leader", "violation"]


def _targets_on(samples):
    return {k: repr(v) for k, v in samples.items() if k[0] in ("lianbao_target_value", "lianbao_target_met")}  # NaN == NaN


def test_target_gauges_follow_the_facts_at_scrape_time_and_queries_change_nothing(city_month):
    suite, ports, seen = city_month
    labels = {"target": "7_violations_investigated", "agency": "a1", "year": str(month.YEAR)}
    before = month.scrape(ports["roster"])
    assert month.value(before, "lianbao_target_met", **labels) == 0.0
    with suite.rpc() as rpc:
        # queries for any year and agency only answer
        for year in (month.YEAR - 1, month.YEAR - 5, month.YEAR):
            rpc.roster.targets({"year": year})
            rpc.roster.targets({"year": year, "agency": "a2"})
            rpc.training.targets({"year": year})
        assert _targets_on(month.scrape(ports["roster"])) == _targets_on(before)
        # a fact changes: the next scrape shows it, no timer, no refresh
        fact = next(f for f in rpc.roster.discipline_facts({"agency": "a1"})["facts"] if f["kind"] == "violation")
        rpc.roster.investigate({"fact_id": fact["id"], "investigated_on": month.D0})
        rpc.training.record_result({"person_id": "c2", "course_id": "drill", "date": month.D0, "result": "pass"})
    after = month.scrape(ports["roster"])
    assert month.value(after, "lianbao_target_met", **labels) == 1.0
    assert month.value(after, "lianbao_target_value", **{**labels, "agency": "city"}) == 1.0
    training = month.scrape(ports["training"])
    assert month.value(training, "lianbao_target_value", target="3_skills_pass_rate", agency="city",
                       year=str(month.YEAR)) == 0.8     # 4 of 5


def test_lianbao_targets_prints_met_missed_and_no_data_for_services_not_running(city_month, cli_env, capsys):
    code = main(["targets", "--agency", "a1", "--year", str(month.YEAR), "--timeout", "3"])
    out = capsys.readouterr().out
    assert code == 1                      # a target with data is missed
    assert out.splitlines()[1].split() == ["agency", "target", "label", "value", "met"]
    rows = {}
    for line in out.splitlines()[2:]:
        agency, target, label, value, met = re.split(r"\s{2,}", line.strip())
        assert agency == "a1"
        rows[target] = (value, met)
    assert len(rows) == 8
    assert rows["2_no_incompetent_leaders"] == ("1", "MISSED")
    assert rows["3_skills_pass_rate"] == ("100.00%", "met")
    assert rows["4_no_cadre_selection_violations"] == ("0", "met")
    assert rows["7_violations_investigated"] == ("0.00%", "MISSED")
    # scoring and survey are not running here: no data, never a made-up figure
    assert rows["1_management_rate"][0] == "no data" and rows["1_management_rate"][1].startswith("no data")
    assert rows["8_public_satisfaction"][0] == "no data"


def test_lianbao_targets_json_city_rows(city_month, cli_env, capsys):
    import json

    assert main(["targets", "--agency", "city", "--year", str(month.YEAR), "--json", "--timeout", "3"]) == 1
    rows = {r["target"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["7_violations_investigated"]["value"] == 0.5 and rows["7_violations_investigated"]["met"] is False
    assert rows["3_skills_pass_rate"]["value"] == 0.75
    assert rows["1_management_rate"]["reported"] is False and rows["1_management_rate"]["value"] is None
