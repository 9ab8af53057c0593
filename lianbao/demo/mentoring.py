"""The repair of the mentoring chain on 1 October, after training's removals."""
from __future__ import annotations

from datetime import date

from lianbao.demo import dated
from lianbao.demo.state import DemoState, parallel, timed


def repair_mentoring(state: DemoState):
    """After removals, the agencies appoint a new chief where a section lost its only one, and
    give every officer without a mentor a new one (the roster never does it silently)."""
    when = date(state.year, 10, 1).isoformat()
    with timed(state, "mentoring repaired"), state.suite.rpc() as rpc:
        before = rpc.roster.mentoring_coverage({"date": when})
        appointed = 0
        for sid, chiefs in sorted(state.section_chiefs.items()):
            if any(c not in state.demoted and state.staff[c]["joined"] <= when for c in chiefs):
                continue
            candidates = [s for s in state.city.staff if s["unit"] == sid and s["position"] == "officer"
                          and s["id"] not in state.transferred and s["id"] not in state.demoted
                          and s["joined"] <= when]
            if not candidates:
                continue
            new = min(candidates, key=lambda s: s["joined"])
            rpc.roster.change_staff({"person": new["id"], "effective": when, "position": "chief"})
            rpc.roster.assign_mentor({"mentor": state.leader_of_section[sid], "mentee": new["id"], "start": when})
            new["position"] = "chief"
            dated.new_mentor(state, new["id"], state.leader_of_section[sid], when)
            state.section_chiefs[sid].append(new["id"])
            appointed += 1
        state.suite.wait_quiet(timeout=600)
        without = [(p, when) for p in rpc.roster.mentoring_coverage({"date": when})["officer"]["without"]]
        # newcomers who join after the repair: the pair waiting for them was cancelled when its
        # mentor lost his post (the roster cuts future pairs too), so they get one from their
        # first day, as the roster answers it for that day
        later = sorted((s for s in state.city.staff if s["joined"] > when and s["position"] == "officer"
                        and s["id"] not in state.transferred), key=lambda s: s["id"])
        if later:
            answers = parallel(state, [("roster", "mentor_of", {"person": s["id"], "date": s["joined"]})
                                      for s in later], "roster: mentors of later newcomers")
            without += [(s["id"], s["joined"]) for s, a in zip(later, answers) if a["mentor"] is None]
        pairs = []
        for person, start in without:
            staff = state.staff.get(person)
            if staff is None or person in state.transferred:
                continue
            options = [c for c in state.section_chiefs.get(staff["unit"], [])
                       if c not in state.demoted and state.staff[c]["joined"] <= start]
            if options:
                pairs.append({"mentor": options[0], "mentee": person, "start": start})
        out = rpc.roster.assign_mentors({"pairs": pairs}) if pairs else {"assigned": 0, "errors": []}
        refused = {e["index"] for e in out["errors"]}
        for i, pair in enumerate(pairs):
            if i not in refused:
                dated.new_mentor(state, pair["mentee"], pair["mentor"], pair["start"])
        fixed = out["assigned"]
        state.notes["mentoring_repair_refused"] = [e["message"] for e in out["errors"][:5]]
        after = rpc.roster.mentoring_coverage({"date": when})
    state.notes["mentoring_repair"] = {"coverage_before": before["officer"]["share"],
                                      "chiefs_appointed": appointed, "mentors_reassigned": fixed,
                                      "coverage_after": after["officer"]["share"],
                                      "still_without": after["officer"]["without"][:10]}
    state.suite.wait_quiet(timeout=600)
