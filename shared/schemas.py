"""Base schema and validation helpers shared by every contract.

* :class:`BaseSchema` rejects unknown fields (``unknown = RAISE``).
* :func:`flatten_errors` turns marshmallow's nested error dict into ``[(path, message)]`` with
  JSON-style paths: ``officers[3].monthly.2026-13``.
* :func:`load` validates and raises :class:`shared.errors.ValidationFailed` naming the first field.
"""
from __future__ import annotations

import json
import math

from marshmallow import RAISE, Schema, ValidationError, fields

from shared.errors import ValidationFailed


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE


def _join(prefix: str, key) -> str:
    if isinstance(key, int):
        return f"{prefix}[{key}]"
    if key == "_schema":
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


def flatten_errors(messages, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten marshmallow's ``messages`` into ``(path, message)`` pairs, in a stable order."""
    out: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, val in messages.items():
            # marshmallow's Dict field reports {"key": [...]} / {"value": [...]} under the dict key
            if isinstance(val, dict) and set(val) <= {"key", "value"} and val:
                for sub in ("key", "value"):
                    if sub in val:
                        out.extend(flatten_errors(val[sub], _join(prefix, key)))
                continue
            out.extend(flatten_errors(val, _join(prefix, key)))
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out.extend((prefix or "_schema", m) for m in messages)
        else:
            for m in messages:
                out.extend(flatten_errors(m, prefix))
    else:
        out.append((prefix or "_schema", str(messages)))
    return out


def validation_failed(err: ValidationError, prefix: str = "") -> ValidationFailed:
    problems = flatten_errors(err.messages, prefix)
    field, message = problems[0] if problems else ("_schema", "invalid")
    return ValidationFailed(message, field, [{"field": f, "message": m} for f, m in problems])


def load(schema: Schema, data, prefix: str = ""):
    """Validate ``data`` with ``schema``; raise :class:`ValidationFailed` naming the field."""
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_failed(err, prefix) from None


def _reject_constant(name):
    raise ValueError(f"{name} is not allowed")


def _no_duplicate_keys(pairs):
    out = {}
    for key, val in pairs:
        if key in out:
            raise ValueError(f"key given twice: {key!r}")
        out[key] = val
    return out


def strict_json_loads(text: str):
    """``json.loads`` that refuses NaN/Infinity and keys given twice (raises ValueError)."""
    return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)


class FiniteFloat(fields.Float):
    """A float that must be finite (no NaN, no Infinity)."""

    def _validated(self, value):
        out = super()._validated(value)
        if out is not None and not math.isfinite(out):
            raise self.make_error("special")
        return out


class StrictInteger(fields.Integer):
    """An integer that refuses floats, booleans and strings."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._validated(value)


class IsoDate(fields.String):
    """An ISO date (``YYYY-MM-DD``) kept as a string: the handler parses it, the schema makes sure it
    parses and names the field when it does not."""

    def _deserialize(self, value, attr, data, **kwargs):
        from datetime import date

        out = super()._deserialize(value, attr, data, **kwargs)
        try:
            if len(out) != 10:
                raise ValueError
            date.fromisoformat(out)
        except ValueError:
            raise ValidationError(f"Not a date (YYYY-MM-DD): {out!r}.") from None
        return out


class RowList(fields.Field):
    """A JSON array of row objects passed through as it is: the domain checks each row and reports
    it by row number and column (one bad row does not hide the others). At most ``max_rows``."""

    def __init__(self, max_rows: int, **kwargs):
        self.max_rows = max_rows
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError("Not a valid list.")
        if len(value) > self.max_rows:
            raise ValidationError(f"At most {self.max_rows} rows in one call.")
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise ValidationError({i: ["Not a valid row object."]})
        return value
