"""Satisfaction rates per subject, per dimension and per respondent group.

Rules:
* satisfaction rate = (satisfied + basically satisfied) / answered, where answered counts 满意,
  基本满意 and 不满意 and 不了解 is no answer (SPEC §4, 001 §一2);
* rates pool all answers (not a mean of per-form rates) and are null, never 0, when nothing was
  answered (SPEC §4);
* below 60% disqualifies a section or an officer from stars (M§五(二)1(1)③, 1(2)③);
* the team target is 90% or more (M§一8 "达90%以上"; 以上 includes the number itself, M§六).

Arithmetic is exact (:class:`fractions.Fraction`); the wire carries the exact counts and a
4-decimal display of the rate rounded half-up.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .questionnaire import Questionnaire, dimension_runs
from .vocabulary import BASIC, DIMENSIONS, DISSATISFIED, RESPONDENT_GROUPS, SATISFIED

DISQUALIFICATION_LINE = Fraction(60, 100)
TEAM_TARGET = Fraction(90, 100)
RATE_PLACES = 4


@dataclass
class Counts:
    satisfied: int = 0
    basic: int = 0
    dissatisfied: int = 0

    @property
    def answered(self) -> int:
        return self.satisfied + self.basic + self.dissatisfied

    def add(self, satisfied: int, basic: int, dissatisfied: int) -> "Counts":
        self.satisfied += satisfied
        self.basic += basic
        self.dissatisfied += dissatisfied
        return self

    def __iadd__(self, other: "Counts") -> "Counts":
        return self.add(other.satisfied, other.basic, other.dissatisfied)


def satisfaction_rate(counts: Counts) -> Fraction | None:
    """(satisfied + basically satisfied) / answered, exact; None when nothing was answered.

    Source: SPEC §4 ("满意和基本满意率", M§一8); 不了解 is not in the denominator.
    """
    if counts.answered == 0:
        return None
    return Fraction(counts.satisfied + counts.basic, counts.answered)


def below_disqualification_line(rate: Fraction | None) -> bool:
    """Below 60% disqualifies from stars (M§五(二)1(1)③ and 1(2)③ "满意率与基本满意率低于60%");
    exactly 60% does not (以下不含本数, M§六).  No answer: no verdict (False)."""
    return rate is not None and rate < DISQUALIFICATION_LINE


def meets_team_target(rate: Fraction | None) -> bool:
    """The team target: satisfied + basically satisfied at 90% or more (M§一8 "达90%以上";
    以上含本数, M§六).  No answer does not meet it."""
    return rate is not None and rate >= TEAM_TARGET


def format_rate(rate: Fraction | None, places: int = RATE_PLACES) -> str | None:
    """The rate as a decimal string rounded half-up, computed on integers (exact); None stays None."""
    if rate is None:
        return None
    scale = 10 ** places
    num, den = rate.numerator, rate.denominator
    units = (2 * num * scale + den) // (2 * den)       # half-up for rates >= 0
    whole, frac = divmod(units, scale)
    return f"{whole}.{frac:0{places}d}"


def tally_answers(answers: str, questionnaire: Questionnaire) -> dict[str, Counts]:
    """Count one form's answers per dimension (SPEC §4; the reference the store's SQL must match)."""
    out: dict[str, Counts] = {}
    for dim, runs in dimension_runs(questionnaire).items():
        counts = Counts()
        for start, length in runs:
            part = answers[start:start + length]
            counts.add(part.count(SATISFIED), part.count(BASIC), part.count(DISSATISFIED))
        out[dim] = counts
    return out


@dataclass(frozen=True)
class Cell:
    """The pooled counts of one subject, one respondent group, one dimension."""
    subject: str
    group: str
    dimension: str
    satisfied: int
    basic: int
    dissatisfied: int


def tally_forms(forms, questionnaire: Questionnaire, chunk: int = 50000
                ) -> tuple[list[Cell], dict[str, int]]:
    """Pool forms ``(subject, group, answers)`` into cells and forms received per subject.

    Same counts as :func:`tally_answers` summed form by form (SPEC §4: rates pool all answers), but
    fast at campaign scale: forms are grouped by (subject, group) a chunk at a time, and each
    dimension's slices of a group are joined and counted once.
    """
    runs = [(dim, start, start + length)
            for dim, dim_runs in dimension_runs(questionnaire).items() for start, length in dim_runs]
    dims = list(dict.fromkeys(dim for dim, _, _ in runs))
    slot = {dim: i for i, dim in enumerate(dims)}
    acc: dict[tuple[str, str], list[int]] = {}
    received: dict[str, int] = {}

    def flush(pending: dict[tuple[str, str], list[str]]) -> None:
        for key, answer_list in pending.items():
            counts = acc.get(key)
            if counts is None:
                counts = acc[key] = [0] * (3 * len(dims))
            received[key[0]] = received.get(key[0], 0) + len(answer_list)
            for dim, start, end in runs:
                joined = "".join([a[start:end] for a in answer_list])
                base = 3 * slot[dim]
                counts[base] += joined.count(SATISFIED)
                counts[base + 1] += joined.count(BASIC)
                counts[base + 2] += joined.count(DISSATISFIED)

    pending: dict[tuple[str, str], list[str]] = {}
    size = 0
    for subject, group, answers in forms:
        key = (subject, group)
        bucket = pending.get(key)
        if bucket is None:
            pending[key] = [answers]
        else:
            bucket.append(answers)
        size += 1
        if size >= chunk:
            flush(pending)
            pending, size = {}, 0
    flush(pending)
    cells = [Cell(subject, group, dim, c[3 * i], c[3 * i + 1], c[3 * i + 2])
             for (subject, group), c in acc.items() for i, dim in enumerate(dims)]
    return cells, received


def counts_dict(counts: Counts) -> dict:
    """The wire form of pooled counts: exact counts, the display rate and both verdicts."""
    rate = satisfaction_rate(counts)
    return {
        "satisfied": counts.satisfied, "basic": counts.basic, "dissatisfied": counts.dissatisfied,
        "answered": counts.answered, "rate": format_rate(rate),
        "below_60": below_disqualification_line(rate), "meets_target": meets_team_target(rate),
    }


def rate_report(subjects: dict[str, str], cells, received: dict[str, int],
                dimensions=DIMENSIONS, groups=RESPONDENT_GROUPS, names=None) -> dict:
    """Rates per subject (pooled), and per subject by dimension and by respondent group, plus the
    campaign's totals.  Subjects without forms are listed with null rates (SPEC §4: null, never 0).
    """
    names = names or {}
    per_subject = {sid: Counts() for sid in subjects}
    by_dim = {sid: {d: Counts() for d in dimensions} for sid in subjects}
    by_group = {sid: {g: Counts() for g in groups} for sid in subjects}
    total, total_dim = Counts(), {d: Counts() for d in dimensions}
    total_group = {g: Counts() for g in groups}
    for cell in cells:
        if cell.subject not in per_subject:
            continue
        s, b, d = cell.satisfied, cell.basic, cell.dissatisfied
        per_subject[cell.subject].add(s, b, d)
        by_dim[cell.subject][cell.dimension].add(s, b, d)
        by_group[cell.subject][cell.group].add(s, b, d)
        total.add(s, b, d)
        total_dim[cell.dimension].add(s, b, d)
        total_group[cell.group].add(s, b, d)
    rows = []
    for sid, kind in subjects.items():
        row = {"id": sid, "kind": kind, "name": names.get(sid, ""), "forms": received.get(sid, 0)}
        row.update(counts_dict(per_subject[sid]))
        row["dimensions"] = {d: counts_dict(c) for d, c in by_dim[sid].items()}
        row["groups"] = {g: counts_dict(c) for g, c in by_group[sid].items()}
        rows.append(row)
    totals = {"forms": sum(received.get(sid, 0) for sid in subjects)}
    totals.update(counts_dict(total))
    totals["dimensions"] = {d: counts_dict(c) for d, c in total_dim.items()}
    totals["groups"] = {g: counts_dict(c) for g, c in total_group.items()}
    return {"subjects": rows, "totals": totals}


def event_subjects(report: dict) -> list[dict]:
    """The per-subject lines of the published event: the counts the rating snapshot's
    ``satisfaction`` field needs (RATING.md §1) plus the verdicts."""
    keys = ("id", "kind", "forms", "satisfied", "basic", "dissatisfied", "answered", "rate",
            "below_60", "meets_target")
    return [{k: row[k] for k in keys} for row in report["subjects"]]


def pool_by_agency(subject_rows, agency_of) -> dict:
    """Target 8 of the Method (M§一8: 群众满意和基本满意率达90%以上), per agency and city-wide: the
    answers of every subject pooled (not a mean of rates). ``subject_rows`` are per-subject counts
    (``id``, ``satisfied``, ``basic``, ``answered``) of one or more campaigns; ``agency_of`` maps a
    subject to its agency (an agency to itself); a subject it does not know counts city-wide only.
    Returns ``{agency or "city": (satisfied + basic, answered)}``."""
    out: dict = {"city": (0, 0)}
    for row in subject_rows:
        happy, answered = row["satisfied"] + row["basic"], row["answered"]
        c_happy, c_answered = out["city"]
        out["city"] = (c_happy + happy, c_answered + answered)
        agency = agency_of.get(row["id"])
        if agency is not None:
            a_happy, a_answered = out.get(agency, (0, 0))
            out[agency] = (a_happy + happy, a_answered + answered)
    return out
