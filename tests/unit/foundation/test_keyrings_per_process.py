"""Per-process keyrings (docs/trust.md): each process holds its own private key and every public
key, so a service can sign as itself only; what it signs for another name is refused by every
verifier; the keys that signed for everyone are given to nobody."""
import time

import jwt
import pytest
import yaml

from lianbao.cli import main
from shared import assertions
from shared.errors import Unauthenticated
from shared.identity import ALL_UNITS, Actor

KEYS = assertions.deployment_keys()
PUBLIC = assertions.Keyring([{k: v for k, v in e.items() if k != "private"} for e in KEYS])


def forged(entries, actor, **extra):
    """A token for ``actor`` made with the one private key of ``entries``, bypassing ``signer_for``
    (what a compromised process could do with its own key)."""
    (key,) = [k for k in assertions.Keyring(entries).keys.values() if k.private is not None]
    now = int(time.time())
    claims = {**assertions.actor_claims(actor), "aud": assertions.AUDIENCE, "iat": now, "exp": now + 300,
              **extra}
    return jwt.encode(claims, key.private, algorithm=assertions.ALGORITHM, headers={"kid": key.kid})


@pytest.mark.parametrize("process", assertions.processes())
def test_each_process_holds_its_own_private_key_and_every_public_key(process):
    ring = assertions.keyring_for(KEYS, process)
    assert len(ring) == len(KEYS) and all(e.get("public") for e in ring)
    (own,) = [e for e in ring if e.get("private")]
    assert own["signs"] == list(assertions.process_signs(process))


@pytest.mark.parametrize("process", [p for p in assertions.processes() if p not in ("gateway", "operator")])
def test_a_service_signs_as_itself_only_and_its_forgeries_are_refused(process):
    ring = assertions.keyring_for(KEYS, process)
    mine = assertions.sign(Actor(process, "service"), assertions.Keyring(ring))
    assert assertions.verify(mine, PUBLIC)[0] == Actor(process, "service")
    others = [Actor(p, "service") for p in assertions.processes() if p not in (process, "gateway", "operator")]
    for actor in others + [Actor("ops", "operator", ALL_UNITS), Actor("k1", "system", {"k1"}),
                           Actor("o1", "person")]:
        with pytest.raises(Unauthenticated):                 # its keyring has no key for them
            assertions.sign(actor, assertions.Keyring(ring))
        with pytest.raises(Unauthenticated) as refused:      # and what it forges is refused
            assertions.verify(forged(ring, actor), PUBLIC)
        assert refused.value.field == "kid" and "may not sign for" in refused.value.message


def test_the_gateway_signs_for_callers_never_as_a_service_or_an_operator():
    ring = assertions.keyring_for(KEYS, "gateway")
    for actor in (Actor("k1", "system", {"k1"}), Actor("office", "persons", {"k1"}), Actor("o1", "person")):
        assert assertions.verify(assertions.sign(actor, assertions.Keyring(ring)), PUBLIC)[0] == actor
    for actor in (Actor("scoring", "service"), Actor("ops", "operator", ALL_UNITS)):
        with pytest.raises(Unauthenticated):
            assertions.verify(forged(ring, actor), PUBLIC)


def test_a_key_for_everyone_is_given_to_nobody_and_a_process_without_a_key_is_refused():
    everyone = assertions.new_key("all")
    for process in assertions.processes():
        ring = assertions.keyring_for([everyone] + KEYS, process)
        assert not [e for e in ring if e["kid"] == "all" and e.get("private")]
    with pytest.raises(ValueError, match="scoring: no active key signs for service:scoring"):
        assertions.keyring_for([everyone], "scoring")
    both = assertions.keyring_for(KEYS, ["roster", "scoring"])        # one process running two services
    assert sorted(e["signs"][0] for e in both if e.get("private")) == ["service:roster", "service:scoring"]


def test_lianbao_keys_split_generates_per_process_keys_and_writes_one_keyring_each(tmp_path, capsys):
    master = tmp_path / "keyring.yml"
    assert main(["keys", "--keyring", str(master), "list"]) == 0        # the embedded default: one key
    (first,) = assertions.read_entries(master)
    assert main(["keys", "--keyring", str(master), "split"]) == 1        # no key of their own yet
    assert "no active key signs for" in capsys.readouterr().err
    assert main(["keys", "--keyring", str(master), "split", "--generate", "--out", str(tmp_path / "r")]) == 0
    entries = assertions.read_entries(master)
    assert [e["status"] for e in entries if e["kid"] == first["kid"]] == ["retired"]   # still verifies
    for process in assertions.processes():
        ring = yaml.safe_load((tmp_path / "r" / f"{process}.yml").read_text())["keys"]
        assert [e["signs"] for e in ring if e.get("private")] == [list(assertions.process_signs(process))]
        assert len(ring) == len(entries)
    assert main(["keys", "--keyring", str(master), "split", "--process", "roster+scoring", "--out",
                 str(tmp_path / "r")]) == 0
    ring = yaml.safe_load((tmp_path / "r" / "roster+scoring.yml").read_text())["keys"]
    assert len([e for e in ring if e.get("private")]) == 2
    assert main(["keys", "--keyring", str(master), "split", "--process", "nobody"]) == 2
