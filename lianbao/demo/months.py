"""The monthly workflow (M§五(二)): each month's self-assessments, the mentors' reviews, the
leading groups' approvals, the notice with its objections, the filing and the ranking."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from lianbao.demo import dated
from lianbao.demo.reorganisation import notice_name
from lianbao.demo.state import DemoState, batches, timed


def draw_profiles(state: DemoState):
    """Each person's (and section's) standing over the year: how many points a month they usually
    lose; the few officers in trouble; the bodies that file late in April and October."""
    state.loss = {}
    for s in state.city.staff:
        r = state.rng.random()
        if r < 0.10:
            base = state.rng.uniform(0, 3.5)
        elif r < 0.36:
            base = state.rng.uniform(5.5, 9)
        elif r < 0.85:
            base = state.rng.uniform(11, 18)
        elif r < 0.97:
            base = state.rng.uniform(21, 28)
        else:
            base = state.rng.uniform(31, 38)
        state.loss[s["id"]] = base
    state.troubled = set(state.rng.sample([s["id"] for s in state.city.staff if s["position"] == "officer"],
                                        max(1, len(state.city.staff) // 250)))
    state.section_loss = {}
    for sid in state.sections:
        r = state.rng.random()
        state.section_loss[sid] = (state.rng.uniform(0, 4) if r < 0.25 else state.rng.uniform(5, 18)
                                  if r < 0.9 else state.rng.uniform(21, 34))
    bodies = sorted(set(state.evaluator.values()) | set(state.sections.values()))
    state.late_bodies = set(state.rng.sample(bodies, max(1, len(bodies) // 8)))
    state.notes["late_bodies"] = sorted(state.late_bodies)
    state.error_kinds = Counter()
    state.notes["objections"] = state.notes["workflow_item_errors"] = 0


def spread(loss: float, items) -> dict:
    """Item scores that lose ``loss`` points (in half points) from the template's items."""
    remaining = round(loss * 2) / 2
    out = {}
    for item, maximum in items:
        take = min(maximum, remaining)
        if take > 0:
            out[item] = float(maximum - take)
            remaining -= take
    return out


def body_step(state: DemoState, rpc, method, body, **payload):
    """公示 / 备案 of a body's month by its first member; the member's own evaluation is left for
    another member of the leading group (SPEC §8), who then posts or files it."""
    members = state.body_members[body]
    out = getattr(rpc.scoring, method)({"actor": members[0], "evaluator": body, **payload})
    if out.get("left_for_another_member") and len(members) > 1:
        getattr(rpc.scoring, method)({"actor": members[1], "evaluator": body, **payload})
    return out


def bodies_step(state: DemoState, rpc, method, bodies, month: str, as_of: str, actor=0) -> None:
    """:func:`body_step` of many bodies in one call (``publish_notices``, ``file_months``,
    ``rank_months``): each body's month by its first member (``actor``: which one), then, in a second
    call, by the next member where the first's own evaluation was left for another.  A refused item
    stops the demo, as the single call's error did."""
    if not bodies:
        return
    items = [{"actor": state.body_members[b][actor], "evaluator": b, "month": month} for b in bodies]
    out = getattr(rpc.scoring, method)({"items": items, "as_of": as_of})
    if out["errors"]:
        raise RuntimeError(f"scoring.{method}: {out['errors'][:5]}")
    if actor == 0:
        again = [it["evaluator"] for it, res in zip(items, out["results"])
                 if res.get("left_for_another_member") and len(state.body_members[it["evaluator"]]) > 1]
        bodies_step(state, rpc, method, again, month, as_of, actor=1)


def acted_by(state: DemoState, who, day: str, month: str):
    """An item's review or approval by ``who`` (``dated.reviewer``, ``dated.approver``) on ``day``."""
    return lambda it: {"actor": who(state, it["subject"], it["kind"], day, month),
                       "subject": it["subject"], "kind": it["kind"], "month": month}


def evaluations(state: DemoState, months):
    """The monthly workflow for ``months`` (evaluated early in the next month, in order)."""
    y = state.year
    officer_items, section_items = state.criteria["officer"], state.criteria["section"]
    bodies = sorted(set(state.evaluator.values()) | set(state.sections.values()))
    late_bodies = state.late_bodies
    objections = errors = 0
    bar = state.progress.bar(len(months), f"scoring: months {months[0]}–{months[-1]}")
    with timed(state, f"evaluations {months[0]}-{months[-1]}"), state.suite.rpc() as rpc:
        for m in months:
            month = f"{y}-{m:02d}"
            nxt = date(y + (m == 12), m % 12 + 1, 1)
            submit_on, notice_on = (nxt + timedelta(days=1)).isoformat(), (nxt + timedelta(days=2)).isoformat()
            subjects = []
            for s in state.city.staff:
                left = state.transferred.get(s["id"])
                if left is not None and (y, m) >= (left.year, left.month):
                    continue        # gone before the month is evaluated: no evaluation
                if date.fromisoformat(s["joined"]) > date(y, m, 28):
                    continue
                subjects.append((s["id"], "officer"))
            subjects += [(sid, "section") for sid in state.sections]
            items = []
            for subject, kind in subjects:
                if kind == "section":
                    loss = state.section_loss[subject] + state.rng.uniform(-2, 2)
                    scores = spread(max(0.0, loss), section_items)
                    actor = next(c for c in state.section_chiefs[subject]
                                 if c not in state.demoted)
                else:
                    loss = state.loss[subject] + state.rng.uniform(-2.5, 2.5)
                    if subject in state.troubled and m in (3, 6, 9):
                        loss = 45
                    scores = spread(max(0.0, loss), officer_items)
                    actor = subject
                items.append({"actor": actor, "subject": subject, "kind": kind, "month": month,
                              "item_scores": scores})
            for step, method, make in (
                    ("submit", "submit_self_assessments", lambda it: it),
                    ("review", "review_batch", acted_by(state, dated.reviewer, submit_on, month)),
                    ("approve", "approve_batch", acted_by(state, dated.approver, submit_on, month))):
                for batch in batches([make(it) for it in items], 5000):
                    out = getattr(rpc.scoring, method)({"items": batch, "as_of": submit_on})
                    errors += len(out["errors"])
                    for e in out["errors"]:
                        state.error_kinds[f"{step}: {e['message'][:60]}"] += 1
            bodies_step(state, rpc, "publish_notices", bodies, month, notice_on)
            notice_name(state, rpc, month, notice_on)
            # objections during the notice: back to review, reviewed and approved again
            for subject, kind in state.rng.sample([x for x in subjects if x[1] == "officer"], 3):
                rpc.scoring.raise_objection({"actor": subject, "subject": subject, "kind": kind,
                                             "month": month, "text": "对扣分有异议", "as_of": notice_on})
                rpc.scoring.review({"actor": dated.reviewer(state, subject, kind, notice_on, month),
                                    "subject": subject, "kind": kind, "month": month, "as_of": notice_on})
                rpc.scoring.approve({"actor": dated.approver(state, subject, kind, notice_on, month),
                                     "subject": subject, "kind": kind, "month": month, "as_of": notice_on})
                body = dated.body(state, subject, kind, month)
                body_step(state, rpc, "publish_notice", body, month=month, as_of=notice_on)
                objections += 1
            # the notice's three working days on China's calendar (after National Day, a make-up
            # Saturday counts): filing on the 10th, or the first day after the notice
            notice_end = date.fromisoformat(rpc.scoring.working_days(
                {"start": notice_on, "end": notice_on})["notice_end_if_posted_on_start"])
            filing_days = {}        # the day each body files (and ranks) on: one call a day
            for body in bodies:
                day = 17 if body in late_bodies and m in (4, 10) else 10
                on = max(date(nxt.year, nxt.month, day), notice_end + timedelta(days=1)).isoformat()
                filing_days.setdefault(on, []).append(body)
            for on, filing in sorted(filing_days.items()):
                bodies_step(state, rpc, "file_months", filing, month, on)
                bodies_step(state, rpc, "rank_months", filing, month, on)
            bar.update(1)
    bar.close()
    state.notes["objections"] += objections
    state.notes["workflow_item_errors"] += errors
    state.notes["workflow_error_kinds"] = dict(state.error_kinds.most_common(10))
