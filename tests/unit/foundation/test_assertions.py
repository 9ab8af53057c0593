"""Signed assertions of who acts (shared.assertions): signing, verifying, the keyring file."""
import os
import stat
import time

import jwt
import pytest
import yaml

from shared import assertions
from shared.errors import Unauthenticated
from shared.identity import ALL_UNITS, Actor, current

PERSON = Actor("p1", "person")
SYSTEM = Actor("k1-office", "system", {"k1", "k1_ps"})
SCORING = Actor("scoring", "service", ALL_UNITS)


@pytest.fixture
def ring():
    return assertions.Keyring([assertions.new_key("one")])


def test_a_signed_assertion_verifies_as_its_actor(ring):
    token = assertions.sign(SYSTEM, ring)
    actor, claims = assertions.verify(token, ring)
    assert actor == SYSTEM and actor.units == frozenset({"k1", "k1_ps"})
    assert claims["aud"] == "lianbao" and claims["exp"] - claims["iat"] == assertions.DEFAULT_SECONDS
    assert jwt.get_unverified_header(token)["kid"] == "one"
    assert assertions.verify(assertions.sign(SCORING, ring), ring)[0].units == ALL_UNITS


def test_missing_or_garbled_assertions_are_refused(ring):
    for token in (None, "", 42, "not.a.jwt", "abc"):
        with pytest.raises(Unauthenticated):
            assertions.verify(token, ring)


def test_an_expired_assertion_is_refused(ring):
    token = assertions.sign(PERSON, ring, seconds=60, now=time.time() - 600)
    with pytest.raises(Unauthenticated) as err:
        assertions.verify(token, ring)
    assert err.value.field == "exp"


def test_another_audience_is_refused(ring):
    key = ring.keys["one"]
    now = int(time.time())
    token = jwt.encode({"sub": "p1", "kind": "person", "units": [], "aud": "elsewhere", "iat": now,
                        "exp": now + 60}, key.private, algorithm="EdDSA", headers={"kid": "one"})
    with pytest.raises(Unauthenticated) as err:
        assertions.verify(token, ring)
    assert err.value.field == "aud"


def test_an_unknown_kid_and_a_forged_key_are_refused(ring):
    other = assertions.Keyring([assertions.new_key("other")])
    with pytest.raises(Unauthenticated) as err:
        assertions.verify(assertions.sign(PERSON, other), ring)
    assert err.value.field == "kid"
    forger = assertions.Keyring([assertions.new_key("one")])  # the same kid, another key: the signature fails
    with pytest.raises(Unauthenticated):
        assertions.verify(assertions.sign(PERSON, forger), ring)


def test_a_token_with_another_algorithm_is_refused(ring):
    now = int(time.time())
    token = jwt.encode({"sub": "x", "kind": "operator", "units": "*", "aud": "lianbao", "iat": now,
                        "exp": now + 60}, "secret" * 6, algorithm="HS256", headers={"kid": "one"})
    with pytest.raises(Unauthenticated):
        assertions.verify(token, ring)


def test_a_retired_key_verifies_but_never_signs_and_a_removed_key_verifies_nothing():
    old, new = assertions.new_key("old"), assertions.new_key("new")
    token = assertions.sign(PERSON, assertions.Keyring([old]))
    old["status"] = "retired"
    ring = assertions.Keyring([old, new])
    assert assertions.verify(token, ring)[0] == PERSON
    assert jwt.get_unverified_header(assertions.sign(PERSON, ring))["kid"] == "new"
    with pytest.raises(Unauthenticated):
        assertions.sign(PERSON, assertions.Keyring([old]))  # retired only: nothing may sign
    with pytest.raises(Unauthenticated) as err:
        assertions.verify(token, assertions.Keyring([new]))
    assert err.value.field == "kid"


def test_a_key_verifies_only_the_kinds_it_may_sign_for():
    services_only = assertions.new_key("svc", signs=["service:*"])
    scoring_only = assertions.new_key("sc", signs=["service:scoring"])
    anything = assertions.new_key("all", signs=["*"])
    with pytest.raises(Unauthenticated):
        assertions.sign(PERSON, assertions.Keyring([services_only]))
    # the same key, claiming more
    forged = assertions.sign(PERSON, assertions.Keyring([dict(services_only, signs=["person"])]))
    with pytest.raises(Unauthenticated) as err:
        assertions.verify(forged, assertions.Keyring([services_only]))
    assert err.value.field == "kid"
    assert assertions.verify(assertions.sign(SCORING, assertions.Keyring([scoring_only])),
                             assertions.Keyring([scoring_only]))[0] == SCORING
    with pytest.raises(Unauthenticated):
        assertions.verify(assertions.sign(Actor("survey", "service"),
                                          assertions.Keyring([anything, dict(scoring_only, signs=["*"])])),
                          assertions.Keyring([scoring_only]))
    assert assertions.signs_for(["system:*"], SYSTEM) and not assertions.signs_for(["system:other"], SYSTEM)


def test_an_event_token_is_bound_to_its_origin_type_and_body(tmp_path):
    config = {"DATA_DIR": str(tmp_path)}
    body = {"event_id": "e1", "rating_id": "r1", "lines": [{"person": "p1", "amount": 600}]}
    headers = assertions.event_headers(config, "scoring", "rating_published", body)
    token = headers[assertions.EVENT_AUTH_HEADER]
    verifier = assertions.verifier_of(config)
    assert verifier.event_actor(token, "scoring", "rating_published", body) == Actor("scoring", "service")
    tampered = dict(body, lines=[{"person": "p1", "amount": 60000}])
    for args in (("scoring", "rating_published", tampered), ("scoring", "rating_revised", body),
                 ("survey", "rating_published", body)):
        with pytest.raises(Unauthenticated):
            verifier.event_actor(token, *args)
    # a service's RPC token (no body hash) does not sign an event
    with pytest.raises(Unauthenticated):
        verifier.event_actor(assertions.signer_of(config).token(SCORING), "scoring", "rating_published", body)


def test_the_keyring_is_created_0600_on_first_use_and_reread_when_it_changes(tmp_path):
    config = {"DATA_DIR": str(tmp_path / "data")}
    path = assertions.keyring_path(config)
    assert not path.exists()
    ring = assertions.keyring_of(config).get()
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    (kid,) = ring.keys
    entries = yaml.safe_load(path.read_text())["keys"]
    entries.append(assertions.new_key("second"))
    assertions.write_entries(path, entries)
    holder = assertions.keyring_of(config)
    holder._checked = 0.0  # the file is looked at again at most once a second
    assert set(holder.get().keys) == {kid, "second"}


def test_verified_tokens_are_cached_and_signed_tokens_reused(tmp_path):
    config = {"DATA_DIR": str(tmp_path)}
    signer, verifier = assertions.signer_of(config), assertions.verifier_of(config)
    token = signer.token(PERSON)
    assert signer.token(PERSON) == token               # more than half its life left: reused
    assert signer.token(SYSTEM) != token
    assert verifier.actor(token) == PERSON
    assert token in verifier._cache and verifier.actor(token) == PERSON


def test_a_cached_assertion_is_refused_once_expired_tampered_or_its_key_gone(tmp_path):
    """The verifier's cache (by the token's exact text, until its exp, with the keyring it was
    verified by) never admits what verifying would refuse (issue 24 item 2)."""
    config = {"DATA_DIR": str(tmp_path)}
    holder, verifier = assertions.keyring_of(config), assertions.verifier_of(config)
    ring = holder.get()
    token = assertions.sign(PERSON, ring)
    assert verifier.actor(token) == PERSON and token in verifier._cache
    head, body, signature = token.split(".")
    flipped = "A" if signature[5] != "A" else "B"
    for forged in (f"{head}.{body}.{signature[:5]}{flipped}{signature[6:]}", f"{head}.{body}x.{signature}",
                   token + "x", token[:-1]):
        with pytest.raises(Unauthenticated):
            verifier.actor(forged)
    # one verified while it was valid, kept till its exp: past exp (and the leeway) it is refused
    old = assertions.sign(PERSON, ring, seconds=60, now=time.time() - 60 - assertions.LEEWAY - 2)
    verifier._cache[old] = (PERSON, float(jwt.decode(old, options={"verify_signature": False})["exp"]), ring)
    with pytest.raises(Unauthenticated) as expired:
        verifier.actor(old)
    assert expired.value.field == "exp"
    # its key removed from the keyring file: the cached token verifies no more
    assertions.write_entries(assertions.keyring_path(config), [assertions.new_key("another")])
    holder._checked = 0.0       # the file is looked at again at most once a second
    with pytest.raises(Unauthenticated) as unknown:
        verifier.actor(token)
    assert unknown.value.field == "kid"


def test_current_trusts_only_an_actor_the_entry_point_put_there():
    class Ctx:
        def __init__(self, data):
            self.data = data

    assert current(Ctx({"lianbao.actor": PERSON})) == PERSON
    assert current(Ctx({"lianbao.actor": {"sub": "p1", "kind": "operator"}})) is None
    assert current(Ctx({})) is None


def test_the_harness_signs_as_the_payloads_actor():
    assert assertions.payload_actor(({"actor": "p7", "x": 1},), {}) == Actor("p7", "person")
    assert assertions.payload_actor(({"x": 1},), {}).kind == "operator"
    assert assertions.payload_actor((), {}).kind == "operator"


def test_the_gateway_asserts_the_system_it_authenticated():
    from services.gateway.public_pages import PUBLIC_CALLER
    from services.gateway.tokens import TokenBook, assertion_for

    book = TokenBook([
        {"system": "k1-office", "actor": "k1-staff", "token": "t" * 20, "agencies": frozenset({"k1"})},
        {"system": "k1-keying", "actor": "k1-keying", "token": "u" * 20, "agencies": frozenset({"k1"}),
         "kind": "persons"},
        {"system": "city", "actor": "city", "token": "v" * 20, "agencies": "*"}])
    assert assertion_for(book.caller("Bearer " + "t" * 20)) == Actor("k1-office", "system", {"k1"})
    assert assertion_for(book.caller("Bearer " + "u" * 20)) == Actor("k1-keying", "persons", {"k1"})
    assert assertion_for(book.caller("Bearer " + "v" * 20)).units == ALL_UNITS
    # the public pages: the gateway itself, the role the policy table gives the public's forms
    assert assertion_for(PUBLIC_CALLER) == Actor("gateway", "public")      # the policy's role public
    # a token file cannot make a caller of that kind
    from shared.contracts import gateway as contract
    from shared.errors import ValidationFailed
    from shared.schemas import load

    with pytest.raises(ValidationFailed):
        load(contract.TokenFile(), {"systems": [{"system": "x", "actor": "x", "token": "w" * 20,
                                                 "agencies": "*", "kind": "gateway"}]})
