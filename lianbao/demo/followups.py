"""Working days, the ranking's follow-ups, the leaders' recognition poll, training as a caller."""
from __future__ import annotations

from collections import Counter
from datetime import date

from lianbao.demo.reorganisation import reorganisation_seen
from lianbao.demo.state import DemoState, batches, timed
from lianbao.demo.surveys import answers
from lianbao.demo.training import cert_person


def followups(state: DemoState):
    """Briefly, through the RPCs: the calendar, referrals twice running (minutes, export), 三帮一
    and a study class, a poor leader's collective talk, the committee leaders' recognition poll
    (公认度测评) and training's read-only queries."""
    y = state.year
    out = {}
    staff = {s["id"]: s for s in state.city.staff}
    committee_of = {cid: [s["id"] for s in state.city.staff if s["unit"] == cid
                          and s["position"] in ("head", "leader")] for cid in state.city.committees}
    with timed(state, "follow-ups"), state.suite.rpc() as rpc:
        out["calendar"] = {
            "status": rpc.scoring.calendar_status({"as_of": date(y, 12, 31).isoformat()}),
            "notice_posted_09_30_ends": rpc.scoring.working_days(
                {"start": f"{y}-09-30", "end": f"{y}-09-30"})["notice_end_if_posted_on_start"]}
        refs = rpc.scoring.referrals({"year": y})["referrals"]
        out["referrals"] = dict(Counter(f"{r['group']}/{r['class']}" for r in refs))
        unit_parent = {u["id"]: u.get("parent") for u in state.city.units}
        minuted = 0
        for r in refs[:3]:                 # the office meeting minutes the first three
            committee = r["evaluator"] if r["evaluator"] in committee_of else unit_parent.get(r["evaluator"])
            while committee and committee not in committee_of:
                committee = unit_parent.get(committee)
            y_, m_ = map(int, r["month"].split("-"))
            meeting = date(y_ + (m_ == 12), m_ % 12 + 1, 20).isoformat()
            rpc.scoring.record_referral_minutes({
                "actor": committee_of[committee][0], "referral_id": r["id"], "meeting_date": meeting,
                "as_of": meeting, "minutes": f"{r['subject']} 连续两次{'好' if r['class'] == 'good' else '差'}, 专题研究"})
            minuted += 1
        export = rpc.scoring.referrals_export({"year": y, "format": "xlsx"})
        out["referrals_minuted"], out["referrals_exported_rows"] = minuted, export["rows"]
        # a poor leader evaluated by a committee (its members act within the committee's units;
        # a deputy-division unit's leader evaluated by its 归口 unit lies outside that unit's own
        # units for the policy table, so its head may not name his helpers)
        poor = [p for p in rpc.scoring.poor_followups({"month": f"{y}-11"})["poor"]
                if p["group"] == "leaders" and p["evaluator"] in committee_of][:1]
        for p in poor:
            members = [m for m in state.body_members[p["evaluator"]] if m != p["subject"]]
            helpers = (members + [s for s in staff if s != p["subject"] and s not in members])[:3]
            base = {"actor": members[0], "evaluator": p["evaluator"], "month": p["month"],
                    "subject": p["subject"], "as_of": f"{y}-12-20"}
            rpc.scoring.name_helpers({**base, "helpers": helpers})
            done = rpc.scoring.record_study_class({**base, "class_id": f"xxb-{y}-12",
                                                   "class_name": f"{y}年12月学习班",
                                                   "held_on": f"{y}-12-18", "attended": True})
            talk = done["collective_talk"]
            committee = unit_parent.get(p["evaluator"]) if p["evaluator"] not in committee_of else p["evaluator"]
            while committee and committee not in committee_of:
                committee = unit_parent.get(committee)
            rpc.scoring.complete_task({"actor": committee_of[committee][0], "task_id": talk["id"],
                                       "held_on": f"{y}-12-19", "as_of": f"{y}-12-20",
                                       "record": "政法委书记办公会议集体谈话, 批评教育、帮助整改"})
        tasks = rpc.scoring.followup_tasks({"as_of": f"{y}-12-31"})
        out["collective_talks"] = {"tasks": tasks["count"], "overdue": tasks["overdue"],
                                   "done": sum(1 for t in tasks["tasks"] if t["state"] == "done"),
                                   "poor_leaders_helped": len(poor)}
        # 公认度测评: the city committee's secretary and deputies, by the agencies' leading groups
        leaders = committee_of["city"]
        respondents = [s["id"] for s in state.city.staff if s["position"] in ("head", "leader")
                       and s["unit"] not in state.city.committees]
        poll = f"gr-{y}H2"
        rpc.survey.create_campaign({"campaign_id": poll, "kind": "recognition", "period": f"{y}H2",
                                    "owner": "city", "title": f"{y}年下半年政法委领导公认度测评",
                                    "subjects": [{"id": pid, "kind": "leader"} for pid in leaders]})
        forms = [{"serial": f"{poll}-{r}-{pid}", "subject": pid, "group": "leading_group_members",
                  "answers": answers(state, 0.9)[:6]} for r in respondents for pid in leaders]
        for batch in batches(forms, 5000):
            rpc.survey.submit_batch({"campaign_id": poll, "batch_id": f"{poll}-{batch[0]['serial']}",
                                     "forms": batch})
        rpc.survey.close_campaign({"campaign_id": poll})
    state.suite.wait_quiet(timeout=120)
    with state.suite.rpc() as rpc:
        kept = rpc.scoring.recognition_results({"period": f"{y}H2"})["results"]
        out["recognition_poll"] = {"forms": len(forms), "subjects": len(kept),
                                   "rates": {r["subject"]: r["rate"] for r in kept}}
        holder = next((s["id"] for s in state.city.staff if s["position"] == "officer"), None)
        out["training"] = {
            "study_report": {k: v for k, v in rpc.training.study_report({"month": f"{y}-11"}).items()
                             if k in ("required", "met_count", "shortfall_count")},
            "rotation_listed": len(rpc.training.rotation_report({"year": y, "as_of": f"{y}-12-31"})["people"]),
            "allowances_of_a_holder": None}
        for cert in rpc.training.certifications({"as_of": f"{y}-12-31"})["certifications"][:1]:
            holder = cert_person(cert)
            statement = rpc.training.allowances_of({"person": holder, "year": y, "as_of": f"{y}-12-31"})
            out["training"]["allowances_of_a_holder"] = {"person": holder, "months": len(statement["months"]),
                                                          "total": statement["total"]}
        if state.notes.get("reorganisation"):
            state.notes["reorganisation"]["evaluators"] = reorganisation_seen(state, rpc)
    state.notes["rules_round_2"] = out
