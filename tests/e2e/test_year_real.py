"""The main job at a small size on the real RabbitMQ and PostgreSQL: a year of a city of a few
hundred staff through the five services, then the reconciliation and hand-checked results."""
from decimal import ROUND_HALF_UP, Decimal

import pytest

from lianbao.demo.city import build_city
from lianbao.demo.run import DEMO_PLUGINS, Demo
from shared.runner import Suite

pytestmark = [pytest.mark.broker, pytest.mark.timeout(600)]


def half_up(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    import uuid

    from tests.conftest import AMQP_URL, PG_URL, _drop_databases
    from shared.config import load_config

    tag = "e" + uuid.uuid4().hex[:10]
    config = load_config(env={"BROKER_URL": AMQP_URL,
                              "DATABASE_URL_TEMPLATE": f"{PG_URL}/lianbao_{tag}_{{service}}",
                              "LIANBAO_DATA": str(tmp_path_factory.mktemp("data"))})
    config.update(RPC_TIMEOUT=300, OUTBOX_POLL_SECONDS=0.2, PLUGINS=DEMO_PLUGINS)
    city = build_city(staff=300, seed=11)
    suite = Suite(config).start()
    try:
        demo = Demo(suite, city, seed=11, progress=False)
        demo.run_year()
        summary = demo.summary()
        yield demo, summary, suite
    finally:
        suite.stop()
        _drop_databases(tag)


def test_the_ledger_is_exactly_what_the_ratings_imply(year):
    demo, summary, _suite = year
    rec = summary["reconciliation"]
    assert rec["missing"] == rec["extra"] == rec["different"] == 0
    assert rec["expected"] == rec["ledger"] > 0
    assert summary["hash_chain"]["ok"] is True
    assert summary["notes"]["workflow_item_errors"] == 0


def test_duplicate_paper_forms_were_refused_and_not_counted(year):
    demo, summary, _suite = year
    for half in ("H1", "H2"):
        assert summary["notes"]["surveys"][half]["duplicates_refused"] == 200


def test_hand_checked_results(year):
    demo, summary, suite = year
    officers = {o["id"]: o for o in demo.annual["result"]["officers"]}
    # a confirmed ban violation → sanction → disqualified; the mentor cannot be five-star
    for person in demo.banned:
        assert officers[person]["status"] == "disqualified"
        assert "disciplinary_sanction" in officers[person]["reasons"]
        mentor = demo.mentor_of.get(person)
        if mentor in officers and officers[mentor]["status"] == "rated":
            assert officers[mentor]["stars"] <= 4
    # five days of unexcused absence disqualify (以上含本数), four do not
    for person, days in demo.absent.items():
        assert ("absence" in officers[person]["reasons"]) is (days >= 5)
    # an officer's score is the mean of the twelve filed monthly scores, plus what the adaptations
    # (plug-ins, packs) added — each named in the explanation — computed by hand
    with suite.rpc() as rpc:
        checked = 0
        for person, o in officers.items():
            if o["status"] != "rated" or person in demo.honoured:
                continue
            months = rpc.scoring.person_history({"person": person, "year": demo.year})["months"]
            scores = [Decimal(str(m["score"])) for m in months if m.get("state") == "filed"]
            if len(scores) != 12:
                continue
            adapted = sum(Decimal(str(e["points"])) for e in o["explanation"]
                          if e["points"] is not None and e["rule"].startswith(("plugin:", "pack:")))
            assert o["score"] == half_up(sum(scores) / 12 + adapted), person
            stars = 5 if o["score"] >= 95 else 4 if o["score"] >= 90 else 3 if o["score"] >= 80 else \
                2 if o["score"] >= 70 else 1
            if "mentee_disqualified" not in o["reasons"]:
                assert o["stars"] == stars, person
            checked += 1
            if checked == 25:
                break
        assert checked == 25
        # a five-star officer's bonus of 1000 yuan is in the ledger, paid by the agency
        five = next(p for p, o in officers.items() if o["stars"] == 5)
        lines = rpc.rewards.ledger({"subject": five, "period": str(demo.year)})["lines"]
        assert {(x["kind"], x.get("amount")) for x in lines} >= {("bonus", 1000), ("certificate", None)}


def test_the_published_rating_is_the_engine_on_the_stored_snapshot(year):
    demo, _summary, suite = year
    with suite.rpc() as rpc:
        snapshot = rpc.scoring.snapshot({"rating_id": demo.annual["rating_id"]})
        assert rpc.scoring.rate_snapshot(snapshot) == demo.annual["result"]
