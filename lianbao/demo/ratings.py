"""The half-year and annual ratings, the settlement they trigger, its reconciliation."""
from __future__ import annotations

from datetime import date

from lianbao.demo.state import DemoState, timed


def ratings(state: DemoState):
    y = state.year
    with timed(state, "ratings"), state.suite.rpc() as rpc:
        state.h1 = rpc.scoring.run_rating({"period": f"{y}H1", "scope": "city",
                                          "rating_date": date(y, 7, 8).isoformat()})
        state.annual = rpc.scoring.run_rating({"period": f"{y}", "scope": "city",
                                              "rating_date": date(y + 1, 1, 8).isoformat()})
    with timed(state, "settlement"):
        state.suite.wait_quiet(timeout=600)
    with state.suite.rpc() as rpc:
        state.reconciliation = rpc.rewards.reconcile({"period": f"{y}"})
        state.chain = rpc.rewards.verify_chain()
