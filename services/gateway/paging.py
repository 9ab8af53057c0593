"""Pages of every list answer (issue 21 item 3): ``?limit=`` (1 to 500, default 100) and ``?cursor=``.

A GET route whose answer (:mod:`services.gateway.answers`) holds one list at its top level is a list
route: the gateway answers ``limit`` of its elements from the cursor on, the rest of the answer as
the service gave it, and ``next``, the cursor of the next page (null on the last). A cursor is
opaque: it is bound to the route, its path and its query (a cursor of another list is a 400 naming
``cursor``). The service is asked again for each page: a list that changes between two pages may
shift under the cursor.  The long lists of :data:`IN_SERVICE` (a unit's members, a person's training
results) are paged in their service: it reads only the page, by key after the last element of the
previous page (the cursor holds that key), so an element added or removed before the cursor moves
nothing; the elements and their order are those of the whole list sliced.

Not paged: the routes that page in the service already (``GET /survey/campaigns``: ``after``/``next``;
the ledgers: ``offset``/``limit``/``total``), and those whose list is a part of one document rather
than a collection (a template's dimensions, a questionnaire's items, an explanation's lines, a year's
months of one person, a campaign's progress read whole by the office's page).
"""
from __future__ import annotations

import base64
import hashlib
import json
from marshmallow import fields

from services.gateway.answers import answer_of, list_key
from shared.errors import ValidationFailed

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
PARAMS = ("cursor", "limit")

#: lists the service pages itself (RPC method names): the gateway sends ``limit`` and ``after`` (the
#: key its cursor holds) and the service reads that page alone by key and answers ``next``, the key of
#: the page's last element (null on the last page), which the gateway sends on as a cursor
IN_SERVICE = frozenset({"members_of", "results_of"})

NOT_PAGED = frozenset({   # RPC method names
    "list_campaigns", "ledger",                                    # paged by the service
    "template", "get_questionnaire", "explanation", "person_history",   # parts of one document
    "allowances_of", "ranking_of_month", "calendar_year", "working_days",
    "progress", "get_rates", "get_campaign",   # one campaign, its counts and rates (the office reads them whole)
})


_LISTS: dict = {}


def list_of(route) -> str | None:
    """The key of the route's list (None: not a list route)."""
    key = (route.method, route.path, route.target, route.response, route.export is None, id(route.answer))
    if key not in _LISTS:
        method = route.target.split(".", 1)[1]     # (a test may rename a service)
        _LISTS[key] = (None if route.method != "GET" or route.export is not None or method in NOT_PAGED
                       else list_key(answer_of(route)))
    return _LISTS[key]


def page_answer_schema(route, schema):
    """The answer schema with ``next`` (a marshmallow class named ``<answer>Page``)."""
    cls = schema if isinstance(schema, type) else type(schema)
    paged = type(cls.__name__ + "Page", (cls,), {
        "next": fields.String(allow_none=True, metadata={
            "description": "the cursor of the next page (send it as `cursor`); null on the last page"}),
        "__module__": cls.__module__})
    return paged


def query_parameters() -> list[dict]:
    return [{"in": "query", "name": "limit", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
             "description": f"how many elements of the list (1 to {MAX_LIMIT}, default {DEFAULT_LIMIT})"},
            {"in": "query", "name": "cursor", "required": False,
             "schema": {"type": "string", "minLength": 1, "maxLength": 200},
             "description": "the `next` of the previous page (opaque); none: the first page"}]


def _binding(route, query: dict, path_values: dict) -> str:
    text = json.dumps([route.method, route.path, sorted(path_values.items()),
                       sorted((k, str(v)) for k, v in query.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def take_limit(args: dict) -> int:
    """The request's ``limit`` (400 naming it if it is not 1 to MAX_LIMIT)."""
    raw = args.get("limit")
    limit = DEFAULT_LIMIT
    if raw is not None:
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be a whole number from 1 to {MAX_LIMIT}", "limit")
        limit = int(raw)
    return limit


def in_service(route) -> bool:
    """Whether the route's service pages its list itself (:data:`IN_SERVICE`)."""
    return route.build is None and route.target.split(".", 1)[1] in IN_SERVICE


def _decode(cursor: str, keyed: bool = False) -> tuple:
    try:
        if len(cursor) > 200:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if keyed:
            key, binding = data["k"], data["b"]
            if not isinstance(key, str) or not isinstance(binding, str):
                raise ValueError
            return key, binding
        offset, binding = data["o"], data["b"]
        if not isinstance(offset, int) or offset < 0 or not isinstance(binding, str):
            raise ValueError
        return offset, binding
    except (ValueError, KeyError, TypeError):   # bad base64, bad UTF-8 or JSON, not {"o", "b"}
        raise ValidationFailed("not a cursor of this list (send the `next` of its previous page)",
                               "cursor") from None


def _encode(offset: int, binding: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "b": binding},
                                               separators=(",", ":")).encode()).decode().rstrip("=")


def start(route, cursor: str | None, query: dict, path_values: dict, keyed: bool = False) -> tuple:
    """The offset a cursor stands for (0 without one), or for a list its service pages
    (``keyed``) the key to read after (None without one); and the list's binding."""
    binding = _binding(route, query, path_values)
    if cursor is None:
        return (None if keyed else 0), binding
    offset, bound = _decode(cursor, keyed)
    if bound != binding:
        raise ValidationFailed("the cursor is of another list (another route, path or query)", "cursor")
    return offset, binding


def page(result, key: str, limit: int, offset: int, binding: str):
    """The answer with ``limit`` elements of its list from ``offset`` and the ``next`` cursor."""
    if not isinstance(result, dict) or not isinstance(result.get(key), list):
        return result
    items = result[key]
    end = offset + limit
    return {**result, key: items[offset:end], "next": _encode(end, binding) if end < len(items) else None}



def service_page(result, key: str, binding: str):
    """A page the service read (:data:`IN_SERVICE`): its ``next`` key sent on as the list's cursor."""
    if not isinstance(result, dict) or not isinstance(result.get(key), list):
        return result
    following = result.get("next")
    return {**result, "next": None if following is None else
            base64.urlsafe_b64encode(json.dumps({"k": following, "b": binding}, ensure_ascii=False,
                                                separators=(",", ":")).encode()).decode().rstrip("=")}


def bad_cursor() -> ValidationFailed:
    return ValidationFailed("not a cursor of this list (send the `next` of its previous page)", "cursor")
