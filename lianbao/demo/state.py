"""What the demo's year builds, in one object every step takes (``lianbao.demo.run`` lists the steps).

``new_state`` derives the city's maps once; each step fills the fields it owns (named beside them)
and later steps read them. Nothing is created on first use: a step that needs another's field runs
after it.
"""
from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import eventlet

from lianbao.demo.city import City

YEAR = 2025  # a year that is wholly in the past: ratings in July 2025 and January 2026

# agencies' adaptations (对接): the two example plug-ins, bound by the services' allow-list, and a
# rule pack registered by the city public-security bureau's leading group
DEMO_PLUGINS = ("psb-clearance@lianbao-plugin-psb-clearance==0.1.0=k1ps|k2ps,"
                "court-reversals@lianbao-plugin-court-reversals==0.1.0=k1ct")
DEMO_PACK_AGENCY = "cps"


@dataclass
class DemoState:
    suite: object
    city: City
    rng: random.Random
    progress: Progress
    year: int = YEAR
    concurrency: int = 8
    timings: dict = field(default_factory=dict)     # step -> seconds (the report's timings_s)
    notes: dict = field(default_factory=dict)       # what the steps observed (the report's notes)
    # -- the city's maps (new_state); the steps that change the tree keep them current -----------
    staff: dict = field(default_factory=dict)       # person -> roster payload
    sections: dict = field(default_factory=dict)    # section -> agency
    agency_head: dict = field(default_factory=dict)
    agency_leaders: dict = field(default_factory=lambda: defaultdict(list))
    section_chiefs: dict = field(default_factory=lambda: defaultdict(list))
    leader_of_section: dict = field(default_factory=dict)
    parent: dict = field(default_factory=dict)      # unit -> parent unit
    # -- mentoring (setup.load_roster, then every step that changes a mentor) --------------------
    mentor_of: dict = field(default_factory=dict)   # mentee -> mentor now
    mentor_changes: dict = field(default_factory=dict)  # mentee -> [(first day, new mentor, previous)]
    pair_start: dict = field(default_factory=dict)  # mentee -> first day of the first pair
    # -- the dated tree (SPEC §9) as the reorganisation changed it, with the day it did ----------
    section_moves: dict = field(default_factory=dict)      # section -> (day, old agency)
    evaluator_changes: dict = field(default_factory=dict)  # person -> (day, old evaluating body)
    leader_changes: dict = field(default_factory=dict)     # section -> (day, old supervising leader)
    # -- setup.seed_evaluators -------------------------------------------------------------------
    evaluator: dict = field(default_factory=dict)   # person -> evaluating body
    body_members: dict = field(default_factory=lambda: defaultdict(list))  # body -> heads and leaders
    # -- setup.load_criteria: the template's items, from scoring.template ------------------------
    criteria: dict = field(default_factory=dict)    # kind -> [(item id, max points)]
    # -- months.draw_profiles ---------------------------------------------------------------------
    loss: dict = field(default_factory=dict)        # person -> points usually lost a month
    troubled: set = field(default_factory=set)
    section_loss: dict = field(default_factory=dict)
    late_bodies: set = field(default_factory=set)
    error_kinds: Counter = field(default_factory=Counter)  # the workflow's refusals
    # -- training.training ------------------------------------------------------------------------
    transferred: dict = field(default_factory=dict)  # officer -> day removed (failed retraining)
    demoted: set = field(default_factory=set)        # chiefs removed from the post
    certified: list = field(default_factory=list)
    # -- surveys.surveys --------------------------------------------------------------------------
    unhappy: set = field(default_factory=set)
    error_kinds_survey: Counter = field(default_factory=Counter)
    xlsx_rates: dict = field(default_factory=dict)
    # -- facts.facts, facts.adaptations -----------------------------------------------------------
    honoured: list = field(default_factory=list)
    absent: dict = field(default_factory=dict)       # person -> days of unexcused absence
    banned: list = field(default_factory=list)
    pack: dict = field(default_factory=dict)
    # -- ratings.ratings --------------------------------------------------------------------------
    h1: dict = field(default_factory=dict)
    annual: dict = field(default_factory=dict)
    reconciliation: dict = field(default_factory=dict)
    chain: dict = field(default_factory=dict)
    dead_at_start: int = 0                           # dead letters already there (run.run_year)


def new_state(suite, city: City, seed: int = 7, progress: bool = True, year: int = YEAR,
              concurrency: int = 8) -> DemoState:
    """The state before the year: the city's maps, the year's random draws seeded."""
    state = DemoState(suite=suite, city=city, rng=random.Random(seed * 7919), progress=Progress(progress),
                      year=year, concurrency=concurrency)
    state.staff = {s["id"]: s for s in city.staff}
    state.mentor_of = {mentee: mentor for mentor, mentee in city.pairs}
    state.sections = {s["id"]: s["agency"] for s in city.sections}
    for s in city.staff:
        if s["position"] == "head":
            state.agency_head[s["unit"]] = s["id"]
        elif s["position"] == "leader":
            state.agency_leaders[s["unit"]].append(s["id"])
            for sid in s["supervises"]:
                state.leader_of_section[sid] = s["id"]
        elif s["position"] == "chief":
            state.section_chiefs[s["unit"]].append(s["id"])
    state.parent = {u["id"]: u.get("parent") for u in city.units}
    return state


# -- plumbing -------------------------------------------------------------------------------------
def batches(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class timed:
    """``with timed(state, "step"):`` records the step's seconds in ``state.timings``."""

    def __init__(self, state: DemoState, name: str):
        self.state, self.name = state, name

    def __enter__(self):
        self.t = time.perf_counter()

    def __exit__(self, *exc):
        self.state.timings[self.name] = round(time.perf_counter() - self.t, 2)
        return False


def parallel(state: DemoState, calls, desc):
    """Run ``calls`` [(service, method, payload)] over several green threads, one proxy each."""
    pool = eventlet.GreenPool(state.concurrency)
    results = [None] * len(calls)
    chunks = [list(range(i, len(calls), state.concurrency)) for i in range(state.concurrency)]
    bar = state.progress.bar(len(calls), desc)

    def work(indices):
        with state.suite.rpc() as rpc:
            for i in indices:
                service, method, payload = calls[i]
                results[i] = getattr(getattr(rpc, service), method)(payload)
                bar.update(1)

    for chunk in chunks:
        if chunk:
            pool.spawn(work, chunk)
    pool.waitall()
    bar.close()
    return results


class Progress:
    """tqdm bars when asked for, silence otherwise (tests)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def bar(self, total, desc):
        if not self.enabled:
            return _NullBar()
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="", leave=True, dynamic_ncols=True,
                    bar_format="{desc:<34}{percentage:3.0f}%|{bar:30}| {n_fmt}/{total_fmt} [{elapsed}]")


class _NullBar:
    def update(self, n=1):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
