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
