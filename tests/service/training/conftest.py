"""The training service on the embedded transport, with a listener that records its events the
way a consumer (roster, rewards) receives them."""
import pytest
from nameko.events import event_handler

from shared.contracts import training as training_contract
from shared.runner import service_class
from tests.waiting import wait_for  # noqa: E402,F401

RECEIVED: list = []


class TrainingListener:
    """A consumer of every event training publishes (as roster and rewards subscribe)."""
    name = "training_listener"

    @event_handler(training_contract.SERVICE, training_contract.RETRAINING_FAILED)
    def retraining_failed(self, payload):
        RECEIVED.append((training_contract.RETRAINING_FAILED, payload))

    @event_handler(training_contract.SERVICE, training_contract.ALLOWANCE_DUE)
    def allowance_due(self, payload):
        RECEIVED.append((training_contract.ALLOWANCE_DUE, payload))

    @event_handler(training_contract.SERVICE, training_contract.ALLOWANCE_WITHDRAWN)
    def allowance_withdrawn(self, payload):
        RECEIVED.append((training_contract.ALLOWANCE_WITHDRAWN, payload))

    @event_handler(training_contract.SERVICE, training_contract.CERTIFIED)
    def certified(self, payload):
        RECEIVED.append((training_contract.CERTIFIED, payload))

    @event_handler(training_contract.SERVICE, training_contract.RECHECK_PASSED)
    def recheck_passed(self, payload):
        RECEIVED.append((training_contract.RECHECK_PASSED, payload))

    @event_handler(training_contract.SERVICE, training_contract.RECHECK_REMINDER)
    def recheck_reminder(self, payload):
        RECEIVED.append((training_contract.RECHECK_REMINDER, payload))

    @event_handler(training_contract.SERVICE, training_contract.CERTIFICATION_REVOKED)
    def revoked(self, payload):
        RECEIVED.append((training_contract.CERTIFICATION_REVOKED, payload))


def received(kind):
    return [p for k, p in RECEIVED if k == kind]


PEOPLE = [
    {"id": "chief1", "unit_id": "s1", "agency_id": "a1", "position": "chief", "joined": "2010-01-01"},
    {"id": "off1", "unit_id": "s1", "agency_id": "a1", "position": "officer", "joined": "2015-06-01"},
    {"id": "off2", "unit_id": "s2", "agency_id": "a1", "position": "officer", "joined": "2019-06-01"},
    {"id": "new1", "unit_id": "s2", "agency_id": "a1", "position": "officer", "joined": "2026-09-01"},
    {"id": "head1", "unit_id": "a1", "agency_id": "a1", "position": "head", "joined": "2005-01-01"},
]
COURSES = [
    {"id": "pre", "kind": "pre_service", "title": "岗前培训"},
    {"id": "rot", "kind": "rotation", "title": "轮训", "modules": ["rule_of_law"]},
    {"id": "retrain", "kind": "rotation", "title": "补训", "modules": ["rule_of_law"]},
    {"id": "drill", "kind": "skills", "title": "岗位练兵"},
    {"id": "ar", "kind": "all_round_assessment", "title": "全能政法干警考核评选"},
    {"id": "arr", "kind": "all_round_recheck", "title": "全能政法干警复查"},
]


@pytest.fixture
def training(embedded_suite):
    """Start training (+ listener) with a fixed clock; ``training(today=...)`` returns the suite,
    seeded with PEOPLE and COURSES."""
    RECEIVED.clear()

    def start(today="2026-11-23", **extra):
        suite = embedded_suite(classes=[service_class("training"), TrainingListener],
                               TRAINING_TODAY=today, OUTBOX_POLL_SECONDS=0.1, **extra)
        with suite.rpc() as rpc:
            rpc.training.upsert_people({"people": PEOPLE})
            rpc.training.register_courses({"courses": COURSES})
        return suite

    yield start
    RECEIVED.clear()
