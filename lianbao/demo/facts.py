"""Facts of the year (daily logs, honours, absences, bans, agency evaluations) and the agencies'
adaptations (a rule pack, the two example plug-ins' data)."""
from __future__ import annotations

from datetime import date

from lianbao.demo.state import DEMO_PACK_AGENCY, DEMO_PLUGINS, DemoState, timed


def facts(state: DemoState):
    y = state.year
    officers = [s for s in state.city.staff if s["position"] == "officer" and s["id"] not in state.transferred]
    with timed(state, "facts"), state.suite.rpc() as rpc:
        # daily logs of one week in November, reviewed by the mentors (a few left unreviewed)
        sample = state.rng.sample(officers, max(5, len(officers) // 20))
        logs, reviews = [], []
        for s in sample:
            for d in range(17, 22):
                day = date(y, 11, d).isoformat()
                logs.append({"person": s["id"], "date": day, "text": "办理案件、走访群众、学习记录"})
                if state.rng.random() < 0.95 and state.mentor_of.get(s["id"]):
                    reviews.append({"actor": state.mentor_of[s["id"]], "person": s["id"], "date": day})
        rpc.scoring.write_daily_logs({"logs": logs, "as_of": date(y, 11, 21).isoformat()})
        out = rpc.scoring.review_daily_logs({"reviews": reviews, "as_of": date(y, 11, 24).isoformat()})
        unreviewed = rpc.scoring.unreviewed_logs({"as_of": date(y, 11, 28).isoformat()})
        state.notes["daily_logs"] = {"written": len(logs), "reviewed": out["done"],
                                    "unreviewed": len(unreviewed["logs"])}
        # honours (M§五(二)1(2)①): provincial and central, one title twice at two levels
        honoured = state.rng.sample(officers, max(3, len(officers) // 80))
        state.honoured = [s["id"] for s in honoured]
        honours = []
        for i, s in enumerate(honoured):
            level = "central" if i % 5 == 0 else "provincial"
            honours.append({"id": f"hon-{s['id']}", "subject": s["id"], "title": "优秀政法干警",
                            "level": level, "date": date(y, 5, 4).isoformat()})
        honours.append({"id": f"hon-{honoured[1]['id']}-c", "subject": honoured[1]["id"],
                        "title": "优秀政法干警", "level": "central", "date": date(y, 9, 1).isoformat()})
        for sid in state.rng.sample(sorted(state.sections), max(2, len(state.sections) // 40)):
            honours.append({"id": f"hon-{sid}", "subject": sid, "title": "省级青年文明号",
                            "level": "provincial", "date": date(y, 6, 1).isoformat()})
        rpc.scoring.record_honours({"honours": honours})
        # unexcused absence: five days or more disqualifies (以上含本数)
        absent = state.rng.sample(officers, max(2, len(officers) // 300))
        state.absent = {s["id"]: 5 if k % 2 == 0 else 4 for k, s in enumerate(absent)}
        rpc.scoring.record_absences({"absences": [
            {"person": s["id"], "date": date(y, 8, 4 + d).isoformat()}
            for k, s in enumerate(absent) for d in range(5 if k % 2 == 0 else 4)]})
        # the ten bans: a confirmed violation suspends at once and opens cases against the person
        # and the mentor (联带责任); the sanction that follows disqualifies the person
        banned = state.rng.sample([s for s in officers if s["joined"] < date(y, 6, 10).isoformat()], 3)
        for k, s in enumerate(banned):
            rpc.roster.record_ban_violation({"person": s["id"], "ban": k + 2,
                                             "occurred_on": date(y, 6, 10).isoformat(),
                                             "confirmed_on": date(y, 6, 20).isoformat()})
        failed = state.rng.sample(sorted(state.sections), 2)
        rpc.scoring.record_facts({"facts": [
            {"id": f"sanction-{s['id']}", "subject": s["id"], "kind": "disciplinary_sanction",
             "date": date(y, 7, 1).isoformat()} for s in banned] + [
            {"id": f"inspection-{sid}", "subject": sid, "subject_kind": "section", "kind": "failed_inspection",
             "date": date(y, 10, 12).isoformat()} for sid in failed]})
        state.banned = [s["id"] for s in banned]
        # agency-level evaluation (M§五(一)): six standards, awards, criticisms, last year's class
        for a in state.city.agencies:
            strength = state.rng.uniform(-6, 12)
            standards = {k: round(min(v, max(0, v * 0.86 + strength * v / 100 + state.rng.uniform(-1, 1))), 1)
                         for k, v in (("structures", 15), ("mentoring", 20), ("joint_work", 15),
                                      ("rules_and_bans", 20), ("central_tasks", 15), ("effectiveness", 15))}
            awards = []
            if state.rng.random() < 0.4:
                awards.append({"kind": "unit_commended", "level": state.rng.choice(("provincial", "central"))})
            if state.rng.random() < 0.2:
                awards.append({"kind": "experience_promoted", "level": state.rng.choice(("city", "provincial"))})
            awards += [{"kind": "article_adopted"}] * state.rng.randint(0, 4)
            rpc.scoring.record_agency_evaluation({
                "agency": a["id"], "year": y, "group": a["group"], "standards": standards, "awards": awards,
                "criticisms": state.rng.choice((0, 0, 0, 1, 2)), "previous_class": state.rng.choice((1, 2, 2, 3))})
    state.suite.wait_quiet(timeout=600)


def adaptations(state: DemoState):
    """The city public-security bureau adopts a rule pack (stricter cut-offs, a five-star quota,
    a higher ★5 bonus), after previewing it; two county bureaus feed the case-clearance plug-in,
    a county court the reversed-judgments plug-in."""
    y = state.year
    pack = {"version": 1, "effective_from": f"{y}", "title": "市公安局星级考评对接标准",
            "rules": {"cutoffs": {"5": 96, "4": 91}, "five_star_quota": 0.12},
            "rewards": {"officer": {"5": 1200}}}
    with timed(state, "adaptations"), state.suite.rpc() as rpc:
        state.pack = rpc.scoring.register_pack({"agency": DEMO_PACK_AGENCY, "pack": pack})
        for agency in ("k1ps", "k2ps"):
            people = [s["id"] for s in state.city.staff if state.city.agency_of[s["id"]] == agency
                      and s["position"] in ("officer", "chief")]
            rpc.scoring.record_subject_data({"agency": agency, "period": f"{y}", "subjects": [
                {"id": p, "figures": {"clearance_rate": {f"{y}-{m:02d}": round(state.rng.uniform(0.5, 1.0), 2)
                                                         for m in range(1, 13)}}} for p in people]})
        judges = [s["id"] for s in state.city.staff if state.city.agency_of[s["id"]] == "k1ct"
                  and s["position"] == "officer"]
        rpc.scoring.record_subject_data({"agency": "k1ct", "period": f"{y}", "subjects": [
            {"id": p, "figures": {"reversed_judgments": state.rng.choice((0, 0, 0, 1, 2, 4))}} for p in judges]})
    state.notes["adaptations"] = {"pack": {"agency": DEMO_PACK_AGENCY, "version": 1,
                                          "created": state.pack.get("created")},
                                 "plugins": DEMO_PLUGINS}
