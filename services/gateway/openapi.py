"""The OpenAPI 3 document of the gateway, generated from the route table and the contract schemas
(apispec's MarshmallowPlugin, which works with marshmallow 4)."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

from shared.contracts import gateway as contract
from shared.schemas import ID_MAX, ID_MESSAGE

STATUS_TEXT = {
    400: "bad input: `field` names the JSON path at fault",
    401: "missing or unknown bearer token",
    403: "the token may not see a unit the request body names (`field` names where)",
    404: "the entity (or route) does not exist, or is outside the token's units (the same answer)",
    409: "conflicts with the current state",
    413: "body too large (GATEWAY_MAX_BODY for JSON, GATEWAY_MAX_UPLOAD for an upload)",
    415: "an upload must be text/csv, application/x-ndjson or an XLSX workbook",
    422: "a rule of the Method or a guardrail refuses it",
    502: "the service failed (`scope_lookup_failed`: the service saying whose the resource is)",
    503: "the service is not running",
    504: "the service did not answer in time",
}


def _schema_name(schema) -> str | None:
    """``survey.SubmitBatch`` for a contract class; inline (None) for a modified instance."""
    if not isinstance(schema, type) and (getattr(schema, "exclude", None) or getattr(schema, "only", None)):
        return None
    cls = resolve_schema_cls(schema)
    module = cls.__module__.rsplit(".", 1)[-1]
    name = cls.__name__
    if name.endswith("Schema") and len(name) > len("Schema"):
        name = name[: -len("Schema")]
    return f"{module}.{name}"


def _field_types(plugin: MarshmallowPlugin) -> None:
    """Give the contracts' own field classes a type where their base class says too little."""
    from shared.contracts import rating, roster

    for cls, kind, fmt in ((rating.StrictDate, "string", "date"), (rating.MonthKey, "string", None),
                           (roster.IsoDate, "string", "date")):
        plugin.map_to_openapi_type(cls, kind, fmt)


def build_document(routes, title: str = "lianbao gateway", version: str = "0") -> dict:
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(title=title, version=version, openapi_version="3.0.3", plugins=[plugin],
                   info={"description": "The suite's public RPCs as a small REST API. Every request "
                                        "carries `Authorization: Bearer <token>`; a token stands for one "
                                        "calling system (an actor) and the units it may see."},
                   security=[{"bearer": []}])
    _field_types(plugin)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("gateway.Error", schema=contract.ErrorBody)
    error_ref = {"$ref": "#/components/schemas/gateway.Error"}
    paths: dict[str, dict] = {}
    for route in routes:
        op: dict = {"operationId": route.operation_id, "summary": route.summary,
                    "description": ((route.description + "\n\n") if route.description else "")
                    + f"Calls `{route.target}`. Visible to: {route.scope.describe()}.",
                    "tags": [route.tag or route.service], "parameters": [], "responses": {}}
        for name in route.params:
            op["parameters"].append({"in": "path", "name": name, "required": True,
                                     "schema": {"type": "string", "minLength": 1, "maxLength": ID_MAX,
                                                "pattern": "^[^/\\s\\x00-\\x1f\\x7f]+$"},
                                     "description": "an id: " + ID_MESSAGE[len("Not a valid id: "):]})
        if route.query is not None:
            op["parameters"].append({"in": "query", "schema": route.query})
        if route.upload is not None:
            op["requestBody"] = {"required": True, "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}}}}
        if route.body is not None:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
            op["parameters"].append({"in": "header", "name": "Idempotency-Key", "required": False,
                                     "description": "makes a retry of this command safe: the first "
                                                    "answer is returned, the effect happens once",
                                     "schema": {"type": "string", "minLength": 1, "maxLength": 200}})
        if route.export is None:
            ok = {"description": route.response, "content": {"application/json": {"schema": {}}}}
        elif route.export.kind == "xlsx":
            ok = {"description": route.response,
                  "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                      "schema": {"type": "string", "format": "binary"}}}}
        else:
            ok = {"description": route.response,
                  "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
        op["responses"]["200"] = ok
        statuses = {401, 403, 502, 503, 504} | set(route.errors)
        if route.body is not None or route.query is not None or route.params:
            statuses |= {400}
        if route.body is not None:
            statuses.add(413)
        if route.scope.kind == "lookup":
            statuses |= {400, 404}
        for status in sorted(statuses):
            op["responses"][str(status)] = {"description": STATUS_TEXT[status],
                                            "content": {"application/json": {"schema": error_ref}}}
        if not op["parameters"]:
            del op["parameters"]
        paths.setdefault(route.path, {})[route.method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    if not any(r.method == "GET" and r.path == "/health" for r in routes):
        spec.path(path="/health", operations={"get": {
            "operationId": "gateway_health", "summary": "The gateway's own liveness", "security": [],
            "tags": ["gateway"], "responses": {"200": {"description": "{service, version, status}",
                                                       "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    spec.path(path="/openapi.json", operations={"get": {
        "operationId": "openapi", "summary": "This document", "security": [], "tags": ["gateway"],
        "responses": {"200": {"description": "the OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    return _ecma_patterns(spec.to_dict())


def _ecma_patterns(node):
    """Python's ``\\A``/``\\Z`` anchors are not ECMA-262 (OpenAPI's regex dialect): ``^``/``$``."""
    if isinstance(node, dict):
        return {k: (v.replace("\\A", "^").replace("\\Z", "$") if k == "pattern" and isinstance(v, str)
                    else _ecma_patterns(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_ecma_patterns(v) for v in node]
    return node
