"""Base schema and validation helpers shared by every contract.

* :class:`BaseSchema` rejects unknown fields (``unknown = RAISE``).
* :func:`flatten_errors` turns marshmallow's nested error dict into ``[(path, message)]`` with
  JSON-style paths: ``officers[3].monthly.2026-13``.
* :func:`load` validates and raises :class:`shared.errors.ValidationFailed` naming the first field.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from datetime import date
from itertools import chain, repeat

from marshmallow import RAISE, Schema, ValidationError, fields

from shared.errors import ValidationFailed


# -- text that may travel: no control characters, no lone surrogates, bounded nesting ------------------
MAX_DEPTH = 64
# C0 controls but tab, LF and CR; DEL and the C1 controls; lone UTF-16 surrogates (a JSON "\ud800"
# decodes to one and cannot be encoded as UTF-8, so it would fail later, far from the input)
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why a free text may not be stored or sent, or None (fast path: printable text)."""
    if text.isprintable():
        return None
    bad = _BAD_TEXT.search(text)
    if bad is None:
        return None
    char = bad.group()
    if "\ud800" <= char <= "\udfff":
        return f"Unpaired surrogate U+{ord(char):04X} at position {bad.start()}."
    return f"Control character U+{ord(char):04X} at position {bad.start()}."


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))


def _printable(text: str) -> bool:
    """``text.isprintable()``: for ASCII text (a batch's keys and values joined, 300,000 characters)
    whether deleting the bytes 0x20-0x7E leaves nothing (those are exactly ASCII's printable
    characters), by ``bytes.translate`` in one C pass instead of a Unicode lookup per character;
    other text asks ``str.isprintable`` itself.  The strings of a list joined are printable exactly
    when each is (it is a property of each character), so one call answers for all of them."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    return text.isprintable()


def _key_path(prefix: str, key) -> str:
    return f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))


def _clean(value, depth: int) -> bool:
    """True when :func:`find_bad_text` would find nothing in ``value`` (no path built on the way: a
    batch of 5,000 forms is 20,000 strings); False when it may find something (it then names it).
    A container whose keys and values are all printable strings costs two C-level passes."""
    if type(value) is dict:
        if depth >= MAX_DEPTH:
            return False
        try:                                   # the usual object: printable strings throughout
            if all(map(str.isprintable, value)) and all(map(str.isprintable, value.values())):
                return True
        except TypeError:                      # a key or value is no string: look at each
            pass
        for key, item in value.items():
            if isinstance(key, str) and text_problem(key) is not None:
                return False
            if isinstance(item, str):
                if text_problem(item) is not None:
                    return False
            elif isinstance(item, (dict, list, tuple)) and not _clean(item, depth + 1):
                return False
        return True
    if type(value) in (list, tuple):
        if depth >= MAX_DEPTH:
            return False
        if value and depth + 1 < MAX_DEPTH and set(map(type, value)) == {dict}:
            try:                               # a list of flat objects (a batch): one text each way
                if (_printable("".join(chain.from_iterable(value)))
                        and _printable("".join(chain.from_iterable(map(dict.values, value))))):
                    return True
            except TypeError:
                pass
        for item in value:
            if type(item) is dict:
                if not _clean(item, depth + 1):
                    return False
            elif isinstance(item, str):
                if text_problem(item) is not None:
                    return False
            elif isinstance(item, (dict, list, tuple)) and not _clean(item, depth + 1):
                return False
        return True
    if isinstance(value, str):
        return text_problem(value) is None
    return not isinstance(value, (dict, list, tuple))   # a subclass: the full walk decides


def find_bad_text(value, path: str = "", depth: int = 0):
    """The first ``(path, message)`` of a string (key or value) with a control character or a lone
    surrogate, or of nesting deeper than :data:`MAX_DEPTH`, in a JSON-like value; None if clean."""
    if depth == 0 and _clean(value, 0):
        return None
    return _find_bad_text(value, path, depth)


def _find_bad_text(value, path: str = "", depth: int = 0):
    if isinstance(value, str):
        problem = text_problem(value)
        return None if problem is None else (path or "_body", problem)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            return ("_body", f"Nested deeper than {MAX_DEPTH} levels (at {path[:60] or 'the top'}).")
        for key, item in value.items():
            if isinstance(key, str):
                problem = text_problem(key)
                if problem is not None:
                    return (_key_path(path, ascii(key)[1:-1]), f"Bad key: {problem}")
            if isinstance(item, (str, dict, list, tuple)):
                found = _find_bad_text(item, _key_path(path, key), depth + 1)
                if found is not None:
                    return found
        return None
    if isinstance(value, (list, tuple)):
        if depth >= MAX_DEPTH:
            return ("_body", f"Nested deeper than {MAX_DEPTH} levels (at {path[:60] or 'the top'}).")
        for index, item in enumerate(value):
            if isinstance(item, (str, dict, list, tuple)):
                found = _find_bad_text(item, _key_path(path, index), depth + 1)
                if found is not None:
                    return found
    return None


def check_text(value, path: str = "") -> None:
    """Raise :class:`ValidationFailed` naming the first bad string of ``value`` (see find_bad_text)."""
    found = find_bad_text(value, path)
    if found is not None:
        raise ValidationFailed(found[1], found[0])


def _no_bad_text(value):
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            raise ValidationError(problem)


# -- ids: a checked vocabulary --------------------------------------------------------------------
# letters and digits of any script (the Chinese names in use), and _ . : - @ + # ( ) （ ） ·
ID_CHARS = r"[\w.:@+#()\-\u00b7\uff08\uff09]"
ID_RE = re.compile(rf"^{ID_CHARS}+$")
ID_MAX = 200
ID_MESSAGE = ("Not a valid id: letters, digits and _ . : - @ + # ( ) only, no spaces or control "
              "characters.")


def plain_id(value, max_length: int = ID_MAX) -> bool:
    """Whether ``value`` is, as it stands, an id the schemas' ``Id`` field takes unchanged (a
    printable ``str`` with no :func:`id_problem`): the one-pass readers' check of an id."""
    return type(value) is str and value.isprintable() and id_problem(value, max_length) is None


def id_problem(value, max_length: int = ID_MAX) -> str | None:
    """Why ``value`` is not an id of the suite, or None."""
    if not isinstance(value, str):
        return "Not a valid string."
    if not value:
        return "Must not be empty."
    if len(value) > max_length:
        return f"Longer than {max_length} characters."
    if not ID_RE.match(value) or unicodedata.category(value[0])[0] == "M":
        return ID_MESSAGE
    return None


class Id(fields.String):
    """An id (unit, person, campaign, batch, rating...): :data:`ID_RE`, 1 to ``max_length``
    characters (the ``validate=Length(...)`` of the field, if any, still applies)."""

    def _deserialize(self, value, attr, data, **kwargs):
        out = super()._deserialize(value, attr, data, **kwargs)
        problem = id_problem(out)
        if problem is not None:
            raise ValidationError(problem)
        return out


def _add_text_check(field) -> None:
    if isinstance(field, fields.String) and _no_bad_text not in field.validators:
        field.validators.append(_no_bad_text)
    for inner in (getattr(field, "inner", None), getattr(field, "key_field", None),
                  getattr(field, "value_field", None)):
        if inner is not None:
            _add_text_check(inner)


# -- one name per id: an old name still read for one release --------------------------------------
# old key -> the name now. ``person_id`` (training's contracts until #17) is read as ``person``, the
# name of every other contract and of the HTTP routes; read until 0.2.0 (docs/changes.md).
RENAMED = {"person_id": "person"}


def _both_given(old: str, new: str) -> str:
    return f"{old!r} is the old name of {new!r} (still read for one release): give {new!r} only."


def renamed(value):
    """``value`` (a payload, an event, any JSON-like value) with every old key of :data:`RENAMED`
    under its name now, at any depth; what the policy table reads, so an old name is checked as the
    new one is. Nothing is copied when no old name is given (the value itself comes back); an object
    giving both names keeps both (its schema refuses it)."""
    if isinstance(value, list):
        if _flat_objects_without_old_names(value):
            return value
        items = [renamed(item) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    if not isinstance(value, dict):
        return value
    out = value
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            new_item = renamed(item)
            if new_item is not item:
                if out is value:
                    out = dict(value)
                out[key] = new_item
    for old, new in RENAMED.items():
        if old in out and new not in out:
            out = {(new if key == old else key): item for key, item in out.items()}
    return out


def _flat_objects_without_old_names(items: list) -> bool:
    """True when ``items`` are objects holding no object or list, none with an old name: nothing
    to rename in them.  C-level passes over the list (a batch of 5,000 forms walked object by
    object was a tenth of the survey's intake; issue 24 item 4)."""
    if not items or not set(map(type, items)) <= {dict}:
        return False
    if any(issubclass(t, (dict, list)) for t in set(map(type, chain.from_iterable(map(dict.values, items))))):
        return False
    return not any(any(map(dict.__contains__, items, repeat(old))) for old in RENAMED)


class BaseSchema(Schema):
    """Unknown fields are refused; every string field refuses control characters and lone
    surrogates (:func:`text_problem`), so every service refuses them alike. A schema with a field
    named as :data:`RENAMED` names it reads the old name too (for one release); both at once are
    refused, naming the old one."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name, field_obj):
        super().on_bind_field(field_name, field_obj)
        _add_text_check(field_obj)

    def load(self, data, *, many=None, partial=None, unknown=None):
        renames = self.__dict__.get("_renames")
        if renames is None:        # once per schema object: the old names its fields still read
            wire = {f.data_key or name for name, f in self.load_fields.items()}
            renames = self._renames = tuple((old, new) for old, new in RENAMED.items()
                                            if new in wire and old not in wire)
        if renames:
            many = self.many if many is None else many
            data = ([_new_names(item, renames, i) for i, item in enumerate(data)]
                    if many and isinstance(data, list) else _new_names(data, renames))
        return super().load(data, many=many, partial=partial, unknown=unknown)


def _new_names(data, renames, index=None):
    if not isinstance(data, dict):
        return data
    for old, new in renames:
        if old in data:
            if new in data:
                message = {old: [_both_given(old, new)]}
                raise ValidationError(message if index is None else {index: message})
            data = {(new if key == old else key): item for key, item in data.items()}
    return data


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


NOT_DATE = "Not a valid date (YYYY-MM-DD)."
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)


def parse_iso_date(value) -> date:
    """A date ``YYYY-MM-DD`` (nothing else ISO 8601 allows); raise ValueError(:data:`NOT_DATE`)."""
    if type(value) is not str or not _DATE_RE.match(value):
        raise ValueError(NOT_DATE)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(NOT_DATE) from None


class IsoDate(fields.Field):
    """The one date field of the contracts: ``YYYY-MM-DD`` on the wire, a ``datetime.date`` once
    loaded (handlers never parse it again); a date dumps as its ISO string. Refused with
    :data:`NOT_DATE`: another ISO 8601 form (``20260101``, a time), a non-string, a day that does
    not exist."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_iso_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.isoformat()


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
