"""``lianbao.client`` against real services on the real RabbitMQ and PostgreSQL.

The services run in this (eventlet-patched) process with ``Suite(real_config, ...)``; the client
runs in a plain Python subprocess without eventlet, the way another system of the city would use
it.  Connection loss is made real: the client talks to RabbitMQ through a small TCP relay (in the
client's process) that swallows the broker's answers and then cuts the connection, after the
request has reached the service.
"""
import json
import subprocess
import sys
import textwrap

import eventlet
import pytest
from marshmallow import fields
from nameko.extensions import DependencyProvider
from sqlalchemy import Column, Integer, String

from shared.db import Database, make_base
from shared.entrypoints import rpc
from shared.errors import Conflict
from shared.runner import Suite, service_class
from shared.schemas import BaseSchema, load
from shared.service import ServiceBase

pytestmark = [pytest.mark.broker, pytest.mark.timeout(120)]

TargetBase = make_base()


class Entry(TargetBase):
    __tablename__ = "entry"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False, unique=True)


class AddEntry(BaseSchema):
    name = fields.String(required=True)


class CallerData(DependencyProvider):
    """The worker's context data (what the caller sent as ``nameko.<key>`` headers)."""

    def get_dependency(self, worker_ctx):
        return dict(worker_ctx.data)


class ClientTarget(ServiceBase):
    """Renamed per test (``client_target_<tag>``): test runs sharing the broker never share its queue."""
    name = "client_target"
    policy_open = True    # a test service outside the suite: not in the policy table
    db = Database(TargetBase)
    caller = CallerData()

    @rpc
    def add(self, payload):
        data = load(AddEntry(), payload)
        session = self.db.session
        if session.query(Entry).filter_by(name=data["name"]).first():
            raise Conflict("entry exists", "name")
        session.add(Entry(name=data["name"]))
        session.flush()
        return {"name": data["name"], "count": session.query(Entry).count()}

    @rpc
    def count(self):
        return self.db.session.query(Entry).count()

    @rpc
    def whoami(self):
        return {"actor": self.caller.get("actor"), "idempotency_key": self.caller.get("idempotency_key"),
                "who": f"{self.who.kind}:{self.who.sub}"}

    @rpc
    def slow(self, seconds):
        eventlet.sleep(seconds)
        return "done"

    @rpc
    def boom(self):
        raise ValueError("boom")


# The client's side: a plain Python program (no eventlet), with a TCP relay to the broker.
CLIENT_SCRIPT = textwrap.dedent(r'''
    import json, socket, sys, threading, time

    from lianbao.client import (Client, ConnectionLost, RemoteError, RpcTimeout, UnknownService)
    from shared.errors import LianbaoError

    class Relay:
        """client <-> relay <-> broker; ``swallow`` drops the broker's bytes; ``cut`` closes all."""

        def __init__(self, target):
            self.target = target
            self.swallow = False
            self.pairs = []
            self.server = socket.socket()
            self.server.bind(("127.0.0.1", 0))
            self.server.listen(8)
            self.port = self.server.getsockname()[1]
            threading.Thread(target=self._accept, daemon=True).start()

        def _accept(self):
            while True:
                client, _ = self.server.accept()
                upstream = socket.create_connection(self.target)
                self.pairs.append((client, upstream))
                threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
                threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

        def _pump(self, src, dst, from_broker):
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    if from_broker and self.swallow:
                        continue
                    dst.sendall(data)
            except OSError:
                pass
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass

        def cut(self):
            for pair in self.pairs:
                for s in pair:
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                        s.close()
                    except OSError:
                        pass
            self.pairs = []
            self.swallow = False

    def outcome(fn):
        started = time.monotonic()
        try:
            value = fn()
            out = {"ok": True, "result": value}
        except LianbaoError as err:
            out = {"ok": False, "error": type(err).__name__, "field": err.field, "message": err.message}
        except RemoteError as err:
            out = {"ok": False, "error": "RemoteError", "exc_type": err.exc_type, "value": err.value}
        except ConnectionLost as err:
            out = {"ok": False, "error": "ConnectionLost", "maybe_delivered": err.maybe_delivered}
        except (RpcTimeout, UnknownService) as err:
            out = {"ok": False, "error": type(err).__name__, "message": str(err)}
        out["seconds"] = round(time.monotonic() - started, 3)
        return out

    def cut_while_waiting(relay, client, fn):
        """Swallow the broker's answers, run ``fn`` and cut the connection 1 s later."""
        relay.swallow = True
        timer = threading.Timer(1.0, relay.cut)
        timer.start()
        try:
            return outcome(fn)
        finally:
            timer.cancel()

    scenario, url, arg, target = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
    # who the calls are signed as: the calling system, with the keyring the services made
    from shared.identity import Actor
    ring = sys.argv[5] if len(sys.argv) > 5 else None
    SIGNED = dict(identity=Actor("office-system", "system", "*"), keyring=ring) if ring else {}
    report = {"eventlet_loaded": "eventlet" in sys.modules}
    if scenario == "calls":
        with Client(url, actor="office-system", timeout=10) as c:
            report["unsigned"] = outcome(lambda: c.call(target, "add", {"name": arg + "-unsigned"}))
        with Client(url, actor="office-system", timeout=10, **SIGNED) as c:
            report["add"] = outcome(lambda: c.call(target, "add", {"name": arg}))
            report["again"] = outcome(lambda: getattr(c, target).add({"name": arg}))
            report["bad"] = outcome(lambda: getattr(c, target).add({"nme": arg}))
            report["boom"] = outcome(lambda: getattr(c, target).boom())
            report["unknown"] = outcome(lambda: c.call("nobody_here", "x"))
            report["whoami"] = outcome(lambda: getattr(c, target).whoami())
            report["whoami_read"] = outcome(lambda: getattr(c, target).whoami(idempotent=True))
            report["whoami_given"] = outcome(lambda: c.call(target, "whoami", actor="case-system",
                                                            idempotency_key="given-1"))
            report["count"] = outcome(lambda: getattr(c, target).count(idempotent=True))
    elif scenario == "timeout":
        with Client(url, timeout=10, **SIGNED) as c:
            report["slow"] = outcome(lambda: c.call(target, "slow", 3, timeout=0.5))
            report["after"] = outcome(lambda: getattr(c, target).slow(0))
    elif scenario == "retry":
        relay = Relay(("127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0])))
        via = url.rsplit(":", 1)[0] + ":%d/%s" % (relay.port, url.rsplit("/", 1)[1])  # same vhost
        with Client(via, timeout=20, retry_delay=0.1, **SIGNED) as c:
            report["warm"] = outcome(lambda: getattr(c, target).count(idempotent=True))
            report["keyed"] = cut_while_waiting(relay, c, lambda: c.call(
                target, "add", {"name": arg}, idempotency_key="office-batch-" + arg))
            report["reconnects_keyed"] = c.reconnects
            report["unkeyed"] = cut_while_waiting(relay, c, lambda: c.call(
                target, "add", {"name": arg + "-2"}, idempotency_key=None))
            report["rewarm"] = outcome(lambda: getattr(c, target).whoami(idempotent=True))
            report["read"] = cut_while_waiting(relay, c, lambda: getattr(c, target).count(idempotent=True))
            report["reconnects"] = c.reconnects
    elif scenario == "down":
        with Client("amqp://guest:guest@127.0.0.1:1/", timeout=2, retries=2, retry_delay=0.1, **SIGNED) as c:
            report["down"] = outcome(lambda: getattr(c, target).count(idempotent=True))
            report["down_command"] = outcome(lambda: c.call(target, "add", {"name": "x"},
                                                            idempotency_key=None))
    elif scenario == "nodes":  # a cluster's list whose first node is down: the next one answers
        with Client("amqp://guest:guest@127.0.0.1:1/;" + url, timeout=10, **SIGNED) as c:
            report["first_down"] = outcome(lambda: getattr(c, target).count(idempotent=True))
    elif scenario == "survey":
        with Client(url, actor="provincial-platform", timeout=10, **SIGNED) as c:
            report["health"] = outcome(lambda: c.survey.health(idempotent=True))
            report["missing"] = outcome(lambda: c.survey.get_campaign({"campaign_id": "none-such"},
                                                                      idempotent=True))
            report["bad"] = outcome(lambda: c.survey.get_campaign({}, idempotent=True))
    print(json.dumps(report))
''')


def run_client(tmp_path, scenario, url, arg=None, timeout=60, target="client_target"):
    script = tmp_path / "client_script.py"
    script.write_text(CLIENT_SCRIPT)
    ring = tmp_path / "data" / "keyring.yml"   # real_config's DATA_DIR: the services' keyring
    out = subprocess.run([sys.executable, str(script), scenario, url, json.dumps(arg), target]
                         + ([str(ring)] if ring.exists() else []),
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture
def target_name(real_config):
    return f"client_target_{real_config['_test_tag']}"


@pytest.fixture
def suite(real_config, target_name):
    cls = type("ClientTarget", (ClientTarget,), {"name": target_name})
    suite = Suite(real_config, classes=[cls]).start()
    yield suite
    suite.stop()


@pytest.fixture
def target(suite, real_config):
    return real_config["AMQP_URI"]


def test_client_calls_succeed_raise_named_errors_and_send_actor_and_key(target, target_name, tmp_path):
    r = run_client(tmp_path, "calls", target, "first", target=target_name)
    assert r["eventlet_loaded"] is False
    assert r["add"] == {"ok": True, "result": {"name": "first", "count": 1}, "seconds": r["add"]["seconds"]}
    assert r["again"]["error"] == "Conflict" and r["again"]["field"] == "name"
    assert r["bad"]["error"] == "ValidationFailed" and r["bad"]["field"] in ("name", "nme")
    assert r["boom"]["error"] == "RemoteError" and r["boom"]["exc_type"] == "ValueError"
    assert r["unknown"]["error"] == "UnknownService"
    assert r["unsigned"]["error"] == "Unauthenticated"        # no identity: refused, nothing added
    who = r["whoami"]["result"]
    assert who["actor"] == "office-system" and len(who["idempotency_key"]) == 32
    assert who["who"] == "system:office-system"                # the verified actor, not the header
    assert r["whoami_read"]["result"] == {"actor": "office-system", "idempotency_key": None,
                                          "who": "system:office-system"}
    assert r["whoami_given"]["result"] == {"actor": "case-system", "idempotency_key": "given-1",
                                           "who": "system:office-system"}
    assert r["count"]["result"] == 1


def test_client_call_times_out_and_the_client_still_works(target, target_name, tmp_path):
    r = run_client(tmp_path, "timeout", target, target=target_name)
    assert r["slow"]["error"] == "RpcTimeout"
    assert 0.4 <= r["slow"]["seconds"] < 2.0
    assert r["after"]["result"] == "done"


def test_lost_connection_is_retried_with_the_same_key_and_the_effect_happens_once(target, target_name, tmp_path,
                                                                                 suite):
    r = run_client(tmp_path, "retry", target, "retried", target=target_name)
    assert r["eventlet_loaded"] is False
    assert r["warm"]["result"] == 0
    # the keyed command ran on the first send, its answer was lost, the retry got that first answer
    assert r["keyed"]["ok"] is True, r["keyed"]
    assert r["keyed"]["result"] == {"name": "retried", "count": 1}
    assert r["reconnects_keyed"] == 1
    # a command without a key is not retried: the caller is told the outcome is unknown
    assert r["unkeyed"]["error"] == "ConnectionLost" and r["unkeyed"]["maybe_delivered"] is True
    # a declared read is retried without a key (on a connection that was open when it was sent)
    assert r["rewarm"]["ok"] is True
    # the unkeyed command may or may not have reached the service before the cut (that is what
    # maybe_delivered says); the keyed one took effect exactly once either way
    assert r["read"]["ok"] is True and r["read"]["result"] in (1, 2)
    assert r["reconnects"] == 3
    with suite.rpc() as proxy:
        assert getattr(proxy, target_name).count() == r["read"]["result"]


def test_client_given_a_list_of_nodes_uses_the_first_that_answers(target, target_name, tmp_path):
    r = run_client(tmp_path, "nodes", target, target=target_name)
    assert r["first_down"]["ok"] is True and r["first_down"]["result"] == 0, r


def test_unreachable_broker_gives_connection_lost_within_the_timeout(tmp_path):
    r = run_client(tmp_path, "down", "unused")
    assert r["down"]["error"] in ("ConnectionLost", "RpcTimeout")
    assert r["down"]["seconds"] < 3.0
    # never sent: a command without a key is still retried and reported as not delivered
    assert r["down_command"]["error"] == "ConnectionLost"
    assert r["down_command"]["maybe_delivered"] is False


def test_client_against_the_survey_service(real_config, tmp_path):
    suite = Suite(real_config, classes=[service_class("survey")]).start()
    try:
        r = run_client(tmp_path, "survey", real_config["AMQP_URI"])
    finally:
        suite.stop()
    assert r["health"]["result"]["service"] == "survey"
    assert r["health"]["result"]["database_kind"] == "postgresql"
    assert r["missing"]["error"] == "NotFound"
    assert r["bad"]["error"] == "ValidationFailed" and r["bad"]["field"] == "campaign_id"
