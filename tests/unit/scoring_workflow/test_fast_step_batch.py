"""The batch steps' payloads read in one pass (``fast_step_batch``, #24 item 5) give what the schema
gives, or step aside: whatever a payload holds, ``fast_step_batch(…) or load(…)`` (what the service reads) answers as ``load`` of the schema
(the same loaded dict, or the same ValidationFailed naming the same field)."""
import math

import pytest
from hypothesis import given, settings, strategies as st

from shared.contracts import scoring as c
from shared.errors import ValidationFailed
from shared.schemas import load

SCHEMAS = (c.SubmitBatch, c.ReviewBatch, c.StepBatch)

ids = st.one_of(st.sampled_from(["o1", "c_ps_s1", "张三", "a.b:c@d", "x" * 100, "x" * 101, "", " o1", "o\n1",
                                 "\u0301a", "o1\x00", "ok#(1)"]),
                st.text(max_size=8), st.integers(), st.none())
months = st.sampled_from(["2025-01", "2025-12", "2025-13", "2025-1", "2025-01\n", "٢٠٢٥-01", "x", 202501, None])
numbers = st.one_of(st.integers(-5, 200), st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([True, False, "12.5", None, 1e300, -0.0, 2.675]))
scores = st.one_of(st.dictionaries(st.sampled_from(["a1", "a2", "b1", "x\x01", ""]), numbers, max_size=4),
                   st.none(), st.just([]), st.just("a"))
deductions = st.one_of(st.just([]), st.none(), st.just("x"),
                       st.just([{"id": "d1", "items": ["a1"], "points": 2}]),
                       st.just([{"id": "d1", "items": [], "points": -1}]))
notes = st.one_of(st.none(), st.text(max_size=5), st.just("n" * 4001), st.just(3))
kinds = st.sampled_from(["officer", "section", "unit", 1, None])


@st.composite
def items(draw):
    it = {"actor": draw(ids), "subject": draw(ids), "month": draw(months)}
    for name, strategy in (("kind", kinds), ("item_scores", scores), ("deductions", deductions),
                           ("note", notes), ("person_id", ids), ("extra", st.just(1))):
        if draw(st.integers(0, 4)) == 0 or (name in ("kind", "item_scores", "note") and draw(st.booleans())):
            it[name] = draw(strategy)
    for name in ("actor", "subject", "month"):
        if draw(st.integers(0, 12)) == 0:
            del it[name]
    return it


plain = st.fixed_dictionaries({"actor": st.sampled_from(["o1", "张三", "c_ps_s1"]),
                               "subject": st.sampled_from(["o1", "s1"]),
                               "month": st.sampled_from(["2025-01", "2025-10"])},
                              optional={"kind": st.sampled_from(["officer", "section"]),
                                        "item_scores": st.dictionaries(st.sampled_from(["a1", "b2"]),
                                                                       st.one_of(st.integers(0, 30),
                                                                                 st.floats(0, 30)), max_size=2),
                                        "deductions": st.just([]), "note": st.one_of(st.none(), st.text(max_size=4))})


@st.composite
def payloads(draw):
    body = {"items": draw(st.one_of(st.lists(st.one_of(plain, items()), min_size=1, max_size=4),
                                    st.lists(plain, min_size=1, max_size=4), st.just([]), st.just("x")))}
    if draw(st.booleans()):
        body["as_of"] = draw(st.sampled_from(["2025-02-02", "2025-02-30", "20250202", None, 5]))
    if draw(st.integers(0, 8)) == 0:
        body["other"] = 1
    return body


def _outcome(fn):
    try:
        return "ok", fn()
    except ValidationFailed as err:
        return "refused", (err.field, err.message)


def _same(a, b):
    """Equal, NaN-free Decimals compared by value and by text (Decimal('1.0') == Decimal('1'))."""
    return a == b and repr(a) == repr(b)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(SCHEMAS), payloads())
def test_one_pass_reads_what_the_schema_reads(schema_cls, payload):
    expected = _outcome(lambda: load(schema_cls(), payload))
    fast = c.fast_step_batch(schema_cls, payload)
    if fast is not None:
        assert expected[0] == "ok", (payload, expected)
        assert _same(fast, expected[1])
    assert _same(_outcome(lambda: c.fast_step_batch(schema_cls, payload) or load(schema_cls(), payload)), expected)


@pytest.mark.parametrize("schema_cls", SCHEMAS)
def test_the_demos_batches_take_the_one_pass(schema_cls):
    payload = {"as_of": "2025-02-02", "items": [
        {"actor": "o1", "subject": "o1", "kind": "officer", "month": "2025-01", "item_scores": {"a1": 9.5, "b2": 10}},
        {"actor": "c1", "subject": "s1", "kind": "section", "month": "2025-01", "item_scores": {}}]}
    if schema_cls is c.StepBatch:
        payload["items"] = [{k: v for k, v in it.items() if k != "item_scores"} for it in payload["items"]]
    fast = c.fast_step_batch(schema_cls, payload)
    assert fast is not None and _same(fast, load(schema_cls(), payload))


def test_a_bad_item_is_left_to_the_schema():
    payload = {"items": [{"actor": "o1", "subject": "o1", "month": "2025-01", "item_scores": {"a1": math.inf}}]}
    assert c.fast_step_batch(c.SubmitBatch, payload) is None
    with pytest.raises(ValidationFailed) as err:
        c.fast_step_batch(c.SubmitBatch, payload) or load(c.SubmitBatch(), payload)
    assert err.value.field.startswith("items")
