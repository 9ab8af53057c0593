"""The gateway's machinery: a nameko service class generated from a route table.

For each :class:`~services.gateway.routing.Route` an ``@http`` entry point is made that:

1. finds the caller by its bearer token (401 when missing or unknown);
2. parses the JSON body strictly and validates it (and the query) with the route's schema
   (400 naming the field);
3. checks the units the request concerns against the token's list (403 naming the unit; a
   signed-in person's units are the service's policy's to check, services.gateway.persons);
4. calls the target RPC with the caller's ``actor`` and, for a command sent with an
   ``Idempotency-Key`` header, ``idempotency_key = "<system>:<key>"`` in the context data (the
   service stores the answer under the verified caller and the request's hash: the same key with
   another request is a 409 naming ``idempotency_key``);
5. answers JSON, or streams an export; a named error of the service keeps its status and body.

``GET /openapi.json`` serves the document generated from the same table (no token needed).
"""
from __future__ import annotations

import base64
import json
import logging
from urllib.parse import quote

import eventlet
from nameko.exceptions import RemoteError, UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import MethodProxy, ReplyListener
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from shared import assertions
from shared.contracts import gateway as contract
from shared.entrypoints import rpc
from shared.errors import Forbidden, LianbaoError, NotFound, ValidationFailed
from shared.metrics import Metrics
from shared.schemas import check_text, id_problem, load, text_problem
from shared.service import VERSION

from services.gateway import fastjson_body, paging, persons as persons_
from services.gateway.openapi import build_document
from services.gateway.problems import GatewayProblem
from services.gateway.routing import Route, values_at
from services.gateway.scope_cache import POST_SECONDS, ScopeCache
from services.gateway.tokens import Caller, TokenBook, assertion_for

log = logging.getLogger(__name__)

MAX_BODY = 8 * 1024 * 1024     # default of GATEWAY_MAX_BODY: a JSON body (bytes)
CHUNK = 64 * 1024
JSON_TYPE = "application/json; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------------------------------------
# dependencies


class Tokens(DependencyProvider):
    """The token book, read once when the container is set up."""

    def setup(self):
        self.book = TokenBook.from_config(self.container.config)
        if not len(self.book):
            log.warning("gateway: no tokens configured (%s / $%s): every request will get 401",
                        contract.TOKENS_CONFIG_KEY, contract.TOKENS_ENV)

    def get_dependency(self, worker_ctx):
        return self.book


class Limits(DependencyProvider):
    """Body limits from the config: ``GATEWAY_MAX_BODY`` (a JSON body, bytes; default 8 MiB) and
    ``GATEWAY_MAX_UPLOAD`` (a streamed upload, bytes; default 0 = no limit: it is read in batches)."""

    def setup(self):
        config = self.container.config
        self.json_body = int(config.get("GATEWAY_MAX_BODY") or MAX_BODY)
        self.upload = int(config.get("GATEWAY_MAX_UPLOAD") or 0)
        self.upload_batch = int(config.get("GATEWAY_UPLOAD_BATCH") or 0)   # 0: each route's own size

    def get_dependency(self, worker_ctx):
        return self


class ScopeUnits(DependencyProvider):
    """The units lookup scopes answered, kept for the next request (:mod:`services.gateway.scope_cache`);
    a person's post for ``GATEWAY_SCOPE_SECONDS`` (default 5; 0: asked on every request)."""

    def setup(self):
        seconds = self.container.config.get("GATEWAY_SCOPE_SECONDS")
        self.cache = ScopeCache(POST_SECONDS if seconds in (None, "") else float(seconds))

    def get_dependency(self, worker_ctx):
        return self.cache


class Upstream(DependencyProvider):
    """Calls to the services with the caller's context data and a timeout (nameko's RpcProxy
    machinery: one shared reply listener, one publisher per call)."""

    rpc_reply_listener = ReplyListener()

    def setup(self):
        config = self.container.config
        self.timeout = float(config.get("GATEWAY_RPC_TIMEOUT") or config.get("RPC_TIMEOUT") or 30)
        self.signer = assertions.signer_of(config)

    def get_dependency(self, worker_ctx):
        return _Upstream(worker_ctx, self.rpc_reply_listener, self.timeout, self.signer)


class _Upstream:
    def __init__(self, worker_ctx, listener, timeout, signer):
        self.worker_ctx, self.listener, self.timeout, self.signer = worker_ctx, listener, timeout, signer

    def call(self, target: str, args=(), *, caller: Caller, idempotency_key: str | None = None):
        """Call ``target`` for ``caller``: its actor id in the context data, and the signed assertion
        of who it is (``lianbao.auth``, :func:`services.gateway.tokens.assertion_for`)."""
        service, method = target.split(".", 1)
        data = self.worker_ctx.data
        data["actor"] = caller.actor
        data[assertions.AUTH_KEY] = self.signer.token(assertion_for(caller))
        if idempotency_key:
            data["idempotency_key"] = idempotency_key
        else:
            data.pop("idempotency_key", None)
        try:
            reply = MethodProxy(self.worker_ctx, service, method, self.listener).call_async(*args)
        except UnknownService:
            raise GatewayProblem(503, contract.SERVICE_UNAVAILABLE, f"{service} is not running") from None
        finally:
            data.pop("idempotency_key", None)
        try:
            with eventlet.Timeout(self.timeout):
                return reply.result()
        except eventlet.Timeout:
            raise GatewayProblem(504, contract.UPSTREAM_TIMEOUT,
                                 f"{target} did not answer within {self.timeout:g} s") from None


# ------------------------------------------------------------------------------------------------
# one request


def json_response(status: int, body, headers=None) -> Response:
    return Response(fastjson_body.dumps(body), status=status, headers=headers, content_type=JSON_TYPE)


def read_body(request, limit: int) -> bytes:
    """The request body, at most ``limit`` bytes (413 beyond), read in pieces from the WSGI input:
    a ``Content-Length`` body or a chunked one (``Transfer-Encoding: chunked``, which werkzeug alone
    would read as empty)."""
    environ = request.environ
    length = request.content_length
    if length is not None and length > limit:
        raise GatewayProblem(413, contract.TOO_LARGE, f"body over {limit} bytes", "_body",
                             headers={"Connection": "close"})
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if length is None and not chunked:
        return b""
    stream = environ["wsgi.input"]
    parts, size = [], 0
    while True:
        piece = stream.read(CHUNK)
        if not piece:
            break
        size += len(piece)
        if size > limit:
            raise GatewayProblem(413, contract.TOO_LARGE, f"body over {limit} bytes", "_body",
                                 headers={"Connection": "close"})
        parts.append(piece)
    return b"".join(parts)


def _parse_body(route: Route, request, limit: int):
    if route.body is None:
        return {}
    raw = read_body(request, limit)
    try:
        body = fastjson_body.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(f"not valid JSON: {exc}", "_body") from None
    except RecursionError:
        raise ValidationFailed("not valid JSON: nested too deeply", "_body") from None
    del raw
    check_text(body)
    if route.validate is not None:
        route.validate(body)
    else:
        load(route.body, body)
    return body


def _check_path(path_values: dict) -> None:
    """Path parameters are ids (:func:`shared.schemas.id_problem`): 400 naming the parameter."""
    for name, value in path_values.items():
        problem = id_problem(value)
        if problem is not None:
            raise ValidationFailed(problem, name)


def _parse_query(route: Route, request, paged: bool = False) -> dict:
    given = {k: v for k, v in request.args.items(multi=False) if not (paged and k in paging.PARAMS)}
    for name, value in given.items():
        problem = text_problem(name) or text_problem(value)
        if problem is not None:
            raise ValidationFailed(problem, name if text_problem(name) is None else "_query")
    if route.query is None:
        if given:
            raise ValidationFailed("Unknown field.", sorted(given)[0])
        return {}
    wire = route.query.dump(load(route.query, given))   # checked, then typed as JSON sends it:
    return {k: wire[k] for k in given}                  # a year a number, a date its ISO string


def not_found(param: str) -> NotFound:
    """The one answer for a resource that does not exist and for one outside the caller's scope
    (404, same body): a caller learns nothing about what exists outside its units."""
    return NotFound(f"{param} not found", param)


def _resource_fields(route: Route) -> dict:
    """Fields of a service's NotFound that mean "the resource of the path": {field: path parameter}."""
    out = {param: param for param in route.params}
    for key, source in route.scope.payload:
        if source in route.params:
            out[key] = source
    return out


def _check_scope(route: Route, caller, upstream, request_data: dict, cache: ScopeCache | None = None,
                 persons: dict | None = None) -> None:
    """Forbidden unless the caller may see the units the request concerns.  A signed-in person on a
    route naming its units (``Scope.at``) passes to the service's policy where ``persons`` (the route's
    fields checked against its target's policy row, :mod:`services.gateway.persons`) says so, and is
    refused as a caller without those units elsewhere.  A lookup scope is
    asked even for a token that sees every unit: the resource must exist, so an unknown one is a
    404 on every route (the lookup's NotFound), never an empty 200.  A calling system's lookup may
    be answered by the unit ``cache`` kept from an earlier answer (the route's ``keep``): the unit is
    then checked against the caller's units as an answer just asked would be."""
    scope = route.scope
    everything = caller.agencies == contract.ALL_AGENCIES
    if scope.kind in ("any", "filter", "policy") or (everything and scope.kind in ("paths", "all")):
        return
    if scope.kind == "all":
        raise Forbidden(f"{caller.system} may not see every unit (only a \"*\" token may do this)", "_token")
    if scope.kind == "paths":
        if caller.kind == "person" and persons is not None:
            # the target's policy row checks these very fields by the person's roles on the day
            persons_.check_request(route, caller, request_data)
            return
        for path in scope.paths:
            for unit in values_at(request_data, path):
                if not isinstance(unit, str) or not caller.may_see(unit):
                    if path in route.params:   # the resource of the path: as if it did not exist
                        raise not_found(path)
                    raise Forbidden(f"{caller.system} may not see unit {unit!r}", path)
        return
    payload = {key: request_data.get(source) for key, source in scope.payload}
    resource = next((source for _, source in scope.payload if source in route.params),
                    scope.payload[0][1] if scope.payload else "_path")
    # a signed-in person's lookup is the service's policy deciding on the person's roles: never kept
    key = (ScopeCache.key(scope.target, payload)
           if cache is not None and scope.keep and caller.kind != "person" else None)
    unit = cache.get(scope.keep, key) if key is not None else None
    if unit is not None:
        if not caller.may_see(unit):
            raise not_found(resource)
        return
    try:
        answer = upstream.call(scope.target, (payload,), caller=caller)
    except (NotFound, Forbidden):   # a service refusing a foreign scope (the policy table): as if absent
        raise not_found(resource) from None
    except ValidationFailed as err:
        raise ValidationFailed(err.message, resource) from None
    except LianbaoError as err:
        raise GatewayProblem(502, contract.SCOPE_LOOKUP_FAILED,
                             f"the scope lookup {scope.target} failed: {err.code}: {err.message}",
                             resource) from None
    except GatewayProblem as err:
        raise GatewayProblem(err.status, err.code, f"the scope lookup {scope.target}: {err.message}",
                             resource) from None
    except RemoteError as err:
        log.warning("gateway: the scope lookup %s failed: %s", scope.target, err.exc_type)
        raise GatewayProblem(502, contract.SCOPE_LOOKUP_FAILED,
                             f"the scope lookup {scope.target} failed: {err.exc_type}", resource) from None
    if caller.kind == "person":
        # a signed-in person has no units at the gateway: the lookup above was decided by the service's
        # policy with the person's roles in its own read model (foreign: the missing resource's 404),
        # and the call itself is decided there again
        return
    units = values_at(answer, scope.paths[0])
    unit = units[0] if units else None
    if key is not None:
        cache.put(scope.keep, key, unit)
    if everything:
        return
    if not isinstance(unit, str) or not caller.may_see(unit):
        raise not_found(resource)


def _upload(service, route: Route, request, caller, query: dict, path_values: dict) -> dict:
    """A streamed CSV/NDJSON upload: spooled, then sent in batches (services.gateway.uploads)."""
    from services.gateway import uploads

    upload = route.upload
    if service.limits.upload_batch:
        from dataclasses import replace

        upload = replace(upload, batch_size=service.limits.upload_batch)
    try:
        kind = uploads.kind_of(request.headers.get("Content-Type"))
        fileobj = uploads.spool(request.environ, request.content_length, service.limits.upload)
    except uploads.UploadProblem as err:
        raise GatewayProblem(err.status, err.code, err.message, err.field,
                             headers={"Connection": "close"} if err.status == 413 else None) from None

    def call(payload):
        return service.upstream.call(route.target, (payload,), caller=caller)

    options = {k: v for k, v in query.items() if k not in ("upload", "dry_run")}
    try:
        with fileobj:
            if upload.mode == "items":
                upload_id = uploads.check_upload_id(query.get("upload"))
                return uploads.run_items(call, upload, fileobj, kind, {**path_values, **options}, upload_id)
            return uploads.run_all_or_nothing(call, upload, fileobj, kind, {**path_values, **options},
                                              bool(query.get("dry_run")))
    except uploads.UploadProblem as err:
        raise GatewayProblem(err.status, err.code, err.message, err.field) from None


def _export(route: Route, result) -> Response:
    if route.export.kind == "xlsx":
        content = base64.b64decode(result["content_base64"])
        filename = result.get("filename") or "export.xlsx"

        def chunks():
            for start in range(0, len(content), CHUNK):
                yield content[start:start + CHUNK]

        ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
        headers = {"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                          f"filename*=UTF-8''{quote(filename)}",
                   "Content-Length": str(len(content))}
        return Response(chunks(), status=200, headers=headers, content_type=XLSX_TYPE,
                        direct_passthrough=True)
    items = values_at(result, route.export.items)
    items = items[0] if items and isinstance(items[0], list) else []

    def lines():
        buf = []
        size = 0
        for item in items:
            line = json.dumps(item, ensure_ascii=False).encode("utf-8") + b"\n"
            buf.append(line)
            size += len(line)
            if size >= CHUNK:
                yield b"".join(buf)
                buf, size = [], 0
        if buf:
            yield b"".join(buf)

    return Response(lines(), status=200, headers={"X-Items": str(len(items))},
                    content_type="application/x-ndjson; charset=utf-8", direct_passthrough=True)


def authenticate(service, request, method: str = "GET"):
    """The caller of a request: a calling system by its bearer token, else a signed-in person
    (:mod:`services.gateway.signin`: an ``lbp_`` token, an OIDC bearer JWT or the session cookie,
    the latter with its CSRF token on anything but GET); 401 when none."""
    from services.gateway.signin import check_csrf, person_of

    caller = service.tokens.caller(request.headers.get("Authorization"))
    if caller is not None:
        return caller
    kit = getattr(service, "signin", None)
    person = None
    if kit is not None:
        person = person_of(kit, request)       # a GatewayProblem (401, 403, 429) passes through
        if person is not None and method != "GET":
            check_csrf(request, person)
    if person is None:
        raise GatewayProblem(401, contract.UNAUTHORIZED, "a valid bearer token is required",
                             headers={"WWW-Authenticate": 'Bearer realm="lianbao"'})
    # a person's units are the policy's to decide (the roster's roles on the day): the gateway's own
    # scope check lets a person through routes open to any caller, the policy's, and those whose unit
    # a service looks up (asked as the person: the service's policy decides), and those naming their
    # units whose target's policy row checks the same fields (services.gateway.persons)
    return Caller(f"person:{person.person}", person.person, frozenset(), kind="person",
                  needs_csrf=person.session is not None)


def handle(service, route: Route, request, path_values: dict, persons: dict | None = None) -> Response:
    """One request of ``route``; ``persons``: the route's fields a signed-in person's policy decides
    (:func:`services.gateway.persons.check_route`), None: the route is closed to persons."""
    keyed = False
    try:
        caller = authenticate(service, request, route.method)
        _check_path(path_values)
        items = paging.list_of(route)
        query = _parse_query(route, request, paged=items is not None)
        keyed = items is not None and paging.in_service(route)
        if items is not None:
            limit = paging.take_limit(request.args)
            offset, binding = paging.start(route, request.args.get("cursor"), query, path_values, keyed)
        body = _parse_body(route, request, service.limits.json_body)
        request_data = {**query, **(body if isinstance(body, dict) else {}), **path_values}
        _check_scope(route, caller, service.upstream, request_data, getattr(service, "scope_units", None),
                     persons)
        if route.scope.kind == "filter" and caller.agencies != contract.ALL_AGENCIES and caller.kind != "person":
            query = {**query, route.scope.paths[0]: sorted(caller.agencies)}   # only the token's units
        # (a person: the service answers within the units the person's post covers)
        if route.upload is not None:
            return json_response(200, _upload(service, route, request, caller, query, path_values))
        if route.no_args:
            args = ()
        elif route.build is not None:
            args = route.build(request_data)
        else:
            args = ({**body, **query, **path_values},)
        if keyed:       # the service reads this page alone (paging.IN_SERVICE)
            args = ({**args[0], "limit": limit, **({} if offset is None else {"after": offset})},)
        key = request.headers.get("Idempotency-Key")
        if key is not None and (not key.strip() or len(key) > 200 or text_problem(key)):
            raise ValidationFailed("Idempotency-Key must have 1 to 200 printable characters",
                                   "Idempotency-Key")
        try:
            result = service.upstream.call(route.target, args, caller=caller,
                                           idempotency_key=None if route.is_read or not key
                                           else f"{caller.system}:{key.strip()}")
        except Forbidden as err:
            if persons is None or caller.kind != "person" or route.scope.kind != "paths":
                raise
            # the policy refusing the person: answered as the gateway answers a unit it may not see
            raise persons_.answer_refusal(route, caller, request_data, persons, err) from None
        if route.export is not None:
            return _export(route, result)
        if keyed:
            result = paging.service_page(result, items, binding)
        elif items is not None:
            result = paging.page(result, items, limit, offset, binding)
        return json_response(200, result)
    except LianbaoError as err:
        # nameko serialises a None field/details as the string "None" (safe_for_serialization)
        err.field = None if err.field == "None" else err.field
        err.details = None if err.details == "None" else err.details
        if keyed and isinstance(err, ValidationFailed) and err.field == "after":   # a made-up cursor's key
            err = paging.bad_cursor()
        if isinstance(err, NotFound) and err.field in _resource_fields(route):
            err = not_found(_resource_fields(route)[err.field])
        return json_response(err.http_status, err.to_dict())
    except GatewayProblem as err:
        return json_response(err.status, err.to_dict(), err.headers)
    except RemoteError as err:
        log.error("gateway: %s failed upstream: %s", route.target, err.exc_type)
        return json_response(502, {"error": contract.UPSTREAM_ERROR,
                                   "message": f"{route.target} failed: {err.exc_type}"})
    except Exception:  # a bug of the gateway: one line in the log, a JSON 500 to the caller
        log.error("gateway: %s %s failed in the gateway", route.method, route.path, exc_info=True)
        return json_response(500, {"error": "internal_error", "message": "the gateway failed"})


# ------------------------------------------------------------------------------------------------
# the service class


def make_gateway(routes, name: str = contract.SERVICE, title: str = "lianbao gateway"):
    """A nameko service class with one ``@http`` entry point per route, ``/openapi.json`` and a
    ``health`` RPC."""
    routes = list(routes)
    seen = set()
    for route in routes:
        if (route.method, route.rule) in seen:
            raise ValueError(f"route given twice: {route.method} {route.path}")
        seen.add((route.method, route.rule))
    # which routes naming their units a signed-in person passes to the service's policy (#21 item 2)
    persons_open, persons_closed = persons_.open_to_persons(routes)
    persons_.log_closed(persons_closed)
    document = build_document(routes, title=title, version=VERSION)
    document_text = json.dumps(document, ensure_ascii=False)

    def openapi(self, request):
        return Response(document_text, status=200, content_type=JSON_TYPE)

    def own_health(self, request):
        """The gateway's own liveness (no token, no RPC): for a load balancer or a probe."""
        return json_response(200, {"service": name, "version": VERSION, "status": "ok"})

    def health(self):
        return {"service": name, "version": VERSION, "status": "ok", "routes": len(routes),
                "systems": len(self.tokens)}

    namespace = {
        "name": name,
        "tokens": Tokens(),
        "upstream": Upstream(),
        "scope_units": ScopeUnits(),
        "limits": Limits(),
        "metrics": Metrics(),
        "routes": routes,
        "persons_open": persons_open,
        "persons_closed": persons_closed,
        "openapi_document": document,
        "openapi": http("GET", "/openapi.json")(openapi),
        "health": rpc(health),
    }
    from services.gateway import console, console_audit, console_office, public_pages, signin

    namespace.update(public_pages.entry_points())
    namespace.update(signin.entry_points())
    namespace.update(console.entry_points())
    namespace.update(console_audit.entry_points())
    namespace.update(console_office.entry_points())
    if ("GET", "/health") not in seen:
        namespace["own_health"] = http("GET", "/health")(own_health)
    for index, route in enumerate(routes):
        namespace[f"route_{index}_{route.operation_id}"] = http(route.method, route.rule)(
            _handler(route, persons_open.get(persons_.key(route))))
    return type("GatewayService", (), namespace)


def _handler(route: Route, persons: dict | None = None):
    def handler(self, request, **path_values):
        return handle(self, route, request, path_values, persons)

    handler.__name__ = route.operation_id
    handler.__doc__ = route.summary
    return handler
