"""The keyed work the fault tests send while they break things, and the checks that each call had
exactly one effect: survey form batches, monthly evaluations (self-assessment → mentor review) and a
year's settlement (ratings and allowances as events, some ratings as keyed ``rewards.settle`` calls).

Every call goes through a :class:`tests.reliability.conftest.KeyedCaller` (retried with its
idempotency key until it succeeds); every event may be published more than once (consumers' inboxes
make that harmless)."""
from __future__ import annotations

import eventlet
from shared.assertions import signed_event_dispatcher as event_dispatcher

from tests.reliability.conftest import rpc_call
from tests.reliability.ratings_year import YEAR, expected_keys, year_of
from tests.service.scoring.conftest import PEOPLE, UNITS

MONTHS = ("2026-01", "2026-02", "2026-03")
# officers on the team on the last day of every month of the workload (SPEC §9: nobody is evaluated for a
# month whose last day finds them off the team, e.g. o4, who joins on 1 March)
OFFICERS = [p for p in PEOPLE if p["position"] == "officer" and p["joined"] <= f"{MONTHS[0]}-31"]


def prepare_survey_and_scoring(config) -> None:
    rpc_call(config, "survey", "create_campaign", {
        "campaign_id": "c1", "period": "2026H1", "owner": "county-1",
        "subjects": [{"id": p["id"], "kind": "officer"} for p in OFFICERS]})
    rpc_call(config, "scoring", "save_units", {"units": UNITS})
    rpc_call(config, "scoring", "upsert_people", {"people": PEOPLE})


def submit_forms(call, batches: int, per_batch: int, pause: float = 0.05) -> list[dict]:
    out = []
    for b in range(batches):
        batch = [{"serial": f"B{b}-{i}", "subject": OFFICERS[i % len(OFFICERS)]["id"],
                  "group": "parents", "answers": "S" * 35} for i in range(per_batch)]
        out.append(call("survey", "submit_batch", {"campaign_id": "c1", "batch_id": f"b{b}",
                                                   "forms": batch}, f"forms-b{b}"))
        eventlet.sleep(pause)
    return out


def run_evaluations(call, months=MONTHS, pause: float = 0.05) -> list[dict]:
    out = []
    for month in months:
        as_of = f"2026-{int(month[-2:]) + 1:02d}-02"
        for p in OFFICERS:
            out.append(call("scoring", "submit_self_assessment",
                            {"actor": p["id"], "subject": p["id"], "month": month, "as_of": as_of},
                            f"submit-{p['id']}-{month}"))
            out.append(call("scoring", "review", {"actor": p["mentor"], "subject": p["id"],
                                                  "month": month, "as_of": as_of},
                            f"review-{p['id']}-{month}"))
            eventlet.sleep(pause)
    return out


def forms_counted(config) -> int:
    return rpc_call(config, "survey", "get_rates", {"campaign_id": "c1"})["totals"]["forms"]


def evaluations_applied(config, months=MONTHS) -> tuple[int, int, list]:
    """(reviewed, doubled steps, evaluations whose trail is not exactly submit → review)."""
    applied, doubled, wrong = 0, 0, []
    for month in months:
        for p in OFFICERS:
            ev = rpc_call(config, "scoring", "evaluation", {"subject": p["id"], "month": month})
            actions = [t["action"] for t in ev["trail"]]
            applied += ev["state"] == "reviewed"
            doubled += len(actions) - len(set(actions))
            if actions != ["submit", "review"]:
                wrong.append((p["id"], month, actions))
    return applied, doubled, wrong


class Settlement:
    """A year of ratings and allowances for ``scopes`` agencies: most as events (as scoring and
    training publish them), every sixth rating as a keyed ``rewards.settle`` call."""

    def __init__(self, config, scopes: int):
        self.config = config
        self.ratings, self.allowances = year_of(scopes)
        self.expected = expected_keys(self.ratings, self.allowances)
        self.by_rpc = [r for i, r in enumerate(self.ratings) if i % 6 == 5]
        self.events = [("scoring", "rating_published", r) for r in self.ratings if r not in self.by_rpc]
        self.events += [("training", "allowance_due", a) for a in self.allowances]
        self.published = 0
        self.publish_failures = 0

    def publish_events(self, waves: int = 5, pause: float = 0.3) -> None:
        """Each event until the broker confirmed it (a failed publish is repeated: the inbox dedups)."""
        dispatch = event_dispatcher(self.config)
        for w in range(waves):
            for source, event_type, payload in self.events[w::waves]:
                while True:
                    self.published += 1
                    try:
                        dispatch(source, event_type, payload)
                        break
                    except Exception:
                        self.publish_failures += 1
                        eventlet.sleep(0.3)
                        dispatch = event_dispatcher(self.config)
            eventlet.sleep(pause)

    def settle_by_rpc(self, call, pause: float = 0.0) -> dict:
        answers = {}
        for p in self.by_rpc:
            answers[p["rating_id"]] = call("rewards", "settle", p, "settle-" + p["rating_id"])
            eventlet.sleep(pause)
        return answers

    def ledger_keys(self) -> list[str]:
        out = rpc_call(self.config, "rewards", "ledger", {"limit": 100000}, timeout=30)
        return [line["key"] for line in out["lines"]]

    def reconciled(self) -> list[dict]:
        """The reconciliation and the hash chain, as rewards reports them."""
        reports = [rpc_call(self.config, "rewards", "reconcile", {"period": p}, timeout=30)
                   for p in (YEAR, f"{YEAR}H1")]
        reports.append(rpc_call(self.config, "rewards", "verify_chain", {}, timeout=30))
        return reports
