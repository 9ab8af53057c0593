"""``lianbao keys``: list without private keys, rotate (the old key retired, still verifying),
retire, remove (never the last active key), export public keys only."""
import pytest
import yaml

from lianbao.cli import main
from shared import assertions as a
from shared.errors import Unauthenticated
from shared.identity import Actor



def test_keys_rotate_retire_remove_and_export(tmp_path, capsys):
    ring = tmp_path / "keyring.yml"
    assert main(["keys", "--keyring", str(ring), "list"]) == 0
    out = capsys.readouterr().out
    (first,) = a.read_entries(ring)
    assert first["kid"] in out and first["private"] not in out and "1 key(s)" in out
    old_token = a.sign(Actor("p1", "person"), a.Keyring([first]))

    assert main(["keys", "--keyring", str(ring), "rotate"]) == 0
    first_now, second = a.read_entries(ring)
    assert first_now["status"] == "retired" and second["status"] == "active"
    keyring = a.Keyring(a.read_entries(ring))
    assert a.verify(old_token, keyring)[0].sub == "p1"          # retired: still verifies
    assert keyring.signer_for(Actor("p1", "person")).kid == second["kid"]

    assert main(["keys", "--keyring", str(ring), "remove", second["kid"]]) == 1   # the last active one
    assert main(["keys", "--keyring", str(ring), "remove", first["kid"]]) == 0
    with pytest.raises(Unauthenticated):
        a.verify(old_token, a.Keyring(a.read_entries(ring)))
    assert main(["keys", "--keyring", str(ring), "retire", "nope"]) == 1
    capsys.readouterr()

    assert main(["keys", "--keyring", str(ring), "export"]) == 0
    exported = yaml.safe_load(capsys.readouterr().out)["keys"]
    assert [e["kid"] for e in exported] == [second["kid"]] and "private" not in exported[0]
    public_only = a.Keyring(exported)                         # verifies, cannot sign
    token = a.sign(Actor("ops", "operator"), a.Keyring(a.read_entries(ring)))
    assert a.verify(token, public_only)[0].kind == "operator"
    with pytest.raises(Unauthenticated):
        public_only.signer_for(Actor("ops", "operator"))


def test_rotate_with_narrower_signs_keeps_the_broader_key_active(tmp_path, capsys):
    ring = tmp_path / "keyring.yml"
    main(["keys", "--keyring", str(ring), "list"])
    assert main(["keys", "--keyring", str(ring), "rotate", "--signs", "service:scoring"]) == 0
    general, scoring = a.read_entries(ring)
    assert general["status"] == "active" and scoring["signs"] == ["service:scoring"]
