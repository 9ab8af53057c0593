"""shared.wire: the bus's JSON codec reads and writes the same values as kombu's own ``json``."""
import dataclasses
import enum
import json
from collections import OrderedDict
import uuid
from datetime import date, datetime
from decimal import Decimal

import orjson
import pytest
from hypothesis import given, settings, strategies as st
from kombu.serialization import dumps as kombu_dumps, loads as kombu_loads, registry
from kombu.utils import json as kombu_json

from shared import wire


def same(body):
    got, want = wire.loads(body), kombu_json.loads(body)
    assert got == want
    assert repr(got) == repr(want)           # the same types too (an int stays an int)
    return got


def test_a_batch_of_forms():
    forms = [{"serial": f"K0-{i:07d}", "subject": "k0-o1", "group": "parents", "answers": "SBDN" * 8 + "SSS"}
             for i in range(50)]
    body = json.dumps({"args": [{"campaign_id": "c", "batch_id": "b1", "forms": forms}], "kwargs": {}})
    assert same(body.encode())["args"][0]["forms"] == forms
    assert same(body) == same(memoryview(body.encode())) == same(bytearray(body.encode()))


def test_kombu_typed_values_still_come_back_typed():
    doc = {"when": datetime(2026, 11, 29, 12, 0), "day": date(2026, 1, 2), "amount": Decimal("1.10"),
           "id": uuid.UUID(int=5), "raw": b"\xff\x00"}
    body = kombu_json.dumps(doc).encode()
    assert same(body) == doc


def test_what_orjson_reads_otherwise_goes_to_kombu():
    for body in (b'{"big": 123456789012345678901234567890}', b'[-9223372036854775809]',
                 b'[18446744073709551616]', b'[1e400]', b'[NaN, Infinity, -Infinity]',
                 b'{"id": "9999999999999999999"}', b'{"__type__": "x"}',
                 b'{"__type__": "nope", "__value__": 1}'):
        if body == b'[1e400]':
            assert wire.loads(body) == [float("inf")] == kombu_json.loads(body)
        elif b"NaN" in body:
            assert repr(wire.loads(body)) == repr(kombu_json.loads(body))
        elif b"nope" in body:
            with pytest.raises(Exception) as mine:
                wire.loads(body)
            with pytest.raises(Exception) as theirs:
                kombu_json.loads(body)
            assert type(mine.value) is type(theirs.value)
        else:
            same(body)
    assert wire.loads(b'{"s": "\\ud800"}') == {"s": "\ud800"}


def test_bad_json_fails_as_before():
    for body in (b"{", b"[1,]", b"\xff"):
        with pytest.raises(ValueError):
            wire.loads(body)


def test_installed_for_kombus_json_content_type():
    wire.install()
    wire.install()
    assert registry._decoders["application/json"] is wire.loads
    content_type, encoding, body = kombu_dumps({"a": [1, "é"]}, serializer="json")
    assert (content_type, encoding) == ("application/json", "utf-8")
    assert body == wire.dumps({"a": [1, "é"]})
    assert kombu_loads(body, content_type, encoding) == {"a": [1, "é"]}
    assert kombu_loads(body.encode("utf-8"), content_type, encoding) == {"a": [1, "é"]}


floats = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | floats | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)
written = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                       | st.lists(inner, max_size=4).map(tuple)
                       | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(values, st.booleans())
def test_same_values_as_kombus_decoder(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    same(text)
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:           # a lone surrogate written raw: not UTF-8, no message body
        return
    same(body)


def test_a_batch_is_written_by_orjson_and_reads_back_the_same():
    forms = [{"serial": f"K0-{i:07d}", "subject": "说明", "group": "parents", "n": i, "ok": None, "t": True}
             for i in range(100)]
    payload = {"args": [{"campaign_id": "c", "forms": forms}], "kwargs": {}}
    text = wire.dumps(payload)
    assert text == orjson.dumps(payload).decode()
    assert "说明" in text                                      # orjson's spelling (kombu's is \\u8bf4…)
    assert kombu_json.loads(text) == kombu_json.loads(kombu_json.dumps(payload)) == payload


def test_a_nameko_request_its_args_a_tuple_is_written_by_orjson_and_reads_back_the_same():
    forms = [{"serial": f"K0-{i:07d}", "subject": "说明", "group": "parents", "answers": "SBDN"}
             for i in range(100)]
    body = {"args": ({"campaign_id": "c", "forms": forms}, [1, (2, "x")]), "kwargs": {}}
    text = wire.dumps(body)
    assert "说明" in text                                      # orjson's spelling
    assert text == orjson.dumps(body).decode()
    assert kombu_json.loads(text) == kombu_json.loads(kombu_json.dumps(body))
    assert repr(kombu_json.loads(text)) == repr(kombu_json.loads(kombu_json.dumps(body)))
    Point = __import__("collections").namedtuple("Point", "x y")
    named = {"args": (Point(1, 2),)}
    assert wire.dumps(named) == kombu_json.dumps(named)         # a subclass: kombu's encoder, as before


EDGE_FLOATS = [0.1, 1.5, -0.0, 1e16, 1e-7, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 123456789.123,
               -2.5e-300, 7.0, 1 / 3]


def test_finite_floats_are_written_by_orjson_and_read_back_the_same():
    months = [{"month": f"2025-{n:02d}", "score": 92.5 + n / 7, "items": {"political.study": 7.0},
               "late": False, "notice_end": None} for n in range(1, 13)]
    for value in ({"result": {"months": months}, "error": None}, {"x": EDGE_FLOATS}, EDGE_FLOATS,
                  [{"a": x, "b": "说明"} for x in EDGE_FLOATS], 2.5):
        text = wire.dumps(value)
        assert text == orjson.dumps(value).decode()
        back = kombu_json.loads(text)
        assert back == value and repr(back) == repr(value)       # the very same floats, -0.0 too
        assert repr(back) == repr(kombu_json.loads(kombu_json.dumps(value)))


class Colour(enum.Enum):
    RED = "red"


class Level(str, enum.Enum):
    HIGH = "high"


class Name(str):
    pass


@dataclasses.dataclass
class Point:
    x: int


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_nan_and_infinities_anywhere_take_kombus_encoder(bad):
    for value in ({"x": bad}, [1.5, bad], {"a": [{"b": {"c": [0.5, bad]}}]}, [{"a": 1.5}, {"a": bad}],
                  [{"a": 1.5, "b": "x"}, {"a": 2, "b": bad}], bad):
        assert wire.dumps(value) == kombu_json.dumps(value)      # NaN / Infinity, never orjson's null


@pytest.mark.parametrize("value", [
    {"x": float("nan")}, {"x": [float("inf")]}, {"x": (1, float("nan"))}, {"x": date(2026, 1, 2)},
    {"x": Decimal("1.10")}, {"x": uuid.UUID(int=3)}, {"x": b"raw"}, {1: "int key"}, {"x": 2 ** 70},
    {"x": "\ud800"}, [{"a": 1}, {"a": {"b": datetime(2026, 1, 1)}}], [{"a": 1}, {2: 1}],
    {"x": [uuid.UUID(int=4)]}, {"x": Name("n")}, {"x": OrderedDict(a=1)}, {"args": ({"a": [1, (2, uuid.UUID(int=5))]},)},
    {"x": datetime(2026, 1, 1, 12, 0).time()},
])
def test_anything_else_is_written_by_kombus_encoder(value):
    assert wire.dumps(value) == kombu_json.dumps(value)


@settings(max_examples=300, deadline=None)
@given(written)
def test_written_values_read_back_as_kombus_text_does(value):
    text = wire.dumps(value)
    assert repr(kombu_json.loads(text)) == repr(kombu_json.loads(kombu_json.dumps(value)))


@pytest.mark.parametrize("value", [{"x": Colour.RED}, {"x": Point(1)}, {"x": {1, 2}}, {"x": object()}])
def test_what_kombus_encoder_refuses_is_still_refused(value):
    with pytest.raises(Exception) as theirs:
        kombu_json.dumps(value)
    with pytest.raises(Exception) as mine:
        wire.dumps(value)
    assert type(mine.value) is type(theirs.value)


def test_a_string_enum_reads_back_as_its_text_either_way():
    value = {"x": Level.HIGH, "y": [Level.HIGH]}
    assert kombu_json.loads(wire.dumps(value)) == kombu_json.loads(kombu_json.dumps(value)) == {
        "x": "high", "y": ["high"]}
