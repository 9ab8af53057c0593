"""A city behind the gateway for the public pages' tests (issue 23): scoring's small city with a
month on notice today and one whose notice ended, and a survey campaign."""
from datetime import date, timedelta

from tests.service.scoring.conftest import PEOPLE, UNITS

CLOSED_MONTH = "2026-02"          # posted 2026-03-05, ended 2026-03-10
OPEN_PERIOD = "2026H1"            # rated today: its notice runs the next three working days
CLOSED_PERIOD = "2025"            # rated 2026-01-05: its notice ended 2026-01-08


def open_month(today: date | None = None) -> str:
    first = (today or date.today()).replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


SUBJECTS = [{"id": "ps", "kind": "agency", "name": "津市市公安局"},
            {"id": "s1", "kind": "section", "name": "刑侦大队"},
            {"id": "s2", "kind": "section", "name": "治安大队"},
            {"id": "o1", "kind": "officer", "name": "干警1"},
            {"id": "o2", "kind": "officer", "name": "干警2"}]


def _post(rpc, month: str, on: str, subjects=("o1", "o2")):
    for subject in subjects:
        mentor = next(p for p in PEOPLE if p["id"] == subject)["mentor"]
        rpc.scoring.submit_self_assessment({"actor": subject, "subject": subject, "month": month,
                                            "as_of": on, "item_scores": {"political.study": 7}})
        rpc.scoring.review({"actor": mentor, "subject": subject, "month": month, "as_of": on})
        rpc.scoring.approve({"actor": "l2" if mentor == "l1" else "l1", "subject": subject,
                             "month": month, "as_of": on})
    return rpc.scoring.publish_notice({"actor": "l1", "evaluator": "ps", "month": month, "as_of": on})


def load(suite, *, campaign=True, notices=True, periods=True):
    people = [dict(p, name=p.get("name") or f"干警{p['id'][1:]}" if p["id"].startswith("o") else p.get("name"))
              for p in PEOPLE]
    with suite.rpc() as rpc:
        rpc.scoring.save_units({"units": UNITS})
        rpc.scoring.upsert_people({"people": [{k: v for k, v in p.items() if v is not None} for p in people]})
        if notices:
            _post(rpc, CLOSED_MONTH, "2026-03-05", subjects=("o1",))
            rpc.scoring.file_month({"actor": "l1", "evaluator": "ps", "month": CLOSED_MONTH,
                                    "as_of": "2026-03-11"})
            _post(rpc, open_month(), date.today().isoformat())
        if periods:
            rpc.scoring.run_rating({"period": CLOSED_PERIOD, "scope": "cnty", "rating_date": "2026-01-05"})
            rpc.scoring.run_rating({"period": OPEN_PERIOD, "scope": "cnty",
                                    "rating_date": date.today().isoformat()})
        if campaign:
            rpc.survey.create_campaign({"campaign_id": "c1", "period": "2026H2", "owner": "cnty",
                                        "title": "2026年下半年政法队伍满意度调查", "subjects": SUBJECTS})
