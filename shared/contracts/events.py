"""Every event a service of the suite consumes, with the schema its payload must match.

The event entry point (:class:`shared.entrypoints.SuiteEventHandler`) loads each event with its
schema before any handler runs, so every handler of every service receives a validated payload and
a bad event is refused the same way everywhere, naming the field.  The envelope the outbox adds
(``event_id``, ``occurred_at``) is kept beside the payload: a schema that does not declare it is
given the payload without it.
"""
from __future__ import annotations

from shared.contracts import roster, scoring_events, survey, training
from shared.schemas import load

ENVELOPE = ("event_id", "occurred_at")

SCHEMAS = {(source, event_type): schema
           for source, table in ((roster.SERVICE, roster.EVENT_SCHEMAS),
                                 (scoring_events.SERVICE, scoring_events.EVENT_SCHEMAS),
                                 (survey.SERVICE, survey.EVENT_SCHEMAS),
                                 (training.SERVICE, training.EVENT_SCHEMAS))
           for event_type, schema in table.items()}


def schema_of(source: str, event_type: str):
    """The schema class of ``event_type`` published by ``source``; None for an event outside the
    suite's contracts (a test's own)."""
    return SCHEMAS.get((source, event_type))


def load_event(source: str, event_type: str, body):
    """``body`` loaded with its schema (raises :class:`shared.errors.ValidationFailed` naming the
    field); an event without a schema is returned as it came."""
    schema_cls = schema_of(source, event_type)
    if schema_cls is None:
        return body
    schema = schema_cls()
    envelope = {}
    if isinstance(body, dict):
        envelope = {k: body[k] for k in ENVELOPE if k in body and k not in schema.fields}
        body = {k: v for k, v in body.items() if k not in envelope}
    data = load(schema, body)
    data.update(envelope)
    return data
