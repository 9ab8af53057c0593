"""Every scope path of the policy table names a field of its RPC's payload schema: a path that names
nothing would leave the call unscoped, silently (the table's paths were wrong for 25 rows before the
table was enforced)."""
import inspect
import re

from marshmallow import Schema, fields

from shared import policy
from shared.runner import service_class

_LOAD = re.compile(r"load\((\w+)\.(\w+)\(\)|load\((\w+)\(\)")
_LOAD_KEPT = re.compile(r"load\((\w+), payload\)")


def _schema(op):
    service, method = op.split(".")
    function = getattr(service_class(service), method)
    home = inspect.getmodule(function)
    source = inspect.getsource(function)
    match = _LOAD.search(source)
    kept = _LOAD_KEPT.search(source)
    if not match and kept and isinstance(getattr(home, kept.group(1), None), Schema):
        return getattr(home, kept.group(1))     # a schema built once at import (a read RPC's, #24)
    if not match:   # an old name answering through the new one (scoring.object → raise_objection)
        alias = re.search(r"return self\.(\w+)\(payload\)", source)
        assert alias, f"{op}: no load(Schema(), payload) found in its source"
        return _schema(f"{service}.{alias.group(1)}")
    if match.group(1):
        return getattr(getattr(home, match.group(1)), match.group(2))()
    return getattr(home, match.group(3))()


def _has(schema, path) -> bool:
    parts = path.split(".")
    for i, part in enumerate(parts):
        name = part[:-2] if part.endswith("[]") else part
        found = next((f for k, f in schema.fields.items() if (f.data_key or k) == name), None)
        if found is None:
            return False
        if i == len(parts) - 1:
            return not part.endswith("[]") or isinstance(found, fields.List)
        if isinstance(found, fields.List):
            found = found.inner
        if not isinstance(found, fields.Nested):
            return False
        schema = found.schema
    return True


def test_every_scope_path_names_a_field_of_its_payload():
    missing = []
    for op, rule in policy.TABLE.items():
        if rule.scope is None or not rule.scope.paths:
            continue
        schema = _schema(op)
        missing += [f"{op}: {p}" for p in rule.scope.paths if not _has(schema, p)]
    assert missing == []


def test_the_path_check_fails_for_a_path_that_names_nothing():
    schema = _schema("scoring.record_honours")
    assert _has(schema, "honours[].subject") and not _has(schema, "honours[].person")
