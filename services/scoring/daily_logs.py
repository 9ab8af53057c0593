"""Daily logs (工作日志): an officer writes the day's log, the mentor of that day reviews it within
the working days the rules allow; the unreviewed ones past due.  Rules:
:mod:`services.scoring.domain.daily_logs`."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from shared.db import signed_by
from shared.errors import Conflict, NotFound
from services.scoring import repository
from services.scoring.models import DailyLog, Person
from services.scoring.domain import daily_logs as log_rules
from services.scoring.domain import workflow


def write_daily_logs(uow, data) -> dict:
    ctx, s = repository.Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or repository.today()
    ctx.prefetch([lg["person"] for lg in data["logs"]])

    def one(i, lg):
        log_rules.check_log_date(lg["date"], as_of)
        p = ctx.person(lg["person"])
        if p is None:
            raise NotFound(f"no person {lg['person']}", "person")
        cur = s.get(DailyLog, (lg["person"], lg["date"]))
        if cur is not None:
            if cur.text == lg["text"]:
                return "unchanged"
            if cur.reviewed_on is not None:
                raise Conflict("the log of this day is already reviewed", "date")
            cur.text, cur.signed_by = lg["text"], signed_by(s)   # who wrote it last
            return f"{lg['person']}:{lg['date']}"
        s.add(DailyLog(person=lg["person"], on_date=lg["date"], text=lg["text"],
                       mentor=ctx.hist.mentor(lg["person"], lg["date"])))   # the mentor that day
        s.flush()
        return f"{lg['person']}:{lg['date']}"

    return repository.batch(data["logs"], one)


def check_may_review_log(ctx, actor, person, day) -> None:
    """Whether ``actor`` may review the log ``person`` wrote on ``day``: not his own; the mentor of
    that day.  ``review_daily_logs`` and ``waiting_for`` both ask this."""
    workflow.check_not_own(actor, "daily log", person, "log_review")
    log_rules.check_log_reviewer(actor, ctx.hist.mentor(person, day))


def review_daily_logs(uow, data) -> dict:
    ctx, s = repository.Ctx(uow), uow.session
    as_of = ctx.on = data.get("as_of") or repository.today()

    def one(i, rv):
        cur = s.get(DailyLog, (rv["person"], rv["date"]))
        if cur is None:
            raise NotFound(f"no log of {rv['person']} on {rv['date']}", "date")
        # the mentor on the log's date reviews it (not the mentor of the day of the review)
        check_may_review_log(ctx, rv["actor"], rv["person"], rv["date"])
        if cur.reviewed_by == rv["actor"]:
            return "unchanged"
        cur.reviewed_by, cur.reviewed_on, cur.comment = rv["actor"], as_of, rv.get("comment")
        cur.reviewed_signed_by = signed_by(s)     # who the entry point verified (issue 18 item 3)
        return f"{rv['person']}:{rv['date']}"

    return repository.batch(data["reviews"], one)


def daily_logs_of(uow, data) -> dict:
    """A person's daily logs of ``month`` (工作日志), each with its mentor and review (who, when,
    the comment), by date."""
    from services.scoring.domain import asof

    month = data["month"]
    first = date(int(month[:4]), int(month[5:7]), 1)
    rows = uow.session.scalars(select(DailyLog).where(
        DailyLog.person == data["person"], DailyLog.on_date.between(first, asof.month_last_day(month)))
        .order_by(DailyLog.on_date))
    return {"person": data["person"], "month": month,
            "logs": [{"date": lg.on_date.isoformat(), "text": lg.text, "mentor": lg.mentor,
                      "reviewed_by": lg.reviewed_by, "reviewed_on": repository.iso(lg.reviewed_on),
                      "comment": lg.comment} for lg in rows]}


def unreviewed_logs(uow, data) -> dict:
    s = uow.session
    as_of = data.get("as_of") or repository.today()
    q = select(DailyLog, DailyLog.mentor, Person.agency).join(
        Person, Person.id == DailyLog.person).where(DailyLog.reviewed_on.is_(None))
    if data.get("mentor"):
        q = q.where(DailyLog.mentor == data["mentor"])
    if data.get("agency"):
        q = q.where(Person.agency == data["agency"])
    out = []
    from services.scoring.followups import work_calendar
    cal = work_calendar(uow)
    for lg, mentor, agency in s.execute(q.order_by(DailyLog.on_date, DailyLog.person)):
        if log_rules.is_review_overdue(lg.on_date, False, as_of, cal):
            out.append({"person": lg.person, "date": lg.on_date.isoformat(), "mentor": mentor,
                        "agency": agency, "due": log_rules.review_due(lg.on_date, cal).isoformat()})
    by_mentor: dict = {}
    for o in out:
        by_mentor[o["mentor"] or ""] = by_mentor.get(o["mentor"] or "", 0) + 1
    return {"as_of": as_of.isoformat(), "count": len(out), "logs": out, "by_mentor": by_mentor}

