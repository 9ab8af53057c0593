"""A small city for the scoring service's tests, and a listener of ``rating_published``."""
import pytest
from nameko.events import event_handler

from shared.runner import service_class
from tests.waiting import wait_for  # noqa: E402,F401

UNITS = [
    {"id": "city", "kind": "committee", "name": "市委政法委"},
    {"id": "cnty", "kind": "committee", "parent": "city", "name": "津市市委政法委"},
    {"id": "ps", "kind": "agency", "parent": "cnty", "name": "津市市公安局"},
    {"id": "s1", "kind": "section", "parent": "ps", "agency": "ps", "name": "刑侦大队"},
    {"id": "s2", "kind": "section", "parent": "ps", "agency": "ps", "name": "治安大队"},
    {"id": "s3", "kind": "section", "parent": "ps", "agency": "ps", "name": "法制大队"},
]

PEOPLE = [
    {"id": "cs", "agency": "cnty", "position": "head", "joined": "1995-01-01"},
    {"id": "cl", "agency": "cnty", "position": "leader", "joined": "1998-01-01", "mentor": "cs"},
    {"id": "h", "agency": "ps", "position": "head", "joined": "2000-01-01"},
    {"id": "l1", "agency": "ps", "position": "leader", "joined": "2005-01-01", "mentor": "h",
     "supervises": ["s1"]},
    {"id": "l2", "agency": "ps", "position": "leader", "joined": "2005-01-01", "mentor": "h",
     "supervises": ["s2"]},
    {"id": "l3", "agency": "ps", "position": "leader", "joined": "2006-01-01", "mentor": "h",
     "supervises": ["s3"]},
    {"id": "c1", "agency": "ps", "section": "s1", "position": "chief", "joined": "2010-01-01",
     "mentor": "l1"},
    {"id": "c2", "agency": "ps", "section": "s2", "position": "chief", "joined": "2010-01-01",
     "mentor": "l2"},
    {"id": "c3", "agency": "ps", "section": "s3", "position": "chief", "joined": "2010-01-01",
     "mentor": "l3"},
    {"id": "o1", "agency": "ps", "section": "s1", "position": "officer", "joined": "2020-01-01",
     "mentor": "c1", "name": "干警1"},
    {"id": "o2", "agency": "ps", "section": "s1", "position": "officer", "joined": "2020-01-01",
     "mentor": "c1"},
    {"id": "o3", "agency": "ps", "section": "s2", "position": "officer", "joined": "2020-01-01",
     "mentor": "c2"},
    {"id": "o4", "agency": "ps", "section": "s2", "position": "officer", "joined": "2026-03-01",
     "mentor": "c2"},
]
#: who posts and files each body's month: the bureau's head, whose own evaluation is the county
#: committee's (nobody posts or files their own evaluation: SPEC §8)
LEADERS_OF = {"ps": "h", "cnty": "cs"}
#: who the roster resolves as evaluator where it is not the person's own agency (M§五(二)3: the
#: county committee evaluates the bureau's head); it reaches scoring by ``evaluators_resolved``
EVALUATORS = {"h": "cnty"}
COMMITTEE_STAFF = ("cs", "cl")   # the county committee's own staff: not evaluated in these tests


class RatingListener:
    """Collects every ``scoring.rating_published`` event (a test helper, not part of the suite)."""
    name = "rating_listener"
    received: list = []

    @event_handler("scoring", "rating_published")
    def on_rating(self, payload):
        RatingListener.received.append(payload)


@pytest.fixture
def city(embedded_suite):
    RatingListener.received = []
    suite = embedded_suite(classes=[service_class("scoring"), RatingListener],
                           OUTBOX_POLL_SECONDS=0.2)
    with suite.rpc() as rpc:
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": PEOPLE})
    resolve_evaluators(suite, PEOPLE, EVALUATORS)
    return suite


def satisfaction_published(event_id, campaign_id, period, owner, final, counts):
    """survey's ``satisfaction_rates_published`` as survey publishes it (its contract's every field);
    ``counts``: {subject id: (satisfied, basic, dissatisfied)}, each an officer."""
    def rate(satisfied, basic, dissatisfied):
        forms = satisfied + basic + dissatisfied
        return {"forms": forms, "satisfied": satisfied, "basic": basic, "dissatisfied": dissatisfied,
                "answered": forms, "rate": None, "below_60": False, "meets_target": False}
    totals = rate(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return {"event_id": event_id, "occurred_at": "2026-06-30T00:00:00Z", "campaign_id": campaign_id,
            "period": period, "owner": owner, "final": final,
            "questionnaire": {"key": "std", "version": 1}, "totals": totals,
            "subjects": [dict(rate(*c), id=sid, kind="officer") for sid, c in counts.items()]}


def resolve_evaluators(suite, people, groups, resolved_at="2000-01-01T00:00:00"):
    """The roster's ``evaluators_resolved`` for ``groups`` {person: group} (from the join date), as
    the roster publishes it; waits until scoring has it."""
    joined = {p["id"]: p["joined"] for p in people}
    suite.dispatch("roster", "evaluators_resolved", {
        "event_id": f"test-evaluators-{resolved_at}", "resolved_at": resolved_at,
        "people": [{"person": pid, "spans": [{"start": joined[pid], "end": None, "group": group,
                                              "rule": "county_leader_by_committee"}]}
                   for pid, group in sorted(groups.items())]})
    suite.wait_quiet(timeout=60)


def subjects_of(month_people=None):
    return [(p["id"], "officer") for p in PEOPLE if p["id"] not in COMMITTEE_STAFF] + [(u["id"], "section") for u in UNITS
                                                     if u["kind"] == "section"]


def evaluator_actor(rpc, subject, kind):
    """A member of the subject's leading group who neither is the subject nor reviewed it (the
    mentor does not approve; nobody approves their own evaluation: SPEC §8)."""
    if subject == "h":
        return "cl"
    return next(m for m in ("l1", "l2", "l3") if m not in (subject, mentor_of(subject, kind)))


def mentor_of(subject, kind):
    if kind == "section":
        return {"s1": "l1", "s2": "l2", "s3": "l3"}[subject]
    mentor = next(p for p in PEOPLE if p["id"] == subject).get("mentor")
    return mentor or "cs"   # the head: no mentor, a member of its evaluator's group reviews


def self_actor(subject, kind):
    return {"s1": "c1", "s2": "c2", "s3": "c3"}[subject] if kind == "section" else subject


def leaders_assessed_and_approved(sc, month):
    """l1, l2, l3 of ps's leading group self-assessed on 2 March (l3 lowest, l2 highest) and reviewed
    by their mentor h that day, each approved by a colleague on the 3rd (``sc``: scoring's proxy)."""
    scores = {"l1": {}, "l2": {"diligence.public": 5}, "l3": {"performance.targets": 2}}
    for leader, items in scores.items():
        sc.submit_self_assessment({"actor": leader, "subject": leader, "month": month,
                                   "as_of": "2026-03-02", "item_scores": items})
        sc.review({"actor": "h", "subject": leader, "month": month, "as_of": "2026-03-02"})
    for leader, colleague in (("l1", "l2"), ("l2", "l3"), ("l3", "l1")):
        sc.approve({"actor": colleague, "subject": leader, "month": month, "as_of": "2026-03-03"})


def drive_month(rpc, month, scores, *, submit_on, file_on, deductions=None, skip=()):
    """One month through every step with the batch RPCs: ``scores`` maps subject → item scores."""
    last = f"{month}-28"      # not evaluated for a month before joining (SPEC §9)
    subjects = [(s, k) for s, k in subjects_of() if s not in skip
                and (k == "section" or next(p for p in PEOPLE if p["id"] == s)["joined"] <= last)]
    items = [{"actor": self_actor(s, k), "subject": s, "kind": k, "month": month,
              "item_scores": scores.get(s, {})} for s, k in subjects]
    out = rpc.scoring.submit_self_assessments({"items": items, "as_of": submit_on})
    assert out["errors"] == [], out["errors"]
    reviews = [{"actor": mentor_of(s, k), "subject": s, "kind": k, "month": month,
                "deductions": (deductions or {}).get(s, [])} for s, k in subjects]
    out = rpc.scoring.review_batch({"items": reviews, "as_of": submit_on})
    assert out["errors"] == [], out["errors"]
    approvals = [{"actor": evaluator_actor(rpc, s, k), "subject": s, "kind": k, "month": month}
                 for s, k in subjects]
    out = rpc.scoring.approve_batch({"items": approvals, "as_of": submit_on})
    assert out["errors"] == [], out["errors"]
    for body, actor in LEADERS_OF.items():
        rpc.scoring.publish_notice({"actor": actor, "evaluator": body, "month": month,
                                    "as_of": submit_on})
        rpc.scoring.file_month({"actor": actor, "evaluator": body, "month": month, "as_of": file_on})
