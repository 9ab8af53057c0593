"""The rewards service through real RPC and events on the embedded transport (issue 9)."""
import eventlet
import pytest
from sqlalchemy import text

from shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from rewards_ratings import agency, officer, rating_payload, section
from tests.service.rewards.conftest import rewards_engine, wait_for

pytestmark = pytest.mark.timeout(60)


def full_rating(**kw):
    return rating_payload(
        officers=[officer("o1", stars=5, score=97.0), officer("o2", stars=2, score=72.0),
                  officer("o3", status="disqualified"), officer("o4", stars=4, score=91.0)],
        sections=[section("s1", stars=5, score=96.0), section("s2", stars=1, score=60.0),
                  section("s3", status="disqualified")],
        agencies=[agency("a1", klass=1, advanced=True, score=92.0)], headcount=10, **kw)


def allowance(person, month, event_id=None, amount=50):
    return {"event_id": event_id or f"alw-{person}-{month}", "allowance_id": f"{person}:{month}",
            "person_id": person, "unit_id": "s1", "agency_id": "a1", "month": month,
            "amount": amount, "reason": "all_round_officer"}


def test_settling_the_same_rating_twice_gives_one_set_of_lines(rewards):
    payload = full_rating()
    with rewards.rpc() as rpc:
        first = rpc.rewards.settle(payload)
        assert first["settled"] and first["written"] == first["lines"] == 12
        assert first["amount_total"] == 1000 + 3000
        again = rpc.rewards.settle(dict(payload, event_id="another"))
        assert again["already_settled"] and not again["settled"] and again["written"] == 0
        assert "already settled" in again["message"] and again["lines"] == 12
        ledger = rpc.rewards.ledger({"period": "2026"})
        assert ledger["total"] == 12
        assert len({line["key"] for line in ledger["lines"]}) == 12
        assert rpc.rewards.reconcile({"period": "2026"})["ok"]


def test_a_rating_delivered_twice_concurrently_is_settled_once(rewards):
    payload = full_rating()
    rewards.dispatch("scoring", "rating_published", payload)
    rewards.dispatch("scoring", "rating_published", dict(payload, event_id="redelivered"))
    results = []

    def call():
        with rewards.rpc() as rpc:
            results.append(rpc.rewards.settle(payload))

    threads = [eventlet.spawn(call) for _ in range(3)]
    for t in threads:
        t.wait()
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({})["total"] == 12)
        eventlet.sleep(0.5)
        assert rpc.rewards.ledger({})["total"] == 12
        assert rpc.rewards.verify_chain()["ok"]
        assert rpc.rewards.reconcile({"period": "2026"})["ok"]
    assert all(r["lines"] == 12 for r in results)
    assert sum(r["settled"] for r in results) <= 1


def test_same_rating_id_with_other_content_conflicts(rewards):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(full_rating())
        changed = full_rating()
        changed["result"]["officers"][1]["stars"] = 3
        with pytest.raises(Conflict) as err:
            rpc.rewards.settle(changed)
        assert err.value.field == "rating_id"
        assert rpc.rewards.ledger({})["total"] == 12


def test_a_re_rating_is_settled_by_reversal_and_correction_lines(rewards):
    """SPEC §6: o1 ★5 → ★4 (bonus reversed, certificate and eligibility revoked), o2 ★2 → ★3 (its
    warning talk revoked, the task with it), o4 ★4 → ★5 (new lines); everyone else untouched."""
    v2 = full_rating(version=2)
    stars = {"o1": 4, "o2": 3, "o4": 5}
    for o in v2["result"]["officers"]:
        o["stars"] = stars.get(o["id"], o["stars"])
    with rewards.rpc() as rpc:
        rpc.rewards.settle(full_rating())
        out = rpc.rewards.settle(v2)
        assert out["settled"] and out["supersedes"] == "2026:a1:1"
        assert (out["reversed"], out["written"], out["net_amount"]) == (4, 7, 0)
        assert "4 lines reversed, 3 issued, 8 unchanged" in out["message"]
        new = rpc.rewards.ledger({"source": "2026:a1:2"})["lines"]
        assert [(x["key"], x["amount"], x["reason"], x["reverses"]) for x in new] == [
            ("2026|o4|bonus|1", 1000, "five_stars", None),
            ("2026|o4|certificate|1", None, "five_stars", None),
            ("2026|o4|eligibility|1", None, "five_stars", None),
            ("2026|o1|bonus|2", -1000, "revoked", "2026|o1|bonus|1"),
            ("2026|o1|certificate|2", None, "revoked", "2026|o1|certificate|1"),
            ("2026|o1|eligibility|2", None, "revoked", "2026|o1|eligibility|1"),
            ("2026|o2|warning_talk|2", None, "revoked", "2026|o2|warning_talk|1")]
        assert rpc.rewards.verify_chain()["ok"]
        report = rpc.rewards.reconcile({"period": "2026"})
        assert report["ok"] and (report["ratings"], report["reversals"]) == (1, 4), report
        talks = {t["key"]: t for t in rpc.rewards.tasks({"today": "2027-12-31"})["tasks"]}
        assert talks["2026|o2|warning_talk|1"]["revoked"] == "2027-01-08"
        assert not talks["2026|o2|warning_talk|1"]["overdue"]
        assert rpc.rewards.tasks({"status": "revoked"})["tasks"][0]["subject"] == "o2"
        # the same version again, and the old one arriving late: nothing changes, said so
        again = rpc.rewards.settle(v2)
        assert again["already_settled"] and again["written"] == 0
        late = rpc.rewards.settle(dict(full_rating(), rating_id="2026:a1:1", event_id="late"))
        assert late["already_settled"] and late["status"] == "superseded"
        older = rpc.rewards.settle(dict(full_rating(), rating_id="a1-2026-first", version=1))
        assert older["superseded"] and older["written"] == 0
        assert "version 2 (2026:a1:2) is settled and in force: nothing changed" in older["message"]
        with pytest.raises(Conflict) as err:        # a version that cannot be ordered
            rpc.rewards.settle(dict(full_rating(), rating_id="a1-2026-unnumbered"))
        assert err.value.field == "version"
        assert rpc.rewards.ledger({})["total"] == 19
        sheet = rpc.rewards.notice({"period": "2026"})["sheets"]["a1"]
        assert [(row[0], row[4], row[7]) for row in sheet[:4]] == [
            ("o1", 4, None), ("o2", 3, None), ("o3", None, None), ("o4", 5, 1000)]


def test_another_scopes_rating_over_settled_people_is_refused_and_pays_nobody_twice(rewards):
    """The attack of issue 18: rating 2025 again for scope k2 after the city's rating was settled."""
    with rewards.rpc() as rpc:
        rpc.rewards.settle(full_rating(scope="city"))
        before = rpc.rewards.ledger({})
        with pytest.raises(Conflict) as err:
            rpc.rewards.settle(full_rating(scope="k2"))
        assert err.value.field == "scope"
        assert "rating 2026:city:1 already settled 8 of its subjects" in str(err.value)
        assert rpc.rewards.ledger({}) == before
        # a scope of other people settles beside it
        other = rating_payload(officers=[officer("x1", stars=5)], scope="k3", paying_unit="k3")
        assert rpc.rewards.settle(other)["written"] == 3
        assert rpc.rewards.reconcile({"period": "2026"})["ok"]


def test_dismissal_only_on_the_second_consecutive_disqualified_year(rewards):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(rating_payload(officers=[officer("o9", status="disqualified")],
                                          period="2025"))
        assert rpc.rewards.ledger({"subject": "o9"})["total"] == 0
        rpc.rewards.settle(rating_payload(officers=[officer("o9", status="disqualified")],
                                          period="2026", disqualified_last_year=["o9"]))
        lines = rpc.rewards.ledger({"subject": "o9"})["lines"]
        assert [(l["kind"], l["period"], l["reason"]) for l in lines] == [
            ("dismissal", "2026", "disqualified_two_years")]


def test_allowances_for_a_certified_year_12_lines_600_yuan(rewards):
    for month in range(1, 13):
        rewards.dispatch("training", "allowance_due", allowance("o1", f"2026-{month:02d}"))
    rewards.dispatch("training", "allowance_due", allowance("o1", "2026-03"))               # redelivery
    rewards.dispatch("training", "allowance_due", allowance("o1", "2026-04", "re-run-id"))  # re-run
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({"kind": "allowance"})["total"] == 12)
        eventlet.sleep(0.5)
        lines = rpc.rewards.ledger({"kind": "allowance", "subject": "o1"})["lines"]
        assert len(lines) == 12 and sum(l["amount"] for l in lines) == 600
        assert {l["paying_unit"] for l in lines} == {"a1"}
        report = rpc.rewards.reconcile({"period": "2026"})
        assert report["ok"] and report["allowances"] == 12


def withdrawal(person, month, grant=1, event_id=None):
    key = f"{person}:{month}" + ("" if grant == 1 else f"#{grant}")
    return {"event_id": event_id or f"wd-{key}", "allowance_id": key, "person": person, "month": month,
            "grant": grant, "amount": 50, "reason": "not_earned"}


def test_a_withdrawn_allowance_is_reversed_once_and_nets_to_zero(rewards):
    """Training's ``allowance_withdrawn`` (fails on the code before: no reversal path): the grant's line
    is reversed by a line of −50 keyed by it, the original untouched; twice delivered (the same event,
    and another event of the same grant) one reversal; a withdrawal arriving before its due leaves the
    due paying nothing; a month granted again (``#2``) pays once net; the chain verifies, the period
    reconciles and the notice's summary counts only the allowances in force."""
    for month in ("2026-03", "2026-04", "2026-05"):
        rewards.dispatch("training", "allowance_due", allowance("o1", month))
    with rewards.rpc() as rpc:
        wait_for(lambda: rpc.rewards.ledger({"kind": "allowance"})["total"] == 3)
    rewards.dispatch("training", "allowance_withdrawn", withdrawal("o1", "2026-04"))
    rewards.dispatch("training", "allowance_withdrawn", withdrawal("o1", "2026-04"))            # redelivery
    rewards.dispatch("training", "allowance_withdrawn", withdrawal("o1", "2026-04", event_id="again"))
    rewards.dispatch("training", "allowance_withdrawn", withdrawal("o1", "2026-06"))    # before its due
    engine = rewards_engine(rewards)

    def withdrawn():
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM withdrawn_allowance")).scalar()
    wait_for(lambda: withdrawn() == 2)
    rewards.dispatch("training", "allowance_due", allowance("o1", "2026-06"))          # pays nothing
    rewards.dispatch("training", "allowance_due", dict(allowance("o1", "2026-04", "grant-2"),
                                                       allowance_id="o1:2026-04#2", grant=2))
    with rewards.rpc() as rpc:
        wait_for(lambda: rpc.rewards.ledger({"kind": "allowance"})["total"] == 5)
        with engine.connect() as conn:
            wait_for(lambda: conn.execute(text("SELECT count(*) FROM received_allowance")).scalar() == 5)
        eventlet.sleep(0.5)
        lines = rpc.rewards.ledger({"kind": "allowance", "subject": "o1"})["lines"]
        assert [(l["key"], l["amount"], l["reverses"]) for l in lines] == [
            ("allowance:2026-03|o1|allowance", 50, None),
            ("allowance:2026-04|o1|allowance", 50, None),
            ("allowance:2026-05|o1|allowance", 50, None),
            ("allowance:2026-04|o1|allowance|2", -50, "allowance:2026-04|o1|allowance"),
            ("allowance:2026-04|o1|allowance|3", 50, None)]
        net = {}
        for l in lines:
            net[l["effective"][:7]] = net.get(l["effective"][:7], 0) + l["amount"]
        assert net == {"2026-03": 50, "2026-04": 50, "2026-05": 50}        # June: nothing, April once
        assert rpc.rewards.verify_chain({})["ok"]
        report = rpc.rewards.reconcile({"period": "2026"})
        assert report["ok"], report
        assert (report["allowances"], report["ledger"], report["reversals"]) == (3, 3, 1)
        assert rpc.rewards.notice({"period": "2026"})["summary"] == [["a1", 0, 0, 3, 150, 150]]


def test_grants_of_a_month_in_any_order_pay_once_net(rewards):
    """Training grants a month anew (``#2``) only after withdrawing the grant before, but the two events
    travel on two queues: the newer grant arriving first withdraws the older one (its line reversed;
    the withdrawal, arriving later, changes nothing); an older grant arriving after a newer one pays
    nothing.  Each month pays 50 net, nothing doubled, the chain verifies."""
    regrant = dict(allowance("o2", "2026-04", "o2-g2"), allowance_id="o2:2026-04#2", grant=2)
    rewards.dispatch("training", "allowance_due", allowance("o2", "2026-04"))
    with rewards.rpc() as rpc:
        wait_for(lambda: rpc.rewards.ledger({"subject": "o2"})["total"] == 1)
    rewards.dispatch("training", "allowance_due", regrant)                    # before the withdrawal
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({"subject": "o2"})["total"] == 3)
        assert rpc.rewards.reconcile({"period": "2026"})["ok"]              # never two in force
    rewards.dispatch("training", "allowance_withdrawn", withdrawal("o2", "2026-04"))       # late
    rewards.dispatch("training", "allowance_due", dict(regrant, person_id="o3", allowance_id="o3:2026-04#2",
                                                       event_id="o3-g2"))
    with rewards.rpc() as rpc:
        wait_for(lambda: rpc.rewards.ledger({"subject": "o3"})["total"] == 1)
    rewards.dispatch("training", "allowance_due", allowance("o3", "2026-04"))            # the older, late
    rewards.dispatch("training", "allowance_withdrawn", withdrawal("o3", "2026-04"))
    engine = rewards_engine(rewards)
    with engine.connect() as conn:
        wait_for(lambda: conn.execute(text("SELECT count(*) FROM withdrawn_allowance")).scalar() == 2
                 and conn.execute(text("SELECT count(*) FROM received_allowance")).scalar() == 4)
    eventlet.sleep(0.5)
    with rewards.rpc() as rpc:
        o2 = rpc.rewards.ledger({"subject": "o2"})["lines"]
        assert [(l["key"], l["amount"], l["reverses"]) for l in o2] == [
            ("allowance:2026-04|o2|allowance", 50, None),
            ("allowance:2026-04|o2|allowance|3", 50, None),
            ("allowance:2026-04|o2|allowance|2", -50, "allowance:2026-04|o2|allowance")]
        o3 = rpc.rewards.ledger({"subject": "o3"})["lines"]
        assert [(l["key"], l["amount"]) for l in o3] == [("allowance:2026-04|o3|allowance|3", 50)]
        assert rpc.rewards.verify_chain({})["ok"]
        report = rpc.rewards.reconcile({"period": "2026"})
        assert report["ok"], report
        assert (report["allowances"], report["ledger"]) == (2, 2)


def test_guardrail_refusals_and_an_adapted_schedule(rewards):
    with rewards.rpc() as rpc:
        with pytest.raises(RuleViolation) as err:
            rpc.rewards.set_schedule({"agency": "a1", "effective_from": "2026",
                                      "officer": {"5": 800, "4": 800, "3": 800}})
        assert err.value.field == "officer.4"
        with pytest.raises(RuleViolation) as err:
            rpc.rewards.set_schedule({"agency": "a1", "effective_from": "2026",
                                      "section_per_head": {"2": 50}})
        assert err.value.field == "section_per_head.2"
        with pytest.raises(ValidationFailed) as err:
            rpc.rewards.set_schedule({"agency": "a1", "effective_from": "2026",
                                      "officer": {"5": 12.5}})
        assert err.value.field == "officer.5"
        assert rpc.rewards.schedules({})["schedules"] == []
        rpc.rewards.set_schedule({"agency": "a1", "effective_from": "2026",
                                  "officer": {"5": 1500, "4": 500}})
        rpc.rewards.settle(full_rating())
        bonus = {l["subject"]: (l["amount"], l["basis"])
                 for l in rpc.rewards.ledger({"kind": "bonus"})["lines"]}
        assert bonus["o1"] == (1500, "agency:a1:2026") and bonus["o4"] == (500, "agency:a1:2026")
        assert bonus["s1"] == (3000, "agency:a1:2026")
        with pytest.raises(Conflict) as err:
            rpc.rewards.set_schedule({"agency": "a1", "effective_from": "2025",
                                      "officer": {"5": 1800}})
        assert err.value.field == "effective_from"
        assert rpc.rewards.reconcile({"period": "2026"})["ok"]


def test_reconciliation_after_a_forced_crash_between_receiving_and_committing(rewards, monkeypatch):
    from services.rewards import handlers

    original, crashes = handlers._append, []

    def crash_once(session, head, lines):
        rows = original(session, head, lines)
        if not crashes:
            crashes.append(len(rows))
            raise RuntimeError("forced crash after writing, before the commit")
        return rows

    monkeypatch.setattr(handlers, "_append", crash_once)
    rewards.dispatch("scoring", "rating_published", full_rating())
    with rewards.rpc() as rpc:
        assert wait_for(lambda: rpc.rewards.ledger({})["total"] == 12)
        eventlet.sleep(0.5)
        assert crashes == [12]
        report = rpc.rewards.reconcile({"period": "2026"})
        assert report["ok"], report
        assert (report["missing"], report["extra"], report["different"]) == ([], [], [])
        assert rpc.rewards.verify_chain() == {"ok": True, "lines": 12, "last_seq": 12,
                                             "problems": []}


def test_reconciliation_names_missing_and_different_lines(rewards):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(full_rating())
    with rewards_engine(rewards).begin() as conn:
        conn.execute(text("UPDATE ledger_line SET amount = 900 WHERE key = '2026|o1|bonus|1'"))
        conn.execute(text("DELETE FROM ledger_line WHERE key = '2026|s2|rectification|1'"))
    with rewards.rpc() as rpc:
        report = rpc.rewards.reconcile({"period": "2026"})
    assert not report["ok"]
    assert [l["key"] for l in report["missing"]] == ["2026|s2|rectification|1"]
    assert report["different"] == [{"key": "2026|o1|bonus|1", "identity": "2026|o1|bonus",
                                    "fields": ["amount"],
                                    "expected": {"amount": 1000}, "actual": {"amount": 900}}]


def test_hash_chain_verify_catches_an_edited_amount_and_a_deleted_line(rewards):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(full_rating())
        assert rpc.rewards.verify_chain()["ok"]
        first = rpc.rewards.ledger({"kind": "bonus", "subject": "o1"})["lines"][0]
    with rewards_engine(rewards).begin() as conn:
        conn.execute(text("UPDATE ledger_line SET amount = 100000 WHERE seq = :s"),
                     {"s": first["seq"]})
    with rewards.rpc() as rpc:
        report = rpc.rewards.verify_chain()
        assert not report["ok"]
        assert [(p["seq"], p["problem"]) for p in report["problems"]] == [(first["seq"], "edited")]
    with rewards_engine(rewards).begin() as conn:
        conn.execute(text("UPDATE ledger_line SET amount = 1000 WHERE seq = :s"), {"s": first["seq"]})
        conn.execute(text("DELETE FROM ledger_line WHERE seq = 5"))
    with rewards.rpc() as rpc:
        problems = rpc.rewards.verify_chain()["problems"]
    assert [(p["seq"], p["problem"]) for p in problems] == [(5, "missing")]


def test_talks_and_rectifications_are_tasks_with_due_and_done_dates(rewards):
    with rewards.rpc() as rpc:
        rpc.rewards.settle(full_rating())
        listed = rpc.rewards.tasks({"today": "2027-01-20"})
        assert [(t["subject"], t["kind"], t["due"]) for t in listed["tasks"]] == [
            ("o2", "warning_talk", "2027-02-07"), ("s2", "warning_talk", "2027-02-07"),
            ("s3", "admonishment_talk", "2027-02-07"), ("s2", "rectification", "2027-04-08")]
        assert listed["overdue"] == 0
        late = rpc.rewards.tasks({"today": "2027-02-08", "status": "overdue"})
        assert [t["subject"] for t in late["tasks"]] == ["o2", "s2", "s3"]
        done = rpc.rewards.complete_task({"key": "2026|o2|warning_talk|1", "done": "2027-02-01"})
        assert done["done"] == "2027-02-01" and not done["overdue"]
        with pytest.raises(Conflict):
            rpc.rewards.complete_task({"key": "2026|o2|warning_talk|1", "done": "2027-02-02"})
        with pytest.raises(NotFound) as err:
            rpc.rewards.complete_task({"key": "nope", "done": "2027-02-02"})
        assert err.value.field == "key"
        assert rpc.rewards.tasks({"today": "2027-02-08", "status": "overdue"})["overdue"] == 2
    from shared.metrics import metrics_of

    rendered = metrics_of(rewards.container("rewards")).render().decode()
    assert 'lianbao_rewards_overdue_tasks{kind="warning_talk"}' in rendered
    assert 'lianbao_rewards_ledger_lines_written_total{source="rating"} 12.0' in rendered


def test_bad_payloads_are_refused_naming_the_field(rewards):
    with rewards.rpc() as rpc:
        payload = full_rating()
        payload["result"]["officers"][0]["stars"] = 6
        with pytest.raises(ValidationFailed) as err:
            rpc.rewards.settle(payload)
        assert err.value.field == "result.officers[0].stars"
        with pytest.raises(ValidationFailed) as err:
            rpc.rewards.reconcile({"period": "2026H2"})
        assert err.value.field == "period"
        with pytest.raises(ValidationFailed) as err:
            rpc.rewards.ledger({"colour": "red"})
        assert err.value.field == "colour"
        assert rpc.rewards.ledger({})["total"] == 0


def test_half_year_rating_is_stored_but_settles_nothing(rewards):
    with rewards.rpc() as rpc:
        out = rpc.rewards.settle(rating_payload(officers=[officer("o1", stars=5)], period="2026H1"))
        assert out["settled"] and out["lines"] == 0
        assert rpc.rewards.reconcile({"period": "2026H1"})["ratings"] == 1
