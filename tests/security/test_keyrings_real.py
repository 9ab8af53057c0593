"""Per-process keyrings on RabbitMQ + PostgreSQL (docs/trust.md): rewards runs with its own keyring
(its private key, every public key); a process holding only survey's key tries to pass for scoring
(a rating event) and for an operator (``rewards.settle``).  It cannot sign for them, what it forges
with its own key is refused (the event dead-lettered, the call ``Unauthenticated``) and nothing is
paid; the control: scoring's own keyring signs a rating that rewards settles."""
import time

import jwt
import pytest
from nameko.amqp.publish import Publisher
from nameko.standalone.events import get_event_exchange
from nameko.standalone.rpc import ClusterRpcProxy

from rewards_ratings import officer, rating_payload, section
from shared import assertions
from shared.dlq import list_dead_letters
from shared.errors import Unauthenticated
from shared.identity import ALL_UNITS, Actor
from shared.runner import Suite
from tests.waiting import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.timeout(180)]


def rating(scope):
    return rating_payload(officers=[officer("o1", stars=5, score=97.0), officer("o2", stars=2, score=72.0)],
                          sections=[section("s1", stars=5, score=96.0)], headcount=10, scope=scope)


def forged(ring_path, actor, **extra):
    """A token for ``actor`` made with the one private key of the keyring at ``ring_path``."""
    (key,) = [k for k in assertions.Keyring(assertions.read_entries(ring_path)).keys.values()
              if k.private is not None]
    now = int(time.time())
    claims = {**assertions.actor_claims(actor), "aud": assertions.AUDIENCE, "iat": now, "exp": now + 300,
              **extra}
    return jwt.encode(claims, key.private, algorithm=assertions.ALGORITHM, headers={"kid": key.kid})


@pytest.fixture
def deployment(private_config, tmp_path):
    keys = assertions.deployment_keys()
    paths = {}
    for process in assertions.processes():
        paths[process] = tmp_path / "keyrings" / f"{process}.yml"
        assertions.write_entries(paths[process], assertions.keyring_for(keys, process))
    rewards_config = dict(private_config, AUTH_KEYRING=str(paths["rewards"]))
    suite = Suite(rewards_config, names=("rewards",)).start()
    try:
        yield suite, paths, {p: dict(private_config, AUTH_KEYRING=str(path)) for p, path in paths.items()}
    finally:
        suite.stop()


def ledger(configs):
    with ClusterRpcProxy(configs["operator"], timeout=20) as proxy:
        signed = assertions.SignedProxy(proxy, configs["operator"], Actor("auditor", "operator", ALL_UNITS))
        return signed.rewards.ledger({"limit": 10000})["lines"]


def test_a_process_with_survey_s_key_cannot_pass_for_scoring_or_an_operator(deployment):
    suite, paths, configs = deployment
    survey = configs["survey"]
    body = rating("forged")
    # through the suite's own signer: survey's keyring has no key for scoring, nor for an operator
    with pytest.raises(Unauthenticated):
        assertions.event_headers(survey, "scoring", "rating_published", body)
    with pytest.raises(Unauthenticated):
        assertions.signed_context(survey, Actor("ops", "operator", ALL_UNITS))
    # forged with its own private key: the event is dead-lettered, the call refused
    exchange = get_event_exchange("scoring", survey)
    Publisher(survey["AMQP_URI"], serializer="json").publish(
        body, exchange=exchange, routing_key="rating_published", declare=[exchange],
        headers={assertions.EVENT_AUTH_HEADER: forged(paths["survey"], Actor("scoring", "service"),
                                             eh=assertions.event_hash("scoring", "rating_published", body))})
    letters = wait_for(lambda: [x for x in list_dead_letters(survey) if "Unauthenticated" in str(x.get("error"))],
                       timeout=60)
    assert [x["body"]["rating_id"] for x in letters] == [body["rating_id"]]
    assert "may not sign for service:scoring" in letters[0]["error"]
    token = forged(paths["survey"], Actor("ops", "operator", ALL_UNITS))
    with ClusterRpcProxy(survey, timeout=20, context_data={assertions.AUTH_KEY: token}) as proxy:
        with pytest.raises(Unauthenticated) as refused:
            proxy.rewards.settle(rating("forged-settle"))
    assert refused.value.field == "kid"
    suite.wait_quiet(timeout=60)
    assert ledger(configs) == []
    # the control: scoring's own keyring signs a rating, and rewards settles it
    good = rating("k1")
    assertions.signed_event_dispatcher(configs["scoring"])("scoring", "rating_published", good)
    lines = wait_for(lambda: ledger(configs), timeout=60)
    assert lines and {x["source"] for x in lines} == {good["rating_id"]}
