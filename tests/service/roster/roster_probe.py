"""A tiny consumer of the roster's events, to check they leave through the outbox and match the
contract's schemas (not part of the suite)."""
from shared.contracts import roster as roster_contract
from shared.entrypoints import event_handler, rpc
from shared.runner import service_class

RECEIVED: list = []


def _keep(event_type, event):
    """``event`` as the entry point gave it: loaded by its contract's schema (a payload breaking the
    contract never gets here); kept as the wire carried it (dates as ISO strings)."""
    body = {k: v for k, v in event.items() if k not in ("event_id", "occurred_at")}
    RECEIVED.append((event_type, roster_contract.EVENT_SCHEMAS[event_type]().dump(body)))


def roster_and_probe(embedded_suite):
    """The roster and this probe on the embedded broker (the outbox polled every 0.2 s), nothing
    received yet."""
    RECEIVED.clear()
    return embedded_suite(classes=[service_class("roster"), RosterProbe], OUTBOX_POLL_SECONDS=0.2)


class RosterProbe:
    name = "roster_probe"
    policy_open = True    # a test service outside the suite: not in the policy table

    @rpc
    def received(self):
        return RECEIVED

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_JOINED)
    def on_joined(self, event):
        _keep(roster_contract.STAFF_JOINED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.MENTOR_ASSIGNED)
    def on_assigned(self, event):
        _keep(roster_contract.MENTOR_ASSIGNED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.MENTORS_ASSIGNED)
    def on_batch_assigned(self, event):
        _keep(roster_contract.MENTORS_ASSIGNED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.MENTOR_UNASSIGNED)
    def on_unassigned(self, event):
        _keep(roster_contract.MENTOR_UNASSIGNED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STATUS_SPELL_RECORDED)
    def on_spell(self, event):
        _keep(roster_contract.STATUS_SPELL_RECORDED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.BAN_VIOLATED)
    def on_ban(self, event):
        _keep(roster_contract.BAN_VIOLATED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_LEFT)
    def on_left(self, event):
        _keep(roster_contract.STAFF_LEFT, event)

    @event_handler(roster_contract.SERVICE, roster_contract.UNITS_SAVED)
    def on_units(self, event):
        _keep(roster_contract.UNITS_SAVED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.STAFF_CHANGED)
    def on_changed(self, event):
        _keep(roster_contract.STAFF_CHANGED, event)

    @event_handler(roster_contract.SERVICE, roster_contract.EVALUATORS_RESOLVED)
    def on_evaluators(self, event):
        _keep(roster_contract.EVALUATORS_RESOLVED, event)
