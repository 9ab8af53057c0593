"""A request's JSON body and an answer's JSON text, faster (issue 21 item 5: the gateway's own cost).

:func:`loads` gives exactly what :func:`shared.schemas.strict_json_loads` gives, or raises as it
does: orjson parses (a C parser, several times faster than the standard one with its per-object
hook); a text orjson refuses, or one with more ``:`` than keys parsed (perhaps a key given twice,
which orjson would silently keep once; perhaps a ``:`` within a string), is parsed again by ``strict_json_loads``, which
answers or says why (NaN, a key given twice, nesting…); so is a text whose value holds a float (an
integer beyond 64 bits would be one).

:func:`dumps` writes an answer as compact UTF-8 JSON (orjson; what it cannot write goes to the
standard encoder).
"""
from __future__ import annotations

import json

import orjson

from shared.schemas import strict_json_loads


def _keys_parsed(value) -> int:
    """How many keys the objects of ``value`` hold; -1 when it holds a float (orjson reads an integer
    beyond 64 bits as one: the standard parser then reads the text, exactly)."""
    if type(value) is float:
        return -1
    if type(value) not in (dict, list):
        return 0
    count, stack = 0, [value]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is dict:
            count += len(item)
            item = item.values()
        for v in item:
            t = type(v)
            if t is dict or t is list:
                push(v)
            elif t is float:
                return -1
    return count


def loads(text: str):
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return strict_json_loads(text)
    # every key of the text is followed by a ``:`` outside strings, so ``:`` counted anywhere are at
    # least its keys; as many as the keys parsed: no key was given twice (else, or a ``:`` in a
    # string, the standard parser decides)
    if _keys_parsed(value) != text.count(":"):
        return strict_json_loads(text)
    return value


def dumps(value) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:          # orjson.JSONEncodeError: an int beyond 64 bits, a key that is no string…
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
