"""Every settlement reason the rating engine or a rule pack can put in a rating is accepted by the
``rating_published`` event (issue 26: a pack paying ★4 emitted ``four_stars``, which the event
refused, so nothing of that rating settled).  The reasons are read from the code itself (the
``SettlementLine`` calls of the engine, the ``reason`` entries of the packs), not from a copied list."""
import ast
import inspect

import pytest

from shared.contracts import packs as pack_contract
from shared.contracts import scoring_events
from shared.contracts.scoring_events import SETTLEMENT_REASONS, load_rating
from shared.errors import ValidationFailed
from services.scoring.domain import packs, rating
from tests.unit.rewards.rewards_ratings import officer, rating_payload

pytestmark = pytest.mark.timeout(10)


def _value(module, node):
    """The reasons an expression can be: a string literal, or every value of a module-level
    mapping it subscripts (``STAR_REASON[stars]``); None when it is computed otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = getattr(module, node.value.id)
        return set(table.values())
    return None


def reasons_in(module) -> tuple[set, list]:
    """(reasons the module can produce, line numbers where a reason is passed through unknown)."""
    found, passed = set(), []
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        candidates = []
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "SettlementLine":
            if len(node.args) >= 3:
                candidates.append(node.args[2])
            candidates += [k.value for k in node.keywords if k.arg == "reason"]
        elif isinstance(node, ast.Dict):
            candidates += [v for k, v in zip(node.keys, node.values)
                           if isinstance(k, ast.Constant) and k.value == "reason"]
        for expr in candidates:
            values = _value(module, expr)
            if values is None:
                passed.append(expr.lineno)
            else:
                found |= values
    return found, passed


def test_every_reason_of_the_engine_and_the_packs_is_in_the_event_contract():
    engine, engine_passed = reasons_in(rating)
    pack, pack_passed = reasons_in(packs)
    assert {"five_stars", "two_stars_or_fewer", "veto"} <= engine       # the scan finds them
    assert {"four_stars", "three_stars"} <= pack
    assert engine | pack <= set(SETTLEMENT_REASONS), (engine | pack) - set(SETTLEMENT_REASONS)
    for reason in engine | pack:
        payload = rating_payload(officers=[officer("o1", stars=4)], settlement=[
            {"subject": "o1", "kind": "bonus", "amount": 600, "reason": reason}])
        assert load_rating(payload)["result"]["settlement"][0]["reason"] == reason
    # the only reason passed through unread is a plug-in's proposal (rate(): extensions), which
    # the plug-in host checks with the identifier rule the event applies to it
    assert pack_passed == [] and len(engine_passed) == 1
    assert scoring_events.PLUGIN_REASON_RE.pattern == pack_contract.IDENT_RE.pattern


def test_a_plugins_own_reason_is_accepted_and_junk_is_refused_naming_the_field():
    good = rating_payload(officers=[officer("o1", stars=4)], settlement=[
        {"subject": "o1", "kind": "commendation", "reason": "case_cleared_top"}])
    assert load_rating(good)["result"]["settlement"][0]["reason"] == "case_cleared_top"
    bad = rating_payload(officers=[officer("o1", stars=4)], settlement=[
        {"subject": "o1", "kind": "commendation", "reason": "Not an identifier!"}])
    with pytest.raises(ValidationFailed) as err:
        load_rating(bad)
    assert "result" in str(err.value.details) and "reason" in str(err.value.details)


def test_a_pack_amount_that_is_not_whole_yuan_is_refused():
    """The ledger pays whole yuan: a pack's ★4 of 600.5 would be refused by the event later."""
    from decimal import Decimal

    doc = {"version": 1, "effective_from": "2026",
           "rewards": {"officer": {"4": Decimal("600.5"), "5": 1200}}}
    assert ("rewards.officer.4", "600.5 is not whole yuan (the ledger pays whole yuan, SPEC §6)") \
        in packs.violations(doc)
