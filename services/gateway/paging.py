"""Pages of every list answer (issue 21 item 3): ``?limit=`` (1 to 500, default 100) and ``?cursor=``.

A GET route whose answer (:mod:`services.gateway.answers`) holds one list at its top level is a list
route: the gateway answers ``limit`` of its elements from the cursor on, the rest of the answer as
the service gave it, and ``next``, the cursor of the next page (null on the last). A cursor is
opaque: it is bound to the route, its path and its query (a cursor of another list is a 400 naming
``cursor``). The service is asked again for each page: a list that changes between two pages may
shift under the cursor.

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


def _decode(cursor: str) -> tuple[int, str]:
    try:
        if len(cursor) > 200:
            raise ValueError
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
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


def start(route, cursor: str | None, query: dict, path_values: dict) -> tuple[int, str]:
    """The offset a cursor stands for (0 without one), and the list's binding."""
    binding = _binding(route, query, path_values)
    if cursor is None:
        return 0, binding
    offset, bound = _decode(cursor)
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

