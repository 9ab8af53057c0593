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
COMMAND = ("a command whose actor is still a payload field: routed once verified identity and the "
           "policy (the trust work) decide who may do it")
LATER = "not routed yet"

#: why an RPC has no route (an RPC of this list that gets a route leaves it)
REASONS: dict[str, str] = {
    **{f"{service}.targets": OPERATOR for service in ("roster", "scoring", "survey", "training")},
    "roster.refresh_metrics": OPERATOR,
    "training.check_certifications": OPERATOR,
    "training.run_allowances": OPERATOR,
    "scoring.load_calendar": OPERATOR,
    "scoring.upsert_people": READ_MODEL, "scoring.save_units": READ_MODEL, "scoring.record_spells": READ_MODEL,
    "training.upsert_people": READ_MODEL,
    "rewards.settle": EVENT,
    "scoring.object": ("the old name of `scoring.raise_objection` (routed: POST "
                       "/scoring/people/{person}/evaluations/{month}/objections), kept for one release"),
    "scoring.public_notice": PUBLIC, "scoring.public_period_notice": PUBLIC,
    "scoring.public_object": PUBLIC, "survey.submit_form": PUBLIC,
    **{f"scoring.{name}": COMMAND for name in (
        "register_criteria_pack", "register_pack", "name_helpers", "record_study_class", "record_referral_minutes", "complete_task",
        "record_subject_data")},
    **{f"roster.{name}": COMMAND for name in (
        "save_units", "move_unit", "rename_unit", "dissolve_unit", "create_staff", "change_staff", "record_spell", "end_spell", "assign_mentor",
        "assign_mentors", "reassign_mentor", "unassign_mentor", "return_to_team", "record_ban_violation",
        "record_discipline_fact", "investigate")},
    **{f"training.{name}": COMMAND for name in (
        "register_courses", "record_result", "record_study", "record_session", "set_frontline_post")},
    **{f"survey.{name}": COMMAND for name in ("define_questionnaire", "set_campaign_questionnaire")},
    **{f"rewards.{name}": COMMAND for name in ("set_schedule", "complete_task")},
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
