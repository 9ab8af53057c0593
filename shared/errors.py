"""The one error table of the suite.

Every error a caller can receive is one of these classes.  They travel over nameko RPC as
``exc_path``/``exc_args`` and are rebuilt as the same class on the calling side (nameko's
``deserialize_to_instance`` registry, and :mod:`lianbao.client` for non-nameko callers).

Each error carries a stable ``code``, a human ``message`` and, where one field is at fault, the
``field`` as a JSON path (``officers[3].monthly.2026-13``).  ``details`` may hold the full list of
``{"field": ..., "message": ...}`` problems.
"""
from __future__ import annotations

try:  # registration is optional: the domain and the plain client do not need nameko
    from nameko.exceptions import deserialize_to_instance as _register
except ImportError:  # pragma: no cover
    def _register(cls):
        return cls


class LianbaoError(Exception):
    """Base class. ``args`` is ``(message, field, details)`` so it survives serialisation."""

    code = "error"
    http_status = 500

    def __init__(self, message: str = "", field: str | None = None, details=None):
        # on the wire nameko turns None into the string "None": absent values travel as "" / []
        field = None if field in (None, "", "None") else field
        details = None if details in (None, [], "None") else details
        super().__init__(message, field if field is not None else "", details if details is not None else [])
        self.message = message
        self.field = field
        self.details = details

    def __str__(self) -> str:
        if self.field:
            return f"{self.field}: {self.message}"
        return self.message

    def to_dict(self) -> dict:
        out = {"error": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        if self.details is not None:
            out["details"] = self.details
        return out


@_register
class ValidationFailed(LianbaoError):
    """The payload does not match its schema. ``field`` names the first bad field, ``details`` all."""

    code = "validation_failed"
    http_status = 400


@_register
class NotFound(LianbaoError):
    """A referenced entity (unit, person, campaign, evaluation, ...) does not exist."""

    code = "not_found"
    http_status = 404


@_register
class Conflict(LianbaoError):
    """The command contradicts the current state (duplicate, overlap, already filed, out of order)."""

    code = "conflict"
    http_status = 409


@_register
class Unauthenticated(LianbaoError):
    """The call carries no valid signed assertion of who acts (missing, expired, forged, unknown
    key, wrong audience): refused before anything runs (``docs/trust.md``)."""

    code = "unauthenticated"
    http_status = 401


@_register
class Forbidden(LianbaoError):
    """The actor may not do this (wrong mentor, wrong evaluator, foreign agency)."""

    code = "forbidden"
    http_status = 403


@_register
class RuleViolation(LianbaoError):
    """A rule of the Method or a guardrail of the city refuses the command (e.g. a rule pack)."""

    code = "rule_violation"
    http_status = 422


ERRORS = {cls.code: cls for cls in (LianbaoError, ValidationFailed, NotFound, Conflict, Forbidden,
                                     RuleViolation, Unauthenticated)}
ERRORS_BY_NAME = {cls.__name__: cls for cls in ERRORS.values()}


def rebuild(exc_type: str, exc_args) -> Exception | None:
    """Rebuild a named error from its wire form (``exc_type`` name and ``exc_args``); None if unknown."""
    cls = ERRORS_BY_NAME.get(exc_type)
    if cls is None:
        return None
    return cls(*list(exc_args or [])[:3])
