"""The bus's JSON codec: kombu's ``json`` serializer (content type ``application/json``), decoded by
orjson when that gives the very same values (issue 24 item 4).

kombu's decoder is the standard library's with an ``object_hook`` called for every object of a
message (to turn ``{"__type__": …, "__value__": …}`` back into a date, a Decimal, bytes …): a
batch of 5,000 forms is 5,001 Python calls.  :func:`loads` reads the message with orjson instead
whenever the result is the same, and hands it to kombu's own decoder otherwise:

* a message holding the text ``"__type__"`` anywhere (a key of kombu's typed envelope, or such a
  string value) — kombu decodes it, envelopes and all;
* a run of 19 or more digits anywhere (an integer orjson would read as a float beyond 64 bits;
  a long digit string inside a text merely takes the slow path);
* anything orjson refuses (``NaN``, ``Infinity``, a lone surrogate, a number out of range) —
  kombu's decoder reads it or raises as before.

:func:`dumps` writes a message with orjson when it holds only objects, lists, tuples, strings,
integers, booleans and nulls (a batch of forms; nameko's request ``{"args": (…), "kwargs": {…}}``,
whose ``args`` is a tuple, an array to both encoders), and with kombu's encoder otherwise (floats,
dates, decimals, bytes, a subclass of a tuple: kombu's text and typed envelopes, as before).  orjson's text differs from the
standard encoder's only in spelling (UTF-8 instead of ``\\u`` escapes, no blanks), so the values a
decoder reads are the same.  The wire stays JSON under the same content type: what a message says,
and which messages are accepted, do not change.
:func:`install` registers the codec under kombu's name ``json`` for this process; every process of
the suite that uses the bus loads its configuration through :mod:`shared.config`, which installs it.
"""
from __future__ import annotations

from itertools import chain

import orjson
from kombu.serialization import registry
from kombu.utils import json as kombu_json

CONTENT_TYPE = "application/json"
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def loads(data):
    """A message body (bytes or text) as kombu's ``json`` decoder reads it."""
    raw = data
    if isinstance(raw, memoryview):
        raw = raw.tobytes()
    elif isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if b'"__type__"' not in raw and _LONG_NUMBER not in raw.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return kombu_json.loads(data)


_LEAVES = frozenset({str, int, bool, type(None)})
_ARRAYS = frozenset({list, tuple})
_NODES = _LEAVES | {dict} | _ARRAYS


def _plain(value) -> bool:
    """True when ``value`` holds only objects with string keys, lists, tuples, strings, integers,
    booleans and nulls (no float, no date, no subclass): what orjson writes as the standard encoder
    does, value for value (a tuple is a JSON array to both: nameko sends an RPC's ``args`` as one).
    A list of flat objects (a batch of forms) is looked at in C-level passes."""
    kind = type(value)
    if kind is dict:
        if not set(map(type, value)) <= {str}:
            return False
        items = value.values()
    elif kind in _ARRAYS:
        items = value
    else:
        return kind in _LEAVES
    kinds = set(map(type, items))
    if kinds <= _LEAVES:
        return True
    if not kinds <= _NODES:
        return False
    if kind in _ARRAYS and kinds == {dict}:
        if (set(map(type, chain.from_iterable(items))) <= {str}
                and set(map(type, chain.from_iterable(map(dict.values, items)))) <= _LEAVES):
            return True
    return all(_plain(item) for item in items if type(item) is dict or type(item) in _ARRAYS)


def dumps(value) -> str:
    """``value`` as JSON text: orjson's when :func:`_plain` (the same values, read by any JSON
    decoder, kombu's included), else kombu's own encoder (dates, decimals, floats, tuples …, with
    its typed envelopes).  An integer beyond 64 bits or a lone surrogate, which orjson refuses, is
    written by kombu's encoder too."""
    if _plain(value):
        try:
            return orjson.dumps(value).decode("utf-8")
        except orjson.JSONEncodeError:
            pass
    return kombu_json.dumps(value)


def install() -> None:
    """Register :func:`dumps` and :func:`loads` as kombu's ``json`` (``application/json``, UTF-8) in
    this process; idempotent."""
    if registry._decoders.get(CONTENT_TYPE) is loads:
        return
    registry.register("json", dumps, loads, content_type=CONTENT_TYPE, content_encoding="utf-8")
