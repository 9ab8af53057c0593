"""The training contract: allowance keys by grant and the withdrawal event."""


def test_an_allowance_key_names_its_grant_and_a_withdrawal_loads():
    from shared.contracts import training as contract

    assert contract.allowance_id("p1", "2026-03") == "p1:2026-03"          # the first grant, as before
    assert contract.allowance_id("p1", "2026-03", 2) == "p1:2026-03#2"
    assert [contract.grant_of(k) for k in ("p1:2026-03", "p1:2026-03#2", "p#1:2026-03#12")] == [1, 2, 12]
    # read from the end: a person's id may hold ':' and '#' (ID_CHARS)
    assert [contract.allowance_parts(contract.allowance_id(pid, "2026-03", g))
            for pid, g in (("p1", 1), ("p#1", 1), ("p#1", 3), ("a:2026-01#2", 2))] == [
        ("p1", "2026-03", 1), ("p#1", "2026-03", 1), ("p#1", "2026-03", 3), ("a:2026-01#2", "2026-03", 2)]
    assert contract.ALLOWANCE_WITHDRAWN in contract.EVENTS
    event = {"event_id": "e", "allowance_id": "p1:2026-03", "person": "p1", "month": "2026-03",
             "grant": 1, "amount": 50, "reason": "not_earned"}
    assert contract.EVENT_SCHEMAS[contract.ALLOWANCE_WITHDRAWN]().load(event)["grant"] == 1
    assert contract.AllowanceDueEvent().load({k: v for k, v in event.items() if k != "grant"}
                                             | {"reason": "all_round_officer"})["grant"] == 1
