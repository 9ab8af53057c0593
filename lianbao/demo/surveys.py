"""The satisfaction surveys of the two halves (群众满意度测评), paper forms keyed twice included."""
from __future__ import annotations

from collections import Counter

from lianbao.demo.state import DemoState, batches, timed


def answers(state: DemoState, p: float) -> str:
    out = []
    for _ in range(35):
        r = state.rng.random()
        if r < 0.05:
            out.append("N")
        elif r < 0.05 + p * 0.7:
            out.append("S")
        elif r < 0.05 + p * 0.95:
            out.append("B")
        else:
            out.append("D")
    return "".join(out)


def surveys(state: DemoState):
    from shared.contracts.survey import RESPONDENT_GROUPS

    y = state.year
    officers = [s["id"] for s in state.city.staff]
    state.unhappy = set(state.rng.sample(officers, max(1, len(officers) // 120)))
    per_kind = [("officer", officers, 4), ("section", list(state.sections), 20),
                ("agency", [a["id"] for a in state.city.agencies], 100)]
    totals = {}
    state.error_kinds_survey = Counter()
    with timed(state, "surveys"), state.suite.rpc() as rpc:
        for half in ("H1", "H2"):
            campaign = f"sat-{y}{half}"
            subjects = [{"id": sid, "kind": kind, "name": ""} for kind, ids, _n in per_kind for sid in ids]
            rpc.survey.create_campaign({"campaign_id": campaign, "period": f"{y}{half}", "owner": "city",
                                        "title": f"{y}年{'上' if half == 'H1' else '下'}半年群众满意度测评",
                                        "subjects": subjects})
            forms = []
            for kind, subjects, n in per_kind:
                for subject in subjects:
                    p = 0.45 if subject in state.unhappy else 0.93
                    for k in range(n):
                        forms.append({"serial": f"{campaign}-{subject}-{k}", "subject": subject,
                                      "group": RESPONDENT_GROUPS[(k + len(subject)) % 10],
                                      "answers": answers(state, p)})
            # paper forms keyed twice by mistake: the second copy must not count
            forms.extend(dict(f) for f in state.rng.sample(forms, 200))
            state.rng.shuffle(forms)
            bar = state.progress.bar(len(forms), f"survey {half}: forms")
            received = duplicates = 0
            for i, batch in enumerate(batches(forms, 10_000)):
                out = rpc.survey.submit_batch({"campaign_id": campaign, "batch_id": f"{campaign}-b{i}",
                                               "forms": batch})
                received += out["accepted"]
                duplicates += out["duplicates"]
                for e in out["errors"]:
                    state.error_kinds_survey[f"{e['reason']}: {e['message'][:50]}"] += 1
                bar.update(len(batch))
            bar.close()
            rates = rpc.survey.close_campaign({"campaign_id": campaign})
            totals[half] = {"forms": received, "duplicates_refused": duplicates,
                            "rate": rates["totals"]["rate"]}
            if half == "H1":
                state.xlsx_rates = rpc.survey.rates_xlsx({"campaign_id": campaign})
    state.notes["surveys"] = totals
    state.notes["survey_refusals"] = dict(state.error_kinds_survey.most_common(6))
    state.suite.wait_quiet(timeout=600)
