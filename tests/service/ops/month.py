"""A scripted month of a small city through roster, training and rewards, and what its metrics
must then show. Shared by the embedded service test and the real-broker integration test.

Two agencies: a1 (public security) and a2 (court), one section each.
* mentoring: in a1 the chief mentors o1 but not o2 (coverage 0.5); in a2 both officers (1.0);
* training: a1 2 of 2 skills tests passed (100%, met), a2 1 of 2 (50%, missed), city 3 of 4;
* discipline: leader l1 of a1 rated incompetent (target 2 missed in a1 and city); a dereliction case
  against a2, investigated; a violation of o1 reported, not investigated (target 7: a1 0/1, a2 1/1,
  city 1/2); no officer crime, no cadre-selection violation;
* rewards: a 2024 annual rating left a warning talk with o2 undone, overdue since early 2025.
All dates fall on the first of the current month, so the current year's figures hold them.
"""
from __future__ import annotations

import socket
import uuid
from functools import partial
from datetime import date

import requests
from prometheus_client.parser import text_string_to_metric_families
from tests import waiting  # noqa: E402

DAY0 = date.today().replace(day=1)
D0 = DAY0.isoformat()
YEAR = DAY0.year

UNITS = [
    {"id": "cityc", "name": "市委政法委", "kind": "committee"},
    {"id": "a1", "name": "市公安局", "kind": "agency", "parent": "cityc", "agency_type": "public_security",
     "rank": "division"},
    {"id": "a1_s1", "name": "刑侦支队", "kind": "section", "parent": "a1"},
    {"id": "a2", "name": "市中级法院", "kind": "agency", "parent": "cityc", "agency_type": "court",
     "rank": "division"},
    {"id": "a2_s1", "name": "刑事审判庭", "kind": "section", "parent": "a2"},
]
STAFF = [
    {"id": "h1", "name": "局长", "unit": "a1", "position": "head", "joined": "2000-01-01"},
    {"id": "l1", "name": "副局长", "unit": "a1", "position": "leader", "joined": "2005-01-01",
     "supervises": ["a1_s1"]},
    {"id": "c1", "name": "支队长", "unit": "a1_s1", "position": "chief", "joined": "2010-01-01"},
    {"id": "o1", "name": "干警一", "unit": "a1_s1", "position": "officer", "joined": "2015-01-01"},
    {"id": "o2", "name": "干警二", "unit": "a1_s1", "position": "officer", "joined": "2015-01-01"},
    {"id": "h2", "name": "院长", "unit": "a2", "position": "head", "joined": "2000-01-01"},
    {"id": "l2", "name": "副院长", "unit": "a2", "position": "leader", "joined": "2005-01-01",
     "supervises": ["a2_s1"]},
    {"id": "c2", "name": "庭长", "unit": "a2_s1", "position": "chief", "joined": "2010-01-01"},
    {"id": "o3", "name": "干警三", "unit": "a2_s1", "position": "officer", "joined": "2015-01-01"},
    {"id": "o4", "name": "干警四", "unit": "a2_s1", "position": "officer", "joined": "2015-01-01"},
]
PAIRS = [("h1", "l1"), ("l1", "c1"), ("c1", "o1"), ("h2", "l2"), ("l2", "c2"), ("c2", "o3"), ("c2", "o4")]
RESULTS = [("o1", "pass"), ("o2", "pass"), ("o3", "pass"), ("o4", "fail")]


def free_ports(n: int) -> list[int]:
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


wait_for = partial(waiting.wait_for, timeout=20.0)


def overdue_rating() -> dict:
    """scoring's ``rating_published`` of the 2024 annual rating: o2 two stars → a warning talk due
    30 days after 2025-01-08 (long overdue)."""
    return {
        "event_id": uuid.uuid4().hex, "rating_id": "2024:a1:1", "period": "2024", "kind": "annual",
        "scope": "a1", "rating_date": "2025-01-08",
        "result": {"officers": [{"id": "o2", "status": "rated", "score": 72.0, "stars": 2, "reasons": []}],
                   "sections": [], "agencies": [], "settlement": []},
        "subjects": {"o2": {"paying_unit": "a1", "unit": "a1_s1", "name": "干警二"}},
        "disqualified_last_year": []}


def run_month(rpc, dispatch, poison: bool = True) -> dict:
    """Play the month. ``rpc``: a proxy; ``dispatch(service, event_type, payload)`` publishes an
    event as that service; ``poison``: also send the roster an event it cannot read. Returns what
    the calls answered that the tests look at."""
    from shared.errors import ValidationFailed

    seen = {}
    rpc.roster.save_units({"units": UNITS})
    rpc.roster.create_staff({"staff": STAFF})
    for mentor, mentee in PAIRS:
        rpc.roster.assign_mentor({"mentor": mentor, "mentee": mentee, "start": D0})
    # training learns the people from the roster's staff_joined events
    assert wait_for(lambda: _known(rpc, "o4")), "training never heard of the roster's staff"
    rpc.training.register_courses({"courses": [{"id": "drill", "kind": "skills", "title": "实战技能"}]})
    for person, outcome in RESULTS:
        rpc.training.record_result({"person_id": person, "course_id": "drill", "date": D0, "result": outcome})
    # discipline facts
    inc = rpc.roster.record_discipline_fact({"kind": "incompetent_leader", "person": "l1", "occurred_on": D0,
                                             "year": YEAR})
    seen["replayed"] = rpc.roster.record_discipline_fact(
        {"kind": "incompetent_leader", "person": "l1", "occurred_on": D0, "year": YEAR})
    seen["incompetent"] = inc
    der = rpc.roster.record_discipline_fact({"kind": "dereliction_case", "unit": "a2", "occurred_on": D0})
    rpc.roster.investigate({"fact_id": der["fact"]["id"], "investigated_on": D0})
    seen["investigated_again"] = rpc.roster.investigate({"fact_id": der["fact"]["id"], "investigated_on": D0})
    rpc.roster.record_discipline_fact({"kind": "violation", "person": "o1", "occurred_on": D0})
    try:
        rpc.roster.record_discipline_fact({"kind": "incompetent_leader", "person": "o1", "occurred_on": D0})
    except ValidationFailed as exc:
        seen["refused"] = exc.field
    # a poison event for the roster (it cannot read it: dead-lettered after EVENT_MAX_ATTEMPTS)
    if poison:
        dispatch("training", "retraining_failed", {"event_id": "poison-" + uuid.uuid4().hex, "person_id": "o2"})
    # rewards: an old rating with a talk never held
    dispatch("scoring", "rating_published", overdue_rating())
    assert wait_for(lambda: rpc.rewards.tasks({"status": "overdue"})["tasks"]), "no overdue talk"
    seen["roster_gauges"] = rpc.roster.refresh_metrics()
    seen["training_targets"] = rpc.training.targets({})
    seen["roster_targets"] = rpc.roster.targets({"year": YEAR})
    return seen


def _known(rpc, person):
    from shared.errors import NotFound

    try:
        return rpc.training.get_person({"person_id": person})
    except NotFound:
        return None


def scrape(port: int) -> dict:
    """GET /metrics over HTTP → ``{(name, frozenset(labels.items())): value}``."""
    response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    response.raise_for_status()
    assert response.headers["Content-Type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples: dict, name: str, **labels):
    return samples.get((name, frozenset(labels.items())))


def check_month(scraped: dict, dead_letters: bool = True) -> None:
    """What the month must show on each service's /metrics."""
    roster, training, rewards = scraped["roster"], scraped["training"], scraped["rewards"]
    # domain gauges: mentoring coverage per agency
    assert value(roster, "lianbao_mentoring_coverage_ratio", agency="a1") == 0.5
    assert value(roster, "lianbao_mentoring_coverage_ratio", agency="a2") == 1.0
    # the targets the roster owns
    tv, tm = "lianbao_target_value", "lianbao_target_met"
    assert value(roster, tv, target="2_no_incompetent_leaders", agency="a1", year=str(YEAR)) == 1.0
    assert value(roster, tm, target="2_no_incompetent_leaders", agency="a1", year=str(YEAR)) == 0.0
    assert value(roster, tm, target="2_no_incompetent_leaders", agency="a2", year=str(YEAR)) == 1.0
    assert value(roster, tv, target="2_no_incompetent_leaders", agency="city", year=str(YEAR)) == 1.0
    assert value(roster, tv, target="5_no_dereliction_cases", agency="a2", year=str(YEAR)) == 1.0
    assert value(roster, tm, target="5_no_dereliction_cases", agency="a2", year=str(YEAR)) == 0.0
    assert value(roster, tm, target="4_no_cadre_selection_violations", agency="city", year=str(YEAR)) == 1.0
    assert value(roster, tv, target="6_no_officer_crimes", agency="city", year=str(YEAR)) == 0.0
    assert value(roster, tm, target="6_no_officer_crimes", agency="city", year=str(YEAR)) == 1.0
    assert value(roster, tv, target="7_violations_investigated", agency="a1", year=str(YEAR)) == 0.0
    assert value(roster, tv, target="7_violations_investigated", agency="a2", year=str(YEAR)) == 1.0
    assert value(roster, tv, target="7_violations_investigated", agency="city", year=str(YEAR)) == 0.5
    assert value(roster, tm, target="7_violations_investigated", agency="city", year=str(YEAR)) == 0.0
    # target 3 from training
    assert value(training, tv, target="3_skills_pass_rate", agency="a1", year=str(YEAR)) == 1.0
    assert value(training, tm, target="3_skills_pass_rate", agency="a1", year=str(YEAR)) == 1.0
    assert value(training, tv, target="3_skills_pass_rate", agency="a2", year=str(YEAR)) == 0.5
    assert value(training, tm, target="3_skills_pass_rate", agency="a2", year=str(YEAR)) == 0.0
    assert value(training, tv, target="3_skills_pass_rate", agency="city", year=str(YEAR)) == 0.75
    # no service claims a target it does not own
    assert not [k for k in roster if k[0] == tv and dict(k[1])["target"] == "3_skills_pass_rate"]
    assert not [k for k in training if k[0] == tv and dict(k[1])["target"] != "3_skills_pass_rate"]
    # overdue talks (rewards)
    assert value(rewards, "lianbao_rewards_overdue_tasks", kind="warning_talk") == 1.0
    # entry points: calls, errors by class, latency histograms
    calls = "lianbao_entrypoint_calls_total"
    assert value(roster, calls, service="roster", method="record_discipline_fact") == 5.0
    assert value(roster, calls, service="roster", method="assign_mentor") == float(len(PAIRS))
    assert value(roster, "lianbao_entrypoint_errors_total", service="roster", method="record_discipline_fact",
                 error="ValidationFailed") == 1.0
    assert value(roster, "lianbao_entrypoint_latency_seconds_count", service="roster",
                 method="record_discipline_fact") == 5.0
    assert value(training, calls, service="training", method="record_result") == 4.0
    # events handled: training read the roster's staff_joined; rewards the rating
    assert value(training, "lianbao_events_handled_total", service="training", method="on_staff_joined") >= 1
    assert value(rewards, "lianbao_events_handled_total", service="rewards", method="on_rating_published") == 1.0
    if dead_letters:
        assert value(roster, "lianbao_events_dead_lettered_total", service="roster",
                     method="on_retraining_failed") == 1.0
        assert value(roster, "lianbao_events_redelivered_total", service="roster",
                     method="on_retraining_failed") >= 1.0
    # the outbox: everything committed was published
    for name, samples in scraped.items():
        assert value(samples, "lianbao_outbox_backlog", service=name) == 0.0, name
        assert value(samples, "lianbao_outbox_oldest_age_seconds", service=name) == 0.0, name
