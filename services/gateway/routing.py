"""The route table's vocabulary: one :class:`Route` says everything the handler and the OpenAPI
document need (method, path, target RPC, request schema, response, agency scope, export)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from marshmallow import Schema

_PARAM = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Scope:
    """Which units a request concerns; the caller's token must list each (or be ``*``).

    * ``Scope.any()`` — no unit: any valid token;
    * ``Scope.at("agencies[].id", "officers[].agency")`` — the units named in the request (path
      parameters, query and body merged into one dict; ``x[]`` walks a list);
    * ``Scope.lookup("survey.get_campaign", {"campaign_id": "campaign_id"}, "owner")`` — ask a
      service: the RPC payload maps its keys to request keys; the unit is at ``path`` of the answer
      (a null unit is visible to ``*`` tokens only);
    * ``Scope.filtered("owners")`` — a list of any token: the RPC is given the token's units at
      ``owners`` (nothing for a ``*`` token) and answers only what is theirs; for a signed-in person
      nothing is given and the service answers within the units the person's post covers.
    """
    kind: str
    paths: tuple = ()
    target: str | None = None
    payload: tuple = ()
    keep: str = ""     # a lookup's unit kept by the gateway (services.gateway.scope_cache): owner, post

    @classmethod
    def any(cls) -> "Scope":
        return cls("any")

    @classmethod
    def at(cls, *paths: str) -> "Scope":
        return cls("paths", tuple(paths))

    @classmethod
    def policy(cls) -> "Scope":
        """A command of the policy table: any verified caller gets through the gateway (a calling
        system, a system acting for its persons, a signed-in person); the service decides, by the
        table and the units of the verified caller, and refuses with 403 naming ``actor``."""
        return cls("policy")

    @classmethod
    def everything(cls) -> "Scope":
        """Only a token that sees every unit (``*``): rows of any unit (roster, training imports)."""
        return cls("all")

    @classmethod
    def filtered(cls, key: str) -> "Scope":
        return cls("filter", (key,))

    @classmethod
    def lookup(cls, target: str, payload: dict, path: str, keep: str = "") -> "Scope":
        """``keep``: how the unit answered may be kept for the next request
        (:mod:`services.gateway.scope_cache`): ``owner`` (it never changes), ``post`` (a person's,
        kept a few seconds); none: asked on every request."""
        from services.gateway.scope_cache import KINDS

        if keep and keep not in KINDS:
            raise ValueError(f"keep: one of {KINDS}")
        return cls("lookup", (path,), target, tuple(payload.items()), keep)

    def describe(self) -> str:
        if self.kind == "any":
            return "any calling system"
        if self.kind == "policy":
            return ("whoever the policy table lets do it (docs/reference/policy.md), decided by the "
                    "service: a refusal is a 403 naming `actor`")
        if self.kind == "all":
            return "a token that sees every unit (`*`)"
        if self.kind == "filter":
            return "any calling system; the answer holds only what belongs to the token's units"
        if self.kind == "paths":
            return "the units named at " + ", ".join(f"`{p}`" for p in self.paths)
        return f"the unit at `{self.paths[0]}` of `{self.target}`"


@dataclass(frozen=True)
class Export:
    """A streamed answer: ``xlsx`` (the RPC returns ``{"filename", "content_base64"}``) or
    ``ndjson`` (one JSON line per element of the list at ``items`` of the answer)."""
    kind: str
    items: str | None = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str                      # OpenAPI style: /survey/campaigns/{campaign_id}/batches
    target: str                    # service.method
    summary: str
    response: str                  # what a 200 answer holds
    body: Schema | None = None     # JSON body schema (instance); path parameters are not in it
    query: Schema | None = None    # query parameters schema (instance; string fields)
    scope: Scope = field(default_factory=Scope.any)
    export: Export | None = None
    tag: str = ""
    description: str = ""
    errors: tuple = (400, 404)     # service errors this route can answer, beside 401/403/5xx
    build: Callable | None = None  # (merged request dict) -> RPC args; default: (merged,)
    no_args: bool = False          # the RPC takes no payload (health)
    validate: Callable | None = None  # a faster validator of the same contract as ``body`` (raises
                                      # ValidationFailed naming the field); default: load(body)
    upload: object | None = None   # services.gateway.uploads.Upload: a streamed CSV/NDJSON body
    operation: str | None = None   # the OpenAPI operationId when two routes share a target
    answer: Schema | None = None   # the typed schema of a 200 answer (None: an object described in words)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    @property
    def rule(self) -> str:
        """The werkzeug rule of the path."""
        return _PARAM.sub(lambda m: f"<{m.group(1)}>", self.path)

    @property
    def operation_id(self) -> str:
        return self.operation or self.target.replace(".", "_")

    @property
    def service(self) -> str:
        return self.target.split(".", 1)[0]

    @property
    def is_read(self) -> bool:
        return self.method == "GET"


def values_at(data, path: str) -> list:
    """The values at a path like ``officers[].agency`` (missing parts give nothing)."""
    nodes = [data]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part[:-2] if many else part
        nxt = []
        for node in nodes:
            if not isinstance(node, dict) or key not in node:
                continue
            value = node[key]
            if many:
                if isinstance(value, list):
                    nxt.extend(value)
            else:
                nxt.append(value)
        nodes = nxt
    return nodes
