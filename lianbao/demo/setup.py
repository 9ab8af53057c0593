"""The year's set-up: the roster (units, staff, mentoring pairs), who evaluates whom, and the
criteria the monthly evaluations score against (scoring's own template)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from lianbao.demo.state import DemoState, batches, parallel, timed


def load_roster(state: DemoState):
    with timed(state, "roster"), state.suite.rpc() as rpc:
        rpc.roster.save_units({"units": state.city.units})
        bar = state.progress.bar(len(state.city.staff), "roster: staff")
        for batch in batches(state.city.staff, 2000):
            rpc.roster.create_staff({"staff": batch})
            bar.update(len(batch))
        bar.close()
    with timed(state, "mentoring"), state.suite.rpc() as rpc:
        start = date(state.year, 1, 1)
        pairs = []
        for mentor, mentee in state.city.pairs:
            joined = max(date.fromisoformat(state.staff[mentee]["joined"]),
                         date.fromisoformat(state.staff[mentor]["joined"]))
            pairs.append({"mentor": mentor, "mentee": mentee, "start": max(start, joined).isoformat()})
            state.pair_start[mentee] = max(start, joined).isoformat()
        bar = state.progress.bar(len(pairs), "roster: mentoring pairs")
        for batch in batches(pairs, 2000):
            out = rpc.roster.assign_mentors({"pairs": batch})
            if out["errors"]:
                raise RuntimeError(f"mentoring pairs refused: {out['errors'][:3]}")
            bar.update(len(batch))
        bar.close()
    with timed(state, "read models"):
        state.suite.wait_quiet(timeout=600)


def seed_evaluators(state: DemoState):
    """Which leading group acts for whom (the demo drives every body's approvals, so it needs
    to know): heads and leaders are resolved by the roster (M§五(二)3), everyone else is their
    agency's. Scoring is not told: it learns every evaluator, with its dates, from the
    roster's ``evaluators_resolved`` events (issue 27)."""
    city = state.city
    with timed(state, "evaluators"):
        people = [s for s in city.staff if s["position"] in ("head", "leader")]
        when = date(state.year, 6, 30).isoformat()
        calls = [("roster", "evaluator_of", {"person": s["id"], "date": when}) for s in people]
        answers = parallel(state, calls, "roster: evaluators of leaders")
        state.evaluator = {s["id"]: city.agency_of[s["id"]] for s in city.staff}
        changed = 0
        for s, answer in zip(people, answers):
            state.evaluator[s["id"]] = answer["group"]
            changed += answer["group"] != city.agency_of[s["id"]]
        state.notes["evaluated_outside_their_agency"] = changed
    # members of each evaluating body: the heads and leaders of that unit (领导小组)
    state.body_members = defaultdict(list)
    for s in city.staff:
        if s["position"] in ("head", "leader"):
            state.body_members[s["unit"]].append(s["id"])


def load_criteria(state: DemoState):
    """The city's template of each subject kind as scoring serves it (``scoring.template``): the
    items, in order, and their maxima. The demo spreads each month's lost points over them."""
    with state.suite.rpc() as rpc:
        for kind in ("officer", "section"):
            template = rpc.scoring.template({"kind": kind})
            state.criteria[kind] = [(i["id"], i["max"]) for d in template["dimensions"] for i in d["items"]]
