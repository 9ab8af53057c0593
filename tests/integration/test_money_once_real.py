"""Money once per person, period and kind, end to end on RabbitMQ + PostgreSQL (issue 18 item 5,
issue 26 item 1): scoring rates a city's year and publishes it, rewards settles it from the event.

1. The public-security bureau's rule pack pays ★4 600 yuan: the rating's ``four_stars`` lines pass
   the event contract and are paid (they used to dead-letter the whole rating).
2. An objection changes three people (r1 is found absent five days: disqualified; her mentor cpro
   loses ★5 by the mentor link; j1 gets a central honour: ★4 → ★5).  The re-rating (version 2) is
   settled by exactly nine lines: r1's and cpro's bonus −1000 and certificate and eligibility
   revoked, j1's bonus, certificate and eligibility issued; everyone else untouched.
3. The attack: rating 2026 again for scope ``cnty`` (the county, inside the city) after the city's
   rating was settled: rewards refuses it naming the city's rating, nothing is written, nobody is
   paid twice (the event ends in the dead-letter queue with that reason).
The hash chain verifies and reconciliation is clean after each step."""
import uuid

import pytest

from shared.dlq import list_dead_letters
from shared.runner import Suite
from tests.reliability.conftest import amqp_url, rabbitmqctl
from tests.service.scoring.conftest import resolve_evaluators
from tests.service.scoring.test_adapted_rating_service import (EVALUATORS, PEOPLE, PLUGINS, UNITS,
                                                               _agency_evaluation, drive_year)
from tests.waiting import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.timeout(400)]

PACK = {"version": 1, "effective_from": "2026", "title": "公安局星级标准",
        "rules": {"cutoffs": {"5": 96, "4": 91}, "five_star_quota": 0.5},
        "rewards": {"officer": {"4": 600, "5": 1500}}}


@pytest.fixture
def private_config(real_config):
    name = "lianbao_money_" + uuid.uuid4().hex[:10]
    rabbitmqctl("add_vhost", name)
    try:
        rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        real_config["AMQP_URI"] = amqp_url(name)
        real_config["PLUGINS"] = PLUGINS
        real_config["EVENT_MAX_ATTEMPTS"] = 2
        real_config["OUTBOX_POLL_SECONDS"] = 0.2
        yield real_config
    finally:
        rabbitmqctl("delete_vhost", name, check=False)


def lines_of(rpc, source):
    return rpc.rewards.ledger({"source": source, "limit": 10000})["lines"]


def settled(rpc, rating_id):
    return wait_for(lambda: lines_of(rpc, rating_id), timeout=60)


def clean(rpc):
    chain = rpc.rewards.verify_chain()
    report = rpc.rewards.reconcile({"period": "2026"})
    assert chain["ok"], chain
    assert report["ok"], report
    return report


def test_a_year_re_rated_after_an_objection_and_an_overlapping_scope(private_config):
    suite = Suite(private_config, names=["scoring", "rewards"]).start()
    try:
        with suite.rpc() as rpc:
            rpc.scoring.save_units({"units": UNITS})
            rpc.scoring.upsert_people({"people": PEOPLE})
        resolve_evaluators(suite, PEOPLE, EVALUATORS)
        with suite.rpc() as rpc:
            drive_year(rpc)
            for agency, points in (("ps", 16), ("court", 15), ("pro", 14)):
                rpc.scoring.record_agency_evaluation(_agency_evaluation(agency, points))
            registered = rpc.scoring.register_pack({"agency": "ps", "pack": PACK})
            assert registered["created"] is True
            rpc.scoring.record_subject_data({"agency": "court", "period": "2026", "subjects": [
                {"id": "j1", "figures": {"reversed_judgments": 2}}]})         # j1: 95 → 94, ★4

            # 1. the year, with the pack's ★4 bonus
            v1 = rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                         "rating_date": "2027-01-08"})
            assert v1["rating_id"] == "2026:city:1"
            first = settled(rpc, "2026:city:1")
            assert first, "rewards settled nothing of the city's rating"
            four = sorted((x["subject"], x["amount"], x["reason"], x["basis"]) for x in first
                          if x["reason"] == "four_stars")
            assert four == [("p1", 600, "four_stars", "rating_rules"),
                            ("p2", 600, "four_stars", "rating_rules"),
                            ("p3", 600, "four_stars", "rating_rules")]
            bonus = {x["subject"]: x["amount"] for x in first if x["kind"] == "bonus"}
            assert bonus["hps"] == 1500 and bonus["r1"] == bonus["cpro"] == 1000
            assert "j1" not in bonus
            report = clean(rpc)
            assert report["reversals"] == 0
            paid_v1 = sum(x["amount"] or 0 for x in first)

            # 2. the objection: three people change
            rpc.scoring.record_absences({"absences": [
                {"person": "r1", "date": f"2026-03-0{d}"} for d in range(2, 7)]})
            rpc.scoring.record_honours({"honours": [
                {"id": "hon-j1", "subject": "j1", "title": "全国优秀法官", "level": "central",
                 "date": "2026-10-01"}]})
            v2 = rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                         "rating_date": "2027-01-20"})
            assert v2["rating_id"] == "2026:city:2"
            second = settled(rpc, "2026:city:2")
            got = sorted((x["subject"], x["kind"], x["amount"], x["reason"], x["reverses"])
                         for x in second)
            assert got == sorted([
                ("cpro", "bonus", -1000, "revoked", "2026|cpro|bonus|1"),
                ("cpro", "certificate", None, "revoked", "2026|cpro|certificate|1"),
                ("cpro", "eligibility", None, "revoked", "2026|cpro|eligibility|1"),
                ("r1", "bonus", -1000, "revoked", "2026|r1|bonus|1"),
                ("r1", "certificate", None, "revoked", "2026|r1|certificate|1"),
                ("r1", "eligibility", None, "revoked", "2026|r1|eligibility|1"),
                ("j1", "bonus", 1000, "five_stars", None),
                ("j1", "certificate", None, "five_stars", None),
                ("j1", "eligibility", None, "five_stars", None)]), got
            report = clean(rpc)
            assert (report["ratings"], report["reversals"]) == (1, 6)
            everything = rpc.rewards.ledger({"period": "2026", "limit": 10000})["lines"]
            assert len(everything) == len(first) + 9
            assert sum(x["amount"] or 0 for x in everything) == paid_v1 - 1000
            # the same facts again: scoring publishes nothing new, rewards has nothing to do
            same = rpc.scoring.run_rating({"period": "2026", "scope": "city",
                                           "rating_date": "2027-01-20"})
            assert same["unchanged"] and same["rating_id"] == "2026:city:2"

            # 3. the attack: the county's rating over the same people, after the city's
            before = rpc.rewards.ledger({"limit": 10000})
            attack = rpc.scoring.run_rating({"period": "2026", "scope": "cnty",
                                             "rating_date": "2027-01-21"})
            assert attack["published"] and attack["rating_id"] == "2026:cnty:1"

            def refused():
                return [x for x in list_dead_letters(private_config)
                        if isinstance(x["body"], dict)
                        and x["body"].get("rating_id") == "2026:cnty:1"]
            letters = wait_for(refused, timeout=60)
            assert letters, "the overlapping rating was not refused"
            assert letters[0]["error"].startswith("shared.errors.Conflict")
            assert "overlaps settled ratings of period 2026" in letters[0]["error"]
            assert "rating 2026:city:2 already settled" in letters[0]["error"]
            assert rpc.rewards.ledger({"limit": 10000}) == before
            assert lines_of(rpc, "2026:cnty:1") == []
            clean(rpc)
            net = {}
            for x in before["lines"]:
                net[(x["subject"], x["kind"])] = net.get((x["subject"], x["kind"]), 0) + \
                    (1 if x["reverses"] is None else -1)
            assert max(net.values()) == 1          # nobody holds two lines of a kind in force
    finally:
        suite.stop()
