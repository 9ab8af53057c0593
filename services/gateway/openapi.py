"""The OpenAPI 3 document of the gateway, generated from the route table and the contract schemas
(apispec's MarshmallowPlugin, which works with marshmallow 4)."""
from __future__ import annotations

from decimal import Decimal

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

from services.gateway import paging, persons
from services.gateway.answers import answer_of
from shared.contracts import gateway as contract
from shared.schemas import ID_MAX, ID_MESSAGE, IsoDate

STATUS_TEXT = {
    400: "bad input: `field` names the JSON path at fault",
    401: "missing or unknown bearer token",
    403: "the caller may not do this (the policy table: `field` is `actor`), or the token may not see a "
         "unit the request names (`field` names where)",
    404: "the entity (or route) does not exist, or is outside the token's units (the same answer)",
    409: "conflicts with the current state, or the `Idempotency-Key` was sent before with another "
         "request (`field` is `idempotency_key`)",
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
    from shared.contracts import rating

    for cls, kind, fmt in ((IsoDate, "string", "date"), (rating.MonthKey, "string", None),
                           (rating.ExactNumber, "number", None)):
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
    persons_open, _closed = persons.open_to_persons(routes)
    for route in routes:
        visible = route.scope.describe()
        if route.scope.kind == "paths":
            visible += ("; a signed-in person as the policy table decides by their roles on the day "
                        "(docs/reference/policy.md)" if persons.key(route) in persons_open
                        else "; never a signed-in person")
        op: dict = {"operationId": route.operation_id, "summary": route.summary,
                    "description": ((route.description + "\n\n") if route.description else "")
                    + f"Calls `{route.target}`. Visible to: {visible}.",
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
        items = paging.list_of(route)
        if items is not None:
            op["parameters"].extend(paging.query_parameters())
        if route.export is None:
            answer = answer_of(route)
            if items is not None:
                answer = paging.page_answer_schema(route, answer)
            ok = {"description": route.response + (f" — a page of `{items}`: see `limit`, `cursor` and `next`"
                                                   if items is not None else ""),
                  "content": {"application/json": {"schema": answer}}}
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
            if not route.is_read:     # its Idempotency-Key reused for another request
                statuses.add(409)
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
    _signin_paths(spec, error_ref)
    spec.path(path="/openapi.json", operations={"get": {
        "operationId": "openapi", "summary": "This document", "security": [], "tags": ["gateway"],
        "responses": {"200": {"description": "the OpenAPI document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    return _ecma_patterns(spec.to_dict())


def _obj(properties: dict, required=()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required)}


_STR = {"type": "string"}
_INT = {"type": "integer"}


def _signin_paths(spec, error_ref) -> None:
    """People's sign-in (:mod:`services.gateway.signin`): not generated from the route table (they
    are the gateway's own), described here by hand; a test checks every ``/auth`` entry point of the
    gateway has its operation in the document."""
    from services.gateway.signin import CSRF_HEADER, SESSION_COOKIE

    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                                                 "description": "a browser session opened by POST /auth/login; "
                                                                "anything but GET also needs the header "
                                                                f"`{CSRF_HEADER}` (the session's `csrf`)"})

    def problems(*statuses, page=()):
        """The error answers; a status in ``page`` is the sign-in form again (HTML, the refusal shown
        on it) unless the request asked for JSON (``Accept: application/json``)."""
        return {str(s): {"description": text + ("; the sign-in form again (HTML) with the refusal shown, "
                                                "unless `Accept: application/json`" if s in page else ""),
                         "content": {"application/json": {"schema": error_ref},
                                     **({"text/html": {"schema": _STR}} if s in page else {})}}
                for s, text in ((s, SIGNIN_STATUS.get(s) or STATUS_TEXT[s]) for s in statuses)}

    session = _obj({"person": _STR, "via": {"type": "string", "enum": ["password", "oidc"]}, "next": _STR,
                    "expires_at": {**_INT, "description": "epoch seconds (the absolute end; 30 min idle ends "
                                                          "it sooner)"},
                    "csrf": {**_STR, "description": f"send as `{CSRF_HEADER}` with every command"}},
                   ["person", "via", "expires_at", "csrf"])
    html = {"text/html": {"schema": _STR}}
    redirect = {"description": "a browser's form: redirected to `next` (a path of this site)",
                "headers": {"Location": {"schema": _STR}}}
    spec.path(path="/auth/login", operations={
        "get": {"operationId": "auth_login_form", "summary": "The sign-in form (HTML)", "security": [],
                "tags": ["sign-in"],
                "parameters": [{"in": "query", "name": "next", "required": False, "schema": _STR,
                                "description": "where to go once signed in (a path of this site)"}],
                "responses": {"200": {"description": "the form, and its CSRF cookie", "content": html},
                              **problems(400)}},
        "post": {"operationId": "auth_login", "summary": "Sign in with a login and a password",
                 "security": [], "tags": ["sign-in"],
                 "description": "Opens a session (an HttpOnly, SameSite=Lax cookie; Secure behind TLS). "
                                "With `Accept: application/json` the answer is JSON, else a redirect. Five "
                                "failures lock the login, twenty the address, for 15 minutes.",
                 "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                     "schema": _obj({"login": _STR, "password": {**_STR, "format": "password"},
                                     "csrf": {**_STR, "description": "the form's token (its cookie's value)"},
                                     "next": _STR}, ["login", "password", "csrf"])}}},
                 "responses": {"200": {"description": "signed in", "content": {"application/json": {
                     "schema": session}}}, "303": redirect,
                               **problems(400, 401, 403, 413, 415, 429, page=(400, 401, 403, 429))}}})
    spec.path(path="/auth/logout", operations={"post": {
        "operationId": "auth_logout", "summary": "End the session", "security": [{"session": []}],
        "tags": ["sign-in"],
        "responses": {"200": {"description": "signed out", "content": {"application/json": {
            "schema": _obj({"signed_out": {"type": "boolean"}}, ["signed_out"])}}},
                      "303": redirect, **problems(401, 403)}}})
    spec.path(path="/auth/token", operations={"post": {
        "operationId": "auth_token", "summary": "A 15-minute bearer token for the signed-in person",
        "security": [{"session": []}], "tags": ["sign-in"],
        "description": "For a program acting for the person (`Authorization: Bearer lbp_…`).",
        "responses": {"200": {"description": "the token (shown once)", "content": {"application/json": {
            "schema": _obj({"token": _STR, "token_type": {"type": "string", "enum": ["Bearer"]},
                            "expires_in": _INT, "person": _STR},
                           ["token", "token_type", "expires_in", "person"])}}}, **problems(401, 403)}}})
    spec.path(path="/auth/me", operations={"get": {
        "operationId": "auth_me", "summary": "Who is signed in", "tags": ["sign-in"],
        "security": [{"session": []}, {"bearer": []}],
        "responses": {"200": {"description": "the person", "content": {"application/json": {
            "schema": _obj({"person": _STR, "kind": {"type": "string", "enum": ["person"]},
                            "via": {"type": "string", "enum": ["session", "bearer", "oidc"]},
                            "expires_at": {**_INT, "nullable": True},
                            "csrf": {**_STR, "description": "a session only"}},
                           ["person", "kind", "via"])}}}, **problems(401)}}})
    spec.path(path="/auth/oidc/start", operations={"get": {
        "operationId": "auth_oidc_start", "summary": "Sign in at the city's identity provider (OpenID "
                                                     "Connect, authorization code with PKCE)",
        "security": [], "tags": ["sign-in"],
        "parameters": [{"in": "query", "name": "next", "required": False, "schema": _STR}],
        "responses": {"302": {"description": "to the identity provider", "headers": {"Location": {"schema": _STR}}},
                      **problems(404, 429, 502)}}})
    spec.path(path="/auth/oidc/callback", operations={"get": {
        "operationId": "auth_oidc_callback", "summary": "The identity provider's answer", "security": [],
        "tags": ["sign-in"],
        "parameters": [{"in": "query", "name": "code", "required": True, "schema": _STR},
                       {"in": "query", "name": "state", "required": True, "schema": _STR}],
        "responses": {"303": redirect, **problems(400, 401, 404)}}})


SIGNIN_STATUS = {
    400: "a field is missing or bad (`field` names it)",
    401: "not signed in, or the login, password or identity provider's token is refused",
    403: "the CSRF token does not match",
    404: "OpenID Connect is not configured",
    413: "the form is too large",
    415: "send the form as application/x-www-form-urlencoded",
    429: "too many failed sign-ins (`Retry-After`)",
    502: "the identity provider is unreachable",
}


def _ecma_patterns(node):
    """Python's ``\\A``/``\\Z`` anchors are not ECMA-262 (OpenAPI's regex dialect): ``^``/``$``; a
    Decimal bound is a JSON number."""
    if isinstance(node, dict):
        return {k: (v.replace("\\A", "^").replace("\\Z", "$") if k == "pattern" and isinstance(v, str)
                    else _ecma_patterns(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_ecma_patterns(v) for v in node]
    if isinstance(node, Decimal):   # a Score's bounds (apispec serialises them with the field)
        return int(node) if node == node.to_integral_value() else float(node)
    return node
