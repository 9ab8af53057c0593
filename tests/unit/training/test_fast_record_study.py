"""``record_study``'s entries read in one pass (``fast_record_study``, #24 item 5) give what the
schema gives, or step aside: ``fast_record_study(…) or load(…)`` (what the service reads) answers as ``load(RecordStudy(), …)`` whatever the
payload holds (the same entries, or the same refusal naming the same field)."""
from hypothesis import given, settings, strategies as st

from shared.contracts import training as c
from shared.errors import ValidationFailed
from shared.schemas import load

people = st.one_of(st.sampled_from(["p1", "张三", "x" * 100, "x" * 101, "", "p\n1", "\u0301p", "a b"]),
                   st.text(max_size=6), st.integers(), st.none())
days = st.one_of(st.sampled_from(["2025-01-03", "2025-02-30", "20250103", "2025-1-3", "2025-01-03\n",
                                  "2025-01-03T00:00"]), st.integers(), st.none(), st.just(["2025-01-03"]))


@st.composite
def entries(draw):
    e = {}
    if draw(st.integers(0, 10)):
        e["person"] = draw(people)
    if draw(st.integers(0, 10)):
        e["date"] = draw(days)
    if draw(st.integers(0, 8)) == 0:
        e["person_id"] = draw(people)
    if draw(st.integers(0, 10)) == 0:
        e["extra"] = 1
    return e


plain = st.fixed_dictionaries({"person": st.sampled_from(["p1", "张三", "o_2"]),
                               "date": st.sampled_from(["2025-01-03", "2025-12-10"])})


@st.composite
def payloads(draw):
    body = {"entries": draw(st.one_of(st.lists(st.one_of(plain, entries()), min_size=1, max_size=4),
                                      st.lists(plain, min_size=1, max_size=4), st.just([]), st.just({})))}
    if draw(st.integers(0, 8)) == 0:
        body["other"] = 1
    return body


def _outcome(fn):
    try:
        return "ok", fn()
    except ValidationFailed as err:
        return "refused", (err.field, err.message)


@settings(max_examples=500, deadline=None)
@given(payloads())
def test_one_pass_reads_what_the_schema_reads(payload):
    expected = _outcome(lambda: load(c.RecordStudy(), payload))
    fast = c.fast_record_study(payload)
    if fast is not None:
        assert expected == ("ok", fast)
    assert _outcome(lambda: c.fast_record_study(payload) or load(c.RecordStudy(), payload)) == expected


def test_the_demos_entries_take_the_one_pass():
    payload = {"entries": [{"person": "p1", "date": "2025-01-03"}, {"person": "p2", "date": "2025-01-03"}]}
    assert c.fast_record_study(payload) == load(c.RecordStudy(), payload)
