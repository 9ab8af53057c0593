"""The gateway's own answers (not a service's): one exception for every part of the gateway."""
from __future__ import annotations


class GatewayProblem(Exception):
    """An answer of the gateway itself (not of a service): an HTTP status, an error code, a message,
    the field at fault (if any) and extra headers (e.g. ``Retry-After``, ``WWW-Authenticate``)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.headers = status, code, message, field, headers

    def to_dict(self) -> dict:
        out = {"error": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out
