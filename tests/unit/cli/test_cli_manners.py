"""The command line's manners: one way to give a period, readable dead letters, import columns in
--help, the targets' default year."""
import contextlib
import io
from datetime import date

import pytest

from lianbao.cli import build_parser
from lianbao.commands import dlq, targets
from lianbao.commands._period import period_of

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize("argv", [["ledger", "reconcile", "--period", "2025"], ["ledger", "reconcile", "2025"],
                                  ["export", "notice", "--period", "2025"], ["export", "notice", "2025"],
                                  ["ledger", "reconcile", "2025", "--period", "2025"]])
def test_a_period_is_given_with_period_or_for_one_release_positionally(argv):
    args = build_parser().parse_args(argv)
    assert period_of(args, "x") == "2025"


def test_two_different_periods_or_none_are_refused():
    with pytest.raises(SystemExit, match="two different periods"):
        period_of(build_parser().parse_args(["ledger", "reconcile", "2025", "--period", "2026"]), "x")
    with pytest.raises(SystemExit, match="--period is required"):
        period_of(build_parser().parse_args(["export", "notice"]), "x")


def test_a_dead_letter_is_one_line_with_its_id_queue_type_attempts_and_error():
    letter = {"queue": "evt-scoring-rating_published--rewards.on_rating", "routing_key": "rating_published",
              "attempts": 6, "error": "Traceback (most recent call last):\n  File ...\n"
                                      "shared.errors.ValidationFailed: reason: not allowed" + " x" * 200,
              "body": {"event_id": "ev-1", "result": {"officers": [{}] * 1000}}}
    line = dlq.summary_line(letter, 1)
    assert "\n" not in line and len(line) < 250
    assert line.startswith("ev-1  evt-scoring-rating_published--rewards.on_rating  rating_published  attempts=6  "
                           "shared.errors.ValidationFailed")
    undecodable = {"queue": "q", "routing_key": "k", "attempts": 1, "error": "undecodable", "body": "{not json"}
    assert dlq.summary_line(undecodable, 3).startswith("#3  q  k")
    assert dlq.find([letter, undecodable], "#2") is undecodable
    assert dlq.find([letter, undecodable], "ev-1") is letter
    assert dlq.find([letter, undecodable], "ev-2") is None


@pytest.mark.parametrize("what, columns", [("roster", ("工号", "joined", "supervises")),
                                           ("training", ("person 工号", "person_id", "course_id", "结果")),
                                           ("forms", ("serial", "subject", "answers"))])
def test_import_help_lists_the_columns(what, columns):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args(["import", what, "--help"])
    for column in columns:
        assert column in out.getvalue()


def test_targets_default_to_the_last_complete_year():
    assert targets.last_complete_year(date(2026, 1, 1)) == 2025
    assert targets.last_complete_year(date(2026, 12, 31)) == 2025
    assert build_parser().parse_args(["targets"]).year is None        # resolved when run


def test_health_wait_reports_down_services_after_the_wait(monkeypatch):
    """Nothing answers (no broker at this address): --wait gives up after N seconds with every
    service down, instead of hanging or raising."""
    import time

    from lianbao.commands.health import wait_healthy
    from shared.config import load_config

    config = load_config(env={"BROKER_URL": "amqp://guest:guest@127.0.0.1:1/"})
    started = time.monotonic()
    rows = wait_healthy(["roster", "survey"], wait=1.5, timeout=1, config=config, pause=0.3)
    assert [(r["service"], r["status"]) for r in rows] == [("roster", "down"), ("survey", "down")]
    assert 1.5 <= time.monotonic() - started < 20
