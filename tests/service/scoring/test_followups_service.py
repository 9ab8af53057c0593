"""Over RPC: the working-day calendar (load, status, health warning, metric), the ranking's
follow-ups (referrals twice running with minutes and export, 三帮一, study classes, the poor
leader's collective talk) and the recognition poll kept with the half-year."""
import base64
import csv
import io

import pytest

from shared.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from shared.metrics import metrics_of
from tests.service.scoring.conftest import drive_month
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(120)

LOW = {"performance.targets": 2}


def _year_file(year):
    return {"year": year, "holidays": [{"date": f"{year}-01-01", "name": "元旦"},
                                       {"from": f"{year}-10-01", "to": f"{year}-10-07", "name": "国庆节"}],
            "workdays": []}


def test_calendar_load_status_health_and_metric(city):
    with city.rpc() as rpc:
        health = rpc.scoring.health()
        missing = health["calendar_missing_years"]
        assert missing and health["warnings"] and "calendar load" in health["warnings"][0]
        status = rpc.scoring.calendar_status({"as_of": "2026-11-28"})
        assert status["missing"] == [2027]
        with pytest.raises(Forbidden) as err:                      # not on a committee's staff
            rpc.scoring.load_calendar({"actor": "o1", "calendar": _year_file(2027)})
        assert err.value.field == "actor"
        bad = _year_file(2027)
        bad["holidays"][0]["date"] = "2027-02-30"
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.load_calendar({"actor": "cl", "calendar": bad})
        assert err.value.field == "calendar.holidays[0].date"
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.load_calendar({"actor": "cl"})
        assert err.value.field == "calendar"
        out = rpc.scoring.load_calendar({"actor": "cl", "calendar": _year_file(2027),
                                         "as_of": "2026-11-28"})
        assert (out["year"], out["version"], out["changed"], out["holidays"]) == (2027, 1, True, 8)
        again = rpc.scoring.load_calendar({"actor": "cl", "calendar": _year_file(2027)})
        assert (again["version"], again["changed"]) == (1, False)
        assert rpc.scoring.calendar_status({"as_of": "2026-11-28"})["missing"] == []
        days = rpc.scoring.working_days({"start": "2027-09-30", "end": "2027-10-11"})
        assert days["working_days"] == ["2027-09-30", "2027-10-08", "2027-10-11"]
        assert days["sources"] == {"2027": "loaded"} or days["sources"] == {2027: "loaded"}
        assert days["notice_end_if_posted_on_start"] == "2027-10-12"
        for year in missing:                                        # whatever today's years are
            if year != 2027:
                rpc.scoring.load_calendar({"actor": "cl", "calendar": _year_file(year)})
        health = rpc.scoring.health()
        assert health["calendar_missing_years"] == [] and "warnings" not in health
        assert rpc.scoring.calendar_year({"year": 2025})["source"] == "package"
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.calendar_year({"year": "2025"})
        assert err.value.field == "year"
    text = metrics_of(city.container("scoring")).render().decode()
    assert "lianbao_calendar_missing_years 0.0" in text


def _three_months(rpc):
    for n, l1_scores in ((1, {}), (2, {}), (3, {"political.study": 7})):
        month, nxt = f"2026-{n:02d}", f"2026-{n + 1:02d}"
        drive_month(rpc, month, {"l1": l1_scores, "l3": LOW, "s3": {"management.rules": 0}},
                    submit_on=f"{nxt}-02", file_on=f"{nxt}-09")
        rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": month,
                                "as_of": f"{nxt}-10"})


def test_referrals_helpers_study_class_and_the_collective_talk(city):
    with city.rpc() as rpc:
        _three_months(rpc)
        leaders = {(r["month"], r["subject"], r["class"])
                   for r in rpc.scoring.referrals({"evaluator": "ps"})["referrals"]
                   if r["group"] == "leaders"}
        # l1 and l2 tie at 100 in January and February (good twice: referred in February);
        # l1 falls to middle in March (none); l2 good three times (two referrals); l3 poor throughout
        assert leaders == {("2026-02", "l1", "good"), ("2026-02", "l2", "good"),
                           ("2026-02", "l3", "poor"), ("2026-03", "l2", "good"),
                           ("2026-03", "l3", "poor")}
        units = {(r["month"], r["subject"]) for r in rpc.scoring.referrals({"month": "2026-02"})["referrals"]
                 if r["group"] == "units"}
        assert ("2026-02", "s3") in units
        # 法制大队 renamed from 1 March: February's referral names it as it was named then (SPEC §9)
        rpc.scoring.save_units({"units": [{"id": "s3", "kind": "section", "parent": "ps", "agency": "ps",
                                           "name": "法制监督大队"}], "effective": "2026-03-01"})
        names = {(r["month"], r["subject"]): r["name"] for r in rpc.scoring.referrals({})["referrals"]}
        assert names[("2026-02", "s3")] == "法制大队"
        assert names.get(("2026-03", "s3"), "法制监督大队") == "法制监督大队"
        rid = "leaders:l3:2026-02"
        with pytest.raises(Forbidden):                     # the agency's leader is not the committee
            rpc.scoring.record_referral_minutes({"actor": "l1", "referral_id": rid,
                                                 "meeting_date": "2026-03-20", "minutes": "研究"})
        with pytest.raises(RuleViolation) as err:
            rpc.scoring.record_referral_minutes({"actor": "cs", "referral_id": rid,
                                                 "meeting_date": "2026-03-20", "minutes": "研究",
                                                 "addressees": ["organization_department"]})
        assert err.value.field == "addressees"
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.record_referral_minutes({"actor": "cs", "referral_id": rid,
                                                 "meeting_date": "2026-02-27", "minutes": "研究"})
        assert err.value.field == "meeting_date"
        with pytest.raises(NotFound):
            rpc.scoring.record_referral_minutes({"actor": "cs", "referral_id": "leaders:l1:2026-03",
                                                 "meeting_date": "2026-04-20", "minutes": "x"})
        ref = rpc.scoring.record_referral_minutes({
            "actor": "cs", "referral_id": rid, "meeting_date": "2026-03-20", "as_of": "2026-03-21",
            "minutes": "=cmd|' /C calc'!A0 连续两次差, 责成整改"})
        assert ref["state"] == "minuted" and len(ref["addressees"]) == 4
        again = rpc.scoring.record_referral_minutes({
            "actor": "cs", "referral_id": rid, "meeting_date": "2026-03-20", "as_of": "2026-03-21",
            "minutes": "=cmd|' /C calc'!A0 连续两次差, 责成整改"})
        assert again == ref                                           # safe to run twice
        out = rpc.scoring.referrals_export({"format": "csv", "year": 2026})
        rows = list(csv.reader(io.StringIO(base64.b64decode(out["content_base64"]).decode("utf-8-sig"),
                                           newline="")))
        assert out["rows"] == len(rows) - 1 and out["filename"] == "referrals_2026.csv"
        minuted = next(r for r in rows if r[0] == rid)
        assert minuted[9].startswith("'=cmd") and "纪检监察部门" in minuted[10]
        xlsx = rpc.scoring.referrals_export({"format": "xlsx", "month": "2026-02"})
        from openpyxl import load_workbook
        ws = load_workbook(io.BytesIO(base64.b64decode(xlsx["content_base64"]))).active
        cell = next(c for c in ws["J"] if c.value and str(c.value).startswith("=cmd"))
        assert cell.data_type == "s"
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.referrals_export({"format": "pdf"})
        assert err.value.field == "format"

        poor = {"actor": "l1", "evaluator": "ps", "month": "2026-02", "subject": "l3",
                "as_of": "2026-03-12"}
        with pytest.raises(RuleViolation) as err:
            rpc.scoring.name_helpers({**poor, "helpers": ["l1", "l3", "h"]})
        assert err.value.field == "helpers[1]"
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.name_helpers({**poor, "helpers": ["l1", "h"]})
        assert err.value.field == "helpers"
        with pytest.raises(Forbidden):
            rpc.scoring.name_helpers({**poor, "actor": "o1", "helpers": ["l1", "l2", "h"]})
        with pytest.raises(NotFound) as err:                        # l2 was not poor
            rpc.scoring.name_helpers({**poor, "subject": "l2", "helpers": ["l1", "o1", "h"]})
        assert err.value.field == "subject"
        rpc.scoring.name_helpers({**poor, "helpers": ["l1", "l2", "h"]})
        with pytest.raises(ValidationFailed) as err:               # not held yet
            rpc.scoring.record_study_class({**poor, "class_id": "xxb-1", "class_name": "学习班",
                                            "held_on": "2026-03-20", "attended": True})
        assert err.value.field == "held_on"
        out = rpc.scoring.record_study_class({**poor, "as_of": "2026-03-25", "class_id": "xxb-1",
                                              "class_name": "第一期学习班", "held_on": "2026-03-20",
                                              "attended": True})
        assert out["helpers"] == ["l1", "l2", "h"] and out["study_classes"][0]["attendee"] == "l3"
        talk = out["collective_talk"]
        # ranked 10 March 2026: ten working days later is 24 March
        assert talk["state"] == "open" and talk["due"] == "2026-03-24"
        listed = rpc.scoring.poor_followups({"month": "2026-02", "evaluator": "ps"})
        l3 = next(p for p in listed["poor"] if p["subject"] == "l3")
        assert l3["rectification"]["state"] == "owed" and l3["helpers_named"]
        s3 = next(p for p in listed["poor"] if p["subject"] == "s3")
        assert s3["collective_talk"] is None and s3["helpers"] == []     # a unit: no talk
        tasks = rpc.scoring.followup_tasks({"as_of": "2026-03-25", "evaluator": "ps"})
        # January's talk (ranked 10 February) was due 2 March, over Spring Festival with its two
        # make-up Saturdays; February's is due 24 March; March's (ranked 10 April) is not yet
        assert tasks["overdue"] == 2 and {t["month"] for t in tasks["tasks"]} == {
            "2026-01", "2026-02", "2026-03"}
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.followup_tasks({"evaluator": "ps"})
        assert err.value.field == "as_of"
        with pytest.raises(Forbidden):
            rpc.scoring.complete_task({"actor": "l1", "task_id": talk["id"], "held_on": "2026-03-18",
                                       "record": "集体谈话"})
        done = rpc.scoring.complete_task({"actor": "cs", "task_id": talk["id"], "held_on": "2026-03-18",
                                          "record": "集体谈话, 批评教育、帮助整改", "as_of": "2026-03-25"})
        assert done["state"] == "done" and done["overdue"] is False

        # February re-ranked without its leaders: a missing month breaks the runs of February and
        # March (withdrawn, the minutes kept); ranked again, they come back as they were
        rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": "2026-02",
                                "as_of": "2026-03-26", "groups": ["units"]})
        every = {r["id"]: r for r in rpc.scoring.referrals({"evaluator": "ps",
                                                            "include_withdrawn": True})["referrals"]}
        assert {i for i, r in every.items() if r["state"] == "withdrawn"} == {
            "leaders:l1:2026-02", "leaders:l2:2026-02", "leaders:l3:2026-02",
            "leaders:l2:2026-03", "leaders:l3:2026-03"}
        assert every[rid]["minutes"].endswith("责成整改")
        assert rid not in {r["id"] for r in rpc.scoring.referrals({"evaluator": "ps"})["referrals"]}
        with pytest.raises(Conflict):
            rpc.scoring.record_referral_minutes({"actor": "cs", "referral_id": "leaders:l2:2026-02",
                                                 "meeting_date": "2026-03-20", "minutes": "x"})
        rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": "2026-02",
                                "as_of": "2026-03-26"})
        every = {r["id"]: r["state"] for r in rpc.scoring.referrals({"evaluator": "ps"})["referrals"]}
        assert every[rid] == "minuted" and every["leaders:l2:2026-03"] == "open"


def test_a_recognition_poll_is_kept_with_the_half_year(embedded_suite):
    suite = embedded_suite(["survey", "scoring"], OUTBOX_POLL_SECONDS=0.2)
    with suite.rpc() as rpc:
        camp = {"campaign_id": "gr-2026H1", "kind": "recognition", "period": "2026H1", "owner": "cnty",
                "subjects": [{"id": "cs", "kind": "leader", "name": "政法委书记"},
                             {"id": "cl", "kind": "leader", "name": "政法委副书记"}]}
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.create_campaign({**camp, "subjects": [{"id": "a1", "kind": "agency"}]})
        assert err.value.field == "subjects[0].kind"
        with pytest.raises(ValidationFailed) as err:
            rpc.survey.create_campaign({**camp, "groups": ["parents"]})
        assert err.value.field == "groups[0]"
        out = rpc.survey.create_campaign(camp)
        assert out["kind"] == "recognition" and out["questionnaire"]["key"] == "recognition"
        assert out["groups"] == ["leading_group_members"]
        forms = [{"serial": f"g{i}", "subject": "cs" if i < 10 else "cl",
                  "group": "leading_group_members", "answers": "SSSSSB" if i % 5 else "DDDDDD"}
                 for i in range(20)]
        forms.append({"serial": "x1", "subject": "cs", "group": "parents", "answers": "SSSSSS"})
        batch = rpc.survey.submit_batch({"campaign_id": "gr-2026H1", "batch_id": "b1", "forms": forms})
        assert batch["accepted"] == 20 and batch["errors"][0]["field"] == "forms[20].group"
        rpc.survey.close_campaign({"campaign_id": "gr-2026H1"})

        def kept():
            return rpc.scoring.recognition_results({"period": "2026H1"})["results"]
        results = wait_for(lambda: len(kept()) == 2 and kept())
        cs = next(r for r in results if r["subject"] == "cs")
        # 8 forms recognise (5 认可 + 1 基本认可 each), 2 do not: 48 of 60 answers
        assert (cs["recognised"], cs["basic"], cs["not_recognised"], cs["forms"]) == (40, 8, 12, 10)
        assert cs["rate"] == 0.8 and cs["final"] is True
        # the poll never becomes satisfaction rates (which disqualify) nor target 8
        assert rpc.survey.targets({"year": 2026})["targets"] == [] or all(
            t["agency"] != "cs" for t in rpc.survey.targets({"year": 2026})["targets"])
        with pytest.raises(ValidationFailed) as err:
            rpc.scoring.recognition_results({"period": "2026-06"})
        assert err.value.field == "period"


def test_a_run_carries_over_into_the_new_year_and_a_missing_month_breaks_it(city):
    """SPEC §3.1: December 2025 and January 2026 poor are twice running (a referral in January);
    October 2025 poor, November not ranked, December poor: no referral in December."""
    with city.rpc() as rpc:
        for month, nxt in (("2025-10", "2025-11"), ("2025-12", "2026-01"), ("2026-01", "2026-02")):
            drive_month(rpc, month, {"l3": LOW}, submit_on=f"{nxt}-02", file_on=f"{nxt}-09")
            rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": month, "as_of": f"{nxt}-10"})
        poor = {r["month"] for r in rpc.scoring.referrals({"evaluator": "ps"})["referrals"]
                if (r["group"], r["subject"], r["class"]) == ("leaders", "l3", "poor")}
        assert poor == {"2026-01"}
