"""No bare object in an answer (issue 21 item 3): every object a 200 answer of /openapi.json holds,
however deep, names its properties (or types the values of its keys), as the roster's do from its
output contracts (``roster.UnitOut``...). A bare ``{"type": "object"}`` (or an array of them) tells a
generated client nothing.

:data:`BARE_LEFT` lists, per first path segment, the places still bare; an entry is removed when its
place gets typed (a stale entry fails too), so each list only shrinks, to none."""
import json

from services.gateway.openapi import build_document
from services.gateway.routes import ROUTES

#: ``METHOD /path where`` of every bare object still answered, by the path's first segment; ``where``
#: is the JSON path in the answer (``[]`` an array's items, ``*`` a map's values, ``$`` the answer)
BARE_LEFT = {
    "health": {"GET /health $"},                # the gateway's own liveness
    "openapi.json": {"GET /openapi.json $"},    # this document
    "roster": set(),
    "rewards": set(),
    "survey": set(),
    "training": set(),
    "scoring": set(),
    "ratings": set(),
}


def _is_bare(schema: dict) -> bool:
    if schema.get("type") != "object" or schema.get("properties"):
        return False
    values = schema.get("additionalProperties")
    return not (isinstance(values, dict) and values)


def bare_objects(doc: dict) -> list[str]:
    """``METHOD /path where`` of every object with neither properties nor typed values reached from a
    200 JSON answer (through ``$ref``, ``allOf``/``anyOf``/``oneOf``, items and map values). The
    ``{"type": "object", "nullable": true}`` that apispec puts beside a nullable nested schema's
    ``$ref`` in an ``anyOf`` is its null, not a bare object."""
    components = doc.get("components", {}).get("schemas", {})
    found = []

    def walk(schema, operation, where, seen):
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], operation, where, seen | {name})
            return
        for key in ("allOf", "anyOf", "oneOf"):
            parts = schema.get(key, [])
            typed = [p for p in parts if not (_is_bare(p) and p.get("nullable"))]
            for part in (typed or parts):
                walk(part, operation, where, seen)
        if _is_bare(schema):
            found.append(f"{operation} {where or '$'}")
            return
        for name, sub in schema.get("properties", {}).items():
            walk(sub, operation, f"{where}.{name}" if where else name, seen)
        if isinstance(schema.get("additionalProperties"), dict) and schema["additionalProperties"]:
            walk(schema["additionalProperties"], operation, (where or "$") + ".*", seen)
        if isinstance(schema.get("items"), dict):
            walk(schema["items"], operation, (where or "$") + "[]", seen)

    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                walk(schema, f"{method.upper()} {path}", "", frozenset())
    return found


def _segment(place: str) -> str:
    """``GET /scoring/x rows[]`` -> ``scoring``."""
    return place.split(" ")[1].split("/")[1]


def test_bare_objects_finds_nested_bare_objects_and_only_them():
    ref = {"$ref": "#/components/schemas/x.Thing"}
    doc = {"components": {"schemas": {"x.Thing": {"type": "object", "properties": {
        "id": {"type": "string"}, "extra": {"type": "object"}, "self": ref}}}},
        "paths": {"/x/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {
            "type": "object", "properties": {
                "thing": ref,
                "maybe": {"anyOf": [{"type": "object", "nullable": True}, ref]},
                "rows": {"type": "array", "items": {"type": "object", "additionalProperties": {}}},
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                "by_key": {"type": "object", "additionalProperties": {"type": "array", "items": {
                    "type": "object"}}},
                "free": {"type": "object", "additionalProperties": True}}}}}}}}}}}
    assert sorted(bare_objects(doc)) == sorted([
        "GET /x/{id} thing.extra", "GET /x/{id} maybe.extra", "GET /x/{id} rows[]",
        "GET /x/{id} by_key.*[]", "GET /x/{id} free"])


def test_no_bare_object_is_answered_but_those_listed_and_none_listed_is_typed_now():
    doc = json.loads(json.dumps(build_document(ROUTES)))
    places = bare_objects(doc)
    unlisted = [p for p in places if p not in BARE_LEFT.get(_segment(p), ())]
    assert not unlisted, "bare objects in answers (type them, e.g. from an output contract):\n" + "\n".join(unlisted)
    stale = sorted(set().union(*BARE_LEFT.values()) - set(places))
    assert not stale, "typed now, remove from BARE_LEFT:\n" + "\n".join(stale)
