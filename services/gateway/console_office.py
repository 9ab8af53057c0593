"""The committee office's own pages of the console (issue 22 item 4, beside the city board of
:mod:`services.gateway.console`): for a person whose post today is in a committee's office (the
roster's position ``officer`` or ``chief`` in a unit of kind ``committee``: the policy table's role
``committee_office``); anyone else, a committee's members included, is answered 404 like a missing
page.  Every datum comes from the services asked as the person, who decide.

* ``GET /console/office/rating?period=&rating_date=`` — the half-year or annual rating of the
  person's committee: without a period, the form; with one, the preview (``scoring.preview_rating``:
  what publishing would store now, nothing stored): per agency how many officers get how many
  stars, who is disqualified or not rated, the agency's class; every officer with his stars, score
  and reasons;
* ``POST /console/office/rating`` — publish the rating looked at (``scoring.run_rating`` with the
  preview's digest: if the facts changed since, the service refuses and the page says so beside the
  button);
* ``GET|POST /console/office/packs`` — an agency's rule pack checked, previewed, adopted;
* ``GET /console/office/notices`` and ``/console/office/notices/{period}.xlsx|.csv`` — the period's
  notice of results and rewards of the committee's agencies, as rewards stored it.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from werkzeug.wrappers import Response

from shared.errors import LianbaoError

from services.gateway.console import (ConsoleProblem, STATUS_LABELS, _call, _committee_of, _csrf, _maybe,
                                      _render, _today, guarded)

PERIOD_RE = re.compile(r"^\d{4}(H1)?$")
OFFICE_POSITIONS = ("officer", "chief")
STAR_LEVELS = (5, 4, 3, 2, 1)
#: the engine's reason codes (docs/rating.md), as the office reads them; a fact's own name stays as it is
REASON_LABELS = {"quota": "五星名额所限", "mentee_disqualified": "联带对象被取消评星资格",
                 "low_satisfaction": "群众满意率低于 60%", "three_months_below_60": "3 个月及以上低于 60 分",
                 "absence": "无故缺勤 5 天及以上", "joined_less_than_a_year": "入队不满一年",
                 "long_leave": "病事假超过 90 天", "no_monthly_scores": "没有月度考评分"}


def _office_of(self, person) -> tuple[dict, list, dict]:
    """``(staff, units under the committee, the committee)`` of a person of a committee's office;
    anyone else (an agency's people, the committee's members) 404."""
    staff, units = _committee_of(self, person)
    if staff.get("position") not in OFFICE_POSITIONS:
        raise ConsoleProblem(404, "页面不存在", "committee_office: this page is the committee office's "
                                              "(不是政法委机关工作人员)")
    return staff, units, next(u for u in units if u["id"] == staff["agency"])


def _context(self, person, staff, committee, **extra) -> dict:
    context = dict(me=person.person, staff=staff, committee=committee, board_link=True,
                   waiting=_maybe(self, person, "scoring.waiting_for", {"person": person.person}),
                   csrf=_csrf(person), STATUS_LABELS=STATUS_LABELS, STAR_LEVELS=STAR_LEVELS,
                   REASON_LABELS=REASON_LABELS)
    context.update(extra)
    return context


# ------------------------------------------------------------------------------------------------
# the half-year or annual rating: run -> preview -> publish


def periods_offered(today: date) -> list[tuple[str, str]]:
    """The periods the form offers: this year's half and year, last year's."""
    y = today.year
    return [(f"{y}H1", f"{y} 年上半年 (半年初评)"), (f"{y}", f"{y} 年度 (年终总评)"),
            (f"{y - 1}", f"{y - 1} 年度 (年终总评)"), (f"{y - 1}H1", f"{y - 1} 年上半年 (半年初评)")]


def _rating_form(args: dict) -> tuple[dict, dict]:
    """The form's fields and their errors (beside the field)."""
    form = {"period": (args.get("period") or "").strip()[:10], "rating_date": (args.get("rating_date") or "").strip()[:10]}
    errors = {}
    if not PERIOD_RE.match(form["period"]):
        errors["period"] = "请选择考评期间: 年度 (如 2026) 或上半年 (如 2026H1) (period: YYYY or YYYYH1)"
    if form["rating_date"]:
        try:
            date.fromisoformat(form["rating_date"])
        except ValueError:
            errors["rating_date"] = "评定日期须为日期 (rating_date: YYYY-MM-DD)"
    return form, errors


def _by_agency(preview: dict, units: list) -> list[dict]:
    """Per agency of the preview: its officers (stars, status) counted, its own result, in the
    tree's order; officers of an agency the tree does not list come last under their id."""
    result, subjects = preview["result"], preview.get("subjects") or {}
    names = {u["id"]: u["name"] for u in units}
    agencies = {a["id"]: a for a in result.get("agencies", [])}
    rows: dict = {}
    for o in result.get("officers", []):
        ag = (subjects.get(o["id"]) or {}).get("agency") or ""
        row = rows.setdefault(ag, {"id": ag, "name": names.get(ag, ag), "officers": [],
                                   "stars": {n: 0 for n in STAR_LEVELS}, "disqualified": 0, "not_rated": 0})
        row["officers"].append(dict(o, name=(subjects.get(o["id"]) or {}).get("name")))
        if o["status"] == "rated":
            row["stars"][o.get("stars") or 0] = row["stars"].get(o.get("stars") or 0, 0) + 1
        else:
            row[o["status"]] = row.get(o["status"], 0) + 1
    for ag in agencies:
        rows.setdefault(ag, {"id": ag, "name": names.get(ag, ag), "officers": [],
                             "stars": {n: 0 for n in STAR_LEVELS}, "disqualified": 0, "not_rated": 0})
    order = {u["id"]: i for i, u in enumerate(units)}
    out = sorted(rows.values(), key=lambda r: (order.get(r["id"], len(order)), r["id"]))
    for r in out:
        r["agency"] = agencies.get(r["id"])
        r["officers"].sort(key=lambda o: (-(o.get("stars") or 0), o["status"] != "rated", o["id"]))
    return out


def _rating_page(self, person, form: dict, errors: dict, status: int = 200, published: dict | None = None):
    staff, units, committee = _office_of(self, person)
    preview = None
    if form.get("period") and not errors:
        payload = {"period": form["period"], "scope": committee["id"]}
        if form.get("rating_date"):
            payload["rating_date"] = form["rating_date"]
        try:
            preview = _call(self, person, "scoring.preview_rating", payload)
        except LianbaoError as err:
            field = err.field if err.field in ("period", "rating_date") else "_form"
            errors = dict(errors, **{field: f"{err.message}" if field != "_form" else
                                     (f"{err.field}: {err.message}" if err.field else err.message)})
            status = max(status, 400 if err.http_status < 500 else err.http_status)
    return _render(self, "console/office_rating.html", status, **_context(
        self, person, staff, committee, form=form, errors=errors, preview=preview,
        agencies=_by_agency(preview, units) if preview else [], published=published,
        periods=periods_offered(_today(self))))


@guarded
def rating_get(self, request, person):
    """The rating form, and with a period the preview of what publishing would store."""
    published = None
    if request.args.get("published"):
        published = {"rating_id": request.args["published"][:200],
                     "notice_end": (request.args.get("until") or "")[:10]}
    if "period" not in request.args:            # the form, not yet sent
        return _rating_page(self, person, {"period": "", "rating_date": ""}, {}, published=published)
    form, errors = _rating_form(request.args)
    return _rating_page(self, person, form, errors, 400 if errors else 200, published=published)


@guarded
def rating_post(self, request, person):
    """Publish the rating previewed (``scoring.run_rating`` with its digest)."""
    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    body = _form(request)
    check_csrf(request, person, body)
    form, errors = _rating_form(body)
    digest = (body.get("digest") or "").strip()
    if not re.match(r"^[0-9a-f]{64}$", digest):
        errors["digest"] = "请先查看预览, 再发布 (digest: publish the preview you looked at)"
    staff, units, committee = _office_of(self, person)
    if errors:
        return _rating_page(self, person, form, errors, 400)
    payload = {"period": form["period"], "scope": committee["id"], "digest": digest}
    if form["rating_date"]:
        payload["rating_date"] = form["rating_date"]
    try:
        out = _call(self, person, "scoring.run_rating", payload)
    except LianbaoError as err:
        field = err.field if err.field in ("period", "rating_date", "digest") else "digest"
        message = err.message if err.field == field else (f"{err.field}: {err.message}" if err.field else err.message)
        return _rating_page(self, person, form, {field: message}, err.http_status if err.http_status < 500 else 400)
    query = f"period={quote(form['period'])}&published={quote(out['rating_id'])}"
    if form["rating_date"]:
        query += f"&rating_date={quote(form['rating_date'])}"
    if out.get("notice_end"):
        query += f"&until={quote(out['notice_end'])}"
    return Response("", status=303, headers={"Location": f"/console/office/rating?{query}",
                                             "Cache-Control": "no-store"})


# ------------------------------------------------------------------------------------------------
# an agency's rule pack: checked, previewed (who changes stars and why), then adopted

MAX_PACK = 50_000           # characters of a pack document typed or pasted in


def parse_pack_text(text: str) -> tuple[dict | None, str | None]:
    """The pack document of the textarea (YAML, of which JSON is a part), or the error to show."""
    import yaml

    if not text.strip():
        return None, "请粘贴规则包 (YAML 或 JSON) (pack: the document is needed)"
    if len(text) > MAX_PACK:
        return None, f"规则包至多 {MAX_PACK} 字 (pack: at most {MAX_PACK} characters)"
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (第 {mark.line + 1} 行)" if mark is not None else ""
        return None, f"不是有效的 YAML / JSON{where} (pack: not YAML or JSON)"
    if not isinstance(doc, dict):
        return None, "规则包须为一个映射 (pack: a mapping, YAML or JSON object)"
    return _plain(doc), None


def _plain(value):
    """YAML's dates and the like as text (a pack names periods, never dates)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _pack_context(self, person, staff, committee, agencies, form, errors, **extra):
    agency = form.get("agency") or ""
    history = _maybe(self, person, "scoring.pack_history", {"agency": agency}) if agency else None
    defaults = dict(agencies=agencies, form=form, errors=errors, history=history,
                    agency_name=next((a["name"] for a in agencies if a["id"] == agency), agency),
                    periods=periods_offered(_today(self)), preview=None, problems=[], adopted=None, reviewed="")
    return _context(self, person, staff, committee, **{**defaults, **extra})


def _pack_form(self, person, args) -> tuple:
    staff, units, committee = _office_of(self, person)
    agencies = [u for u in units if u["kind"] == "agency"]
    form = {"agency": (args.get("agency") or "").strip()[:100], "period": (args.get("period") or "").strip()[:10],
            "pack": args.get("pack") or ""}
    errors = {}
    if form["agency"] and form["agency"] not in {a["id"] for a in agencies}:
        raise ConsoleProblem(404, "页面不存在", f"agency: {form['agency'][:100]} is not an agency of "
                                              f"{committee['name']} (不是本委所辖单位)")
    return staff, committee, agencies, form, errors


@guarded
def packs_get(self, request, person):
    """The rule pack form of an agency, with its pack history."""
    staff, committee, agencies, form, errors = _pack_form(self, person, request.args)
    if not form["period"]:
        form["period"] = str(_today(self).year)
    adopted = None
    if request.args.get("adopted"):
        adopted = {"version": request.args["adopted"][:10], "created": request.args.get("created") == "1"}
    return _render(self, "console/office_packs.html", **_pack_context(
        self, person, staff, committee, agencies, form, errors, adopted=adopted))


@guarded
def packs_post(self, request, person):
    """Check and preview the pack (``action=preview``), or adopt the pack previewed (``action=adopt``)."""
    import hashlib

    from services.gateway.public_pages import _form
    from services.gateway.signin import check_csrf

    body = _form(request)
    check_csrf(request, person, body)
    staff, committee, agencies, form, errors = _pack_form(self, person, body)
    action = body.get("action")
    if not form["agency"]:
        errors["agency"] = "请选择单位 (agency: choose the agency whose pack this is)"
    if not PERIOD_RE.match(form["period"]):
        errors["period"] = "请选择预览期间: 年度或上半年 (period: YYYY or YYYYH1)"
    doc, problem = parse_pack_text(form["pack"])
    if problem:
        errors["pack"] = problem
    digest = hashlib.sha256(form["pack"].encode()).hexdigest()
    if action == "adopt" and (body.get("reviewed") or "") != digest:
        errors["adopt"] = "规则包在预览后改过, 请重新预览再采用 (pack: preview the document you adopt)"
    if action not in ("preview", "adopt"):
        errors["_form"] = "action: preview or adopt"
    context = lambda status, **kw: _render(self, "console/office_packs.html", status, **_pack_context(  # noqa: E731
        self, person, staff, committee, agencies, form, errors, **kw))
    if errors:
        return context(400)
    try:
        _call(self, person, "scoring.validate_pack", {"agency": form["agency"], "pack": doc})
    except LianbaoError as err:
        problems = [{"field": d.get("field"), "message": d.get("message")} for d in (err.details or [])] \
            or [{"field": err.field, "message": err.message}]
        errors["pack"] = f"规则包有 {len(problems)} 处问题, 未采用 (the pack breaks its rules: nothing stored)"
        return _render(self, "console/office_packs.html", err.http_status if err.http_status < 500 else 400,
                       **_pack_context(self, person, staff, committee, agencies, form, errors, problems=problems))
    if action == "adopt":
        try:
            out = _call(self, person, "scoring.register_pack",
                        {"agency": form["agency"], "pack": doc, "registered_by": person.person})
        except LianbaoError as err:
            errors["adopt"] = f"{err.field}: {err.message}" if err.field else err.message
            return context(err.http_status if err.http_status < 500 else 400)
        return Response("", status=303, headers={
            "Location": f"/console/office/packs?agency={quote(form['agency'])}&period={quote(form['period'])}"
                        f"&adopted={out['version']}&created={int(bool(out['created']))}",
            "Cache-Control": "no-store"})
    try:
        snapshot = _call(self, person, "scoring.snapshot", {"period": form["period"], "scope": form["agency"]})
        preview = _call(self, person, "scoring.preview_pack", {"agency": form["agency"], "period": form["period"],
                                                              "pack": doc, "snapshot": snapshot})
    except LianbaoError as err:
        field = err.field if err.field in ("period", "agency") else "pack"
        errors[field] = f"{err.field}: {err.message}" if err.field and err.field != field else err.message
        return context(err.http_status if err.http_status < 500 else 400)
    return context(200, preview=preview, reviewed=digest)


# ------------------------------------------------------------------------------------------------
# the period's notices (公示) of results and rewards, as rewards stored them: XLSX and CSV


def _notice(self, person, period: str, committee: dict) -> dict:
    if not PERIOD_RE.match(period or ""):
        raise ConsoleProblem(404, "页面不存在", f"period: {period[:20]!r} is not a period (YYYY or YYYYH1)")
    return _call(self, person, "rewards.notice", {"period": period, "unit": committee["id"]})


@guarded
def notices_get(self, request, person):
    """The periods whose notice of the committee's agencies can be downloaded."""
    staff, units, committee = _office_of(self, person)
    rows = []
    for period, label in periods_offered(_today(self)):
        found = _maybe(self, person, "rewards.notice", {"period": period, "unit": committee["id"]})
        rows.append({"period": period, "label": label, "notice": found,
                     "subjects": sum(len(r) for r in (found or {}).get("sheets", {}).values())})
    names = {u["id"]: u["name"] for u in units}
    return _render(self, "console/office_notices.html", **_context(self, person, staff, committee, rows=rows,
                                                                   names=names))


def notice_xlsx(notice: dict, names: dict) -> bytes:
    """The notice as a workbook: a sheet per paying unit (named by the unit's name) and the payout
    summary, as ``lianbao export notice`` writes it."""
    import io

    from openpyxl import Workbook

    from lianbao.commands.export_notice import SUMMARY_SHEET, sheet_title
    from shared.spreadsheet import safe_row

    wb = Workbook()
    wb.remove(wb.active)
    taken: set = set()
    for unit, rows in notice["sheets"].items():
        ws = wb.create_sheet(sheet_title(names.get(unit, unit), taken))
        ws.append(safe_row([f"{notice['period']} 公示 — {names.get(unit, unit)} ({unit})"]))
        ws.append(safe_row(notice["headers"]))
        for row in rows:
            ws.append(safe_row(row))
    ws = wb.create_sheet(SUMMARY_SHEET)
    ws.append(safe_row(notice["summary_headers"]))
    for row in notice["summary"]:
        ws.append(safe_row(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def notice_csv(notice: dict) -> bytes:
    """The notice as one CSV (UTF-8 with BOM, for spreadsheet programs): the paying unit, then the
    notice's columns."""
    import csv
    import io

    from shared.spreadsheet import safe_row

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(["发放单位", *notice["headers"]]))
    for unit, rows in notice["sheets"].items():
        for row in rows:
            writer.writerow(safe_row(["" if v is None else v for v in (unit, *row)]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _download(self, request, person, period: str, kind: str):
    staff, units, committee = _office_of(self, person)
    try:
        notice = _notice(self, person, period, committee)
    except LianbaoError as err:
        if err.http_status == 404:
            raise ConsoleProblem(404, "没有公示", f"{period[:10]}: 本期还没有结算的评星结果 ({err.message})") from None
        raise
    names = {u["id"]: u["name"] for u in units}
    body = notice_xlsx(notice, names) if kind == "xlsx" else notice_csv(notice)
    media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if kind == "xlsx"
             else "text/csv; charset=utf-8")
    name = f"notice_{period}_{committee['id']}.{kind}"
    return Response(body, status=200, content_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


@guarded
def notice_xlsx_get(self, request, person, period):
    """The period's notice of the committee's agencies as a workbook."""
    return _download(self, request, person, period, "xlsx")


@guarded
def notice_csv_get(self, request, person, period):
    """The period's notice of the committee's agencies as CSV."""
    return _download(self, request, person, period, "csv")


def entry_points() -> dict:
    from nameko.web.handlers import http

    return {
        "console_office_rating": http("GET", "/console/office/rating")(rating_get),
        "console_office_rating_post": http("POST", "/console/office/rating")(rating_post),
        "console_office_packs": http("GET", "/console/office/packs")(packs_get),
        "console_office_packs_post": http("POST", "/console/office/packs")(packs_post),
        "console_office_notices": http("GET", "/console/office/notices")(notices_get),
        "console_office_notice_xlsx": http("GET", "/console/office/notices/<period>.xlsx")(notice_xlsx_get),
        "console_office_notice_csv": http("GET", "/console/office/notices/<period>.csv")(notice_csv_get),
    }
