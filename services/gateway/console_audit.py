"""The auditor's console (issue 22 item 5): read-only pages for the persons named by config
``AUDITORS`` (env ``LIANBAO_AUDITORS``; :func:`shared.access.auditors_of`), who read everything and
write nothing (the policy table's role ``auditor``, enforced by every service).

* ``GET /console/audit`` — the three look-ups below, as forms (GET: nothing is written);
* ``GET /console/audit/explanation?subject=P&period=YYYY|YYYYH1`` — a person's rating explained line
  by line (``scoring.explanation``: the mark of the Method, the pack or the plug-in that moved the
  points); without a period, the person's latest rating;
* ``GET /console/audit/ledger?period=P[&paying_unit=U][&page=N]`` — the rewards ledger of a period, a
  page of lines at a time in the chain's order (``rewards.ledger``), with the period's reconciliation
  (``rewards.reconcile``: what the ratings in force and the allowances imply against the lines);
* ``GET /console/audit/chain`` — the ledger's hash chain verified (``rewards.verify_chain``).

Every datum is asked of the services as the signed-in person: the services decide (an auditor reads
every unit). A person who is not an auditor is answered 404 like a missing page, and no page has a
form that writes.
"""
from __future__ import annotations

import re

from nameko.web.handlers import http

from services.gateway.console import (STATUS_LABELS, ConsoleProblem, _call, _csrf, _maybe, _render,
                                      guarded)

PERIOD_RE = re.compile(r"^\d{4}(H1)?$")
ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
PAGE_LINES = 200
LINE_KINDS = {"bonus": "奖金", "certificate": "证书", "eligibility": "资格", "warning_talk": "警示谈话",
              "dismissal": "免职", "plaque": "奖牌", "allowance": "津贴"}


def _auditor(self, person) -> None:
    """Only an auditor: anyone else is refused like a missing page."""
    if person.person not in getattr(self.signin, "auditors", frozenset()):
        raise ConsoleProblem(404, "页面不存在", "audit: you are not an auditor (不是审计人员)")


def _context(self, person, **extra) -> dict:
    staff = _maybe(self, person, "roster.get_staff", {"person": person.person}) or {}
    return dict(me=person.person, staff=staff, audit_link=True, csrf=_csrf(person), **extra)


def _period(raw: str | None, *, required: bool) -> tuple[str | None, str | None]:
    value = (raw or "").strip()[:20]
    if not value:
        return None, ("请填写期间, 如 2026 或 2026H1 (period: YYYY or YYYYH1)" if required else None)
    if not PERIOD_RE.match(value):
        return value, "期间格式为 2026 或 2026H1 (period: YYYY or YYYYH1)"
    return value, None


@guarded
def audit_home(self, request, person):
    """The auditor's three look-ups."""
    _auditor(self, person)
    return _render(self, "console/audit.html", **_context(self, person, form={}, errors={}))


@guarded
def audit_explanation(self, request, person):
    """A person's rating explained, line by line."""
    _auditor(self, person)
    subject = (request.args.get("subject") or "").strip()[:120]
    period, period_error = _period(request.args.get("period"), required=False)
    errors = {}
    if not subject:
        errors["subject"] = "请填写人员编号 (subject: a person's id)"
    elif not ID_RE.match(subject):
        errors["subject"] = "人员编号只含字母、数字和 _ . : - (subject: not an id)"
    if period_error:
        errors["period"] = period_error
    form = {"subject": subject, "period": period or ""}
    if errors:
        return _render(self, "console/audit.html", 400, **_context(self, person, form=form, errors=errors))
    payload = {"subject": subject, **({"period": period} if period else {})}
    rating = _maybe(self, person, "scoring.explanation", payload)
    subject_staff = _maybe(self, person, "roster.get_staff", {"person": subject}) or {}
    return _render(self, "console/audit_explanation.html",
                   **_context(self, person, form=form, subject=subject, subject_staff=subject_staff,
                              rating=rating, STATUS_LABELS=STATUS_LABELS))


@guarded
def audit_ledger(self, request, person):
    """The rewards ledger of a period, a page at a time, with its reconciliation."""
    _auditor(self, person)
    period, period_error = _period(request.args.get("period"), required=True)
    unit = (request.args.get("paying_unit") or "").strip()[:120]
    page_raw = (request.args.get("page") or "1").strip()
    errors = {}
    if period_error:
        errors["period"] = period_error
    if unit and not ID_RE.match(unit):
        errors["paying_unit"] = "单位编号只含字母、数字和 _ . : - (paying_unit: not an id)"
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) < 100_000 else None
    if page is None:
        errors["page"] = "页码须为正整数 (page: a positive integer)"
    form = {"period": period or "", "paying_unit": unit}
    if errors:
        return _render(self, "console/audit.html", 400, **_context(self, person, form=form, errors=errors))
    query = {"period": period, "limit": PAGE_LINES, "offset": (page - 1) * PAGE_LINES,
             **({"paying_unit": unit} if unit else {})}
    found = _call(self, person, "rewards.ledger", query)
    reconciled = _maybe(self, person, "rewards.reconcile", {"period": period})
    pages = max(1, -(-found["total"] // PAGE_LINES))
    return _render(self, "console/audit_ledger.html",
                   **_context(self, person, form=form, period=period, unit=unit, page_no=page, pages=pages,
                              total=found["total"], lines=found["lines"], reconciled=reconciled,
                              LINE_KINDS=LINE_KINDS))


@guarded
def audit_chain(self, request, person):
    """The ledger's hash chain verified, line by line from the first."""
    _auditor(self, person)
    verified = _call(self, person, "rewards.verify_chain", {})
    return _render(self, "console/audit_chain.html", **_context(self, person, verified=verified))


def entry_points() -> dict:
    """The nameko entry points of the auditor's pages, to merge into the gateway's class."""
    return {
        "console_audit": http("GET", "/console/audit")(audit_home),
        "console_audit_explanation": http("GET", "/console/audit/explanation")(audit_explanation),
        "console_audit_ledger": http("GET", "/console/audit/ledger")(audit_ledger),
        "console_audit_chain": http("GET", "/console/audit/chain")(audit_chain),
    }
