"""The policy table (shared/policy.py): every RPC of the five services has its row (deny by
default), and the full matrix every write operation × every role → allowed, or Forbidden naming the
rule."""
from __future__ import annotations

import importlib

import pytest
from nameko.rpc import Rpc

from shared import policy
from shared.errors import Forbidden

SERVICES = {
    "roster": "services.roster.service:RosterService",
    "scoring": "services.scoring.service:ScoringService",
    "survey": "services.survey.service:SurveyService",
    "training": "services.training.service:TrainingService",
    "rewards": "services.rewards.service:RewardsService",
}


def _class(path):
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def rpcs_of(cls) -> set[str]:
    found = set()
    for name in dir(cls):
        member = getattr(cls, name, None)
        for ext in getattr(member, "nameko_entrypoints", ()) or ():
            if isinstance(ext, Rpc):
                found.add(name)
    return found


def test_every_rpc_of_the_five_services_has_its_row_and_every_row_an_rpc():
    found = set()
    for service, path in SERVICES.items():
        cls = _class(path)
        assert cls.name == service
        methods = rpcs_of(cls)
        assert len(methods) > 5, service            # the introspection found them
        found |= {f"{service}.{m}" for m in methods}
    missing = sorted(found - set(policy.TABLE))
    extra = sorted(set(policy.TABLE) - found)
    assert missing == [], f"RPCs without a row in shared/policy.py: {missing}"
    assert extra == [], f"rows without an RPC: {extra}"


def test_an_operation_missing_from_the_table_is_refused():
    with pytest.raises(Forbidden) as info:
        policy.check("scoring.approve_everything", [policy.OPERATOR])
    assert info.value.field == "actor"
    assert info.value.message.startswith("scoring.approve_everything:")
    assert "deny by default" in info.value.message


# who may write what: the expected matrix written out again, independently of the table, for the
# operations the issue names (the rest is covered by the generic test below)
EXPECTED = {
    "scoring.approve": {"leader", "head", "committee_member", "persons"},
    "scoring.file_month": {"leader", "head", "committee_member", "persons"},
    "scoring.publish_notice": {"leader", "head", "committee_member", "persons"},
    "scoring.run_rating": {"committee_member", "committee_office", "operator"},
    "survey.publish_rates": {"committee_member", "committee_office", "operator"},
    "survey.create_campaign": {"committee_member", "committee_office", "head", "system", "operator"},
    "survey.submit_batch": {"committee_office", "system", "service:gateway", "operator"},
    "rewards.settle": {"operator"},
    "scoring.upsert_people": {"service:roster", "operator"},
    "roster.save_units": {"committee_office", "operator"},
}


@pytest.mark.parametrize("op", sorted(policy.WRITES))
@pytest.mark.parametrize("role", policy.ROLES)
def test_matrix_every_write_operation_by_every_role(op, role):
    rule = policy.TABLE[op]
    allowed = role in rule.roles
    if op in EXPECTED:
        assert allowed == (role in EXPECTED[op]), (op, role)
    if role == policy.AUDITOR:
        assert not allowed, f"{op}: an auditor reads only"
    if allowed:
        assert policy.check(op, [role], who="x") == role
        with pytest.raises(Forbidden) as info:      # and still only within the actor's units
            policy.check(op, [role], who="x", in_scope=False, where="unit k2")
        assert info.value.message.startswith(f"{op}:") and info.value.field == "actor"
        assert "outside" in info.value.message
    else:
        with pytest.raises(Forbidden) as info:
            policy.check(op, [role], who="x")
        assert info.value.field == "actor"
        assert info.value.message.startswith(f"{op}:")


@pytest.mark.parametrize("op", sorted(op for op, r in policy.TABLE.items() if r.access == policy.READ))
def test_every_read_is_open_to_every_role_within_its_units(op):
    for role in policy.READERS:
        assert policy.check(op, [role]) == role
    with pytest.raises(Forbidden):
        policy.check(op, [policy.AUDITOR], in_scope=False)


def test_every_write_names_its_scope_or_says_where_it_is_checked():
    for op in policy.WRITES:
        rule = policy.TABLE[op]
        assert rule.scope is not None or "checked by" in rule.note, op


def test_the_roles_of_the_issue_are_all_in_the_table():
    for role in ("officer", "chief", "leader", "head", "committee_member", "committee_office",
                 "auditor", "system", "persons", "operator"):
        assert role in policy.ROLES
        assert role in policy.markdown()


def test_matrix_and_rows_agree():
    m = policy.matrix()
    assert set(m) == set(policy.WRITES)
    for row in policy.as_rows():
        if row["access"] == policy.WRITE:
            assert {r for r, ok in m[row["op"]].items() if ok} == set(row["roles"])


def test_the_command_prints_the_table_and_checks_a_role(capsys):
    import json

    from lianbao.cli import main

    assert main(["policy", "--check", "scoring.run_rating", "leader"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("refused: scoring.run_rating:")
    assert main(["policy", "--check", "scoring.run_rating", "committee_member"]) == 0
    assert capsys.readouterr().out.startswith("allowed: scoring.run_rating")
    assert main(["policy", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["op"] for r in rows} == set(policy.TABLE)
    assert main(["policy", "--check", "scoring.run_rating", "king"]) == 2
