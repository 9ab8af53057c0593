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


@pytest.mark.parametrize("parts", [
    ([{"serial": f"K-{i}", "subject": "张三", "group": "parents", "answers": "SBDN" * 8 + "SSS"}
      for i in range(50)], False),                                     # a batch: orjson writes it
    ([{"b": 'q"uo\\te\n\t\x01\x7f\u2028é😀', "a": None, "c": True, "d": -2**63, "e": 2**64 - 1}], 7),
    ([], "x", None),
    ([{"score": 1e16, "small": 1e-05}],),                             # floats: the standard encoder
    ([{"nested": {"z": 1, "a": [2]}}],),
    ([{"big": 2**70}],),
    ([{1: "key not a string"}],),
    ({"a": 1}, [1, 2]),
])
def test_the_request_hash_is_the_sha256_of_the_canonical_text_whichever_encoder_writes_it(parts):
    """Issue 24 item 4: a batch of flat objects is written by orjson, anything else by the standard
    encoder; either way the hash is that of the canonical JSON text, so stored hashes still match."""
    import hashlib

    from shared.canonical import canonical_bytes

    assert idempotency.request_hash(*parts) == hashlib.sha256(canonical_bytes(list(parts), default=str)).hexdigest()
    with pytest.raises(UnicodeEncodeError):           # a lone surrogate cannot be hashed, as before
        idempotency.request_hash([{"x": "\ud800"}])
