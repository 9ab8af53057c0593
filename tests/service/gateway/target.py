"""A small service behind a test gateway: each RPC exercises one path of the gateway."""
import base64

import eventlet
from marshmallow import fields, validate
from nameko.extensions import DependencyProvider
from sqlalchemy import Column, Integer, String

from shared.db import Database, make_base
from shared.entrypoints import rpc
from shared.errors import Conflict, NotFound
from shared.schemas import BaseSchema, Id, StrictInteger, load
from shared.service import ServiceBase

from services.gateway.app import make_gateway
from services.gateway.routing import Export, Route, Scope

Base = make_base()

THINGS = {"t-county": "c_ps", "t-city": "m_ps", "t-orphan": None}


class Row(Base):
    __tablename__ = "row"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)


class Member(BaseSchema):
    id = fields.String(required=True)
    agency = fields.String(required=True)


class EchoIn(BaseSchema):
    agency = Id(required=True, validate=validate.Length(min=1, max=50))
    members = fields.List(fields.Nested(Member), load_default=list)
    size = StrictInteger(load_default=1, validate=validate.Range(min=1, max=10))


class AddIn(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ThingRef(BaseSchema):
    thing_id = fields.String(required=True, validate=validate.Length(min=1, max=100))


class ListQuery(BaseSchema):
    count = fields.String(required=True, validate=validate.Regexp(r"^\d{1,6}$"))


class CallerData(DependencyProvider):
    def get_dependency(self, worker_ctx):
        return dict(worker_ctx.data)


class GwTarget(ServiceBase):
    name = "gw_target"
    policy_open = True    # a test service outside the suite: not in the policy table
    db = Database(Base)
    caller = CallerData()

    @rpc
    def echo(self, payload):
        load(EchoIn(), payload)
        return {"payload": payload, "actor": self.caller.get("actor"),
                "idempotency_key": self.caller.get("idempotency_key")}

    @rpc
    def add(self, payload):
        data = load(AddIn(), payload)
        session = self.db.session
        if session.query(Row).filter_by(name=data["name"]).first():
            raise Conflict("row exists", "name")
        session.add(Row(name=data["name"]))
        session.flush()
        return {"name": data["name"], "rows": session.query(Row).count()}

    @rpc
    def rows(self, payload=None):
        return {"rows": self.db.session.query(Row).count()}

    @rpc
    def get_thing(self, payload):
        data = load(ThingRef(), payload)
        if data["thing_id"] == "t-broken":
            raise ValueError("the lookup itself fails")
        if data["thing_id"] not in THINGS:
            raise NotFound("no such thing", "thing_id")
        return {"thing_id": data["thing_id"], "owner": THINGS[data["thing_id"]]}

    @rpc
    def listing(self, payload):
        n = int(payload["count"])
        return {"items": [{"n": i, "名称": f"人员{i}"} for i in range(n)]}

    @rpc
    def workbook(self, payload):
        content = bytes(range(256)) * 1000  # 256 kB
        return {"filename": "满意度.xlsx", "content_base64": base64.b64encode(content).decode()}

    @rpc
    def boom(self, payload):
        raise ValueError("boom")

    @rpc
    def slow(self, payload):
        eventlet.sleep(5)
        return {}


THING = Scope.lookup("gw_target.get_thing", {"thing_id": "thing_id"}, "owner")

TEST_ROUTES = [
    Route("GET", "/health", "gw_target.health", "health", "health", no_args=True, errors=()),
    Route("POST", "/echo", "gw_target.echo", "echo", "the payload and context",
          body=EchoIn(), scope=Scope.at("agency", "members[].agency")),
    Route("POST", "/rows", "gw_target.add", "add a row", "the row", body=AddIn(), errors=(400, 409)),
    Route("GET", "/rows", "gw_target.rows", "count rows", "{rows}"),
    Route("GET", "/things/{thing_id}", "gw_target.get_thing", "a thing", "the thing", scope=THING),
    Route("GET", "/things/{thing_id}/listing", "gw_target.listing", "a listing", "NDJSON",
          query=ListQuery(), scope=THING, export=Export("ndjson", items="items")),
    Route("GET", "/things/{thing_id}/workbook", "gw_target.workbook", "a workbook", "xlsx",
          scope=THING, export=Export("xlsx")),
    Route("POST", "/boom", "gw_target.boom", "fails", "never", body=AddIn()),
    Route("POST", "/slow", "gw_target.slow", "too slow", "never", body=AddIn()),
]

TestGateway = make_gateway(TEST_ROUTES, name="gw_test", title="test gateway")
