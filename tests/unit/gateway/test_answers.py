"""Every route's answer typed property by property (issue 21 item 3), without services: the shapes of
the route table with the property types of ``shared.contracts.gateway.ANSWER_TYPES``, and the
services' output contracts."""
import json

import pytest
from marshmallow import fields

from services.gateway import answers
from services.gateway.openapi import build_document
from services.gateway.routes import ROUTES
from services.gateway.routing import Route


def _route(response, target="roster.things", method="GET"):
    return Route(method, "/x/{unit}/things", target, "things", response)


def test_a_named_property_gets_its_type_nullable_and_required():
    schema = answers.answer_of(_route("{unit, as_of, count: n, note: str?, when: date?, closed_at, "
                                      "things: [{id, score: number?}], ok: bool}"))()
    declared = schema.fields
    assert isinstance(declared["unit"], fields.String) and not declared["unit"].allow_none
    assert type(declared["as_of"]).__name__ == "IsoDate"
    assert isinstance(declared["count"], fields.Integer)
    assert declared["note"].allow_none and isinstance(declared["note"], fields.String)
    assert declared["when"].allow_none and isinstance(declared["closed_at"], fields.DateTime)
    assert isinstance(declared["things"].inner.schema.fields["score"], fields.Float)
    assert declared["things"].inner.schema.fields["score"].allow_none
    assert all(f.required for f in declared.values())                     # the top level: all required
    assert not declared["things"].inner.schema.fields["id"].required


def test_a_property_the_table_names_without_a_known_type_is_refused_by_name():
    with pytest.raises(answers.ShapeError, match="wobble"):
        answers.answer_of(_route("{unit, wobble}"))


def test_an_rpcs_own_type_wins_over_the_common_one():
    """``late`` is a flag of an evaluation, but file_month counts the late ones."""
    filing = answers.answer_of(_route("{filed, late, waiting: [id]}", target="scoring.file_month"))
    history = answers.answer_of(_route("{months: [{month, late}]}", target="scoring.person_history"))
    assert isinstance(filing._declared_fields["late"], fields.Integer)
    assert isinstance(history._declared_fields["months"].inner.schema._declared_fields["late"], fields.Boolean)


def _untyped(doc):
    found = []

    def walk(schema, where):
        if "$ref" in schema:
            return
        if answers.FREE_FORM in schema:
            found.append((where, "free-form"))
            return
        for key in ("allOf", "oneOf", "anyOf"):
            if key in schema:
                for part in schema[key]:
                    walk(part, where)
                return
        if "type" not in schema:
            found.append((where, "no type"))
            return
        for name, sub in schema.get("properties", {}).items():
            walk(sub, f"{where}.{name}")
        if isinstance(schema.get("additionalProperties"), dict) and schema["additionalProperties"]:
            walk(schema["additionalProperties"], where + ".*")
        if "items" in schema:
            walk(schema["items"], where + "[]")

    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            schema = op["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                walk(schema, f"{method.upper()} {path}")
    return found


def test_every_answer_and_every_property_it_names_has_a_type():
    """No free-form answer, no property without a JSON type (an object of unnamed keys is an object)."""
    doc = json.loads(json.dumps(build_document(ROUTES)))
    refs = doc["components"]["schemas"]
    problems = _untyped(doc)
    for name, schema in refs.items():
        if name != "gateway.Error":          # its `details` are any problems' JSON
            problems += _untyped({"paths": {"#" + name: {"get": {"responses": {"200": {"content": {
                "application/json": {"schema": schema}}}}}}}})
    assert problems == []
    commands = [(m, p) for p, ops in doc["paths"].items() for m, op in ops.items()
                if m == "post" and "200" in op["responses"] and not p.startswith("/auth")]
    assert len(commands) >= 60


def test_a_type_naming_an_output_contract_is_that_schema_and_wins_over_the_texts_shape(monkeypatch):
    """``arr<scoring.TaskOut>``: the contract's schema, in place of the `[task]` the text says; the
    answer's one list stays its list (paged), a part typed by a contract stays a part."""
    from services.gateway import paging
    from shared.contracts import gateway as contract
    from shared.contracts import scoring

    monkeypatch.setitem(contract.ANSWER_TYPES_OF, "scoring.things", {
        "tasks": "arr<scoring.TaskOut>", "result": "scoring.RatingResultOut?"})
    route = _route("{as_of, tasks: [task], result}", target="scoring.things")
    declared = answers.answer_of(route)._declared_fields
    assert declared["tasks"].inner.schema.__class__ is scoring.TaskOut
    assert declared["result"].allow_none and isinstance(declared["result"].schema, scoring.RatingResultOut)
    assert answers.list_key(answers.answer_of(route)) == "tasks" and paging.list_of(route) == "tasks"
    monkeypatch.setitem(contract.ANSWER_TYPES_OF, "scoring.things", {"tasks": "arr<scoring.NoSuchOut>"})
    with pytest.raises(answers.ShapeError, match="NoSuchOut"):
        answers.answer_of(route)
