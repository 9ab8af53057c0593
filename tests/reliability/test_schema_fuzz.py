"""Fuzz every RPC schema: every bad payload gets a named error (``ValidationFailed`` naming a field),
none a traceback; and a bounded sample of every service's real RPCs on the embedded suite: every
refused call raises one of the suite's named errors and leaves the service's database unchanged.
"""
import hashlib
import importlib
import inspect
import pkgutil
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, select

import shared.contracts
from shared.config import SERVICES
from shared.db import Database
from shared.errors import LianbaoError, ValidationFailed
from shared.runner import service_class
from shared.schemas import BaseSchema, load

pytestmark = pytest.mark.timeout(300)


def _schemas():
    for info in pkgutil.iter_modules(shared.contracts.__path__):
        importlib.import_module(f"shared.contracts.{info.name}")
    seen, todo = {}, list(BaseSchema.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("shared.contracts."):
            seen[f"{cls.__module__.rsplit('.', 1)[1]}.{cls.__name__}"] = cls
    return dict(sorted(seen.items()))


SCHEMAS = _schemas()

# what an attacker sends (issue 19): NUL and other control characters, CR/LF, unpaired surrogates,
# bidi overrides, formula starts, overlong and deeply nested values
HOSTILE = ["a\x00b", "\x00", "o1\r\nX: 1", "\x1b[2J", "\x7f", "\x85", "\ud800", "x\udfff", "\u202eo1",
           "=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "+1", "-1", "\t=1", "o 1", "o/1", "a" * 5000]


def _nested(depth: int):
    value = "x"
    for _ in range(depth):
        value = [value]
    return value


scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["", "2026", "2026-13", "2026-02", "2026H1", "2026-02-30", "0", "-1",
                              "office", "officer", "section", "agency", "annual", "a" * 300] + HOSTILE)
           | st.integers(60, 400).map(_nested))   # deeper: the caller's own json.dumps gives up first
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def _field_keys(schema) -> list[str]:
    return [f.data_key or name for name, f in schema.fields.items()]


def shaped(schema):
    """Dicts with the schema's own keys (and a stray one) holding junk: past the first checks."""
    keys = _field_keys(schema) + ["unexpected"]
    return st.dictionaries(st.sampled_from(keys), junk, max_size=len(keys))


def test_every_contract_module_has_schemas_to_fuzz():
    modules = {name.split(".")[0] for name in SCHEMAS}
    assert {"roster", "scoring", "survey", "training", "rewards", "scoring_events"} <= modules
    assert len(SCHEMAS) >= 40


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_junk_gets_a_named_error_never_a_traceback(name):
    schema = SCHEMAS[name]()

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.one_of(junk, shaped(schema)))
    def run(payload):
        try:
            load(schema, payload)
        except ValidationFailed as err:
            assert isinstance(err.field, str) and err.field, (payload, err)
            assert err.message, (payload, err)

    run()


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_control_characters_and_surrogates_in_any_string_field_are_refused_by_name(name):
    """Every string field of every contract refuses them (shared.schemas.BaseSchema), so every
    service refuses them alike; the error names the field."""
    from marshmallow import fields

    schema = SCHEMAS[name]()
    strings = [(f.data_key or key) for key, f in schema.fields.items() if isinstance(f, fields.String)]
    for key in strings:
        for bad in ("a\x00b", "o1\r\n", "\ud800", "\x1b"):
            if "\r" in bad and type(schema.fields[key]).__name__ not in ("Id",):
                continue   # free text may hold line breaks; ids may not
            with pytest.raises(ValidationFailed) as err:
                load(schema, {key: bad})
            assert any(d["field"] == key for d in err.value.details), (name, key, bad, err.value.details)


# -- real RPCs on the embedded suite: refused means untouched ----------------------------------
_LOAD = re.compile(r"load\((\w+)\.(\w+)\(\)")


def _rpc_methods(name):
    """(method, schema or None) of every @rpc of the service; the schema read from its source."""
    cls = service_class(name)
    module = importlib.import_module(cls.__module__)
    out = []
    for method_name, method in inspect.getmembers(cls, inspect.isfunction):
        entrypoints = getattr(method, "nameko_entrypoints", ())
        if not any(type(e).__name__ == "SuiteRpc" for e in entrypoints):
            continue
        if len(inspect.signature(method).parameters) < 2:   # health and the like: nothing to fuzz
            continue
        match = _LOAD.search(inspect.getsource(method))
        home = inspect.getmodule(method) or module          # a mixin's RPCs live in their own module
        schema = getattr(getattr(home, match.group(1)), match.group(2)) if match else None
        out.append((method_name, schema))
    return out


def _fingerprint(container) -> str:
    engine = next(d for d in container.dependencies if isinstance(d, Database)).engine
    meta = MetaData()
    meta.reflect(engine)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(meta.tables.values(), key=lambda t: t.name):
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(table)))
            digest.update(f"{table.name}:{len(rows)}:{rows}".encode())
    return digest.hexdigest()


@pytest.mark.parametrize("service", SERVICES)
def test_a_sample_of_real_rpcs_refuses_junk_by_name_and_writes_nothing(service, embedded_suite,
                                                                        figures):
    suite = embedded_suite([service], OUTBOX_POLL_SECONDS=0.2)
    container = suite.container(service)
    methods = _rpc_methods(service)
    assert len(methods) >= 5
    counts = {"calls": 0, "refused": 0, "accepted": 0}
    with suite.rpc(timeout=20) as rpc:
        for method_name, schema in methods:
            strategy = st.one_of(junk, shaped(schema())) if schema else junk

            @settings(max_examples=6, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck), database=None)
            @given(strategy)
            def call(payload):
                before = _fingerprint(container)
                counts["calls"] += 1
                try:
                    getattr(getattr(rpc, service), method_name)(payload)
                except LianbaoError as err:          # a named error of the suite's table
                    counts["refused"] += 1
                    assert err.message, (method_name, payload, err)
                    assert _fingerprint(container) == before, (method_name, payload)
                else:
                    counts["accepted"] += 1

            call()
    figures.update(service=service, rpc_methods=len(methods), messages_sent=counts["calls"],
                   refused_by_name=counts["refused"], accepted=counts["accepted"], tracebacks=0,
                   partial_writes=0)
    assert counts["refused"] > counts["accepted"]
