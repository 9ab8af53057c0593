"""The gateway's fast JSON body parser answers exactly as shared.schemas.strict_json_loads, or raises
as it does (issue 21 item 5)."""
import json

import pytest

from services.gateway import fastjson_body
from shared.schemas import strict_json_loads

TEXTS = [
    '{"batch_id": "b1", "forms": [{"serial": "s1", "answers": "SSBSD"}, {"serial": "s2", "answers": "DDD"}]}',
    '{"a": {"b": [1, 2.5, -0, 1e5, true, null, "x"]}, "c": "津市市公安局"}',
    '{"a\\"": 1, "b": "has \\": inside", "c": ":"}',
    '{"k": "\\ud800"}',                       # a lone surrogate: parsed; check_text refuses it by field
    '[]', '"text"', '12', ' {"x" : 1 } ', '[1e400, -1e400, -0, -0.0, 1.0, 0.1, 1e-7, 9223372036854775807]',
    '[-9223372036854775808, 18446744073709551615, 0.30000000000000004, 5e-324, 1.7976931348623157e308]',
]
REFUSED = [
    '{"a": 1, "a": 2}', '{"x": {"a": 1, "a": 2}}', '[{"k": 1}, {"k": 1, "k": 2}]', '{"a\\"": 1, "a\\"": 2}',
    '{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}', '\ufeff{}', '{"a": 1}\x00', '{', '',
    '{"a": "b\nc"}', "[" * 5000 + "]" * 5000,
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_value(text):
    assert repr(fastjson_body.loads(text)) == repr(strict_json_loads(text))     # types too (1 vs 1.0)


def _outcome(parse, text):
    try:
        return ("ok", parse(text))
    except RecursionError:
        return ("recursion",)
    except ValueError as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize("text", REFUSED)
def test_the_same_refusal(text):
    expected = _outcome(strict_json_loads, text)
    assert expected[0] != "ok"
    assert _outcome(fastjson_body.loads, text) == expected


def test_a_number_beyond_64_bits_is_read_as_python_reads_it():
    text = '{"n": 123456789012345678901234567890}'
    assert fastjson_body.loads(text) == strict_json_loads(text) == {"n": 123456789012345678901234567890}


def test_an_answer_is_the_same_json():
    value = {"subject": "o1", "名": "干警", "months": [{"score": 91.5, "late": False, "x": None}], "big": 2 ** 70}
    assert json.loads(fastjson_body.dumps(value)) == value
