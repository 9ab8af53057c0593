"""The response schema of every route (issue 21 item 3), taken where it is written down once:

1. the route's own ``answer`` (a typed schema of :mod:`shared.contracts.gateway`);
2. else a contract's answer for the RPC (:data:`shared.contracts.gateway.CONTRACT_ANSWERS`: the
   services' own output schemas, e.g. ``roster.UnitOut`` in ``{units: [unit]}``);
3. else the shape the route table already states in its ``response`` text, ``{a, b: [{c, d}],
   e: {key: n}}``: parsed into a marshmallow schema with those properties (an array is an array,
   an object an object, ``n`` an integer, ``bool`` a boolean; a bare name any JSON value), named
   ``<service>.<Operation>Answer``;
4. else (prose: "the rating result of RATING.md §5") a documented free-form object: its
   description says what it holds and that its keys are not enumerated.

Every answer schema lets a service add properties (``additionalProperties: true``): a newer
service may answer more than an older client knows. A list answer is paged at the gateway
(:mod:`services.gateway.paging`): ``next`` is added to its schema.
"""
from __future__ import annotations

import re

from marshmallow import INCLUDE, Schema, fields

from shared.contracts import gateway as contract

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FREE_FORM = "x-free-form"


class ShapeError(ValueError):
    pass


def _strip_notes(text: str) -> str:
    """``(…)`` asides of the response text are words, not shape."""
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\([^()]*\)", "", text)
    return text


def _tokens(text: str):
    return re.findall(r'\.\.\.|[{}\[\]:,]|"[^"]*"|[^\s{}\[\]:,"]+(?:\s+[^\s{}\[\]:,"]+)*', text)


class _Parser:
    def __init__(self, tokens):
        self.tokens, self.i = tokens, 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected=None):
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise ShapeError(f"expected {expected!r}, found {token!r}")
        self.i += 1
        return token

    def value(self):
        token = self.peek()
        if token == "{":
            return self.obj()
        if token == "[":
            return self.array()
        return ("word", self.take())

    def array(self):
        self.take("[")
        inner = ("word", "...")
        if self.peek() != "]":
            inner = self.value()
            while self.peek() == ",":     # [a, b, ...]: any element
                self.take(",")
                self.value()
                inner = ("word", "...")
        self.take("]")
        return ("array", inner)

    def obj(self):
        self.take("{")
        entries = []
        while self.peek() != "}":
            name = self.take().strip('"')
            shape = None
            if self.peek() == ":":
                self.take(":")
                shape = self.value()
            entries.append((name, shape))
            if self.peek() == ",":
                self.take(",")
            elif self.peek() != "}":
                raise ShapeError(f"unexpected {self.peek()!r}")
        self.take("}")
        return ("object", entries)


def parse_shape(response: str):
    """The shape at the start of a response text (``{…}``, optionally after ``WORD:``), or None."""
    text = _strip_notes(response).strip()
    match = re.match(r"^(?:[A-Z]+:\s*)?(?=\{)", text)
    if match is None:
        return None
    parser = _Parser(_tokens(text[match.end():]))
    shape = parser.obj()
    return shape


def _field(shape, name: str, nested: int):
    if shape is None:
        return fields.Raw(allow_none=True)
    kind, inner = shape
    if kind == "word":
        if inner == "n":
            return fields.Integer()
        if inner == "bool":
            return fields.Boolean()
        return fields.Raw(allow_none=True)
    if kind == "array":
        return fields.List(_field(inner, name + "Item", nested + 1))
    entries = [(k, v) for k, v in inner if k != "..."]
    if nested and len(entries) == 1 and entries[0][1] is not None and len(inner) == 1:
        # {group: n}, {agency: {…}}: a map keyed by the placeholder
        key, value = entries[0]
        return fields.Dict(keys=fields.String(), values=_field(value, name + "Value", nested + 1),
                           metadata={"description": f"keyed by {key}"})
    return fields.Nested(_schema(name, entries, nested))


def _schema(name: str, entries, nested: int = 0) -> type:
    attrs = {"Meta": type("Meta", (), {"unknown": INCLUDE})}
    for key, shape in entries:
        if key == "..." or not _NAME.match(key):
            continue
        attrs[key] = _field(shape, name + _camel(key), nested + 1)
    service, _, cls = name.partition(".")
    schema = type(cls, (Schema,), attrs)
    schema.__module__ = f"answers.{service}"
    return schema


def _camel(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[_\-.]", text) if part)


def answer_name(route) -> str:
    operation = route.operation_id
    prefix = route.service + "_"
    if operation.startswith(prefix):
        operation = operation[len(prefix):]
    return f"{route.service}.{_camel(operation)}Answer"


def answer_of(route):
    """The schema of the route's 200 JSON answer: a marshmallow schema (class or instance), or a
    JSON schema dict for a free-form answer."""
    if route.answer is not None:
        return route.answer
    if route.target in contract.CONTRACT_ANSWERS:
        return contract.CONTRACT_ANSWERS[route.target]
    try:
        shape = parse_shape(route.response)
    except ShapeError:
        shape = None
    if shape is None:
        return {"type": "object", "additionalProperties": True, FREE_FORM: True,
                "description": f"free-form: {route.response} (its keys are not enumerated here)"}
    return _schema(answer_name(route), shape[1])


def list_key(schema) -> str | None:
    """The one top-level array of an answer schema (its list), or None (none, or several)."""
    if isinstance(schema, dict):
        return None
    declared = (schema if isinstance(schema, type) else type(schema))._declared_fields
    lists = [name for name, f in declared.items() if isinstance(f, fields.List)]
    return lists[0] if len(lists) == 1 else None
