"""Bearer tokens of the calling systems: who calls (actor) and which units it may see.

The gateway forwards who it authenticated as a signed assertion (:func:`assertion_for`,
``docs/trust.md``): a calling system as kind ``system`` scoped to its units, or, for an entry with
``kind: persons``, as a system acting for the persons of its units (every write names the person).
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from shared.contracts import gateway as contract
from shared.identity import ALL_UNITS, Actor
from shared.schemas import load


#: the kind of the gateway's own caller (its public pages), never a token file's
GATEWAY = "gateway"


@dataclass(frozen=True)
class Caller:
    """Who calls through the gateway: a calling system (its token) or a signed-in person."""
    system: str       # the system's name, or ``person:<id>`` (namespaces idempotency keys)
    actor: str        # the actor id sent to the services (context data ``actor``)
    agencies: object  # frozenset of unit ids, or "*"
    kind: str = "system"  # "persons": acts for the persons of its units; "person": a signed-in person
    needs_csrf: bool = False      # signed in by the session cookie: a non-GET needs X-CSRF-Token

    def may_see(self, unit: str) -> bool:
        return self.agencies == contract.ALL_AGENCIES or unit in self.agencies


class TokenBook:
    """The systems of a token file, found by the sha256 of their bearer token."""

    def __init__(self, systems: list[dict]):
        self._by_digest: dict[bytes, Caller] = {}
        for entry in systems:
            digest = (bytes.fromhex(entry["token_sha256"]) if "token_sha256" in entry
                      else hashlib.sha256(entry["token"].encode("utf-8")).digest())
            self._by_digest[digest] = Caller(entry["system"], entry["actor"], entry["agencies"],
                                             entry.get("kind", "system"))

    @classmethod
    def from_file(cls, path) -> "TokenBook":
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        return cls(load(contract.TokenFile(), raw, prefix=str(Path(path).name))["systems"])

    @classmethod
    def from_config(cls, config: dict) -> "TokenBook":
        """The file named by the config key ``GATEWAY_TOKENS`` or ``$LIANBAO_GATEWAY_TOKENS``;
        no file: an empty book (every request is refused with 401)."""
        path = config.get(contract.TOKENS_CONFIG_KEY) or os.environ.get(contract.TOKENS_ENV) or ""
        return cls.from_file(path) if path else cls([])

    def __len__(self):
        return len(self._by_digest)

    def caller(self, authorization: str | None) -> Caller | None:
        """The caller of an ``Authorization: Bearer <token>`` header, or None."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        digest = hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()
        found = None
        for known, caller in self._by_digest.items():  # constant time per entry
            if hmac.compare_digest(known, digest):
                found = caller
        return found


def assertion_for(caller: Caller) -> Actor:
    """Who the gateway asserts to the services for an authenticated caller."""
    if caller.kind == "person":   # a signed-in person (sub = the roster person id): the roster gives roles
        return Actor(caller.actor, "person")
    if caller.kind == GATEWAY:    # the gateway's own public pages: the role public of the table
        return Actor("gateway", "public")
    units = ALL_UNITS if caller.agencies == contract.ALL_AGENCIES else frozenset(caller.agencies)
    return Actor(caller.system, caller.kind, units)
