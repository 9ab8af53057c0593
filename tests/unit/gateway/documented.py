"""The gateway's OpenAPI document built once, and the check the gateway's service tests run on every
answer they receive, for unit tests that make an answer without services."""
import json

from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

from services.gateway.openapi import build_document
from services.gateway.routes import ROUTES

DOC = json.loads(json.dumps(build_document(ROUTES)))


def problems(method: str, path: str, answer) -> list:
    """Every mismatch of ``answer`` with the 200 answer of ``METHOD path``, as the gateway tests' checker
    finds them (formats checked: a date is a date)."""
    schema = DOC["paths"][path][method.lower()]["responses"]["200"]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:doc", Resource.opaque(DOC))
    validator = OAS30Validator({"$ref": "urn:doc#" + schema["$ref"][1:]} if "$ref" in schema
                               else {**schema, "components": DOC["components"]}, registry=registry,
                               format_checker=OAS30Validator.FORMAT_CHECKER)
    return [(list(e.path), e.message[:200]) for e in validator.iter_errors(json.loads(json.dumps(answer)))]
