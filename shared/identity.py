"""Who acts: the verified identity of a call, as every service and the policy see it.

The gateway (a calling system's token, a signed-in person), the CLI (the operator's key) and the
services themselves (calling each other, publishing events) each *assert* an identity; the
entry points of every service *verify* it before any handler runs (see the trust section of
the project's docs).  What reaches the policy and the handlers is an :class:`Actor`.

Kinds:

* ``person``   — a person of the roster, signed in (``sub`` is the person id); roles and units
                  come from the roster on the day of the act, never from the assertion;
* ``system``   — a calling system (``sub`` its name), scoped to ``units`` (or ``"*"``);
* ``persons``  — a calling system trusted to act for the persons of its ``units`` (a county's
                  office system keying its officers' monthly work); the person it acts for is
                  named in the payload and must lie within ``units``;
* ``service``  — one of the suite's own services (``sub`` its name: roster, scoring, ...);
* ``operator`` — an operator running ``lianbao …`` with the operator key of the deployment;
* ``public``   — the gateway's public pages (no sign-in: the notice, its objections, the online
                  satisfaction form); ``sub`` is ``gateway``; it may call only the rows of the policy
                  table that name the role ``public``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALL_UNITS = "*"
KINDS = ("person", "system", "persons", "service", "operator", "public")


@dataclass(frozen=True)
class Actor:
    sub: str
    kind: str
    units: frozenset | str = field(default=frozenset())  # unit ids, or ALL_UNITS

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.units != ALL_UNITS and not isinstance(self.units, frozenset):
            object.__setattr__(self, "units", frozenset(self.units or ()))

    def covers(self, unit: str | None) -> bool:
        """Whether ``unit`` lies within the units this actor was scoped to (systems only)."""
        return self.units == ALL_UNITS or (unit is not None and unit in self.units)


#: where the entry points put the verified :class:`Actor` of a worker (its context data); a value
#: that came over the wire is never an :class:`Actor` instance, so it can never pass for one
VERIFIED_KEY = "lianbao.actor"


#: the caller of stored answers written before idempotency keys were bound to their caller (#18 item 6)
LEGACY_CALLER = "legacy"
#: the caller of a call no entry point verified (never the case for an RPC of the suite)
UNVERIFIED_CALLER = "unverified"


def caller_id(actor: Actor | None) -> str:
    """Who a stored answer (idempotency key, survey batch id) belongs to: ``kind:sub`` of the
    verified actor, so two callers never share a key."""
    return f"{actor.kind}:{actor.sub}" if isinstance(actor, Actor) else UNVERIFIED_CALLER


def current(worker_ctx) -> Actor | None:
    """The verified actor of a worker (None for a worker no suite entry point verified: a timer)."""
    found = (getattr(worker_ctx, "data", None) or {}).get(VERIFIED_KEY)
    return found if isinstance(found, Actor) else None
