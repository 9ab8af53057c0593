"""The tree through time (SPEC §9): a section moves to another agency on 15 June and is renamed on
1 July; what the notices and scoring made of it."""
from __future__ import annotations

from datetime import date

from lianbao.demo import dated
from lianbao.demo.state import DEMO_PACK_AGENCY, DemoState, timed


def reorganisation_plan(state: DemoState):
    """A section of a county procuratorate (the county's last one with a court beside it, away
    from the agencies whose adaptations the demo feeds) moves to the county court on 15 June
    and is renamed on 1 July: (section, from, to, moved on, renamed on, new name)."""
    adapted = {DEMO_PACK_AGENCY, "k1ps", "k2ps", "k1ct"}
    for cid in reversed(state.city.committees):
        src, dest = f"{cid}pr", f"{cid}ct"
        if src in state.agency_leaders and dest in state.agency_leaders and not {src, dest} & adapted:
            sections = sorted(sid for sid, agency in state.sections.items() if agency == src)
            if len(sections) >= 2 and state.agency_head.get(dest):
                return (sections[-1], src, dest, date(state.year, 6, 15).isoformat(),
                        date(state.year, 7, 1).isoformat(), "立案庭")
    return None


def reorganise(state: DemoState):
    """The roster's ``move_unit`` and ``rename_unit`` (the leading groups first hand over the
    section's 分管: the roster refuses a section supervised from another agency); the chiefs'
    mentor becomes the new agency's leader from the same day. Scoring, survey, training and
    rewards learn it from the roster's events: from June the section and its people are
    evaluated, rated and paid by the court (a month is read on its last day)."""
    plan = reorganisation_plan(state)
    if plan is None:
        return
    sid, src, dest, moved_on, renamed_on, name = plan
    old_leader = state.leader_of_section[sid]
    new_leader = state.agency_leaders[dest][0]
    with timed(state, "reorganisation"), state.suite.rpc() as rpc:
        keep = [x for x in state.staff[old_leader]["supervises"] if x != sid]
        cut = rpc.roster.change_staff({"person": old_leader, "effective": moved_on, "supervises": keep})
        state.staff[old_leader]["supervises"] = keep
        rpc.roster.move_unit({"unit": sid, "parent": dest, "effective": moved_on})
        more = state.staff[new_leader]["supervises"] + [sid]
        rpc.roster.change_staff({"person": new_leader, "effective": moved_on, "supervises": more})
        state.staff[new_leader]["supervises"] = more
        unassigned = {u["mentee"] for u in cut["unassigned"]}
        for chief in state.section_chiefs[sid]:
            call = rpc.roster.assign_mentor if chief in unassigned else rpc.roster.reassign_mentor
            call({"mentor": new_leader, "mentee": chief, "start": moved_on})
            dated.new_mentor(state, chief, new_leader, moved_on)
        rpc.roster.rename_unit({"unit": sid, "name": name, "effective": renamed_on})
        history = rpc.roster.unit_history({"unit": sid})["versions"]
    state.section_moves[sid] = (moved_on, src)
    state.sections[sid] = dest
    state.leader_changes[sid] = (moved_on, old_leader)
    state.leader_of_section[sid] = new_leader
    people = [s["id"] for s in state.city.staff if s["unit"] == sid]
    for pid in people:
        if state.evaluator[pid] == src:
            state.evaluator_changes[pid] = (moved_on, src)
            state.evaluator[pid] = dest
        state.city.agency_of[pid] = dest
    state.city.agency_of[sid] = dest
    state.notes["reorganisation"] = {
        "section": sid, "from": src, "to": dest, "moved_on": moved_on, "renamed_on": renamed_on,
        "name": name, "people": len(people), "supervised_by": [old_leader, new_leader],
        "versions": [(v["since"], v["until"], v["parent"], v["name"]) for v in history]}
    state.suite.wait_quiet(timeout=600)


def notice_name(state: DemoState, rpc, month, notice_on):
    """The moved section's name on its body's notice of ``month`` (posted after the move)."""
    seen = state.notes.get("reorganisation")
    if not seen:
        return
    sid = seen["section"]
    body = dated.body(state, sid, "section", month)
    page = rpc.scoring.public_notice({"evaluator": body, "month": month, "as_of": notice_on})
    seen.setdefault("notices", {})[month] = {
        "evaluator": body, "posted_on": notice_on,
        "name": next((e["name"] for e in page["entries"] if e["subject"] == sid), None)}


def reorganisation_seen(state: DemoState, rpc) -> dict:
    """What scoring made of the reorganisation: the section's evaluating body in May, June and
    July (as the demo expects it from the dated tree)."""
    seen = state.notes.get("reorganisation")
    if not seen:
        return {}
    sid = seen["section"]
    return {month: {"evaluator": rpc.scoring.evaluation({"subject": sid, "kind": "section",
                                                         "month": month})["evaluator"],
                    "expected": dated.body(state, sid, "section", month)}
            for month in (f"{state.year}-05", f"{state.year}-06", f"{state.year}-07")}
