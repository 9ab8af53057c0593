"""The response schema of every route (issue 21 item 3), taken where it is written down once:

1. the route's own ``answer`` (a typed schema of :mod:`shared.contracts.gateway`);
2. else a contract's answer for the RPC (:data:`shared.contracts.gateway.CONTRACT_ANSWERS`: the
   services' own output schemas, e.g. ``roster.UnitOut`` in ``{units: [unit]}``);
3. else the shape the route table already states in its ``response`` text, ``{a, b: [{c, d}],
   e: {key: n}}``: parsed into a marshmallow schema with those properties (an array is an array,
   an object an object; a type word after a name types it: ``n``, ``number``, ``bool``, ``str``,
   ``date``, ``dt``, ``obj``, ``?`` for nullable; a bare name has the type of
   :data:`shared.contracts.gateway.ANSWER_TYPES`, or its RPC's own in ``ANSWER_TYPES_OF``: a name
   with no type is a :class:`ShapeError`, found when the document is built; an element word, ``[ledger
   line]``, the service's output contract named in ``ANSWER_ITEMS``), the top level's
   properties required, named ``<service>.<Operation>Answer``; a type that names an output
   contract (``scoring.EvaluationOut``, ``arr<scoring.TaskOut>``: a schema of
   ``shared.contracts.<module>``) is that schema, and wins over the shape the text gives;
4. else (prose only) a documented free-form object: no route has one now (a unit test keeps it so).

Every answer schema lets a service add properties (``additionalProperties: true``): a newer
service may answer more than an older client knows. A list answer is paged at the gateway
(:mod:`services.gateway.paging`): ``next`` is added to its schema.
"""
from __future__ import annotations

import importlib
import re

from marshmallow import INCLUDE, Schema, fields

from shared.contracts import gateway as contract
from shared.schemas import IsoDate

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


_ITEM_TYPES = {"n": "int", "bool": "bool", "date": "date", "month": "str", "year": "int", "serial": "str",
               "id": "str", "source": "str", "group": "str", "person": "str", "number": "num", "number?": "num?",
               "str": "str", "str?": "str?", "date?": "date?", "n?": "int?", "dt?": "dt?",
               "bool?": "bool?", "obj?": "obj?"}


def contract_schema(spec: str) -> type:
    """``scoring.EvaluationOut`` -> the class ``EvaluationOut`` of :mod:`shared.contracts.scoring`."""
    module, _, name = spec.partition(".")
    schema = getattr(importlib.import_module(f"shared.contracts.{module}"), name, None)
    if not (isinstance(schema, type) and issubclass(schema, Schema)):
        raise ShapeError(f"{spec!r} names no schema of shared.contracts.{module}")
    return schema


def _names_contract(spec) -> bool:
    return isinstance(spec, str) and "." in spec


def typed_field(spec: str, **kwargs):
    """A field of a type named in :data:`shared.contracts.gateway.ANSWER_TYPES` (``str``, ``date?``,
    ``arr<obj>``...), or of a service's output contract named there (``scoring.TaskOut``,
    ``arr<rewards.LineOut>``: an object of its properties, taking what a newer service adds)."""
    if spec.endswith("?"):
        return typed_field(spec[:-1], allow_none=True, **kwargs)
    if spec.startswith("arr<"):
        return fields.List(typed_field(spec[4:-1]), **kwargs)
    if _names_contract(spec):
        return fields.Nested(contract.answer_schema(contract_schema(spec)), **kwargs)
    if spec == "dec":
        return fields.String(metadata={"description": "a decimal number as text", "format": "decimal"},
                             **kwargs)
    if spec == "obj":
        return fields.Dict(keys=fields.String(), **kwargs)
    if spec.startswith("map<"):
        return fields.Dict(keys=fields.String(), values=typed_field(spec[4:-1]), **kwargs)
    return {"str": fields.String, "date": IsoDate, "dt": fields.DateTime, "int": fields.Integer, "num": fields.Float,
            "bool": fields.Boolean}[spec](**kwargs)


def _field(shape, name: str, nested: int, key: str = "", types=None):
    types = contract.ANSWER_TYPES if types is None else types
    if shape is not None and _names_contract(types.get(key)):
        return typed_field(types[key])     # an output contract says more than the text's shape
    if shape is None:
        spec = types.get(key)
        if spec is None:
            raise ShapeError(f"no type for {key!r}: add it to shared.contracts.gateway.ANSWER_TYPES")
        field = typed_field(spec)
        field.lianbao_part = True      # not the answer's list (the table names that one `[…]`)
        return field
    kind, inner = shape
    if kind == "word":
        spec = _ITEM_TYPES.get(inner) or types.get(f"[{inner}]")     # [ledger line]: ANSWER_ITEMS
        return typed_field(spec) if spec else fields.Dict(keys=fields.String())
    if kind == "array":
        return fields.List(_field(inner, name + "Item", nested + 1, key, types))
    entries = [(k, v) for k, v in inner if k != "..."]
    if nested and len(entries) == 1 and entries[0][1] is not None and len(inner) == 1:
        # {group: n}, {agency: {…}}: a map keyed by the placeholder
        key, value = entries[0]
        return fields.Dict(keys=fields.String(), values=_field(value, name + "Value", nested + 1, key, types),
                           metadata={"description": f"keyed by {key}"})
    return fields.Nested(_schema(name, entries, nested, types))


def _schema(name: str, entries, nested: int = 0, types=None) -> type:
    attrs = {"Meta": type("Meta", (), {"unknown": INCLUDE})}
    for key, shape in entries:
        if key == "..." or not _NAME.match(key):
            continue
        attrs[key] = _field(shape, name + _camel(key), nested + 1, key, types)
        if nested == 0:
            attrs[key].required = True
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
    types = {**contract.ANSWER_TYPES, **{f"[{word}]": spec for word, spec in contract.ANSWER_ITEMS.items()},
             **contract.ANSWER_TYPES_OF.get(route.target, {})}
    return _schema(answer_name(route), shape[1], 0, types)


def list_key(schema) -> str | None:
    """The one top-level array of an answer schema (its list), or None (none, or several)."""
    if isinstance(schema, dict):
        return None
    declared = (schema if isinstance(schema, type) else type(schema))._declared_fields
    lists = [name for name, f in declared.items() if isinstance(f, fields.List)
             and not getattr(f, "lianbao_part", False)]
    return lists[0] if len(lists) == 1 else None
