"""The public notice (公示) of a month's evaluations and the objections the public sends to it.

Rules (M§五(二)4 公示监督, SPEC §3.1, §8; issue 23):

* a month's notice of an evaluating body shows, while it is open, who (name and unit), the score,
  and the window's dates; the notice runs from the posting day through three working days
  (:func:`services.scoring.domain.deadlines.notice_end`), objections are heard on those days;
* after the window nothing of it stays public: the page says it closed (公示已结束), no form;
* no personal data beyond what the notice publishes: no ids of people beyond the subject's own, no
  deductions, no contact details of anyone who objected;
* an objection from the public says what (text), about whom (an entry that is on notice that day)
  and how to reach its author (contact: a phone number or an e-mail address); free text is plain
  text: no markup (``<`` ``>``), no control characters, a length limit; anything else is refused
  naming the field, and nothing is stored;
* the leading group (领导小组) of the evaluating body answers each objection; an upheld objection
  sends the evaluation back to review (SPEC §3.1: objections reopen the review).

Pure Python: no nameko, no SQLAlchemy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from shared.errors import ValidationFailed
from shared.schemas import text_problem

TEXT_MAX = 1000        # an objection's text, characters
CONTACT_MAX = 100      # a phone number or an e-mail address
ANSWER_MAX = 2000
OPEN, ANSWERED = "open", "answered"

_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,28}[0-9]$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(\.[A-Za-z0-9\-]{1,63})+$")


def plain_text_problem(text, max_length: int) -> str | None:
    """Why a free text of the public may not be stored (None when fine): it is required, at most
    ``max_length`` characters, without control characters and without markup (``<`` or ``>``)."""
    if not isinstance(text, str) or not text.strip():
        return "必填 (required)"
    if len(text) > max_length:
        return f"最多 {max_length} 字 (at most {max_length} characters, got {len(text)})"
    problem = text_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    if problem is not None:
        return f"含有控制字符 ({problem})"
    if "<" in text or ">" in text:
        return "不可包含 < 或 > (no markup)"
    return None


def contact_problem(contact) -> str | None:
    """A contact is a phone number (digits, spaces, dashes, an optional leading +) or an e-mail
    address, at most :data:`CONTACT_MAX` characters."""
    if not isinstance(contact, str) or not contact.strip():
        return "必填 (required)"
    contact = contact.strip()
    if len(contact) > CONTACT_MAX:
        return f"最多 {CONTACT_MAX} 字 (at most {CONTACT_MAX} characters)"
    if _PHONE.match(contact) or _EMAIL.match(contact):
        return None
    return "请填写电话号码或电子邮箱 (a phone number or an e-mail address)"


def check_objection(text, contact) -> tuple[str, str]:
    """The objection's text and contact, checked (ValidationFailed naming the field), trimmed."""
    problem = plain_text_problem(text, TEXT_MAX)
    if problem:
        raise ValidationFailed(problem, "text")
    problem = contact_problem(contact)
    if problem:
        raise ValidationFailed(problem, "contact")
    return text.strip(), contact.strip()


def check_answer(text) -> str:
    problem = plain_text_problem(text, ANSWER_MAX)
    if problem:
        raise ValidationFailed(problem, "answer")
    return text.strip()


@dataclass(frozen=True)
class Posted:
    """One evaluation as the notice shows it."""
    kind: str
    subject: str
    name: str
    unit: str
    score: float | None
    state: str
    start: date | None
    end: date | None

    def is_open(self, on: date) -> bool:
        return (self.state == "on_notice" and self.start is not None and self.end is not None
                and self.start <= on <= self.end)


def notice_view(posted: list[Posted], on: date) -> dict:
    """The public page's content on day ``on``: ``status`` is ``open`` (entries listed, objections
    heard), ``closed`` (a window existed and is over: nothing listed) or ``none`` (nothing was
    posted for that month).  ``window`` is the open entries' window (several postings after an
    upheld objection each have theirs: from the earliest start to the latest end), else the last
    window that ran."""
    shown = [p for p in posted if p.start is not None and p.end is not None]
    open_ = [p for p in shown if p.is_open(on)]
    if open_:
        start, end = min(p.start for p in open_), max(p.end for p in open_)
        entries = [{"kind": p.kind, "subject": p.subject, "name": p.name, "unit": p.unit,
                    "score": p.score, "notice_end": p.end.isoformat()}
                   for p in sorted(open_, key=lambda p: (p.unit, -(p.score or 0), p.name, p.subject))]
        return {"status": "open", "start": start.isoformat(), "end": end.isoformat(), "entries": entries}
    if shown:
        last = max(shown, key=lambda p: p.end)
        return {"status": "not_started" if on < last.start else "closed",
                "start": last.start.isoformat(), "end": last.end.isoformat(), "entries": []}
    return {"status": "none", "start": None, "end": None, "entries": []}


# ------------------------------------------------------------------------------------------------
# the half-year and annual notices (半年初评 / 年终总评, M§五(二)4: 公示监督 before 批复通报)

STAR_WORDS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}
STATUS_WORDS = {"not_rated": "不参加评星", "disqualified": "取消评星资格"}
CLASS_WORDS = {1: "一类", 2: "二类", 3: "三类"}


def published_result(kind: str, item: dict) -> str:
    """What the notice says of one result, as the Method publishes it: ``四星级`` for a rated
    officer or section (★ the stars), ``不参加评星`` / ``取消评星资格`` for the others (never the
    reason: that is the subject's own), an agency's class (``一类`` …, ``先进单位``)."""
    if kind == "agency":
        text = CLASS_WORDS.get(item.get("class"), f"{item.get('class')}类")
        if item.get("veto"):
            return text + " 一票否决"
        if item.get("veto_warning"):
            return text + " 一票否决预告"
        return text + (" 先进单位" if item.get("advanced") else "")
    status = item.get("status")
    if status == "rated":
        stars = item.get("stars")
        if stars not in STAR_WORDS:
            raise ValueError(f"a rated result without stars 1-5: {stars!r}")
        return f"{STAR_WORDS[stars]}星级"
    if status not in STATUS_WORDS:
        raise ValueError(f"unknown rating status {status!r}")
    return STATUS_WORDS[status]


@dataclass(frozen=True)
class PeriodEntry:
    """One result of a period's rating as the unit's notice shows it."""
    kind: str           # officer | section | agency
    subject: str
    name: str
    unit: str           # the section's (or the agency's) name
    score: float | None
    status: str | None  # rated | not_rated | disqualified (None for an agency)
    stars: int | None
    result: str         # :func:`published_result`


def period_status(start: date | None, end: date | None, on: date) -> str:
    """``open`` from the posting day through the window's last day, ``not_started`` before,
    ``closed`` after, ``none`` when the period was never rated (no window)."""
    if start is None or end is None:
        return "none"
    if on < start:
        return "not_started"
    return "open" if on <= end else "closed"


def period_notice_view(entries: list[PeriodEntry], start: date | None, end: date | None,
                       on: date) -> dict:
    """The public page of a unit's period notice on day ``on``: while ``open`` the entries (sections
    and the agency first, then officers; by unit, best score first), with stars as published; at
    any other time no entry (nothing of it stays public after the window)."""
    status = period_status(start, end, on)
    window = {"start": start.isoformat() if start else None, "end": end.isoformat() if end else None}
    if status != "open":
        return {"status": status, **window, "entries": []}
    order = {"agency": 0, "section": 1, "officer": 2}
    shown = sorted(entries, key=lambda e: (order.get(e.kind, 3), e.unit, -(e.score or 0), e.name, e.subject))
    return {"status": "open", **window, "entries": [
        {"kind": e.kind, "subject": e.subject, "name": e.name, "unit": e.unit, "score": e.score,
         "stars": e.stars if e.status == "rated" else None, "result": e.result} for e in shown]}
