"""A command retried with the same idempotency key has one effect, and the retry gets the first
answer — even where a fresh call would now answer differently (a form batch, a settlement, a
workflow transition), and when the copies arrive at the same time."""
import eventlet
import pytest

from tests.reliability.ratings_year import rating
from tests.service.scoring.conftest import PEOPLE, UNITS

pytestmark = pytest.mark.timeout(90)

FORMS = [{"serial": f"F{i}", "subject": "o1", "group": "parents", "answers": "S" * 35}
         for i in range(5)]


def _keyed(suite, key):
    return suite.rpc(context_data={"idempotency_key": key})


def test_form_batch_settlement_and_transition_retried_with_a_key_take_effect_once(embedded_suite,
                                                                                  figures):
    suite = embedded_suite(["survey", "rewards", "scoring"], OUTBOX_POLL_SECONDS=0.2)
    sent = 0
    with suite.rpc() as rpc:
        rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H1", "owner": "county-1",
                                    "subjects": [{"id": "o1", "kind": "officer"}]})
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": PEOPLE})
        rpc.scoring.submit_self_assessment({"actor": "o1", "subject": "o1", "month": "2026-02",
                                            "as_of": "2026-03-02"})

    # a form batch: three copies with the key; without it the copies would say "replayed"
    batch = {"campaign_id": "c1", "batch_id": "b1", "forms": FORMS}
    with _keyed(suite, "office-batch-1") as rpc:
        first_batch = rpc.survey.submit_batch(batch)
        again = [rpc.survey.submit_batch(batch) for _ in range(2)]
    sent += 3
    assert first_batch["accepted"] == 5 and "replayed" not in first_batch
    assert again == [first_batch, first_batch]               # the first answer, not "replayed"

    # a settlement: the retry answers "settled", while a call without the key says "already"
    payload = rating(3, "2026")
    with _keyed(suite, "settle-1") as rpc:
        first_settle = rpc.rewards.settle(payload)
        retry_settle = rpc.rewards.settle(payload)
    with suite.rpc() as rpc:
        unkeyed = rpc.rewards.settle(payload)
    sent += 3
    assert first_settle["settled"] is True and first_settle["written"] > 0
    assert retry_settle == first_settle
    assert unkeyed["already_settled"] is True and unkeyed["written"] == 0

    # a transition: review o1's self-assessment; the retry gets the reviewed evaluation as it was
    review = {"actor": "c1", "subject": "o1", "month": "2026-02", "as_of": "2026-03-02",
              "deductions": [{"id": "late-1", "points": 2, "items": ["performance.daily_log"]}]}
    with _keyed(suite, "review-1") as rpc:
        first_review = rpc.scoring.review(review)
    with suite.rpc() as rpc:
        rpc.scoring.approve({"actor": "l1", "subject": "o1", "month": "2026-02",
                             "as_of": "2026-03-03"})
    with _keyed(suite, "review-1") as rpc:
        retry_review = rpc.scoring.review(review)
    sent += 3
    assert first_review["state"] == "reviewed" and retry_review == first_review

    # concurrent copies with one key: one effect, every copy answered alike
    payloads = [rating(4, "2026")] * 6

    def keyed_settle(p):
        with _keyed(suite, "settle-concurrent") as rpc:
            return rpc.rewards.settle(p)

    answers = list(eventlet.GreenPool(6).imap(keyed_settle, payloads))
    sent += len(payloads)
    assert all(a == answers[0] for a in answers) and answers[0]["settled"] is True

    with suite.rpc() as rpc:
        rates = rpc.survey.get_rates({"campaign_id": "c1"})
        ledger = rpc.rewards.ledger({"limit": 100000})
        trail = rpc.scoring.evaluation({"subject": "o1", "month": "2026-02"})["trail"]
    keys = [line["key"] for line in ledger["lines"]]
    assert rates["totals"]["forms"] == 5                       # five forms, not fifteen
    assert len(keys) == len(set(keys)) == first_settle["lines"] + answers[0]["lines"]
    assert [t["action"] for t in trail] == ["submit", "review", "approve"]   # one review
    figures.update(messages_sent=sent, duplicates_sent=sent - 4, faults_injected="retries",
                   effects=4, lost=0, doubled=0)
