"""Monitoring: who is due an evaluation for a month, who is overdue (not filed by the 15th of the
next month, M§五(二)4), the timer that flags them, and target 1 of the Method (M§一1: 管理落实率)
per agency and city-wide.  Deadlines: :mod:`services.scoring.domain.deadlines`."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, or_, select

from shared.contracts.rating import period_months
from services.scoring import history, repository
from services.scoring.models import Evaluation, EvaluatorSpan, Person, Rating
from services.scoring.domain import deadlines
from services.scoring.domain import workflow


def due_subjects(s, month: str, agency: str | None = None) -> dict:
    """Everyone (and every section) due a filed evaluation for ``month``: on the team on the
    month's last day (SPEC §9: who left during the month is not evaluated for it).  Returns
    ``{(kind, subject): agency}``, the agency the month counts for: the evaluator's of that day
    (the roster's answer; the person's own agency while none is known yet)."""
    last = deadlines.next_month_start(month) - timedelta(days=1)
    evaluators = history.evaluators_on(s, last)
    gone = history.exits_covering(s, last)
    out = {}
    for pid, ag in s.execute(select(Person.id, Person.agency).where(Person.joined <= last)):
        if pid in gone:
            continue
        body = evaluators.get(pid, ag)
        if agency is None or body == agency:
            out[("officer", pid)] = body
    # each section in the agency it belongs to on the month's last day (SPEC §9)
    out.update({("section", uid): u.agency for uid, u in history.units_on(s, last, "section").items()
                if agency is None or u.agency == agency})
    return out


def overdue_evaluations(uow, data) -> dict:
    """Month M (default: the latest month whose deadline has passed): who is due, who filed on
    time, and who is overdue (not filed by the 15th of M+1, M§五(二)4)."""
    s = uow.session
    as_of = data.get("as_of") or repository.today()
    month = data.get("month")
    if month is None:    # the latest month whose filing deadline has passed
        month = deadlines.previous_month(as_of)
        if as_of <= deadlines.filing_deadline(month):
            y, mo = deadlines.parse_month(month)
            month = deadlines.previous_month(date(y, mo, 1))
    due = due_subjects(s, month, data.get("agency"))
    evals = {(e.kind, e.subject): e for e in s.scalars(select(Evaluation).where(
        Evaluation.month == month))}
    by_agency: dict = {}
    overdue = []
    past = as_of > deadlines.filing_deadline(month)
    for (kind, subject), ag in sorted(due.items(), key=lambda kv: (str(kv[1]), kv[0])):
        e = evals.get((kind, subject))
        filed_on = e.filed_on if e is not None else None
        a = by_agency.setdefault(ag, {"due": 0, "filed_on_time": 0, "filed_late": 0, "overdue": 0})
        a["due"] += 1
        if filed_on is not None and not e.late:
            a["filed_on_time"] += 1
        elif filed_on is not None:
            a["filed_late"] += 1
        if deadlines.is_overdue(month, filed_on, as_of) or (filed_on is not None and e.late):
            a["overdue"] += 1
            overdue.append({"kind": kind, "subject": subject, "agency": ag,
                            "state": e.state if e is not None else "missing",
                            "filed_on": repository.iso(filed_on)})
    for a in by_agency.values():
        rate = deadlines.implementation_rate(a["filed_on_time"], a["due"]) if past else None
        a["rate"] = None if rate is None else round(rate, 4)
    return {"month": month, "deadline": deadlines.filing_deadline(month).isoformat(),
            "as_of": as_of.isoformat(), "deadline_passed": past, "overdue": overdue,
            "by_agency": by_agency}


def flag_overdue(uow, as_of: date) -> dict:
    """The timer: flags every unfiled evaluation past its deadline (once) and returns the counts
    of the latest month due, for the gauges."""
    s = uow.session
    flagged = 0
    for e in s.scalars(select(Evaluation).where(Evaluation.state != workflow.FILED,
                                                Evaluation.overdue_flagged_on.is_(None))):
        if deadlines.is_overdue(e.month, None, as_of):
            e.overdue_flagged_on = as_of
            repository.add_log(s, e.id, "overdue", "system", as_of, e.state, e.state,
                               f"not filed by {deadlines.filing_deadline(e.month)}")
            flagged += 1
    report = overdue_evaluations(uow, {"as_of": as_of})
    report["flagged"] = flagged
    return report


def _filed_on_time(s, month: str) -> list:
    """``[(agency, due, filed on time)]`` of ``month``, counted by the database (the figures of
    :func:`overdue_evaluations`, without loading an evaluation: the targets are read at every scrape)."""
    last = deadlines.next_month_start(month) - timedelta(days=1)
    E, S = Evaluation, EvaluatorSpan
    on_time = func.sum(case((and_(E.filed_on.is_not(None), E.late.is_(False)), 1), else_=0))
    # SPEC §9: due when on the team on the month's last day, for the evaluator of that day
    officers = (select(S.grp, func.count(), on_time).select_from(S)
                .join(Person, Person.id == S.person)
                # joined by the evaluation's key (kind:subject:month, :func:`repository.eval_id`):
                # on (month, kind) SQLite scans the whole month for every person
                .outerjoin(E, E.id == literal("officer:") + S.person + literal(f":{month}"))
                .where(S.start <= last, or_(S.end.is_(None), S.end >= last), Person.joined <= last,
                       or_(Person.left_on.is_(None), Person.left_on > last))
                .group_by(S.grp))
    out: dict = {}
    for ag, due, filed in s.execute(officers):
        d, f = out.get(ag, (0, 0))
        out[ag] = (d + int(due), f + int(filed or 0))
    # the sections of each agency on the month's last day (SPEC §9: the tree is dated)
    sections = history.units_on(s, last, "section")
    filed = set(s.scalars(select(E.subject).where(E.month == month, E.kind == "section",
                                                  E.filed_on.is_not(None), E.late.is_(False))))
    for uid, u in sections.items():
        d, f = out.get(u.agency, (0, 0))
        out[u.agency] = (d + 1, f + (uid in filed))
    return [(ag, d, f) for ag, (d, f) in out.items()]


def target_results(uow, year: int, as_of: date, agency: str | None = None) -> list:
    """Target 1 of the Method (M§一1: 管理落实率100%): monthly evaluations filed on time over those
    due, for every month of ``year`` whose filing deadline (the 15th of the next month) has passed by
    ``as_of``; per agency and city-wide.  No month past its deadline: no data."""
    from shared import targets as method_targets

    totals: dict = {}
    city = [0, 0]       # kept apart: the city committee's own id may be "city" too
    for month in period_months(f"{year:04d}"):
        if as_of <= deadlines.filing_deadline(month):
            continue
        for ag, due, filed_on_time in _filed_on_time(uow.session, month):
            on_time, total = totals.get(ag, (0, 0))
            totals[ag] = (on_time + filed_on_time, total + due)
            city[0] += filed_on_time
            city[1] += due
    if city[1]:
        totals[method_targets.CITY] = tuple(city)
    wanted = sorted(totals) if agency is None else [agency]
    return [method_targets.management_rate(a, *totals.get(a, (0, 0))) for a in wanted]


def annual_rating_filed(uow, year: int) -> bool:
    """Whether an annual rating of ``year`` is stored (its targets then leave the gauges)."""
    return uow.session.scalar(select(Rating.rating_id).where(Rating.period == str(year)).limit(1)) is not None


def targets(uow, data, as_of: date) -> dict:
    as_of = data.get("as_of") or as_of
    year = data.get("year") or as_of.year
    return {"year": year, "as_of": as_of.isoformat(),
            "targets": [r.as_dict() for r in target_results(uow, year, as_of, data.get("agency"))]}


def committee_board(uow, data) -> dict:
    """The city board of a committee's office in one call (issue 22 item 4): for every agency under
    ``committee`` in the tree of ``as_of``, the month's filing against the 15th (due, filed on time,
    filed late, overdue, and who is late), target 1 of the month's year, and the latest rating
    covering the agency (this year's, its half, last year's, last year's half): its rated officers
    by stars and the agency's own result.  Nothing of a unit outside the committee."""
    from services.scoring import results
    from services.scoring.domain import assemble
    from shared.errors import NotFound

    s = uow.session
    as_of = data.get("as_of") or repository.today()
    committee = data["committee"]
    tree = history.units_on(s, as_of)
    if committee not in tree:
        raise NotFound(f"no unit {committee} in the read model on {as_of}", "committee")
    under = assemble.units_under(committee, {uid: u.parent for uid, u in tree.items()})
    agencies = sorted(uid for uid in under if tree[uid].kind == "agency")
    progress = overdue_evaluations(uow, {"as_of": as_of, "month": data.get("month")})
    month = progress["month"]
    year = int(month[:4])
    wanted = set(agencies)
    rates = {t.agency: t.as_dict() for t in target_results(uow, year, as_of) if t.agency in wanted}
    out = []
    for ag in agencies:
        found = None
        for period in (f"{year}", f"{year}H1", f"{year - 1}", f"{year - 1}H1"):
            try:
                found = results.unit_results(uow, {"unit": ag, "period": period})
                break
            except NotFound:
                continue
        stars: dict = {}
        for o in (found or {}).get("officers", []):
            if o.get("status") == "rated":
                stars[str(o.get("stars") or 0)] = stars.get(str(o.get("stars") or 0), 0) + 1
        own = next((a for a in (found or {}).get("agencies", []) if a.get("id") == ag), None)
        out.append({"agency": ag, "filing": progress["by_agency"].get(ag),
                    "overdue": [x for x in progress["overdue"] if x["agency"] == ag],
                    "target_1": rates.get(ag),
                    "rating": None if found is None else {
                        "period": found["period"], "rating_id": found["rating_id"], "stars": stars,
                        "rated": sum(stars.values()), "agency": own}})
    return {"committee": committee, "month": month, "deadline": progress["deadline"],
            "deadline_passed": progress["deadline_passed"], "as_of": progress["as_of"], "year": year,
            "agencies": out}
