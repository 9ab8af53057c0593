"""The people's accounts of the gateway (``lianbao accounts``) and their store: argon2id hashes,
passwords never on the command line, every bad input named, disabling ends the sessions."""
import io

import pytest

from lianbao.cli import build_parser
from lianbao.commands import accounts as command
from services.gateway.accounts import AccountStore, Hasher, Locked, account
from shared.config import embedded_config
from shared.db import make_engine

pytestmark = pytest.mark.timeout(60)


class Clock:
    now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    return AccountStore(make_engine(f"sqlite:///{tmp_path / 'gateway.db'}"), Hasher(), clock=Clock())


def run(store, argv, stdin="", capsys=None):
    args = build_parser().parse_args(["accounts", *argv])
    out = io.StringIO()
    code = command.run(args, store=store, stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def test_add_reads_the_password_from_stdin_and_stores_only_an_argon2id_hash(store):
    code, out = run(store, ["add", "wang", "--person", "p1"], "correct horse battery\n")
    assert code == 0 and "signs in as p1" in out and "correct horse" not in out
    with store.engine.connect() as conn:
        stored = conn.execute(account.select()).mappings().one()["password_hash"]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert store.authenticate("wang", "correct horse battery", "a") == "p1"
    assert store.authenticate("wang", "correct horse batterx", "a") is None


def test_no_password_option_exists_and_random_prints_it_once(store):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["accounts", "add", "wang", "--person", "p1", "--password", "x"])
    code, out = run(store, ["add", "li", "--person", "p2", "--random"])
    assert code == 0
    password = out.split("password (shown once): ")[1].strip()
    assert len(password) >= 16 and store.authenticate("li", password, "a") == "p2"
    code, out = run(store, ["passwd", "li", "--random"])
    new = out.split("password (shown once): ")[1].strip()
    assert code == 0 and new != password
    assert store.authenticate("li", password, "a") is None and store.authenticate("li", new, "a") == "p2"


@pytest.mark.parametrize("argv, stdin, field", [
    (["add", "bad login", "--person", "p1"], "correct horse battery\n", "login"),
    (["add", "wang", "--person", " "], "correct horse battery\n", "person"),
    (["add", "wang", "--person", "p1"], "short\n", "password"),
    (["add", "wang", "--person", "p1"], "correct\thorse battery\n", "password"),
    (["disable", "nobody"], "", "login"),
    (["passwd", "nobody"], "correct horse battery\n", "login"),
])
def test_every_bad_input_exits_2_naming_the_field(store, capsys, argv, stdin, field):
    code, _ = run(store, argv, stdin)
    assert code == 2
    assert f"lianbao accounts: {field}:" in capsys.readouterr().err


def test_a_login_is_added_once_listed_without_its_hash_and_disabled_with_its_sessions(store, capsys):
    assert run(store, ["add", "wang", "--person", "p1"], "correct horse battery\n")[0] == 0
    assert run(store, ["add", "wang", "--person", "p9"], "correct horse battery\n")[0] == 2
    assert "exists already" in capsys.readouterr().err
    code, out = run(store, ["list"])
    assert code == 0 and "wang" in out and "p1" in out and "argon2" not in out
    raw, _ = store.open_session("p1", "wang", "password")
    assert store.find(raw, "session") is not None
    assert run(store, ["disable", "wang"]) == (0, "wang: disabled\n")
    assert store.find(raw, "session") is None
    assert store.authenticate("wang", "correct horse battery", "a") is None
    assert run(store, ["enable", "wang"])[0] == 0
    assert store.authenticate("wang", "correct horse battery", "a") == "p1"
    code, out = run(store, ["list", "--json"])
    assert '"disabled": false' in out


def test_failures_lock_a_login_before_its_password_is_checked(store):
    store.add("wang", "p1", "correct horse battery")
    for _ in range(5):
        assert store.authenticate("wang", "nope nope nope", "10.0.0.1") is None
    with pytest.raises(Locked) as locked:
        store.authenticate("wang", "correct horse battery", "10.0.0.2")
    assert locked.value.what == "login" and 899 <= locked.value.wait <= 900
    store.clock.now += 15 * 60
    assert store.authenticate("wang", "correct horse battery", "10.0.0.2") == "p1"


def test_the_command_finds_the_gateways_database_from_the_config(tmp_path):
    config = embedded_config(tmp_path / "data")
    store = command.store_from_config(config)
    store.add("wang", "p1", "correct horse battery")
    assert (tmp_path / "data" / "gateway.db").exists()
    again = command.store_from_config(config)
    assert [row["login"] for row in again.list()] == ["wang"]
