"""``lianbao keys``: list without private keys, rotate (the old key retired, still verifying),
retire, remove (never the last active key), export public keys only."""
import pytest
import yaml

from lianbao.cli import main
from shared import assertions
from shared.errors import Unauthenticated
from shared.identity import Actor



def test_keys_rotate_retire_remove_and_export(tmp_path, capsys):
    ring = tmp_path / "keyring.yml"
    assert main(["keys", "--keyring", str(ring), "list"]) == 0
    out = capsys.readouterr().out
    (first,) = assertions.read_entries(ring)
    assert first["kid"] in out and first["private"] not in out and "1 key(s)" in out
    old_token = assertions.sign(Actor("p1", "person"), assertions.Keyring([first]))

    assert main(["keys", "--keyring", str(ring), "rotate"]) == 0
    first_now, second = assertions.read_entries(ring)
    assert first_now["status"] == "retired" and second["status"] == "active"
    keyring = assertions.Keyring(assertions.read_entries(ring))
    assert assertions.verify(old_token, keyring)[0].sub == "p1"          # retired: still verifies
    assert keyring.signer_for(Actor("p1", "person")).kid == second["kid"]

    assert main(["keys", "--keyring", str(ring), "remove", second["kid"]]) == 1   # the last active one
    assert main(["keys", "--keyring", str(ring), "remove", first["kid"]]) == 0
    with pytest.raises(Unauthenticated):
        assertions.verify(old_token, assertions.Keyring(assertions.read_entries(ring)))
    assert main(["keys", "--keyring", str(ring), "retire", "nope"]) == 1
    capsys.readouterr()

    assert main(["keys", "--keyring", str(ring), "export"]) == 0
    exported = yaml.safe_load(capsys.readouterr().out)["keys"]
    assert [e["kid"] for e in exported] == [second["kid"]] and "private" not in exported[0]
    public_only = assertions.Keyring(exported)                         # verifies, cannot sign
    token = assertions.sign(Actor("ops", "operator"), assertions.Keyring(assertions.read_entries(ring)))
    assert assertions.verify(token, public_only)[0].kind == "operator"
    with pytest.raises(Unauthenticated):
        public_only.signer_for(Actor("ops", "operator"))


def test_rotate_with_narrower_signs_keeps_the_broader_key_active(tmp_path, capsys):
    ring = tmp_path / "keyring.yml"
    main(["keys", "--keyring", str(ring), "list"])
    assert main(["keys", "--keyring", str(ring), "rotate", "--signs", "service:scoring"]) == 0
    general, scoring = assertions.read_entries(ring)
    assert general["status"] == "active" and scoring["signs"] == ["service:scoring"]
