"""Training and rewards together, through real events: a certified year's allowances are settled
by rewards once per (officer, month), however often training runs the months (M§三(四)1(5))."""
import eventlet
import pytest

from shared.runner import service_class

from .conftest import COURSES, PEOPLE, wait_for

pytestmark = pytest.mark.timeout(90)


def test_a_certified_year_is_settled_once_500_yuan(embedded_suite):
    suite = embedded_suite(classes=[service_class("training"), service_class("rewards")],
                           TRAINING_TODAY="2027-01-15", OUTBOX_POLL_SECONDS=0.1)
    with suite.rpc() as rpc:
        rpc.training.upsert_people({"people": PEOPLE})
        rpc.training.register_courses({"courses": COURSES})
        rpc.training.record_result({"person_id": "off2", "course_id": "ar", "date": "2026-03-15",
                                    "result": "pass"})
        for _ in range(2):
            for month in range(1, 13):
                rpc.training.run_allowances({"month": f"2026-{month:02d}"})

        def lines():
            out = rpc.rewards.ledger({"subject": "off2", "kind": "allowance"})["lines"]
            return out if len(out) >= 10 else None

        settled = wait_for(lines)
        eventlet.sleep(0.5)
        settled = rpc.rewards.ledger({"subject": "off2", "kind": "allowance"})["lines"]
    assert len(settled) == 10
    assert sum(line["amount"] for line in settled) == 500
    assert {line["paying_unit"] for line in settled} == {"a1"}
