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

from shared.errors import LianbaoError, NotFound

from services.gateway.problems import GatewayProblem
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


def deductions_from_form(template: dict, form: dict) -> tuple[list, dict]:
    """The deductions a self-assessment form states: ``deduct.<item>`` points (0 or empty: none) and
    ``reason.<item>``, which a deduction must have.  Returns ``(deductions, errors by field)``."""
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
            deductions.append({"id": f"self.{item['id']}", "items": [item["id"]], "points": str(points),
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
    """The answer, or None when the service has nothing (NotFound) or is not running."""
    try:
        return _call(service, person, target, payload)
    except NotFound:
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
    training = _maybe(self, person, "training.results_of", {"person_id": me}) or {}
    return _render(self, "console/home.html", me=me, staff=staff, month=month, current=by_month.get(month),
                   saved=request.args.get("saved") == month,
                   months=[m for m in months if m["month"].startswith(str(today.year))], rating=rating,
                   training=training.get("results", []), STATE_LABELS=STATE_LABELS,
                   STATUS_LABELS=STATUS_LABELS,
                   csrf=csrf_token(person.session) if person.session is not None else "")


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


def entry_points() -> dict:
    """The nameko entry points of the console, to merge into the gateway's class."""
    return {
        "console_home": http("GET", "/console")(home),
        "console_self_get": http("GET", "/console/self-assessment/<month>")(self_assessment_get),
        "console_self_post": http("POST", "/console/self-assessment/<month>")(self_assessment_post),
    }
