"""The main job: a year of a city, end to end, through the services' RPCs and events.

Every step below is a call to a running service (or an event one service publishes and others
consume); nothing calls domain code directly.  The same code runs on the embedded default (all
five services in this process, ``memory://``, SQLite) and on RabbitMQ + PostgreSQL.

The year is ``YEAR_STEPS``, in order: each step is a function of one ``DemoState``
(``lianbao.demo.state``), in the module named after what it does (setup, months, reorganisation,
training, mentoring, surveys, facts, ratings, followups); ``summary`` reads what they built.
"""
from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from lianbao.demo import facts, followups, mentoring, months, ratings, reorganisation, setup, summary, surveys, training
from lianbao.demo.city import build_city
from lianbao.demo.state import DEMO_PACK_AGENCY, DEMO_PLUGINS, YEAR, DemoState, new_state

__all__ = ["DEMO_PACK_AGENCY", "DEMO_PLUGINS", "YEAR", "YEAR_STEPS", "run_demo", "run_year"]


def count_dead_letters(state: DemoState):
    """The dead-letter queue is the broker's (a real one may hold older letters): this year's are
    those that come after."""
    from shared.dlq import list_dead_letters

    state.dead_at_start = len(list_dead_letters(state.suite.config, limit=summary.DEAD_LETTERS_READ))


YEAR_STEPS = (
    count_dead_letters,
    setup.load_roster,
    setup.seed_evaluators,
    setup.load_criteria,                        # the template's items, from scoring.template
    months.draw_profiles,
    partial(months.evaluations, months=list(range(1, 6))),   # January to May, evaluated February to June
    reorganisation.reorganise,                  # 15 June: a section to another agency; 1 July: renamed
    partial(months.evaluations, months=list(range(6, 9))),   # June to August, evaluated July to September
    training.training,                          # the year's training; failed retraining in September
    mentoring.repair_mentoring,                 # 1 October: new chiefs and mentors where needed
    partial(months.evaluations, months=list(range(9, 13))),  # September to December
    surveys.surveys,
    facts.facts,
    facts.adaptations,
    ratings.ratings,
    followups.followups,
)


def run_year(state: DemoState) -> DemoState:
    for step in YEAR_STEPS:
        step(state)
    return state


def run_demo(config: dict, staff: int = 10_000, seed: int = 7, out: str = "out/demo", progress: bool = True,
             year: int = YEAR) -> dict:
    """Generate the city, start the suite, run the year, write the files; returns the summary."""
    from shared.runner import Suite

    from lianbao.demo.files import FilesProcess

    started = time.perf_counter()
    charts = FilesProcess()         # imports beside the year, writes the last files beside the demo
    try:
        city = build_city(staff=staff, seed=seed, year=year)
        if not config.get("PLUGINS"):
            config = dict(config, PLUGINS=DEMO_PLUGINS)
        with Suite(config) as suite:
            state = run_year(new_state(suite, city, seed=seed, progress=progress, year=year))
            result = summary.summary(state)
            files = summary.write_outputs(state, Path(out), result, charts)
    finally:
        charts.close()
    result["files"] = [str(f) for f in files]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
