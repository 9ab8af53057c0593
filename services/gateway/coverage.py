"""Which RPCs of the five services have an HTTP route, and why the others have none (issue 21).

The RPCs are read from the services' classes (their nameko ``rpc`` entry points), so the list cannot
drift from the code; ``docs/reference/http-api.md`` prints it (``make docs``) and a test
keeps every RPC either routed or listed here with its reason.
"""
from __future__ import annotations

from shared.config import SERVICES

OPERATOR = "operator plumbing: on the CLI (`lianbao …`) and `/metrics`, not for calling systems"
READ_MODEL = "a read model fed by the roster's events; no caller loads it"
EVENT = "fed by an event of another service (scoring's `rating_published`)"
PUBLIC = "served by the public pages (`/public/…`, rate limited, no token)"
TIMER = ("run by training's hourly timer (this month and the last for allowances); the operator may run it "
         "again over RPC")
LATER = "not routed yet"

#: why an RPC has no route (an RPC of this list that gets a route leaves it)
REASONS: dict[str, str] = {
    **{f"{service}.targets": OPERATOR for service in ("roster", "scoring", "survey", "training")},
    "roster.refresh_metrics": OPERATOR,
    "training.check_certifications": TIMER, "training.run_allowances": TIMER,
    "scoring.load_calendar": OPERATOR,
    "scoring.upsert_people": READ_MODEL, "scoring.save_units": READ_MODEL, "scoring.record_spells": READ_MODEL,
    "training.upsert_people": READ_MODEL,
    "rewards.settle": EVENT,
    "scoring.object": ("the old name of `scoring.raise_objection` (routed: POST "
                       "/scoring/people/{person}/evaluations/{month}/objections), kept for one release"),
    "scoring.public_notice": PUBLIC, "scoring.public_period_notice": PUBLIC,
    "scoring.public_object": PUBLIC, "survey.submit_form": PUBLIC,
    "rewards.set_schedule": ("the operator's only (`lianbao`) for now: its row names the committee's office too "
                             "(rewards knows persons' posts from the roster's events), no route was added yet"),
    **{f"scoring.{many}": (f"`scoring.{one}` of many bodies' months in one call (a system's monthly run, "
                           f"`lianbao demo`); a caller posts, files or ranks a body's month: POST "
                           f"/scoring/evaluators/{{evaluator}}/{path}/{{month}}")
       for many, one, path in (("publish_notices", "publish_notice", "notices"),
                               ("file_months", "file_month", "filings"),
                               ("rank_months", "rank_month", "rankings"))},
    "survey.campaign_owner": ("the gateway's own scope lookup (whose a campaign is); a caller reads the "
                              "campaign: GET /survey/campaigns/{campaign_id}"),
}


def rpcs() -> list[str]:
    """``service.method`` of every RPC entry point of the five services' classes, sorted."""
    import importlib
    import inspect

    from nameko.rpc import Rpc

    out = []
    for service in SERVICES:
        cls = importlib.import_module(f"services.{service}.service").Service
        for name, member in inspect.getmembers(cls):
            if any(isinstance(e, Rpc) for e in getattr(member, "nameko_entrypoints", ())):
                out.append(f"{service}.{name}")
    return out


def unrouted(routes) -> list[tuple[str, str]]:
    """``(rpc, why)`` of every RPC without a route."""
    routed = {route.target for route in routes}
    return [(name, REASONS.get(name, LATER)) for name in rpcs() if name not in routed]
