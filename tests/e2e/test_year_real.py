"""The main job at a small size on the real RabbitMQ and PostgreSQL: a year of a city of a few
hundred staff through the five services, then the reconciliation and hand-checked results."""
from decimal import ROUND_HALF_UP, Decimal

import pytest

from lianbao.demo.city import build_city
from lianbao.demo.run import DEMO_PACK_AGENCY, DEMO_PLUGINS, run_year
from lianbao.demo.state import new_state
from lianbao.demo.summary import summary as year_summary
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
        demo = run_year(new_state(suite, city, seed=11, progress=False))
        summary = year_summary(demo)
        yield demo, summary, suite
    finally:
        suite.stop()
        _drop_databases(tag)


def test_rewards_reconciliation_finds_no_difference_and_the_chain_is_intact(year):
    demo, summary, _suite = year
    rec = summary["reconciliation"]
    assert rec["missing"] == rec["extra"] == rec["different"] == 0
    assert rec["expected"] == rec["ledger"] > 0
    assert summary["hash_chain"]["ok"] is True
    assert summary["notes"]["workflow_item_errors"] == 0
    assert summary["dead_letters"] == {"count": 0, "errors": {}}     # every event taken by its service


#: what the Method pays (M§五(二)5(2)① 1000 yuan per five-star officer, M§五(二)5(1)① 300 yuan per
#: head of a five-star section), and the demo's rule pack of the city public-security bureau
#: (``rewards: {officer: {"5": 1200}}``), written out here rather than taken from rewards' code
OFFICER_FIVE_STARS = {DEMO_PACK_AGENCY: 1200}
OFFICER_FIVE_STARS_CITY = 1000
SECTION_FIVE_STARS_PER_HEAD = 300


def _all_lines(rpc, **query):
    lines, offset = [], 0
    while True:
        page = rpc.rewards.ledger({**query, "offset": offset, "limit": 1000})
        lines += page["lines"]
        offset += len(page["lines"])
        if not page["lines"] or offset >= page["total"]:
            return lines


def test_the_ledger_is_exactly_what_the_ratings_imply(year):
    """The annual rating's money and talks, derived here from the published stars, the snapshot's
    agencies and headcounts and the Method's amounts — not by rewards' ``settle()``, which wrote the
    ledger and whose reconciliation the test above reads."""
    demo, _summary, suite = year
    result = demo.annual["result"]
    with suite.rpc() as rpc:
        stored = rpc.scoring.snapshot({"rating_id": demo.annual["rating_id"]})
        lines = _all_lines(rpc, source=demo.annual["rating_id"])
    parts = [part["snapshot"] for part in stored["parts"]] if stored.get("composite") else [stored]
    officer_agency = {o["id"]: o["agency"] for part in parts for o in part["officers"]}
    section = {s["id"]: (s["agency"], s["headcount"]) for part in parts for s in part["sections"]}

    expected_money, expected_talks = {}, set()
    for o in result["officers"]:
        if o["status"] != "rated":
            continue
        agency = officer_agency[o["id"]]
        if o["stars"] == 5:
            expected_money[o["id"]] = (OFFICER_FIVE_STARS.get(agency, OFFICER_FIVE_STARS_CITY), agency)
        if o["stars"] <= 2:
            expected_talks.add(o["id"])
    for s in result["sections"]:
        if s["status"] != "rated":
            continue
        agency, headcount = section[s["id"]]
        if s["stars"] == 5:
            expected_money[s["id"]] = (SECTION_FIVE_STARS_PER_HEAD * headcount, agency)
        if s["stars"] <= 2:
            expected_talks.add(s["id"])

    bonus = {x["subject"]: (x["amount"], x["paying_unit"]) for x in lines if x["kind"] == "bonus"}
    assert len(bonus) == sum(1 for x in lines if x["kind"] == "bonus")      # one bonus per subject
    assert bonus == expected_money
    assert {x["subject"] for x in lines if x["kind"] == "warning_talk"} == expected_talks
    assert expected_money and any(a == 1200 for a, _ in expected_money.values())
    total = sum(a for a, _ in expected_money.values())
    assert sum(x["amount"] or 0 for x in lines) == total


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
