"""Two tiny services that exercise the plumbing (not part of the suite)."""
from sqlalchemy import Column, Integer, String

from shared.db import Database, make_base
from shared.entrypoints import event_handler, rpc
from shared.errors import Conflict
from shared.schemas import BaseSchema, load
from shared.service import ServiceBase
from marshmallow import fields

POISON_PREFIX = "poison"

SenderBase = make_base()
ReceiverBase = make_base()


class Note(SenderBase):
    __tablename__ = "note"
    id = Column(Integer, primary_key=True)
    text = Column(String(100), nullable=False, unique=True)


class Tally(ReceiverBase):
    __tablename__ = "tally"
    key = Column(String(100), primary_key=True)
    count = Column(Integer, nullable=False, default=0)


class NotePayload(BaseSchema):
    text = fields.String(required=True)
    fail_after_write = fields.Boolean(load_default=False)


class SenderService(ServiceBase):
    name = "probe_sender"
    policy_open = True    # a test service outside the suite: not in the policy table
    db = Database(SenderBase)

    @rpc
    def write(self, payload):
        data = load(NotePayload(), payload)
        session = self.db.session
        if session.query(Note).filter_by(text=data["text"]).first():
            raise Conflict("note exists", "text")
        session.add(Note(text=data["text"]))
        self.db.publish("noted", {"text": data["text"]})
        if data["fail_after_write"]:
            raise RuntimeError("boom after write")
        return {"text": data["text"], "count": session.query(Note).count()}

    @rpc
    def count(self):
        return self.db.session.query(Note).count()


class ReceiverService(ServiceBase):
    name = "probe_receiver"
    policy_open = True    # a test service outside the suite: not in the policy table
    db = Database(ReceiverBase)

    @event_handler("probe_sender", "noted")
    def on_noted(self, event):
        if event["text"].startswith(POISON_PREFIX):
            raise ValueError("poison event")
        tally = self.db.session.get(Tally, "noted") or Tally(key="noted", count=0)
        tally.count += 1
        self.db.session.add(tally)

    @rpc
    def tally(self):
        row = self.db.session.get(Tally, "noted")
        return row.count if row else 0
