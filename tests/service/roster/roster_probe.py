"""A tiny consumer of the roster's events, to check they leave through the outbox and match the
contract's schemas (not part of the suite)."""
from shared.contracts import roster as c
from shared.entrypoints import event_handler, rpc
from shared.schemas import load

RECEIVED: list = []


def _keep(event_type, event):
    body = {k: v for k, v in event.items() if k not in ("event_id", "occurred_at")}
    load(c.EVENT_SCHEMAS[event_type](), body)   # raises if the payload breaks the contract
    RECEIVED.append((event_type, body))


class RosterProbe:
    name = "roster_probe"

    @rpc
    def received(self):
        return RECEIVED

    @event_handler(c.SERVICE, c.STAFF_JOINED)
    def on_joined(self, event):
        _keep(c.STAFF_JOINED, event)

    @event_handler(c.SERVICE, c.MENTOR_ASSIGNED)
    def on_assigned(self, event):
        _keep(c.MENTOR_ASSIGNED, event)

    @event_handler(c.SERVICE, c.MENTOR_UNASSIGNED)
    def on_unassigned(self, event):
        _keep(c.MENTOR_UNASSIGNED, event)

    @event_handler(c.SERVICE, c.STATUS_SPELL_RECORDED)
    def on_spell(self, event):
        _keep(c.STATUS_SPELL_RECORDED, event)

    @event_handler(c.SERVICE, c.BAN_VIOLATED)
    def on_ban(self, event):
        _keep(c.BAN_VIOLATED, event)

    @event_handler(c.SERVICE, c.STAFF_LEFT)
    def on_left(self, event):
        _keep(c.STAFF_LEFT, event)

    @event_handler(c.SERVICE, c.UNITS_SAVED)
    def on_units(self, event):
        _keep(c.UNITS_SAVED, event)

    @event_handler(c.SERVICE, c.STAFF_CHANGED)
    def on_changed(self, event):
        _keep(c.STAFF_CHANGED, event)

    @event_handler(c.SERVICE, c.EVALUATORS_RESOLVED)
    def on_evaluators(self, event):
        _keep(c.EVALUATORS_RESOLVED, event)
