"""A signed-in person on a route naming its units in the request (``Scope.at``): issue 21 item 2.

A person has no units at the gateway (their roles and units are the roster's on the day of the act,
which each service's policy reads from its own read model).  So on a ``Scope.at`` route the gateway
lets a person through to the service, whose policy table decides by the person's roles and the row's
scope, **only where that row's scope covers the very request fields the route names**: the row of the
target RPC has a unit or person scope (not the whole city; an "else the city" row only because the
route always names its fields) whose paths are exactly the route's fields as the route's ``build`` (or the plain merge) puts them in the payload,
and each of those fields is always in the request (a path parameter or a required field): an absent
field would leave the policy's call unscoped.  :func:`check_route` says so, or why not; a route that
fails stays closed to persons (the gateway's own unit check, which a person never passes) and is
listed by :func:`open_to_persons` (``make_gateway`` logs them; a test pins the list).

A refusal of the policy is answered in the shape the gateway answers a calling system outside its
units (:func:`answer_refusal`): the route's path resource as missing (404), another field a 403
naming it.  A write refused by role stays the policy's 403 naming ``actor`` (as a calling system's).
"""
from __future__ import annotations

import logging

from shared import policy
from shared.errors import Forbidden, NotFound

from services.gateway.routing import Route, values_at

log = logging.getLogger(__name__)

_PROBE = "\x00probe:"


def check_route(route: Route) -> tuple[dict | None, str]:
    """``({route field: policy path}, "")`` when a person may pass ``route`` to its service's policy,
    ``(None, why not)`` otherwise.  Only ``Scope.at`` routes are asked."""
    if route.scope.kind != "paths":
        return None, "not a route naming its units (Scope.at)"
    rule = policy.TABLE.get(route.target)
    if rule is None:
        return None, f"{route.target} has no row in the policy table"
    scope = rule.scope
    if scope is None:
        return None, f"the row of {route.target} names no scope (it is about no unit)"
    if scope.kind not in ("unit", "person"):
        return None, f"the row of {route.target} is about {scope.text()}, not a unit or a person"
    # a row reading the whole city when none of its fields is named ("else the city") passes too: the
    # checks below require every one of its fields to be named by the route, always (a path parameter
    # or a required field), so the city branch never fires on such a route
    fields = route.scope.paths
    for field in fields:
        if "[]" in field or "." in field:
            return None, f"`{field}` is inside the request's lists (the units of a snapshot)"
        if field not in route.params and not _required(route, field):
            return None, f"`{field}` may be absent (the policy would leave the call unscoped)"
    merged = {field: _PROBE + field for field in fields}
    try:
        args = route.build(dict(merged)) if route.build is not None else (merged,)
    except Exception as exc:     # a build needing more than the scope's fields: not provable here
        return None, f"its build needs more than {', '.join(fields)} ({type(exc).__name__})"
    payload = args[0] if args and isinstance(args[0], dict) else {}
    mapping: dict = {}
    for path in scope.paths:
        found = values_at(payload, path)
        if len(found) != 1 or not (isinstance(found[0], str) and found[0].startswith(_PROBE)):
            return None, f"the row of {route.target} is about `{path}`, which the route does not name"
        mapping[found[0][len(_PROBE):]] = path
    missing = [field for field in fields if field not in mapping]
    if missing:
        return None, (f"the route names {', '.join(f'`{m}`' for m in missing)}, which the row of "
                      f"{route.target} ({scope.text()}) does not check")
    return mapping, ""


def _required(route: Route, field: str) -> bool:
    for schema in (route.query, route.body):
        if schema is not None and field in schema.fields:
            return bool(schema.fields[field].required)
    return False


def key(route: Route) -> tuple:
    return (route.method, route.path)


def open_to_persons(routes) -> tuple[dict, dict]:
    """``({(method, path): {route field: policy path}}, {(method, path): why it stays closed})`` over
    the ``Scope.at`` routes of ``routes``."""
    opened, closed = {}, {}
    for route in routes:
        if route.scope.kind != "paths":
            continue
        mapping, why = check_route(route)
        if mapping is None:
            closed[key(route)] = why
        else:
            opened[key(route)] = mapping
    return opened, closed


def check_request(route: Route, caller, request_data: dict) -> None:
    """Before the call: every field of the route holds ids (the schema already made them present);
    anything else is refused as the gateway refuses a calling system's unit it may not see."""
    for field in route.scope.paths:
        found = values_at(request_data, field)
        if not found or not all(isinstance(unit, str) for unit in found):
            raise _refused(route, caller, field, found[0] if found else None)


def answer_refusal(route: Route, caller, request_data: dict, mapping: dict, err):
    """The error to answer for a service's refusal ``err`` of a person on ``route``: a refusal of the
    policy (its scope; on a read row also its roles: a read is anyone's within their units) in the
    gateway's shape for a unit the caller may not see; anything else as it is."""
    if not isinstance(err, Forbidden) or err.field != "actor":
        return err
    said = policy.refusal_of(route.target, err.message)
    rule = policy.TABLE.get(route.target)
    if said is None or rule is None or (said[0] == "role" and rule.access == policy.WRITE):
        return err
    field = None
    if said[1] is not None:
        field = next((f for f, path in mapping.items()
                      if said[1].startswith(path.replace("[]", "") + " ")), None)
    if field is None:     # no unit named (a person with no role at all): the path resource first
        field = next((f for f in route.scope.paths if f in route.params), route.scope.paths[0])
    found = values_at(request_data, field)
    return _refused(route, caller, field, found[0] if found else None)


def _refused(route: Route, caller, field: str, unit):
    if field in route.params:      # the resource of the path: as if it did not exist
        return NotFound(f"{field} not found", field)
    return Forbidden(f"{caller.system} may not see unit {unit!r}", field)


def log_closed(closed: dict) -> None:
    for (method, path), why in sorted(closed.items()):
        log.info("gateway: %s %s stays closed to signed-in persons: %s", method, path, why)
