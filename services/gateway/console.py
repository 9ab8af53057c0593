"""The console (issue 22): the Method's monthly work in the browser, for a person signed in at the
gateway (``/auth/login`` or OpenID Connect; :mod:`services.gateway.signin`).

Server-rendered pages (Jinja2, no JavaScript build chain); every datum comes from the services,
called as the signed-in person (kind ``person``: the services decide what this person may see and
do, by the policy table and the roster's roles on the day).  A page never shows what the services
refused it: a refusal is shown as the services worded it.

The officer's pages (issue 22 item 1):

* ``GET /console`` — the officer's home: who, the month to self-assess (the month just over) and its
  state, the year's months (state, score, lateness), the latest rating's stars with its explanation
  line by line (which mark of the Method, pack or plug-in moved which points), own training results;
* ``GET /console/self-assessment/{month}`` — the month's self-assessment on the month's template:
  every criterion with its points; a deduction needs its reason;
* ``POST /console/self-assessment/{month}`` — sends it (``scoring.submit_self_assessment``, CSRF
  checked); a refusal comes back on the form, naming the field.

The mentor's pages (issue 22 item 2), fed by ``scoring.waiting_for`` (what the steps' own checks
would accept of this person):

* ``GET /console/mentor`` — the mentees' evaluations waiting for review, their unreviewed daily logs;
* ``GET|POST /console/mentor/review/{subject}/{month}`` — review one (further deductions, a reason
  for each; ``scoring.review``); an evaluation not waiting for this person answers 404;
* ``POST /console/mentor/logs`` — mark the checked logs reviewed (``scoring.review_daily_logs``).

Approval (issue 22 item 3): ``GET|POST /console/approve`` — the evaluations waiting for this member
of the leading group, the checked ones approved at once (``scoring.approve_batch``) or sent back to
the mentor's review with a reason (``action=send_back``, ``scoring.send_back_batch``); one alone
from its row (``GET /console/approve?back=<id>``: a form for that one and its reason).

Not signed in: a page answers 303 to ``/auth/login?next=…``.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from nameko.exceptions import RemoteError
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from shared.errors import Forbidden, LianbaoError, NotFound

from services.gateway.problems import GatewayProblem
from services.gateway.public_pages import PagesProblem
from services.gateway.tokens import Caller

log = logging.getLogger(__name__)

MONTH_RE_TEXT = r"^\d{4}-(0[1-9]|1[0-2])$"
STATE_LABELS = {"submitted": "已自评", "reviewed": "已审核", "approved": "已审定", "on_notice": "公示中",
                "filed": "已归档", None: "未填报"}
STATUS_LABELS = {"rated": "已评星", "disqualified": "取消评星资格", "not_rated": "不参评"}
MAX_REASON = 500


class ConsoleProblem(Exception):
    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def month_just_over(today: date) -> str:
    """The month an officer self-assesses now: the one that ended last (M§五(二): after the month)."""
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def _check_month(month: str) -> str:
    import re

    if not re.match(MONTH_RE_TEXT, month or ""):
        raise ConsoleProblem(404, "页面不存在", f"month: {month[:20]!r} is not a month (YYYY-MM)")
    return month


def deductions_from_form(template: dict, form: dict, prefix: str = "self") -> tuple[list, dict]:
    """The deductions a self-assessment (or a review) form states: ``deduct.<item>`` points (0 or
    empty: none) and ``reason.<item>``, which a deduction must have; ids ``<prefix>.<item>``.
    Returns ``(deductions, errors by field)``."""
    deductions, errors = [], {}
    for dimension in template["dimensions"]:
        for item in dimension["items"]:
            raw = (form.get(f"deduct.{item['id']}") or "").strip()
            reason = (form.get(f"reason.{item['id']}") or "").strip()
            if not raw:
                if reason:
                    errors[f"deduct.{item['id']}"] = "写了理由, 但没有写扣分 (a reason without points)"
                continue
            try:
                points = Decimal(raw)
            except InvalidOperation:
                errors[f"deduct.{item['id']}"] = "扣分须为数字 (points must be a number)"
                continue
            if points == 0:
                continue
            if points < 0 or points > Decimal(str(item["max"])) or points.as_tuple().exponent < -1:
                errors[f"deduct.{item['id']}"] = (f"扣分须在 0 到 {item['max']:g} 之间, 至多一位小数 "
                                                   f"(points between 0 and the item's maximum)")
                continue
            if not reason:
                errors[f"reason.{item['id']}"] = "扣分须写明理由 (a deduction needs its reason)"
                continue
            if len(reason) > MAX_REASON:
                errors[f"reason.{item['id']}"] = f"理由至多 {MAX_REASON} 字 (at most {MAX_REASON} characters)"
                continue
            deductions.append({"id": f"{prefix}.{item['id']}", "items": [item["id"]], "points": str(points),
                               "note": reason})
    return deductions, errors


def form_of(current: dict | None) -> dict:
    """The form as the officer last sent it (a submitted month may be sent again until reviewed)."""
    if not current or current.get("state") != "submitted":
        return {}
    form = {}
    for d in current.get("deductions") or []:
        if len(d.get("items") or ()) == 1:
            item = d["items"][0]
            form[f"deduct.{item}"] = f"{float(d['points']):g}"
            form[f"reason.{item}"] = d.get("note") or ""
    trail = current.get("trail") or []
    if trail and trail[-1].get("note"):
        form["note"] = trail[-1]["note"]
    return form


# ------------------------------------------------------------------------------------------------
# plumbing


def _kits(service):
    return service.signin, service.public_kit


def _signed_in(service, request):
    """The signed-in person, or a 303 to the sign-in page."""
    from services.gateway.signin import person_of

    person = person_of(service.signin, request)
    if person is None:
        target = request.full_path if request.query_string else request.path
        return None, Response("", status=303, headers={"Location": "/auth/login?next=" + quote(target, safe=""),
                                                       "Cache-Control": "no-store"})
    return person, None


def _caller(person) -> Caller:
    return Caller(f"person:{person.person}", person.person, frozenset(), kind="person")


def _call(service, person, target: str, payload: dict):
    return service.upstream.call(target, (payload,), caller=_caller(person))


def _maybe(service, person, target: str, payload: dict):
    """The answer, or None when the service has nothing (NotFound), the person may not see it there
    (Forbidden: the policy table, e.g. a service whose read model does not know the person), or the
    service is not running."""
    try:
        return _call(service, person, target, payload)
    except (NotFound, Forbidden):
        return None
    except GatewayProblem as err:
        if err.status == 503:       # e.g. training not deployed: the page shows the rest
            return None
        raise


def _render(service, page: str, status: int = 200, **context) -> Response:
    from services.gateway.public_pages import _page

    return _page(service.public_kit, page, status, **context)


def guarded(handler):
    """A console page: signed in first, then every problem as a page (never a traceback)."""
    def run(self, request, **path):
        try:
            person, redirect = _signed_in(self, request)
            if redirect is not None:
                return redirect
            return handler(self, request, person, **path)
        except ConsoleProblem as err:
            return _render(self, "console/message.html", err.status, title=err.title, message=err.message)
        except PagesProblem as err:          # the form itself: too long, a field twice, not UTF-8
            return _render(self, "console/message.html", err.status, title=err.title, message=err.message)
        except LianbaoError as err:
            return _render(self, "console/message.html", err.http_status, title="无法处理",
                           message=f"{err.field}: {err.message}" if err.field else err.message)
        except GatewayProblem as err:
            return _render(self, "console/message.html", err.status, title="暂时无法访问",
                           message=f"{err.message}")
        except RemoteError as err:
            log.error("console: upstream failed: %s", err.exc_type)
            return _render(self, "console/message.html", 502, title="暂时无法访问",
                           message="服务暂时无法访问, 请稍后再试 (a service failed)")
        except Exception:
            log.exception("console: %s failed", request.path)
            return _render(self, "console/message.html", 500, title="出错了",
                           message="页面出错了, 请稍后再试 (the console failed)")
    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def _today(service) -> date:
    return date.fromtimestamp(service.signin.clock())


# ------------------------------------------------------------------------------------------------
# pages


@guarded
def home(self, request, person):
    """The officer's home."""
    from services.gateway.signin import csrf_token

    today = _today(self)
    me = person.person
    staff = _maybe(self, person, "roster.get_staff", {"person": me}) or {}
    month = month_just_over(today)
    years = sorted({today.year, int(month[:4])})
    months = []
    for year in years:
        history = _maybe(self, person, "scoring.person_history", {"person": me, "year": year}) or {}
        months += history.get("months", [])
    by_month = {m["month"]: m for m in months}
    rating = _maybe(self, person, "scoring.explanation", {"subject": me})
    training = _maybe(self, person, "training.results_of", {"person": me}) or {}
    study = _study_of(self, person, month)
    logs_month = f"{today.year:04d}-{today.month:02d}"
    logs = (_maybe(self, person, "scoring.daily_logs_of", {"person": me, "month": logs_month}) or {}).get("logs", [])
    allowances = _maybe(self, person, "training.allowances_of",
                        {"person": me, "year": today.year, "as_of": today.isoformat()})
    waiting = _maybe(self, person, "scoring.waiting_for", {"person": me})
    return _render(self, "console/home.html", me=me, staff=staff, month=month, current=by_month.get(month),
                   waiting=waiting, board_link=_works_in_committee(self, person, staff),
                   audit_link=me in getattr(self.signin, "auditors", frozenset()),
                   saved=request.args.get("saved") == month,
                   months=[m for m in months if m["month"].startswith(str(today.year))], rating=rating,
                   training=training.get("results", []), study=study, allowances=allowances,
                   logs=logs, logs_month=logs_month,
                   rects=_owed_rectifications(self, person, staff, (waiting or {}).get("group")),
                   rect_saved=(request.args.get("rect") or "")[:120],
                   STATE_LABELS=STATE_LABELS,
                   STATUS_LABELS=STATUS_LABELS,
                   csrf=csrf_token(person.session) if person.session is not None else "")


def _owed_rectifications(self, person, staff: dict, group: str | None) -> list:
    """The rectifications the person owes or has given (M§五(二)5), not yet filed: his own (a leader
    or a reserve cadre ranked poor) and, for a section's chief, his section's; asked of the bodies
    that may rank him (``scoring.rectifications`` of his agency, and of the body whose leading group
    he sits in)."""
    mine = {person.person} | ({staff["section"]} if staff.get("position") == "chief" and staff.get("section") else set())
    owed = []
    for evaluator in sorted({staff.get("agency"), group} - {None}):
        found = _maybe(self, person, "scoring.rectifications", {"evaluator": evaluator}) or {}
        owed += [r for r in found.get("rectifications", [])
                 if r["subject"] in mine and r["state"] in ("owed", "submitted")]
    return owed


def _owed_one(self, person, month: str, subject: str) -> tuple[dict, dict]:
    """``(staff, rectification)`` of ``subject``'s ``month`` owed by the person, else 404."""
    _check_month(month)
    staff = _maybe(self, person, "roster.get_staff", {"person": person.person}) or {}
    group = (_maybe(self, person, "scoring.waiting_for", {"person": person.person}) or {}).get("group")
    for r in _owed_rectifications(self, person, staff, group):
        if r["month"] == month and r["subject"] == subject:
            return staff, r
    raise ConsoleProblem(404, "页面不存在", f"subject: {subject[:100]} owes you no rectification for {month}")


@guarded
def rectification_get(self, request, person, month, subject):
    """The form of a rectification the person owes: the reason and the plan."""
    staff, rect = _owed_one(self, person, month, subject)
    return _render(self, "console/rectification.html", me=person.person, staff=staff, rect=rect, errors={},
                   form={"explanation": rect.get("explanation") or "", "plan": rect.get("plan") or ""},
                   csrf=_csrf(person))


@guarded
def rectification_post(self, request, person, month, subject):
    """Give the reason and the plan (``scoring.submit_rectification``: the subject, or the section's chief)."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    staff, rect = _owed_one(self, person, month, subject)
    kept = {"explanation": (form.get("explanation") or "").strip(), "plan": (form.get("plan") or "").strip()}
    errors = {}
    for field, label in (("explanation", "原因说明"), ("plan", "整改措施")):
        if not kept[field]:
            errors[field] = f"请填写{label} (the {field} is needed)"
        elif len(kept[field]) > 4000:
            errors[field] = f"{label}至多 4000 字 (at most 4000 characters)"
    if not errors:
        try:
            _call(self, person, "scoring.submit_rectification",
                  {"actor": person.person, "evaluator": rect["evaluator"], "month": month, "subject": subject, **kept})
        except LianbaoError as err:
            _field_error(err, kept, errors)
        else:
            return Response("", status=303, headers={"Location": f"/console?rect={quote(subject)}:{month}",
                                                     "Cache-Control": "no-store"})
    return _render(self, "console/rectification.html", 400, me=person.person, staff=staff, rect=rect,
                   errors=errors, form=kept, csrf=_csrf(person))


def _study_of(self, person, month: str) -> dict | None:
    """The person's own line of the month's study report (M§三(四)1(1): at least 2 days a month):
    training reports per unit; the page keeps the person's line only."""
    me = (_maybe(self, person, "training.get_person", {"person": person.person}) or {})
    if not me.get("unit_id"):
        return None
    report = _maybe(self, person, "training.study_report", {"month": month, "unit_id": me["unit_id"]}) or {}
    for unit in report.get("units", []):
        for line in unit.get("people", []):
            if line.get("person") == person.person:
                return dict(line, month=month, required_days=report.get("required_days"))
    return None


def _works_in_committee(self, person, staff: dict) -> bool:
    """Whether the person's post is in a committee (its office or members): the board's link."""
    if not staff.get("agency"):
        return False
    units = (_maybe(self, person, "roster.get_units", {"under": staff["agency"]}) or {}).get("units", [])
    return any(u["id"] == staff["agency"] and u["kind"] == "committee" for u in units)


def _template_of(self, person, month: str, agency: str | None) -> dict:
    payload = {"kind": "officer", "month": month}
    if agency:
        payload["agency"] = agency
    return _call(self, person, "scoring.template", payload)


@guarded
def self_assessment_get(self, request, person, month):
    """The month's self-assessment form."""
    from services.gateway.signin import csrf_token

    _check_month(month)
    me = person.person
    staff = _maybe(self, person, "roster.get_staff", {"person": me}) or {}
    current = _maybe(self, person, "scoring.evaluation", {"subject": me, "month": month})
    template = _template_of(self, person, month, staff.get("agency") or (current or {}).get("agency"))
    return _render(self, "console/self_assessment.html", me=me, staff=staff, month=month, criteria=template,
                   current=current, form=form_of(current), errors={}, STATE_LABELS=STATE_LABELS,
                   csrf=csrf_token(person.session) if person.session is not None else "")


@guarded
def self_assessment_post(self, request, person, month):
    """Send the month's self-assessment."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf, csrf_token

    _check_month(month)
    form = _form(request)
    check_csrf(request, person, form)
    me = person.person
    staff = _maybe(self, person, "roster.get_staff", {"person": me}) or {}
    current = _maybe(self, person, "scoring.evaluation", {"subject": me, "month": month})
    template = _template_of(self, person, month, staff.get("agency") or (current or {}).get("agency"))
    deductions, errors = deductions_from_form(template, form)
    note = (form.get("note") or "").strip()
    if len(note) > MAX_REASON:
        errors["note"] = f"说明至多 {MAX_REASON} 字 (at most {MAX_REASON} characters)"
    if not errors:
        try:
            saved = _call(self, person, "scoring.submit_self_assessment",
                          {"actor": me, "subject": me, "kind": "officer", "month": month,
                           "deductions": deductions, **({"note": note} if note else {})})
        except LianbaoError as err:
            field = err.field if err.field and err.field != "None" else ""
            if field in form or field == "note":
                errors[field] = err.message
            else:                   # the month, the actor, a rule of the Method: said above the form
                errors["_form"] = f"{field}: {err.message}" if field else err.message
        else:
            return Response("", status=303, headers={
                "Location": f"/console?saved={quote(saved['month'])}", "Cache-Control": "no-store"})
    return _render(self, "console/self_assessment.html", 400, me=me, staff=staff, month=month,
                   criteria=template, current=current, form=form, errors=errors, STATE_LABELS=STATE_LABELS,
                   csrf=csrf_token(person.session) if person.session is not None else "")


# ------------------------------------------------------------------------------------------------
# the mentor (issue 22 item 2)


def _field_error(err: LianbaoError, form: dict, errors: dict) -> None:
    """A refusal of the service beside the field it names, or above the form."""
    field = err.field if err.field and err.field != "None" else ""
    if field in form or field == "note":
        errors[field] = err.message
    else:
        errors["_form"] = f"{field}: {err.message}" if field else err.message


def _csrf(person) -> str:
    from services.gateway.signin import csrf_token

    return csrf_token(person.session) if person.session is not None else ""


POSITION_LABELS = {"officer": "干警", "chief": "负责人", "leader": "班子成员", "head": "一把手"}


def _unpaired(self, person, staff: dict) -> dict | None:
    """Who in the mentor's unit (his section, or his agency for a leader or head) has no current
    pairing today, by position (``roster.mentoring_coverage``: those without a counting mentor)."""
    unit = staff.get("section") or staff.get("agency")
    if not unit:
        return None
    found = _maybe(self, person, "roster.mentoring_coverage", {"unit": unit, "date": _today(self).isoformat()})
    if found is None:
        return None
    return {"unit": unit, "without": [(pos, found[pos]["without"]) for pos in POSITION_LABELS
                                      if isinstance(found.get(pos), dict) and found[pos].get("without")],
            "total": sum(found[pos]["total"] for pos in POSITION_LABELS if isinstance(found.get(pos), dict))}


def _mentor_page(self, person, status=200, **extra):
    me = person.person
    staff = _maybe(self, person, "roster.get_staff", {"person": me}) or {}
    waiting = _call(self, person, "scoring.waiting_for", {"person": me})
    context = dict(me=me, staff=staff, waiting=waiting, log_errors={}, reviewed_logs=0, saved=None,
                   unpaired=_unpaired(self, person, staff), POSITION_LABELS=POSITION_LABELS,
                   chosen=set(), comment="",
                   STATE_LABELS=STATE_LABELS, csrf=_csrf(person))
    context.update(extra)
    return _render(self, "console/mentor.html", status, **context)


@guarded
def mentor_home(self, request, person):
    """The mentor's page: the mentees' evaluations waiting for review, their daily logs."""
    saved = request.args.get("reviewed")
    return _mentor_page(self, person, saved=saved if saved and len(saved) < 200 else None,
                        reviewed_logs=int(request.args.get("logs") or 0)
                        if (request.args.get("logs") or "").isdigit() else 0)


def _waiting_review(self, person, subject: str, month: str) -> dict:
    """The evaluation of ``subject``'s ``month`` if it waits for this person's review (else 404:
    another mentor's mentee is refused like a missing page)."""
    _check_month(month)
    waiting = _call(self, person, "scoring.waiting_for", {"person": person.person})
    for ev in waiting["review"]:
        if ev["subject"] == subject and ev["month"] == month:
            return ev
    raise ConsoleProblem(404, "页面不存在", f"subject: no evaluation of {subject[:100]} for {month} waits "
                                          "for your review")


def _review_context(self, person, ev: dict) -> dict:
    template = _call(self, person, "scoring.template",
                     {"kind": ev["kind"], "month": ev["month"], **({"agency": ev["agency"]} if ev["agency"] else {})})
    subject_staff = _maybe(self, person, "roster.get_staff", {"person": ev["subject"]}) or {}
    return dict(me=person.person, staff=_maybe(self, person, "roster.get_staff", {"person": person.person}) or {},
                ev=ev, criteria=template, subject_staff=subject_staff, STATE_LABELS=STATE_LABELS,
                csrf=_csrf(person))


@guarded
def review_get(self, request, person, subject, month):
    """The review form of a mentee's month."""
    ev = _waiting_review(self, person, subject, month)
    return _render(self, "console/review.html", form={}, errors={}, **_review_context(self, person, ev))


@guarded
def review_post(self, request, person, subject, month):
    """Review a mentee's month: further deductions, a reason for each (``scoring.review``)."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    ev = _waiting_review(self, person, subject, month)
    context = _review_context(self, person, ev)
    deductions, errors = deductions_from_form(context["criteria"], form, prefix="review")
    note = (form.get("note") or "").strip()
    if len(note) > MAX_REASON:
        errors["note"] = f"说明至多 {MAX_REASON} 字 (at most {MAX_REASON} characters)"
    if not errors:
        try:
            _call(self, person, "scoring.review",
                  {"actor": person.person, "subject": ev["subject"], "kind": ev["kind"], "month": ev["month"],
                   "deductions": deductions, **({"note": note} if note else {})})
        except LianbaoError as err:
            _field_error(err, form, errors)
        else:
            return Response("", status=303, headers={
                "Location": f"/console/mentor?reviewed={quote(ev['subject'])}:{quote(ev['month'])}",
                "Cache-Control": "no-store"})
    return _render(self, "console/review.html", 400, form=form, errors=errors, **context)


def _checked(form: dict, prefix: str, none_chosen: str, text_field: str, text_label: str):
    """The boxes checked on a list form (fields ``<prefix>.<n>``, their values), its free text, and
    the errors by field: none checked, or the text too long."""
    chosen = [value for name, value in sorted(form.items()) if name.startswith(prefix + ".") and value]
    text = (form.get(text_field) or "").strip()
    errors = {}
    if not chosen:
        errors[prefix] = none_chosen
    if len(text) > MAX_REASON:
        errors[text_field] = f"{text_label}至多 {MAX_REASON} 字 (at most {MAX_REASON} characters)"
    return chosen, text, errors


@guarded
def logs_post(self, request, person):
    """Mark the checked daily logs of the mentees reviewed (``scoring.review_daily_logs``)."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    chosen, comment, errors = _checked(form, "log", "请勾选要标记为已审阅的日志 (choose at least one log)",
                                       "comment", "评语")
    reviews = []
    for value in chosen:
        who, _, day = value.partition("|")
        if not who or len(day) != 10:
            errors["log"] = f"不是一条日志 (not a log: {value[:40]!r})"
            break
        reviews.append({"actor": person.person, "person": who, "date": day, **({"comment": comment} if comment else {})})
    if not errors:
        # only logs that wait for this person: another's are refused before anything is written
        waiting = {(lg["person"], lg["date"]) for lg in
                   _call(self, person, "scoring.waiting_for", {"person": person.person})["logs"]}
        strange = [r for r in reviews if (r["person"], r["date"]) not in waiting]
        if strange:
            errors["log"] = (f"{strange[0]['person']} {strange[0]['date']}: 这条日志不在待审阅之列 "
                             "(not a log waiting for your review)")
    if not errors:
        out = _call(self, person, "scoring.review_daily_logs", {"reviews": reviews})
        if out.get("errors"):
            first = out["errors"][0]
            errors["log"] = f"{first.get('field') or 'log'}: {first.get('message') or first.get('error')}"
        else:
            return Response("", status=303, headers={"Location": f"/console/mentor?logs={len(reviews)}",
                                                     "Cache-Control": "no-store"})
    return _mentor_page(self, person, 400, log_errors=errors, chosen=set(chosen), comment=comment)


# ------------------------------------------------------------------------------------------------
# a member of the leading group: approval (issue 22 item 3, first part)


def _approve_page(self, person, status=200, **extra):
    me = person.person
    staff = _maybe(self, person, "roster.get_staff", {"person": me}) or {}
    waiting = _call(self, person, "scoring.waiting_for", {"person": me})
    context = dict(me=me, staff=staff, waiting=waiting, errors={}, chosen=set(), approved=0, sent_back=0,
                   note="", reason="", back=None, STATE_LABELS=STATE_LABELS, csrf=_csrf(person))
    context.update(extra)
    # the one evaluation sent back from its row: only one still waiting for this person
    context["back"] = next((ev for ev in waiting["approve"] if ev["id"] == context["back"]), None)
    return _render(self, "console/approve.html", status, **context)


def _count(request, name) -> int:
    done = request.args.get(name) or ""
    return int(done) if done.isdigit() and len(done) < 6 else 0


@guarded
def approve_get(self, request, person):
    """Evaluations waiting for this person's approval (a member of the evaluating leading group);
    ``back``: the one to send back from its row."""
    return _approve_page(self, person, approved=_count(request, "approved"),
                         sent_back=_count(request, "sent_back"), back=request.args.get("back"))


def _send_back(self, person, form):
    """Send the checked evaluations (or the one of its row) back to the mentor's review with the
    reason (``scoring.send_back_batch``), all or none; the errors beside their field."""
    chosen, reason, errors = _checked(form, "ev", "请勾选要退回的考核 (choose at least one evaluation)",
                                      "reason", "退回理由")
    if not reason and "reason" not in errors:
        errors["reason"] = "请写明退回理由 (a send-back needs its reason)"
    back = form.get("back") or None
    if not errors:
        waiting = _waiting_approval(self, person, chosen, errors)
    if not errors:
        items = [{"actor": person.person, "subject": waiting[v]["subject"], "kind": waiting[v]["kind"],
                  "month": waiting[v]["month"], "reason": reason} for v in chosen]
        out = _call(self, person, "scoring.send_back_batch", {"items": items})
        if out.get("errors"):
            first = out["errors"][0]
            field = "reason" if first.get("field") == "reason" else "ev"
            errors[field] = (("" if field == "reason" else f"{chosen[first['index']]}: {first.get('field') or ''} ")
                             + f"{first.get('message') or first.get('error')}")
        else:
            return Response("", status=303, headers={"Location": f"/console/approve?sent_back={len(items)}",
                                                     "Cache-Control": "no-store"})
    return _approve_page(self, person, 400, errors=errors, chosen=set(chosen), reason=reason, back=back)


def _waiting_approval(self, person, chosen, errors) -> dict:
    """The evaluations waiting for ``person``'s approval, by id (``scoring.waiting_for``): only those
    may be chosen; one that is not refuses the form (``errors["ev"]``), nothing written."""
    waiting = {ev["id"]: ev for ev in _call(self, person, "scoring.waiting_for",
                                            {"person": person.person})["approve"]}
    strange = [value for value in chosen if value not in waiting]
    if strange:
        errors["ev"] = f"{strange[0][:120]}: 不在待审定之列 (not an evaluation waiting for your approval)"
    return waiting


@guarded
def approve_post(self, request, person):
    """Approve the checked evaluations (``scoring.approve_batch``), all or none; with
    ``action=send_back``, send them back instead (:func:`_send_back`)."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    if form.get("action") == "send_back":
        return _send_back(self, person, form)
    chosen, note, errors = _checked(form, "ev", "请勾选要审定的考核 (choose at least one evaluation)",
                                    "note", "意见")
    if not errors:
        waiting = _waiting_approval(self, person, chosen, errors)
    if not errors:
        items = [{"actor": person.person, "subject": waiting[v]["subject"], "kind": waiting[v]["kind"],
                  "month": waiting[v]["month"], **({"note": note} if note else {})} for v in chosen]
        out = _call(self, person, "scoring.approve_batch", {"items": items})
        if out.get("errors"):
            first = out["errors"][0]
            errors["ev"] = (f"{chosen[first['index']]}: {first.get('field') or ''} "
                            f"{first.get('message') or first.get('error')}")
        else:
            return Response("", status=303, headers={"Location": f"/console/approve?approved={len(items)}",
                                                     "Cache-Control": "no-store"})
    return _approve_page(self, person, 400, errors=errors, chosen=set(chosen), note=note)


def entry_points() -> dict:
    """The nameko entry points of the console, to merge into the gateway's class."""
    return {
        "console_home": http("GET", "/console")(home),
        "console_self_get": http("GET", "/console/self-assessment/<month>")(self_assessment_get),
        "console_self_post": http("POST", "/console/self-assessment/<month>")(self_assessment_post),
        "console_rect_get": http("GET", "/console/rectification/<month>/<subject>")(rectification_get),
        "console_rect_post": http("POST", "/console/rectification/<month>/<subject>")(rectification_post),
        "console_mentor": http("GET", "/console/mentor")(mentor_home),
        "console_review_get": http("GET", "/console/mentor/review/<subject>/<month>")(review_get),
        "console_review_post": http("POST", "/console/mentor/review/<subject>/<month>")(review_post),
        "console_logs_post": http("POST", "/console/mentor/logs")(logs_post),
        "console_approve_get": http("GET", "/console/approve")(approve_get),
        "console_approve_post": http("POST", "/console/approve")(approve_post),
        "console_group": http("GET", "/console/group")(group_get),
        "console_group_notice": http("POST", "/console/group/notice")(group_notice),
        "console_group_file": http("POST", "/console/group/file")(group_file),
        "console_group_rank": http("POST", "/console/group/rank")(group_rank),
        "console_group_answer": http("POST", "/console/group/objections/<objection_id>")(group_answer),
        "console_group_rect": http("POST", "/console/group/rectifications/<subject>")(group_rectification),
        "console_board": http("GET", "/console/board")(board),
    }


# ------------------------------------------------------------------------------------------------
# a member of the leading group: the body's month (issue 22 item 3): notice and objections,
# filing by the 15th, the good/middle/poor ranking and the rectifications owed, the unit's stars

RANK_GROUPS = {"units": "部门 (科室)", "leaders": "班子成员", "reserve": "后备干部"}
RANK_CLASSES = {"good": "好", "middle": "中", "poor": "差"}
RECT_STATES = {"owed": "待提交", "submitted": "已提交, 待备案", "filed": "已备案"}
NOTICE_STATES = {"open": "公示中", "closed": "公示已结束", "not_started": "尚未开始", "none": "未发布公示"}
MAX_ANSWER = 2000
_GROUP_COUNTS = ("posted", "filed", "late", "waiting", "left", "ranked", "answered")


def filing_deadline(month: str) -> date:
    """上报备案 by the 15th of the month after (M§五(二)4); scoring says it too (``deadline``)."""
    y, m = int(month[:4]), int(month[5:7])
    return date(y + (m == 12), 1 if m == 12 else m + 1, 15)


def _group_of(self, person) -> dict:
    """What waits for the person, with the body whose leading group he sits in on the day; a person
    in no leading group is refused like a missing page."""
    waiting = _call(self, person, "scoring.waiting_for", {"person": person.person})
    if not waiting.get("group"):
        raise ConsoleProblem(404, "页面不存在", "group: you sit in no leading group today "
                                          "(不是领导小组成员)")
    return waiting


def _group_month(request, today: date) -> str:
    return _check_month((request.args.get("month") or month_just_over(today))[:20])


def _latest_results(self, person, unit: str, today: date):
    """The unit's results in the latest rating that covers it (this year's, its half, last year's)."""
    for period in (f"{today.year}", f"{today.year}H1", f"{today.year - 1}", f"{today.year - 1}H1"):
        found = _maybe(self, person, "scoring.unit_results", {"unit": unit, "period": period})
        if found:
            return found
    return None


def _group_page(self, person, month: str, status=200, **extra):
    waiting = _group_of(self, person)
    group, today = waiting["group"], _today(self)
    progress = _maybe(self, person, "scoring.overdue_evaluations", {"agency": group, "month": month}) or {}
    deadline = date.fromisoformat(progress["deadline"]) if progress.get("deadline") else filing_deadline(month)
    notice = _maybe(self, person, "scoring.public_notice", {"evaluator": group, "month": month}) or {}
    objections = (_maybe(self, person, "scoring.objections", {"evaluator": group, "month": month})
                  or {}).get("objections", [])
    ranking = _maybe(self, person, "scoring.ranking_of_month", {"evaluator": group, "month": month}) or {}
    rects = (_maybe(self, person, "scoring.rectifications", {"evaluator": group, "month": month})
             or {}).get("rectifications", [])
    results = _latest_results(self, person, group, today)
    stars: dict = {}
    for o in (results or {}).get("officers", []):
        stars[o.get("stars") or 0] = stars.get(o.get("stars") or 0, 0) + 1
    context = dict(me=person.person, staff=_maybe(self, person, "roster.get_staff", {"person": person.person}) or {},
                   waiting=waiting, group=group, group_name=notice.get("evaluator_name") or group, month=month,
                   today=today, deadline=deadline, days_left=(deadline - today).days,
                   counts=(progress.get("by_agency") or {}).get(group), notice=notice, objections=objections,
                   ranking=ranking.get("groups") or {}, rects=rects, results=results,
                   agency=next(iter((results or {}).get("agencies") or []), None), stars=sorted(stars.items()),
                   errors={}, answer_errors={}, answer_form={}, done={}, until="",
                   rect_errors={}, rect_form={}, rect_done="", RANK_GROUPS=RANK_GROUPS, RANK_CLASSES=RANK_CLASSES,
                   RECT_STATES=RECT_STATES, NOTICE_STATES=NOTICE_STATES, STATE_LABELS=STATE_LABELS,
                   STATUS_LABELS=STATUS_LABELS, csrf=_csrf(person))
    context.update(extra)
    return _render(self, "console/group.html", status, **context)


@guarded
def group_get(self, request, person):
    """The body's month for a member of its leading group."""
    month = _group_month(request, _today(self))
    done = {k: int(v) for k in _GROUP_COUNTS if (v := request.args.get(k) or "").isdigit() and len(v) < 7}
    rect = (request.args.get("rect") or "")[:120]
    rect_done = ""
    if rect:
        action, _, subject = rect.partition(":")
        rect_done = {"submitted": f"{subject} 的整改措施已提交, 等待备案。",
                     "filed": f"{subject} 的整改措施已备案。"}.get(action, "")
    return _group_page(self, person, month, done=done, until=(request.args.get("until") or "")[:10],
                       rect_done=rect_done)


def _group_post(self, request, person, action: str):
    """A step of the body's month by the signed-in member: the service decides (a member of the
    body, never on his own evaluation); its refusal is shown beside the step's button."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    month = _check_month((form.get("month") or "")[:7])
    waiting = _group_of(self, person)
    group = waiting["group"]
    payload = {"actor": person.person, "evaluator": group, "month": month}
    try:
        out = _call(self, person, action, payload)
    except LianbaoError as err:
        field = err.field if err.field and err.field != "None" else ""
        return _group_page(self, person, month, err.http_status if err.http_status < 500 else 400,
                           errors={action: f"{field}: {err.message}" if field else err.message})
    if action == "scoring.publish_notice":
        query = f"posted={out['posted']}&until={out['notice_end']}"
    elif action == "scoring.file_month":
        query = (f"filed={out['filed']}&late={out['late']}&waiting={len(out['waiting']) + out['not_ready']}"
                 f"&left={len(out['left_for_another_member'])}")
    else:
        query = f"ranked={sum(len(v) for v in (out.get('groups') or {}).values())}"
    return Response("", status=303, headers={"Location": f"/console/group?month={month}&{query}",
                                             "Cache-Control": "no-store"})


@guarded
def group_notice(self, request, person):
    """Post the month's approved evaluations on notice (``scoring.publish_notice``)."""
    return _group_post(self, request, person, "scoring.publish_notice")


@guarded
def group_file(self, request, person):
    """File the month's evaluations whose notice has ended (``scoring.file_month``)."""
    return _group_post(self, request, person, "scoring.file_month")


@guarded
def group_rank(self, request, person):
    """Rank the month: good / middle / poor (``scoring.rank_month``)."""
    return _group_post(self, request, person, "scoring.rank_month")


@guarded
def group_answer(self, request, person, objection_id):
    """Answer an objection of the public to the body's notice (``scoring.answer_objection``)."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    month = _check_month((form.get("month") or "")[:7])
    waiting = _group_of(self, person)
    answer = (form.get("answer") or "").strip()
    upheld = form.get("upheld")
    errors = {}
    if not answer:
        errors["answer"] = "请写明答复 (an answer is needed)"
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = f"答复至多 {MAX_ANSWER} 字 (at most {MAX_ANSWER} characters)"
    if upheld not in ("yes", "no"):
        errors["upheld"] = "请选择异议是否成立 (upheld: yes or no)"
    if not errors:
        try:
            _call(self, person, "scoring.answer_objection",
                  {"actor": person.person, "evaluator": waiting["group"], "objection_id": objection_id,
                   "answer": answer, "upheld": upheld == "yes"})
        except LianbaoError as err:
            field = err.field if err.field and err.field != "None" else ""
            if field == "objection_id" and err.http_status == 404:
                raise ConsoleProblem(404, "页面不存在", f"objection_id: {err.message}")
            errors["answer" if field == "answer" else "_form"] = \
                f"{field}: {err.message}" if field and field != "answer" else err.message
        else:
            return Response("", status=303, headers={"Location": f"/console/group?month={month}&answered=1",
                                                     "Cache-Control": "no-store"})
    return _group_page(self, person, month, 400, answer_errors={objection_id: errors},
                       answer_form={objection_id: {"answer": answer, "upheld": upheld}})


MAX_PLAN = 4000


@guarded
def group_rectification(self, request, person, subject):
    """The rectification the poor-ranked owe (M§五(二)5): the subject (a leader of the group, poor in
    the leaders' ranking) submits his explanation and plan (``scoring.submit_rectification``, both
    required, checked beside the field); another member files a submitted one
    (``scoring.file_rectification``: never one's own).  The service decides who may."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    form = _form(request)
    check_csrf(request, person, form)
    month = _check_month((form.get("month") or "")[:7])
    waiting = _group_of(self, person)
    action = form.get("action")
    if action not in ("submit", "file"):
        raise ConsoleProblem(400, "无法处理", "action: submit or file")
    owed = (_maybe(self, person, "scoring.rectifications", {"evaluator": waiting["group"], "month": month})
            or {}).get("rectifications", [])
    if not any(r["subject"] == subject for r in owed):         # not the body's: like a missing page
        raise ConsoleProblem(404, "页面不存在", f"subject: {subject[:100]} owes no rectification to "
                                              f"{waiting['group']} for {month}")
    payload = {"actor": person.person, "evaluator": waiting["group"], "month": month, "subject": subject}
    errors, kept = {}, {}
    if action == "submit":
        kept = {"explanation": (form.get("explanation") or "").strip(), "plan": (form.get("plan") or "").strip()}
        for field, label in (("explanation", "原因说明"), ("plan", "整改措施")):
            if not kept[field]:
                errors[field] = f"请填写{label} (the {field} is needed)"
            elif len(kept[field]) > MAX_PLAN:
                errors[field] = f"{label}至多 {MAX_PLAN} 字 (at most {MAX_PLAN} characters)"
        payload.update(kept)
    if not errors:
        try:
            _call(self, person, "scoring.submit_rectification" if action == "submit" else "scoring.file_rectification",
                  payload)
        except LianbaoError as err:
            field = err.field if err.field and err.field != "None" else ""
            if field in ("explanation", "plan"):
                errors[field] = err.message
            else:
                errors["_form"] = f"{field}: {err.message}" if field else err.message
        else:
            done = "submitted" if action == "submit" else "filed"
            return Response("", status=303, headers={
                "Location": f"/console/group?month={month}&rect={done}:{quote(subject)}", "Cache-Control": "no-store"})
    return _group_page(self, person, month, 400, rect_errors={subject: errors}, rect_form={subject: kept})


# ------------------------------------------------------------------------------------------------
# the committee's office: the city board (issue 22 item 4, first part)

#: which service computes which of the eight targets (shared.targets.OWNERS), asked once each
TARGET_SERVICES = ("scoring", "roster", "training", "survey")


def _committee_of(self, person) -> tuple[dict, list]:
    """The committee the signed-in person works in (the roster's post today) and the units under
    it; anyone else is refused like a missing page."""
    staff = _maybe(self, person, "roster.get_staff", {"person": person.person}) or {}
    body = staff.get("agency")
    units = (_maybe(self, person, "roster.get_units", {"under": body}) or {}).get("units", []) if body else []
    top = next((u for u in units if u["id"] == body), None)
    if top is None or top["kind"] != "committee":
        raise ConsoleProblem(404, "页面不存在", "committee: you work in no committee's office today "
                                              "(不是政法委机关人员)")
    return staff, units


def _bar(counts: dict, total: int) -> list:
    """CSS bar segments ``(stars, count, percent)`` of a stars distribution, most stars first."""
    return [(n, c, round(100 * c / total, 1)) for n, c in sorted(counts.items(), reverse=True) if c] if total else []


@guarded
def board(self, request, person):
    """The city board of a committee's office: filing against the 15th per agency (who is late), the
    eight targets per agency, stars per agency as a chart, agency classes.  Four calls for the data
    (``scoring.committee_board``, then ``roster``, ``training`` and ``survey`` ``.targets`` of the
    committee) whatever the number of agencies."""
    from shared import targets as method_targets

    staff, units = _committee_of(self, person)
    today = _today(self)
    month = _check_month((request.args.get("month") or month_just_over(today))[:20])
    deadline = filing_deadline(month)
    agencies = [u for u in units if u["kind"] == "agency"]
    wanted = {ag["id"] for ag in agencies}
    # a handful of calls whatever the number of agencies: scoring's board of the committee (filing,
    # target 1, the latest stars), then each other owner's targets of the committee once (the owner
    # answers only the agencies under it: the policy table lets the office name its own committee,
    # never read the whole city's), kept to the agencies of the roster's tree
    found = _maybe(self, person, "scoring.committee_board", {"committee": staff["agency"], "month": month}) or {}
    boards = {a["agency"]: a for a in found.get("agencies", [])}
    targets: dict = {}
    for service in TARGET_SERVICES:
        if service == "scoring":
            continue
        answer = _maybe(self, person, f"{service}.targets", {"year": int(month[:4]), "committee": staff["agency"]})
        for t in (answer or {}).get("targets", []):
            if t.get("agency") in wanted and method_targets.OWNERS.get(t["target"]) == service:
                targets.setdefault(t["agency"], {})[t["target"]] = t
    rows = []
    for ag in agencies:
        b = boards.get(ag["id"]) or {}
        mine = dict(targets.get(ag["id"], {}))
        if b.get("target_1"):
            mine[b["target_1"]["target"]] = b["target_1"]
        rating = b.get("rating") or {}
        stars = {int(n): c for n, c in (rating.get("stars") or {}).items()}
        rated = sum(stars.values())
        rows.append({"unit": ag, "counts": b.get("filing"), "late": b.get("overdue", []), "targets": mine,
                     "results": rating or None, "agency": rating.get("agency"),
                     "bar": _bar(stars, rated), "rated": rated,
                     "average": round(sum(n * c for n, c in stars.items()) / rated, 2) if rated else None})
    done = sum(1 for r in rows if r["counts"] and r["counts"]["due"] and
               r["counts"]["filed_on_time"] + r["counts"]["filed_late"] == r["counts"]["due"])
    top = max((r["average"] or 0 for r in rows), default=0) or 1
    return _render(self, "console/board.html", me=person.person, staff=staff, board_link=True,
                   office=staff.get("position") in ("officer", "chief"),        # the committee's office
                   waiting=_maybe(self, person, "scoring.waiting_for", {"person": person.person}),
                   committee=next(u for u in units if u["id"] == staff["agency"]), month=month, deadline=deadline,
                   days_left=(deadline - today).days, rows=rows, done=done, top=top,
                   TARGETS=method_targets.TARGETS, TARGET_LABELS=method_targets.LABELS,
                   STATE_LABELS=dict(STATE_LABELS, missing="未填报"), csrf=_csrf(person))
