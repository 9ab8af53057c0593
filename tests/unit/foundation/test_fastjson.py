"""shared.fastjson: the text of json.dumps(ensure_ascii=False, compact), written by orjson."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from shared import fastjson
from services.scoring.domain.assemble import json_number

DATA = Path(__file__).resolve().parents[2] / "data" / "rating"


def std(obj, default=None):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=default)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.name)
def test_rating_examples_same_text(path):
    doc = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    assert fastjson.dumps(doc, default=json_number) == std(doc, json_number)


def test_text_and_numbers_of_a_snapshot():
    doc = {"id": "张三\n\t\"/\\\x00\x1f\x7f\u2028é", "monthly": {"2026-01": 88.3, "2026-02": 100},
           "score": Decimal("91.25"), "whole": Decimal("90.00"), "none": None, "flag": True,
           "list": (1, -2, 0.1, 99.99, 1e-4, 123456789012345.6), "empty": {}, "nothing": []}
    assert fastjson.dumps(doc, default=json_number) == std(doc, json_number)


def test_what_orjson_refuses_goes_to_the_standard_encoder():
    for doc in ({"big": 2 ** 70}, {1: "int key"}, {"s": "\ud800"}):
        assert fastjson.dumps(doc) == std(doc)


def test_an_unknown_type_still_fails():
    with pytest.raises(TypeError):
        fastjson.dumps({"x": object()})
    with pytest.raises(TypeError):
        fastjson.dumps({"x": Decimal("1.5")}, default=lambda v: (_ for _ in ()).throw(TypeError("no")))


floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f == 0 or 1e-4 <= abs(f) < 1e16)
scalars = st.none() | st.booleans() | st.integers(-2 ** 63, 2 ** 64 - 1) | floats | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(values)
def test_same_text_as_the_standard_encoder(value):
    assert fastjson.dumps(value) == std(value)
    assert fastjson.loads(fastjson.dumps(value)) == json.loads(std(value))


# -- fastjson.read: the decoder of PostgreSQL's json columns (issue 24 item 2) --------------------

def same_value(a, b) -> bool:
    """Equal, and of the same types all through (1 is not 1.0 here), NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (a != a and b != b)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same_value, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("text", [
    "123456789012345678901234567890",           # orjson reads it as a float
    '{"n": 18446744073709551616}', "[-9223372036854775809]", "1e400", "-1e400", "NaN", "[Infinity]",
    '"\\ud800"', '{"a": 1, "a": 2}', "-0", "-0.0", "1E2", '"\\ud83d\\ude00"', '"\\u0000"',
    ' {"final" : {"political.study": 7.0}, "self": {"x": 7}} ', "[]", "null", '"2026-01"'])
def test_read_is_json_loads(text):
    assert same_value(fastjson.read(text), json.loads(text))


def test_read_refuses_what_json_loads_refuses():
    for text in ("", "{", "[1,]", "nul"):
        with pytest.raises(ValueError):
            fastjson.read(text)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=20))
def test_read_gives_json_loads_value(value):
    text = json.dumps(value)            # NaN, infinities, big ints, lone surrogates included
    assert same_value(fastjson.read(text), json.loads(text))
