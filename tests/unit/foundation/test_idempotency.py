"""Stored answers bound to caller and request (issue 18 item 6): the request's hash, bounded keys,
the retention settings and the pruning of expired answers."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from shared import idempotency
from shared.db import make_base
from shared.identity import LEGACY_CALLER, UNVERIFIED_CALLER, Actor, caller_id


def test_the_request_hash_ignores_key_order_and_sees_every_value():
    one = idempotency.request_hash([{"campaign_id": "c1", "forms": [{"serial": "1", "answers": "SS"}]}], {})
    same = idempotency.request_hash([{"forms": [{"answers": "SS", "serial": "1"}], "campaign_id": "c1"}], {})
    other_campaign = idempotency.request_hash([{"campaign_id": "c2", "forms": [{"serial": "1", "answers": "SS"}]}], {})
    other_answer = idempotency.request_hash([{"campaign_id": "c1", "forms": [{"serial": "1", "answers": "SD"}]}], {})
    assert one == same and len(one) == 64
    assert len({one, other_campaign, other_answer}) == 3


def test_long_keys_stay_distinct_and_bounded():
    a, b = "k" * 400 + "a", "k" * 400 + "b"
    assert idempotency.bounded("short", 300) == "short"
    assert len(idempotency.bounded(a, 300)) == 300 and len(idempotency.bounded(b, 300)) == 300
    assert idempotency.bounded(a, 300) != idempotency.bounded(b, 300)


def test_the_caller_is_the_verified_actor():
    assert caller_id(Actor("k1", "system", {"k1"})) == "system:k1"
    assert caller_id(Actor("o1", "person")) == "person:o1"
    assert caller_id(None) == UNVERIFIED_CALLER != LEGACY_CALLER


def test_retention_and_prune_interval_default_and_refuse_nonsense():
    assert idempotency.retention_days({}) == 7 and idempotency.prune_seconds({}) == 3600
    assert idempotency.retention_days({"IDEMPOTENCY_RETENTION_DAYS": "2"}) == 2
    with pytest.raises(ValueError, match="IDEMPOTENCY_RETENTION_DAYS"):
        idempotency.retention_days({"IDEMPOTENCY_RETENTION_DAYS": "-1"})
    with pytest.raises(ValueError, match="IDEMPOTENCY_PRUNE_SECONDS"):
        idempotency.prune_seconds({"IDEMPOTENCY_PRUNE_SECONDS": "-5"})


def test_prune_deletes_what_is_older_than_the_retention_and_keeps_the_rest():
    base = make_base()
    engine = create_engine("sqlite://")
    base.metadata.create_all(engine)
    now = datetime(2026, 11, 29, 2, 0, 0)
    rows = {("system:k1", "survey.batch:c1:old"): now - timedelta(days=7, seconds=1),
            ("system:k1", "survey.batch:c1:edge"): now - timedelta(days=7) + timedelta(seconds=1),
            ("legacy", "survey.submit_batch:x"): now - timedelta(days=30),
            ("person:o1", "scoring.submit:y"): now}
    with Session(engine) as s, s.begin():
        for (caller, key), at in rows.items():
            s.add(base.Idempotency(caller=caller, key=key, response={"ok": 1}, created_at=at))
    with Session(engine) as s, s.begin():
        assert idempotency.prune(s, base, now, 7) == 2
    with Session(engine) as s:
        left = sorted(s.execute(select(base.Idempotency.caller, base.Idempotency.key)).all())
    assert left == [("person:o1", "scoring.submit:y"), ("system:k1", "survey.batch:c1:edge")]
