"""Facts for the ratings: honours, the Method's facts about a subject, unexplained absences, the
agencies' annual evaluations, and the ban cases (M§三(三)) roster reports.  Each fact is recorded
once (the same id with other content is a Conflict)."""
from __future__ import annotations


from sqlalchemy import select

from services.scoring import repository
from services.scoring.models import Absence, AgencyEvaluation, BanCase, Honour, SubjectFact
from services.scoring.domain import agency_eval, assemble, bans


def record_honours(uow, data) -> dict:
    rows = [dict(id=h["id"], subject=h["subject"], title=h["title"], level=h["level"],
                 on_date=h["date"]) for h in data["honours"]]
    return repository.insert_facts(uow.session, Honour, lambda v: v["id"], rows)


def record_facts(uow, data) -> dict:
    rows = [dict(id=f["id"], subject=f["subject"], subject_kind=f["subject_kind"], kind=f["kind"],
                 on_date=f["date"], note=f.get("note")) for f in data["facts"]]
    return repository.insert_facts(uow.session, SubjectFact, lambda v: v["id"], rows)


def record_absences(uow, data) -> dict:
    """无故旷工 days are a set per person (a day recorded twice counts once)."""
    rows = [dict(person=a["person"], on_date=a["date"]) for a in data["absences"]]
    return repository.insert_facts(uow.session, Absence, lambda v: (v["person"], v["on_date"]), rows)


def record_agency_evaluation(uow, data) -> dict:
    standards = {k: str(v) for k, v in data["standards"].items()}
    score = agency_eval.standards_score(data["standards"])
    awards = [{k: v for k, v in a.items() if v is not None} for a in data["awards"]]
    cur = uow.session.get(AgencyEvaluation, (data["agency"], data["year"]))
    values = dict(grp=data["group"], standards=standards, awards=awards,
                  criticisms=data["criticisms"], previous_class=data.get("previous_class"),
                  recorded_by=data.get("actor"))
    if cur is None:
        uow.session.add(AgencyEvaluation(agency=data["agency"], year=data["year"], **values))
    else:
        for k, v in values.items():
            setattr(cur, k, v)
    return {"agency": data["agency"], "year": data["year"], "score": float(score)}


def ban_cases(s, snapshot, period) -> list:
    """The ban cases (M§三(三)) of the period against officers of the snapshot."""
    start, end, _months = assemble.period_bounds(period)
    officers = {o["id"] for o in snapshot["officers"]}
    rows = s.execute(select(BanCase.id, BanCase.subject, BanCase.role, BanCase.violator,
                            BanCase.ban, BanCase.occurred_on).where(
        BanCase.occurred_on >= start, BanCase.occurred_on <= end)).mappings().all()
    return bans.cases_in(rows, officers, start, end)


def on_ban_violated(uow, event) -> None:
    """roster's ``ban_violated``: record the case against the violator and, when there is one,
    the joint-responsibility case against the mentor (:mod:`services.scoring.domain.bans` reads
    what they do to the ratings).  A case already recorded is left as it is."""
    s = uow.session
    common = dict(violation_id=event["violation_id"], violator=event["person"], ban=event["ban"],
                  occurred_on=event["occurred_on"], confirmed_on=event["confirmed_on"])
    cases = [(event["person_case_id"], event["person"], bans.VIOLATOR)]
    if event.get("mentor") and event.get("mentor_case_id"):
        cases.append((event["mentor_case_id"], event["mentor"], bans.MENTOR))
    for case_id, subject, role in cases:
        if s.get(BanCase, case_id) is None:
            s.add(BanCase(id=case_id, subject=subject, role=role, **common))
    s.flush()

