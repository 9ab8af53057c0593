"""Identity is verified, never asserted (issue 18 items 1 and 8), tried as an attacker would on
RabbitMQ + PostgreSQL: each attack is refused AND writes nothing; each has a control call, signed
as the suite signs, that succeeds.

The attacker has broker access (the guest user of the test vhost) but not the deployment's keyring."""
import time

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from rewards_ratings import officer, rating_payload, section
from shared import assertions
from shared.dlq import list_dead_letters
from shared.errors import Forbidden, NotFound, Unauthenticated
from shared.identity import Actor
from tests.waiting import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.timeout(240)]

FEB = "2026-02"


def submission(actor="o1", subject="o1"):
    return {"actor": actor, "subject": subject, "month": FEB, "as_of": "2026-03-02",
            "item_scores": {"political.study": 7}}


def rating(**kw):
    return rating_payload(officers=[officer("o1", stars=5, score=97.0), officer("o2", stars=2, score=72.0)],
                          sections=[section("s1", stars=5, score=96.0)], headcount=10, **kw)


def evaluation_of(suite, subject="o1"):
    with suite.rpc(as_operator="auditor") as rpc:
        try:
            return rpc.scoring.evaluation({"subject": subject, "month": FEB})
        except NotFound:
            return None


def ledger(suite):
    with suite.rpc(as_operator="auditor") as rpc:
        return rpc.rewards.ledger({"limit": 10000})["lines"]


def raw_call(suite, token, payload):
    """scoring.submit_self_assessment with ``token`` (or none) as the only assertion."""
    data = {assertions.AUTH_KEY: token} if token is not None else {}
    with ClusterRpcProxy(suite.config, timeout=20, context_data=data) as rpc:
        return rpc.scoring.submit_self_assessment(payload)


def test_an_unsigned_call_is_refused_and_writes_nothing(suite):
    with suite.rpc(signed=False) as rpc:
        with pytest.raises(Unauthenticated) as err:
            rpc.scoring.submit_self_assessment(submission())
        assert err.value.field == assertions.AUTH_KEY
        with pytest.raises(Unauthenticated):          # a read too: nothing runs unsigned
            rpc.scoring.evaluation({"subject": "o1", "month": FEB})
    with pytest.raises(Unauthenticated):              # an asserted actor header is no identity
        with ClusterRpcProxy(suite.config, timeout=20, context_data={"actor": "o1"}) as rpc:
            rpc.scoring.submit_self_assessment(submission())
    assert evaluation_of(suite) is None
    with suite.rpc(as_person="o1") as rpc:          # control
        assert rpc.scoring.submit_self_assessment(submission())["state"] == "submitted"
    assert evaluation_of(suite)["state"] == "submitted"


def test_a_forged_assertion_is_refused_and_writes_nothing(suite):
    real = assertions.keyring_of(suite.config).get()
    (kid,) = real.keys
    other_key = assertions.Keyring([assertions.new_key("attacker")])               # a key the suite does not know
    same_kid = assertions.Keyring([assertions.new_key(kid)])                        # the suite's kid, another key
    operator = Actor("root", "operator", "*")
    for forged in (assertions.sign(operator, other_key), assertions.sign(operator, same_kid),
                   assertions.sign(Actor("o1", "person"), same_kid)):
        with pytest.raises(Unauthenticated):
            raw_call(suite, forged, submission())
    assert evaluation_of(suite) is None
    assert raw_call(suite, assertions.sign(Actor("o1", "person"), real), submission())["state"] == "submitted"


def test_an_expired_assertion_is_refused_and_writes_nothing(suite):
    real = assertions.keyring_of(suite.config).get()
    expired = assertions.sign(Actor("o1", "person"), real, seconds=60, now=time.time() - 3600)
    with pytest.raises(Unauthenticated) as err:
        raw_call(suite, expired, submission())
    assert err.value.field == "exp"
    assert evaluation_of(suite) is None
    assert raw_call(suite, assertions.sign(Actor("o1", "person"), real), submission())["state"] == "submitted"


def test_a_person_acting_as_someone_else_is_refused_and_writes_nothing(suite):
    with suite.rpc(as_person="o2") as rpc:
        with pytest.raises(Forbidden) as err:
            rpc.scoring.submit_self_assessment(submission(actor="o1", subject="o1"))
        assert err.value.field == "actor"
    assert evaluation_of(suite) is None
    with suite.rpc(as_person="o1") as rpc:          # control: o1 herself
        assert rpc.scoring.submit_self_assessment(submission())["state"] == "submitted"


def test_a_forged_rating_event_is_dead_lettered_and_rewards_pays_nothing(suite):
    config = suite.config
    real = assertions.keyring_of(config).get()
    from nameko.amqp.publish import Publisher
    from nameko.standalone.events import get_event_exchange

    publisher = Publisher(config["AMQP_URI"], serializer="json")
    exchange = get_event_exchange("scoring", config)
    forged = [rating(scope=f"f{i}") for i in range(4)]
    other = rating(scope="moved")
    headers = [
        {},                                                                                  # unsigned
        {assertions.EVENT_AUTH_HEADER: assertions.sign(                                  # other key
            Actor("scoring", "service"), assertions.Keyring([assertions.new_key("x")]),
            eh=assertions.event_hash("scoring", "rating_published", forged[1]))},
        {assertions.EVENT_AUTH_HEADER: assertions.sign(                                  # not scoring
            Actor("survey", "service"), real,
            eh=assertions.event_hash("scoring", "rating_published", forged[2]))},
        assertions.event_headers(config, "scoring", "rating_published", other),          # moved token
    ]
    for body, header in zip(forged, headers):
        publisher.publish(body, exchange=exchange, routing_key="rating_published", headers=header,
                          declare=[exchange])
    letters = wait_for(lambda: (lambda found: found if len(found) >= 4 else None)(
        [x for x in list_dead_letters(config) if "Unauthenticated" in str(x.get("error"))]), timeout=60)
    assert letters and len(letters) == 4, letters
    assert {x["body"]["rating_id"] for x in letters} == {f["rating_id"] for f in forged}
    suite.wait_quiet(timeout=60)
    assert ledger(suite) == []
    good = rating(scope="a1")
    suite.dispatch("scoring", "rating_published", good)              # control: signed by scoring
    lines = wait_for(lambda: ledger(suite), timeout=60)
    assert lines and {x["source"] for x in lines} == {good["rating_id"]}


def test_settle_by_a_calling_system_is_refused_and_writes_nothing(suite):
    payload = rating()
    # the policy table: an operator's replay only (scoring's ratings settle through its signed event)
    for who in (dict(as_system="k1", units={"ps"}), dict(as_person="o1"), dict(as_service="survey"),
                dict(as_service="scoring")):
        with suite.rpc(**who) as rpc:
            with pytest.raises(Forbidden) as refused:
                rpc.rewards.settle(payload)
            assert refused.value.field == "actor" and refused.value.message.startswith("rewards.settle:")
    assert ledger(suite) == []
    with suite.rpc(as_operator="ops") as rpc:   # control
        assert rpc.rewards.settle(payload)["settled"]
    assert ledger(suite)
