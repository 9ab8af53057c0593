"""Fixtures of the rewards service tests: the service on the embedded transport, and helpers."""
import sys
from pathlib import Path

import pytest
from tests.waiting import wait_for  # noqa: E402,F401

# the rating builders are shared with the unit tests of rewards
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "rewards"))


@pytest.fixture
def rewards(embedded_suite):
    return embedded_suite(["rewards"], EVENT_MAX_ATTEMPTS=3, OUTBOX_POLL_SECONDS=0.2)


def rewards_engine(suite):
    """The rewards service's own engine (to play the tamperer in the tests)."""
    from shared.db import Database

    container = suite.container("rewards")
    return next(dep for dep in container.dependencies if isinstance(dep, Database)).engine
