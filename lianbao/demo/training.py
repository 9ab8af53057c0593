"""The year's training (courses, study days, the central group's sessions, rotation with its
retraining, skills, the all-round assessment, allowances), and how the demo reads training's answers."""
from __future__ import annotations

from datetime import date

from lianbao.demo.state import DemoState, batches, timed


def cert_person(cert: dict) -> str:
    """The person a certification of training's names: ``person`` (#17; the deprecated
    ``person_id`` beside it goes in 0.2.0)."""
    return cert["person"]


def training(state: DemoState):
    y, rng, city = state.year, state.rng, state.city
    with timed(state, "training"), state.suite.rpc() as rpc:
        rpc.training.register_courses({"courses": [
            {"id": f"ROT{y}", "kind": "rotation", "title": f"{y}年度轮训",
             "modules": ["rule_of_law", "politics", "skills"]},
            {"id": f"SK{y}", "kind": "skills", "title": f"{y}年度考技考能", "modules": ["skills"]},
            {"id": f"AR{y}", "kind": "all_round_assessment", "title": "全能政法干警考核", "modules": []},
        ]})
        # political-theory study: two days a month each (a few fall short)
        entries = []
        for s in city.staff:
            for m in range(1, 13):
                days = (3, 10) if rng.random() > 0.02 else (3,)
                for d in days:
                    entries.append({"person": s["id"], "date": date(y, m, d).isoformat()})
        bar = state.progress.bar(len(entries), "training: study days")
        for batch in batches(entries, 50_000):
            rpc.training.record_study({"entries": batch})
            bar.update(len(batch))
        bar.close()
        # the central study group: one 3-day session a quarter in every unit with a head
        heads = sorted(state.agency_head)
        for q in range(4):
            for unit in heads:
                if rng.random() < 0.97:
                    rpc.training.record_session({"unit_id": unit, "start": date(y, 3 * q + 2, 6).isoformat(),
                                                 "days": 3})
        # rotation training: every chief, and officers in the year they are due; a few fail,
        # most of them pass the retraining, the rest are removed / transferred (M§三(四)1(3))
        rows, state.transferred, state.demoted = [], {}, set()
        skills = []
        for s in city.staff:
            if s["position"] not in ("chief", "officer"):
                continue
            if s["joined"] > date(y, 4, 15).isoformat():
                continue                    # joins after the course: his pre-service training counts
            joined_year = int(s["joined"][:4])
            due = s["position"] == "chief" or (y - joined_year) % 3 == 0
            if due:
                fail = rng.random() < 0.03
                rows.append({"person": s["id"], "course_id": f"ROT{y}",
                             "date": date(y, 4, 15).isoformat(), "result": "fail" if fail else "pass"})
                if fail:
                    again = rng.random() < 0.7
                    rows.append({"person": s["id"], "course_id": f"ROT{y}",
                                 "date": date(y, 9, 15).isoformat(), "result": "pass" if again else "fail"})
                    if not again:
                        if s["position"] == "officer":
                            state.transferred[s["id"]] = date(y, 9, 15)
                        else:
                            state.demoted.add(s["id"])
            skills.append({"person": s["id"], "course_id": f"SK{y}", "date": date(y, 11, 20).isoformat(),
                           "result": "pass" if rng.random() < 0.965 else "fail"})
        officers = [s for s in city.staff if s["position"] == "officer"
                    and s["joined"] <= date(y, 3, 15).isoformat()]      # on the team by the assessment
        state.certified = [s["id"] for s in rng.sample(officers, max(1, len(officers) // 60))]
        assessments = [{"person": p, "course_id": f"AR{y}", "date": date(y, 3, 15).isoformat(),
                        "result": "pass"} for p in state.certified]
        result = rpc.training.import_results({"rows": rows + skills + assessments})
        assert result["committed"], result["errors"][:5]
        for m in range(1, 13):
            rpc.training.run_allowances({"month": f"{y}-{m:02d}"})
        state.notes["training_results"] = len(rows) + len(skills) + len(assessments)
    with timed(state, "training events"):
        state.suite.wait_quiet(timeout=600)
