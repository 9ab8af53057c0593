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

:func:`dumps` writes a message with orjson when orjson reads its text back as the very same value
(objects with string keys, lists, tuples, strings, integers, finite floats, booleans and nulls: a
batch of forms; nameko's request ``{"args": (…), "kwargs": {…}}``, whose ``args`` is a tuple, an
array to both encoders; a read's answer with its scores), and with kombu's encoder otherwise (dates,
decimals, UUIDs, bytes, NaN and the infinities, which orjson would write as ``null``, subclasses:
kombu's text and typed envelopes, as before).  orjson's text differs from the standard encoder's
only in spelling (UTF-8 instead of ``\\u`` escapes, no blanks; ``1e16`` for ``1e+16``: both write a
float's shortest text, which reads back as the same float), so the values a decoder reads are the
same.  The wire stays JSON under the same content type: what a message says, and which messages are
accepted, do not change.
:func:`install` registers the codec under kombu's name ``json`` for this process; every process of
the suite that uses the bus loads its configuration through :mod:`shared.config`, which installs it.
"""
from __future__ import annotations

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


#: orjson hands these to ``default`` (which refuses them) instead of writing them its own way: dates
#: and times (kombu writes typed envelopes), dataclasses, subclasses of str, int, dict and list
_STRICT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _refuse(value):
    raise TypeError(type(value).__name__)


def dumps(value) -> str:
    """``value`` as JSON text: orjson's when it reads back equal to ``value`` (so every JSON decoder,
    kombu's included, reads the same values as from kombu's text), else kombu's own encoder (dates,
    decimals, UUIDs, NaN and infinities …, with its typed envelopes).  A value orjson refuses
    (an integer beyond 64 bits, a lone surrogate, a key that is not a string, a type it does not
    know) is written by kombu's encoder too.  The check reads the text back (orjson) and compares:
    a few microseconds for a read's answer, where kombu's encoder took tens."""
    try:
        raw = orjson.dumps(value, default=_refuse, option=_STRICT)
    except (TypeError, orjson.JSONEncodeError):
        return kombu_json.dumps(value)
    if _same(orjson.loads(raw), value):     # NaN/inf (null), UUIDs, enums read back otherwise
        return raw.decode("utf-8")
    return kombu_json.dumps(value)


def _same(read, value) -> bool:
    """Whether ``read`` (orjson's reading of ``value``'s text) is ``value``, a tuple read back as the
    list it was written as (both encoders write a tuple as an array).  Equal parts are compared in
    C, whole; only a part holding a tuple (nameko's ``args``) is taken apart."""
    if read == value:
        return True
    kind = type(value)
    if kind is tuple or kind is list:
        return (type(read) is list and len(read) == len(value)
                and (kind is tuple and read == list(value) or all(map(_same, read, value))))
    if kind is dict:
        return (type(read) is dict and read.keys() == value.keys()
                and all(_same(read[key], item) for key, item in value.items()))
    return False


def install() -> None:
    """Register :func:`dumps` and :func:`loads` as kombu's ``json`` (``application/json``, UTF-8) in
    this process; idempotent."""
    if registry._decoders.get(CONTENT_TYPE) is loads:
        return
    registry.register("json", dumps, loads, content_type=CONTENT_TYPE, content_encoding="utf-8")
