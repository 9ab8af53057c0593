"""A small city through a year: monthly workflow (with an objection and a late month), daily
logs, ranking with rectification, the half-year and annual ratings published as the engine rates
the same snapshot, and the query RPCs."""
import pytest

from services.scoring.domain.payload import rate_payload
from shared.errors import NotFound
from tests.service.scoring.conftest import RatingListener, drive_month, satisfaction_published, wait_for

pytestmark = pytest.mark.timeout(240)

LOW = {"political.study": 0, "political.discipline": 0, "integrity.bans": 0, "integrity.clean": 0,
       "performance.targets": 0}                                    # 100 - 52 = 48
GOOD = {"diligence.public": 5}                                      # 95


def month_scores(n):
    scores = {"o2": {"performance.targets": 4}, "l2": GOOD, "l3": {"performance.targets": 2},
              "s2": {"quality.staff": 5}, "s3": {"management.rules": 0}}
    if n in (2, 4, 6):
        scores["o3"] = LOW                                          # three months below 60
    return scores


def drive_year(rpc):
    for n in range(1, 13):
        month = f"2026-{n:02d}"
        nxt = f"{2026 + (n == 12)}-{n % 12 + 1:02d}"
        late = n == 5
        drive_month(rpc, month, month_scores(n), submit_on=f"{nxt}-02",
                    # September's notice (posted 2 October) runs 8–10 October after National Day
                    file_on=f"{nxt}-{'16' if late else '12' if n == 9 else '09'}",
                    skip=("o4",) if n < 3 else ())


def test_a_year_of_a_small_city(city):
    with city.rpc() as rpc:
        rpc.scoring.record_honours({"honours": [
            {"id": "h1", "subject": "o1", "title": "省优秀政法干警", "level": "provincial",
             "date": "2026-05-01"},
            {"id": "h2", "subject": "o1", "title": "省优秀政法干警", "level": "central",
             "date": "2026-09-01"}]})
        rpc.scoring.record_facts({"facts": [
            {"id": "f1", "subject": "s3", "subject_kind": "section", "kind": "failed_inspection",
             "date": "2026-10-10"}]})
        rpc.scoring.record_absences({"absences": [{"person": "o2", "date": f"2026-08-0{d}"}
                                                  for d in range(3, 7)]})   # 4 days: not 5
        rpc.scoring.record_agency_evaluation({
            "agency": "ps", "year": 2026, "group": "county", "criticisms": 1,
            "standards": {"structures": 16, "mentoring": 15, "joint_work": 14, "rules_and_bans": 16,
                          "central_tasks": 15, "effectiveness": 14},
            "awards": [{"kind": "unit_commended", "level": "provincial"}]})
        city.dispatch("survey", "satisfaction_rates_published", satisfaction_published(
            "sat-2026H1", "c2026h1", "2026H1", "cnty", True, {"o1": (40, 5, 5)}))

        drive_year(rpc)

        # an objection in March: o2's evaluation goes back to review and is filed again
        mar = {"subject": "o2", "month": "2026-03"}
        assert rpc.scoring.evaluation(mar)["state"] == "filed"
        history = rpc.scoring.person_history({"person": "o2", "year": 2026})
        assert [h["month"] for h in history["months"]] == [f"2026-{n:02d}" for n in range(1, 13)]
        assert history["months"][0]["score"] == 92.0
        assert [h["late"] for h in history["months"]].count(True) == 1      # May filed on 16 June

        overdue = rpc.scoring.overdue_evaluations({"month": "2026-05", "as_of": "2026-06-20"})
        # 10 people and 3 sections of ps's leading group (the head h counts for cnty, SPEC §9)
        assert overdue["by_agency"]["ps"]["filed_late"] == 13
        assert overdue["by_agency"]["cnty"]["filed_late"] == 1
        assert overdue["by_agency"]["ps"]["rate"] == 0.0
        on_time = rpc.scoring.overdue_evaluations({"month": "2026-06", "as_of": "2026-07-20",
                                                   "agency": "ps"})
        assert on_time["by_agency"]["ps"]["rate"] == 1.0 and on_time["overdue"] == []

        # ranking of April for the county public-security bureau's leading group
        ranking = rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": "2026-04"})
        units = ranking["groups"]["units"]
        assert [(u["subject"], u["class"]) for u in units] == [
            ("s1", "good"), ("s2", "middle"), ("s3", "poor")]
        leaders = ranking["groups"]["leaders"]
        assert [(x["subject"], x["score"], x["class"]) for x in leaders] == [
            ("l1", 100.0, "good"), ("l2", 95.0, "middle"), ("l3", 90.0, "poor")]
        assert {r["subject"] for r in ranking["rectifications"]} == {"s3", "l3"}
        rpc.scoring.submit_rectification({"actor": "c3", "evaluator": "ps", "month": "2026-04",
                                          "subject": "s3", "explanation": "制度执行不到位",
                                          "plan": "每周检查"})
        filed = rpc.scoring.file_rectification({"actor": "l1", "evaluator": "ps", "month": "2026-04",
                                                "subject": "s3"})
        assert filed["state"] == "filed"
        assert [r["subject"] for r in rpc.scoring.rectifications({"state": "owed"})["rectifications"]] == ["l3"]
        again = rpc.scoring.rank_month({"actor": "l1", "evaluator": "ps", "month": "2026-04"})
        assert {r["subject"]: r["state"] for r in again["rectifications"]} == {"s3": "filed", "l3": "owed"}

        # the half-year rating
        h1 = rpc.scoring.run_rating({"period": "2026H1", "scope": "cnty", "rating_date": "2026-07-08"})
        assert h1["published"] and h1["rating_id"] == "2026H1:cnty:1"
        snap = rpc.scoring.snapshot({"rating_id": h1["rating_id"]})
        assert h1["result"] == rate_payload(snap)
        assert rpc.scoring.snapshot({"rating_id": h1["rating_id"], "scope": "cnty"}) == snap
        with pytest.raises(NotFound):       # named with another scope (the one the policy checked): missing
            rpc.scoring.snapshot({"rating_id": h1["rating_id"], "scope": "ps"})
        assert rpc.scoring.rate_snapshot(snap) == h1["result"]
        officers = {o["id"]: o for o in h1["result"]["officers"]}
        assert officers["o3"]["status"] == "disqualified"
        assert officers["o3"]["reasons"] == ["three_months_below_60"]
        assert officers["o4"]["status"] == "not_rated"
        assert officers["c2"]["stars"] == 4 and "mentee_disqualified" in officers["c2"]["reasons"]
        assert officers["o1"]["score"] == 101.0 and officers["o1"]["stars"] == 5
        o1 = next(o for o in snap["officers"] if o["id"] == "o1")
        assert o1["satisfaction"] == {"satisfied": 40, "basic": 5, "dissatisfied": 5}
        assert h1["result"]["agencies"] == [] and h1["result"]["settlement"] == []
        same = rpc.scoring.run_rating({"period": "2026H1", "scope": "cnty", "rating_date": "2026-07-08"})
        assert same["unchanged"] and not same["published"] and same["result"] == h1["result"]

        # the annual rating
        year = rpc.scoring.run_rating({"period": "2026", "scope": "cnty", "rating_date": "2027-01-08"})
        snap = rpc.scoring.snapshot({"rating_id": year["rating_id"]})
        assert year["result"] == rate_payload(snap)
        officers = {o["id"]: o for o in year["result"]["officers"]}
        assert officers["o1"]["score"] == 101.5            # central replaces provincial: +1.5
        assert officers["o4"]["reasons"] == ["joined_less_than_a_year"]
        sections = {s["id"]: s for s in year["result"]["sections"]}
        assert sections["s3"]["status"] == "disqualified"
        assert sections["s1"]["stars"] == 5
        assert year["result"]["agencies"][0]["score"] == 89.5
        assert {"subject": "o1", "kind": "bonus", "amount": 1000, "reason": "five_stars"} in \
            year["result"]["settlement"]

        events = wait_for(lambda: len(RatingListener.received) >= 2 and RatingListener.received)
        assert [e["rating_id"] for e in events] == ["2026H1:cnty:1", "2026:cnty:1"]
        published = events[1]
        assert published["result"] == year["result"]
        assert published["kind"] == "annual" and published["subjects"]["s1"]["headcount"] == 3
        assert published["subjects"]["o1"] == {"paying_unit": "ps", "unit": "s1", "name": "干警1"}

        why = rpc.scoring.explanation({"subject": "o3", "period": "2026"})
        assert why["status"] == "disqualified" and why["explanation"]
        unit = rpc.scoring.unit_results({"unit": "s1", "period": "2026"})
        assert {o["id"] for o in unit["officers"]} == {"c1", "o1", "o2"}
        assert [s["id"] for s in unit["sections"]] == ["s1"]


def test_daily_logs_reviewed_by_the_mentor_and_unreviewed_reported(city):
    with city.rpc() as rpc:
        out = rpc.scoring.write_daily_logs({"as_of": "2026-03-06", "logs": [
            {"person": "o1", "date": "2026-03-05", "text": "办结案件2件"},
            {"person": "o1", "date": "2026-03-06", "text": "走访群众"},
            {"person": "o3", "date": "2026-03-05", "text": "值班"},
            {"person": "o3", "date": "2026-03-07", "text": "明天"}]})
        assert out["done"] == 3 and out["errors"][0]["index"] == 3
        reviewed = rpc.scoring.review_daily_logs({"as_of": "2026-03-06", "reviews": [
            {"actor": "c1", "person": "o1", "date": "2026-03-05"},
            {"actor": "c1", "person": "o3", "date": "2026-03-05"}]})
        assert reviewed["done"] == 1 and reviewed["errors"][0]["error"] == "forbidden"
        report = rpc.scoring.unreviewed_logs({"as_of": "2026-03-09"})   # Monday
        assert [(x["person"], x["date"]) for x in report["logs"]] == [("o3", "2026-03-05")]
        report = rpc.scoring.unreviewed_logs({"as_of": "2026-03-10"})
        assert [(x["person"], x["date"]) for x in report["logs"]] == [
            ("o3", "2026-03-05"), ("o1", "2026-03-06")]
        assert report["by_mentor"] == {"c2": 1, "c1": 1}


def test_target_1_management_rate_counts_months_filed_by_the_15th(city):
    with city.rpc() as rpc:
        drive_year(rpc)                       # May 2026 filed on 16 June: 14 evaluations late
        out = rpc.scoring.targets({"year": 2026})
        # months past their deadline today (2026-11-23 when written: January–October); the county
        # committee's own staff (cs, cl) are due every month but this city never evaluates them
        months = sum(1 for n in range(1, 13)
                     if rpc.scoring.overdue_evaluations({"month": f"2026-{n:02d}"})["deadline_passed"])
        by_agency = {t["agency"]: t for t in out["targets"]}
        assert {t["target"] for t in out["targets"]} == {"1_management_rate"}
        city_wide = by_agency["city"]
        due = city_wide["detail"]["due"]
        assert due > 0 and city_wide["detail"]["filed_on_time"] == due - (14 if months >= 5 else 0) - 2 * months
        assert city_wide["value"] == round(city_wide["detail"]["filed_on_time"] / due, 4)
        assert city_wide["met"] is False
        # counted by the database (the gauges read it at every scrape): the same figures as the monthly reports
        summed: dict = {}
        for n in range(1, 13):
            report = rpc.scoring.overdue_evaluations({"month": f"2026-{n:02d}"})
            if report["deadline_passed"]:
                for ag, a in report["by_agency"].items():
                    for key in (ag, "city"):
                        due_, on_time = summed.get(key, (0, 0))
                        summed[key] = (due_ + a["due"], on_time + a["filed_on_time"])
        assert {a: (t["detail"]["due"], t["detail"]["filed_on_time"]) for a, t in by_agency.items()} == summed
        assert rpc.scoring.targets({"year": 2030})["targets"] == []
        assert rpc.scoring.targets({"year": 2030, "agency": "ps"})["targets"][0]["value"] is None
