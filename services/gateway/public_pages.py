"""The public pages (issue 23) and the clerks' and office's pages of a survey campaign.

Public (no token; the gateway calls the services as the ``public`` system, allowed only
:data:`PUBLIC_OPERATIONS`; rate limited per client address; every form carries a signed ticket
with a human check, :mod:`services.gateway.public`):

* ``GET/POST /public/notice/{evaluator}/{month}`` — a month's notice (公示) of an evaluating body:
  who, score, the window's dates, and an objection form while it is open; "公示已结束" after;
* ``GET/POST /public/survey/{campaign_id}`` — the online satisfaction form (mobile first): the
  respondent group (``?group=`` in the link), the subject (``?subject=`` or chosen among the
  campaign's agencies and sections), the questionnaire's items under their six dimensions;
* ``GET /public/survey/{campaign_id}/links`` and ``/qr.svg?group=`` — the form's link and QR code,
  per campaign and per respondent group.

For the committee's office, signed in at the gateway (``/auth/login``; not signed in: 303 to
``/auth/login?next=…``).  A page is a shell; its data comes from the token routes, called by the
browser as the person (the session cookie, and ``X-CSRF-Token`` on anything but GET); the survey's
policy decides by the person's roles (a campaign outside them answers 404, as a missing one):

* ``GET /office/survey`` — the campaigns of the units the person's post covers;
* ``GET /office/survey/{campaign_id}/keying`` — keying paper forms with the keyboard alone;
* ``GET /office/survey/{campaign_id}/progress`` — forms per subject and group as they arrive,
  rates once closed, the XLSX export.

Still with a bearer token typed on the page (kept in the tab's sessionStorage):

* ``GET /office/objections/{evaluator}`` — signed in: to the console's page of the person's leading group
  (``/console/group``), where the notice's objections are answered.
"""
from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode

from nameko.exceptions import RemoteError
from nameko.extensions import DependencyProvider
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from shared.errors import Conflict, LianbaoError, NotFound, RuleViolation, ValidationFailed
from shared.schemas import id_problem, text_problem

from services.gateway.public import (SharedRateLimiter, TicketProblem, Tickets, client_address, qr_svg,
                                     trusted_networks)
from services.gateway.tokens import GATEWAY, Caller

log = logging.getLogger(__name__)

PUBLIC_SYSTEM = "public"
PUBLIC_ACTOR = "public"
#: who the public pages call as: kind ``public`` (the policy table's role ``public``: the services
#: allow it only the rows naming it), the system ``public`` in its idempotency keys (docs/trust.md)
PUBLIC_CALLER = Caller(PUBLIC_SYSTEM, PUBLIC_ACTOR, "*", GATEWAY)
#: what the public pages may ask of the services, and nothing else (the gateway refuses the rest
#: before any call)
PUBLIC_OPERATIONS = frozenset({
    "scoring.public_notice", "scoring.public_period_notice", "scoring.public_object",
    "survey.get_campaign", "survey.get_questionnaire", "survey.campaign_subjects", "survey.submit_form",
})
MAX_FORM_BODY = 32 * 1024          # a public form's urlencoded body, bytes
HTML = "text/html; charset=utf-8"
TEMPLATES = Path(__file__).with_name("templates")

ANSWERS = (("S", "满意"), ("B", "基本满意"), ("D", "不满意"), ("N", "不了解"))
DIMENSION_LABELS = {"morality": "德", "ability": "能", "diligence": "勤", "results": "绩",
                    "integrity": "廉", "learning": "学"}
GROUP_LABELS = {
    "superior_departments": "上级政法部门", "deputies": "人大代表和政协委员", "bureau_heads": "科局单位一把手",
    "business_owners": "企业负责人", "venue_operators": "公共复杂场所经营者", "parents": "学生家长",
    "case_parties": "案件当事人", "officer_families": "政法干警家属", "retired_staff": "政法系统离退休老干部",
    "officers": "政法干警", "leading_group_members": "政法局院班子成员",
}
KIND_LABELS = {"agency": "政法单位", "section": "科室", "officer": "干警", "leader": "政法委书记、副书记"}


def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(GROUP_LABELS=GROUP_LABELS, DIMENSION_LABELS=DIMENSION_LABELS, ANSWERS=ANSWERS,
                       KIND_LABELS=KIND_LABELS)
    return env


class PagesProblem(Exception):
    def __init__(self, status: int, title: str, message: str, headers=None):
        super().__init__(message)
        self.status, self.title, self.message, self.headers = status, title, message, headers


class PublicKit(DependencyProvider):
    """Tickets, rate limits and templates of the public pages, set up once per container."""

    def setup(self):
        config = self.container.config
        secret = str(config.get("GATEWAY_PUBLIC_SECRET") or os.environ.get("LIANBAO_PUBLIC_SECRET") or "")
        if not secret:
            log.warning("gateway: no GATEWAY_PUBLIC_SECRET: the public forms' tickets are signed with a "
                        "random secret of this process (forms shown by another gateway are refused)")
            secret = secrets.token_hex(32)
        window = float(config.get("GATEWAY_PUBLIC_WINDOW") or 600)
        self.tickets = Tickets(secret.encode("utf-8"),
                               min_seconds=float(config.get("GATEWAY_FORM_MIN_SECONDS") or 0),
                               max_age=7200)
        from shared.config import database_url
        from shared.db import ensure_database, make_engine

        url = str(config.get("GATEWAY_DB_URL") or "") or database_url("gateway", config)
        ensure_database(url)
        self.engine = make_engine(url)
        self.views = SharedRateLimiter(self.engine, "view", int(config.get("GATEWAY_PUBLIC_VIEWS") or 120), window)
        self.posts = SharedRateLimiter(self.engine, "post", int(config.get("GATEWAY_PUBLIC_POSTS") or 10), window)
        self.proxies = trusted_networks(config.get("GATEWAY_TRUSTED_PROXIES"))
        self.public_url = str(config.get("GATEWAY_PUBLIC_URL") or "").rstrip("/")
        self.env = _env()

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self


# ------------------------------------------------------------------------------------------------
# helpers


def _page(kit, template: str, status: int = 200, headers=None, **context) -> Response:
    body = kit.env.get_template(template).render(**context)
    headers = dict(headers or {})
    headers.setdefault("Cache-Control", "no-store")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                       "script-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    return Response(body, status=status, headers=headers, content_type=HTML)


def _address(kit, request) -> str:
    return client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), kit.proxies)


def _limit(kit, request, post: bool) -> None:
    limiter = kit.posts if post else kit.views
    allowed, wait = limiter.allow(_address(kit, request))
    if not allowed:
        raise PagesProblem(429, "请求过于频繁",
                           f"本地址请求过于频繁, 请 {int(wait) + 1} 秒后再试 (too many requests from this "
                           f"address: at most {limiter.limit} per {limiter.window:g} s)",
                           headers={"Retry-After": str(int(wait) + 1)})


def _check_path(**values) -> None:
    for name, value in values.items():
        if id_problem(value, 100) is not None:
            raise PagesProblem(404, "页面不存在", f"{name}: 页面不存在 (not found)")


def _form(request) -> dict:
    """The urlencoded body of a public form: at most :data:`MAX_FORM_BODY` bytes, every value plain
    text (a control character is refused naming the field), one value per name."""
    length = request.content_length
    if length is None or length > MAX_FORM_BODY:
        raise PagesProblem(413, "内容过长", f"提交的内容过长 (at most {MAX_FORM_BODY} bytes)")
    raw = request.get_data(cache=False)
    if len(raw) > MAX_FORM_BODY:
        raise PagesProblem(413, "内容过长", f"提交的内容过长 (at most {MAX_FORM_BODY} bytes)")
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        raise PagesProblem(400, "无法读取", "提交的内容无法读取 (not a form in UTF-8)") from None
    out = {}
    for name, values in parsed.items():
        if len(values) != 1 or len(name) > 40:
            raise PagesProblem(400, "无法读取", f"{name[:40]}: 重复或无效的字段 (a field given twice)")
        value = values[0].replace("\r\n", "\n")
        problem = text_problem(value.replace("\n", " ").replace("\t", " "))
        if problem is not None or text_problem(name) is not None:
            raise ValidationFailed(f"含有控制字符 ({problem})", name)
        out[name] = value
    return out


def _call(service, target: str, payload: dict):
    if target not in PUBLIC_OPERATIONS:       # the public system may do only these
        raise PagesProblem(403, "不允许", f"{target} is not a public operation")
    return service.upstream.call(target, (payload,), caller=PUBLIC_CALLER)


def _base_url(kit, request) -> str:
    return kit.public_url or request.host_url.rstrip("/")


def guarded(handler):
    """Map the problems of a public page to an HTML answer (never a traceback)."""
    def run(self, request, **path):
        from services.gateway.problems import GatewayProblem

        try:
            return handler(self, request, **path)
        except PagesProblem as err:
            return _page(self.public_kit, "public/message.html", err.status, err.headers,
                         title=err.title, message=err.message)
        except NotFound as err:
            return _page(self.public_kit, "public/message.html", 404, title="页面不存在",
                         message=f"页面不存在 (not found: {err.field})")
        except LianbaoError as err:
            return _page(self.public_kit, "public/message.html", err.http_status, title="无法处理",
                         message=f"{err.field}: {err.message}")
        except GatewayProblem as err:
            return _page(self.public_kit, "public/message.html", err.status, title="暂时无法访问",
                         message="服务暂时无法访问, 请稍后再试 (the service is not available)")
        except RemoteError as err:
            log.error("public page: upstream failed: %s", err.exc_type)
            return _page(self.public_kit, "public/message.html", 502, title="暂时无法访问",
                         message="服务暂时无法访问, 请稍后再试")
        except Exception:
            log.error("public page %s failed", request.path, exc_info=True)
            return _page(self.public_kit, "public/message.html", 500, title="出错了",
                         message="页面出错, 请稍后再试")
    run.__name__ = handler.__name__
    return run


# ------------------------------------------------------------------------------------------------
# the notice and its objections


def is_period(text: str) -> bool:
    """A half-year (``2026H1``) or a year (``2026``) rather than a month (``2026-02``)."""
    return "-" not in text


def period_text(period: str) -> str:
    return f"{period[:4]}年上半年星级初评" if period.endswith("H1") else f"{period}年度星级总评"


def _notice(self, evaluator: str, month: str) -> dict:
    """The notice of a month (an evaluating body's) or of a period (a unit's rating), one shape."""
    if not is_period(month):
        return _call(self, "scoring.public_notice", {"evaluator": evaluator, "month": month})
    notice = _call(self, "scoring.public_period_notice", {"unit": evaluator, "period": month})
    return dict(notice, evaluator=notice["unit"], evaluator_name=notice["unit_name"], month=notice["period"])


def _notice_page(self, request, evaluator, month, *, status=200, errors=None, values=None, done=None):
    kit = self.public_kit
    notice = _notice(self, evaluator, month)
    ticket = question = None
    if notice["status"] == "open" and done is None:
        ticket, t = kit.tickets.issue(f"notice:{evaluator}:{month}", "obj-" + secrets.token_hex(12))
        question = t.question
    period = is_period(month)
    heading = f"{period_text(month)}结果公示" if period else f"{month} 月度考评结果公示"
    return _page(kit, "public/notice.html", status, notice=notice, ticket=ticket, question=question,
                 errors=errors or {}, values=values or {}, done=done, period=period, heading=heading,
                 period_text=period_text(month) if period else "")


@guarded
def notice_get(self, request, evaluator, month):
    _limit(self.public_kit, request, post=False)
    _check_path(evaluator=evaluator, month=month)
    return _notice_page(self, request, evaluator, month)


@guarded
def notice_post(self, request, evaluator, month):
    kit = self.public_kit
    _limit(kit, request, post=True)
    _check_path(evaluator=evaluator, month=month)
    try:
        form = _form(request)
    except ValidationFailed as err:
        return _notice_page(self, request, evaluator, month, status=400, errors={err.field: err.message})
    values = {k: form.get(k, "") for k in ("about", "text", "contact")}
    try:
        ticket = kit.tickets.check(form.get("ticket"), f"notice:{evaluator}:{month}", form.get("check"))
        kind, _, subject = values["about"].partition(":")
        if kind not in ("officer", "section") or id_problem(subject, 100) is not None:
            raise ValidationFailed("请选择被异议的人员或科室 (choose whom the objection is about)", "about")
        answer = _call(self, "scoring.public_object", {
            "objection_id": ticket.issued_id, "evaluator": evaluator, "month": month, "kind": kind,
            "subject": subject, "text": values["text"][:1001], "contact": values["contact"][:101]})
    except TicketProblem as err:
        return _notice_page(self, request, evaluator, month, status=400, errors={err.field: err.message},
                            values=values)
    except (ValidationFailed, Conflict) as err:
        field = {"subject": "about", "kind": "about"}.get(err.field, err.field)
        return _notice_page(self, request, evaluator, month, status=400 if isinstance(err, ValidationFailed)
                            else 409, errors={field: err.message}, values=values)
    return _notice_page(self, request, evaluator, month, done=answer)


# ------------------------------------------------------------------------------------------------
# the online satisfaction form


def _survey_context(self, campaign_id: str, group: str | None, subject: str | None) -> dict:
    campaign = _call(self, "survey.get_campaign", {"campaign_id": campaign_id})
    if group is not None and group not in campaign["groups"]:
        raise PagesProblem(404, "页面不存在", "group: 本问卷没有这一类调查对象 (not a group of this campaign)")
    questionnaire = _call(self, "survey.get_questionnaire", campaign["questionnaire"])
    # the survey lets the public read an open campaign's subjects only (a closed one's: its 404); the
    # page of a closed campaign says it has ended and lists nobody
    chosen = _call(self, "survey.campaign_subjects",
                   {"campaign_id": campaign_id, **({"subject": subject} if subject else {})}
                   )["subjects"] if campaign["status"] == "open" else []
    dims, by_dim = [], {}
    for item in questionnaire["items"]:
        if item["dimension"] not in by_dim:
            by_dim[item["dimension"]] = []
            dims.append(item["dimension"])
        by_dim[item["dimension"]].append(item)
    return {"campaign": campaign, "dimensions": [(d, by_dim[d]) for d in dims],
            "items": questionnaire["items"], "subjects": chosen, "fixed_subject": bool(subject),
            "group": group}


def _survey_page(self, request, campaign_id, group, subject, *, status=200, errors=None, values=None,
                 done=None, duplicate=False):
    kit = self.public_kit
    ctx = _survey_context(self, campaign_id, group, subject)
    ticket = question = None
    if ctx["campaign"]["status"] == "open" and done is None:
        ticket, t = kit.tickets.issue(f"survey:{campaign_id}")
        question = t.question
    return _page(kit, "public/survey.html", status, ticket=ticket, question=question, errors=errors or {},
                 values=values or {}, done=done, duplicate=duplicate, **ctx)


def _one(request, name):
    value = request.args.get(name)
    if value is None:
        return None
    if id_problem(value, 100) is not None:
        raise PagesProblem(404, "页面不存在", f"{name}: 页面不存在 (not found)")
    return value


@guarded
def survey_get(self, request, campaign_id):
    _limit(self.public_kit, request, post=False)
    _check_path(campaign_id=campaign_id)
    return _survey_page(self, request, campaign_id, _one(request, "group"), _one(request, "subject"))


@guarded
def survey_post(self, request, campaign_id):
    kit = self.public_kit
    _limit(kit, request, post=True)
    _check_path(campaign_id=campaign_id)
    group_link, subject_link = _one(request, "group"), _one(request, "subject")
    try:
        form = _form(request)
    except ValidationFailed as err:
        return _survey_page(self, request, campaign_id, group_link, subject_link, status=400,
                            errors={err.field: err.message})
    errors = {}
    group = group_link or form.get("group", "")
    subject = subject_link or form.get("subject", "")
    answers = []
    ctx_items = None
    try:
        ticket = kit.tickets.check(form.get("ticket"), f"survey:{campaign_id}", form.get("check"))
    except TicketProblem as err:
        errors[err.field] = err.message
        ticket = None
    campaign = _call(self, "survey.get_campaign", {"campaign_id": campaign_id})
    questionnaire = _call(self, "survey.get_questionnaire", campaign["questionnaire"])
    ctx_items = questionnaire["items"]
    for item in ctx_items:
        code = form.get(f"q{item['number']}", "")
        if code not in ("S", "B", "D", "N"):
            errors.setdefault("answers", f"第 {item['number']} 项未作答 (item {item['number']} has no answer)")
        answers.append(code)
    if group not in campaign["groups"]:
        errors["group"] = "请选择您所属的调查对象类别 (choose your respondent group)"
    if not subject or id_problem(subject, 100) is not None:
        errors["subject"] = "请选择被评议的单位 (choose whom you rate)"
    values = {k: v for k, v in form.items() if k not in ("ticket", "check")}
    if errors or ticket is None:
        return _survey_page(self, request, campaign_id, group_link, subject_link, status=400,
                            errors=errors, values=values)
    try:
        result = _call(self, "survey.submit_form", {"campaign_id": campaign_id, "form": {
            "serial": ticket.issued_id, "subject": subject, "group": group, "answers": "".join(answers)}})
    except Conflict:          # the same form again (its serial is taken): counted once
        return _survey_page(self, request, campaign_id, group_link, subject_link, status=409,
                            done={"serial": ticket.issued_id}, duplicate=True)
    except ValidationFailed as err:
        field = err.field.split(".")[-1] if err.field else "form"
        return _survey_page(self, request, campaign_id, group_link, subject_link, status=400,
                            errors={field: err.message}, values=values)
    except RuleViolation as err:
        return _survey_page(self, request, campaign_id, group_link, subject_link, status=409,
                            errors={"campaign": err.message}, values=values)
    return _survey_page(self, request, campaign_id, group_link, subject_link, done=result)


@guarded
def survey_links(self, request, campaign_id):
    kit = self.public_kit
    _limit(kit, request, post=False)
    _check_path(campaign_id=campaign_id)
    campaign = _call(self, "survey.get_campaign", {"campaign_id": campaign_id})
    base = f"{_base_url(kit, request)}/public/survey/{quote(campaign_id)}"
    links = [(None, base)] + [(g, f"{base}?{urlencode({'group': g})}") for g in campaign["groups"]]
    return _page(kit, "public/links.html", campaign=campaign,
                 links=[{"group": g, "url": url, "svg": qr_svg(url)} for g, url in links])


@guarded
def survey_qr(self, request, campaign_id):
    kit = self.public_kit
    _limit(kit, request, post=False)
    _check_path(campaign_id=campaign_id)
    group = _one(request, "group")
    campaign = _call(self, "survey.get_campaign", {"campaign_id": campaign_id})
    if group is not None and group not in campaign["groups"]:
        raise PagesProblem(404, "页面不存在", "group: not a group of this campaign")
    url = f"{_base_url(kit, request)}/public/survey/{quote(campaign_id)}"
    if group:
        url += "?" + urlencode({"group": group})
    return Response(qr_svg(url, scale=8), status=200, content_type="image/svg+xml; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=3600"})


# ------------------------------------------------------------------------------------------------
# the committee office's pages of its campaigns: signed in at the gateway (a session), every datum
# through the token routes as the person (session cookie + X-CSRF-Token); the survey's policy decides
# by the person's roles in its read model (a campaign outside them: the missing one's 404)


def _person_caller(person) -> Caller:
    return Caller(f"person:{person.person}", person.person, frozenset(), kind="person")


def signed_in(handler):
    """An office page: a session first (else 303 to ``/auth/login?next=…``), then the page as the
    person, its problems as pages."""
    def run(self, request, **path):
        from services.gateway.console import _signed_in

        person, redirect = _signed_in(self, request)
        if redirect is not None:
            return redirect
        return guarded(lambda service, req, **p: handler(service, req, person, **p))(self, request, **path)
    run.__name__ = handler.__name__
    return run


def _session_context(person) -> dict:
    from services.gateway.signin import csrf_token

    return {"session": True, "person": person.person,
            "csrf": csrf_token(person.session) if person.session is not None else ""}


def _own_campaign(self, person, campaign_id: str) -> dict:
    """The campaign, asked as the person: one outside their units answers as a missing one."""
    _check_path(campaign_id=campaign_id)
    return self.upstream.call("survey.get_campaign", ({"campaign_id": campaign_id},),
                              caller=_person_caller(person))


@signed_in
def office_campaigns(self, request, person):
    """The campaigns of the units the signed-in person's post covers (``survey.list_campaigns`` as them)."""
    campaigns, after = [], None
    for _ in range(20):                        # at most 20 pages of 500
        page = self.upstream.call("survey.list_campaigns", ({"limit": 500, **({"after": after} if after else {})},),
                                  caller=_person_caller(person))
        campaigns += page["campaigns"]
        after = page.get("next")
        if not after:
            break
    return _page(self.public_kit, "office/campaigns.html", campaigns=campaigns, **_session_context(person))


@signed_in
def office_keying(self, request, person, campaign_id):
    _own_campaign(self, person, campaign_id)
    return _page(self.public_kit, "office/keying.html", campaign_id=campaign_id,
                 groups=list(GROUP_LABELS.items())[:10], **_session_context(person))


@signed_in
def office_progress(self, request, person, campaign_id):
    _own_campaign(self, person, campaign_id)
    return _page(self.public_kit, "office/progress.html", campaign_id=campaign_id, **_session_context(person))


@signed_in
def office_objections(self, request, person, evaluator):
    """The leading group answers its notice's objections in the console, signed in (``/console/group``:
    the body whose leading group the person sits in, and no other): this address of the office's old
    queue takes a signed-in person there."""
    _check_path(evaluator=evaluator)
    return Response("", status=303, headers={"Location": "/console/group", "Cache-Control": "no-store"})


def entry_points() -> dict:
    """The nameko entry points of these pages, to merge into the gateway's class."""
    return {
        "public_kit": PublicKit(),
        "page_notice_get": http("GET", "/public/notice/<evaluator>/<month>")(notice_get),
        "page_notice_post": http("POST", "/public/notice/<evaluator>/<month>")(notice_post),
        "page_survey_get": http("GET", "/public/survey/<campaign_id>")(survey_get),
        "page_survey_post": http("POST", "/public/survey/<campaign_id>")(survey_post),
        "page_survey_links": http("GET", "/public/survey/<campaign_id>/links")(survey_links),
        "page_survey_qr": http("GET", "/public/survey/<campaign_id>/qr.svg")(survey_qr),
        "page_office_campaigns": http("GET", "/office/survey")(office_campaigns),
        "page_office_keying": http("GET", "/office/survey/<campaign_id>/keying")(office_keying),
        "page_office_progress": http("GET", "/office/survey/<campaign_id>/progress")(office_progress),
        "page_office_objections": http("GET", "/office/objections/<evaluator>")(office_objections),
    }
